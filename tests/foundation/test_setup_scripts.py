"""The shell side of setup: one package list, idempotent installs, a useful message without root, make targets."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from assist import paths

REPO = paths.PROJECT_ROOT
SETUP = REPO / "scripts" / "setup_system.sh"

REQUIRED = """libportaudio2 pulseaudio pulseaudio-utils libasound2-plugins xvfb libxcb-cursor0 libxcb-icccm4
libxcb-keysyms1 libxkbcommon-x11-0 libxcb-image0 libxcb-render-util0 libxcb-xinerama0 libxcb-randr0
libxcb-shape0 libegl1 libgl1 libfontconfig1 libdbus-1-3 fonts-noto-cjk""".split()

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX shell scripts")


@pytest.mark.parametrize("script", ["scripts/setup_system.sh", ".ci/run", "packaging/build_wheelhouse.sh"])
def test_shell_syntax(script):
    subprocess.run(["bash", "-n", str(REPO / script)], check=True, timeout=30)


def test_package_list_is_complete_and_single():
    listed = subprocess.run(["bash", str(SETUP), "--list"], capture_output=True, text=True, check=True).stdout.split()
    assert set(REQUIRED) <= set(listed)
    # Both the Makefile and CI use the script; neither keeps its own copy of the list.
    for user in ("Makefile", ".ci/run"):
        text = (REPO / user).read_text()
        assert "scripts/setup_system.sh" in text
        assert "libxcb" not in text and "fonts-noto-cjk" not in text


def _shims(tmp_path: Path, *, uid: int, installed: set[str], sudo_ok: bool) -> dict:
    """Fake id/dpkg-query/apt-get/sudo in front of PATH; apt-get and sudo calls are logged."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    log = tmp_path / "calls.log"
    status = "\\n".join(f"{p} installed" for p in sorted(installed))
    scripts = {
        "id": f'#!/bin/sh\n[ "$1" = "-u" ] && echo {uid} || /usr/bin/id "$@"\n',
        "dpkg-query": f'#!/bin/sh\nprintf "{status}\\n"\n',
        "apt-get": f'#!/bin/sh\necho "apt-get $*" >> {log}\n',
        "sudo": f'#!/bin/sh\necho "sudo $*" >> {log}\n' + ('[ "$2" = true ] && exit 0\nshift\nexec "$@"\n' if sudo_ok else "exit 1\n"),
    }
    for name, body in scripts.items():
        (bin_ / name).write_text(body)
        (bin_ / name).chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PATH"] = f"{bin_}:{os.environ['PATH']}"
    return {"env": env, "log": log}


def _run(sh):
    return subprocess.run(["bash", str(SETUP)], capture_output=True, text=True, env=sh["env"], timeout=60)


def _calls(sh):
    return sh["log"].read_text().splitlines() if sh["log"].exists() else []


def test_nothing_missing_means_no_apt(tmp_path):
    listed = subprocess.run(["bash", str(SETUP), "--list"], capture_output=True, text=True, check=True).stdout.split()
    sh = _shims(tmp_path, uid=0, installed=set(listed), sudo_ok=False)
    proc = _run(sh)
    assert proc.returncode == 0 and "all" in proc.stdout
    assert _calls(sh) == []  # not even apt-get update


def test_root_installs_only_the_missing(tmp_path):
    listed = subprocess.run(["bash", str(SETUP), "--list"], capture_output=True, text=True, check=True).stdout.split()
    sh = _shims(tmp_path, uid=0, installed=set(listed) - {"xvfb", "fonts-noto-cjk"}, sudo_ok=False)
    proc = _run(sh)
    assert proc.returncode == 0, proc.stderr
    calls = _calls(sh)
    assert any(c.endswith(" update") for c in calls)
    install = next(c for c in calls if " install " in c)
    assert install.split()[-2:] == ["xvfb", "fonts-noto-cjk"]


def test_without_root_or_sudo_prints_the_command_and_continues(tmp_path):
    sh = _shims(tmp_path, uid=1000, installed={"libportaudio2"}, sudo_ok=False)
    proc = _run(sh)
    assert proc.returncode == 0
    assert "sudo apt-get install -y" in proc.stderr and "fonts-noto-cjk" in proc.stderr
    assert not any(c.startswith("apt-get") for c in _calls(sh))


def test_passwordless_sudo_is_used(tmp_path):
    sh = _shims(tmp_path, uid=1000, installed=set(), sudo_ok=True)
    assert _run(sh).returncode == 0
    assert any(c.startswith("sudo -n apt-get") and " install " in c for c in _calls(sh))


def test_make_targets():
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL")}
    dry = subprocess.run(["make", "-n", "test"], cwd=REPO, capture_output=True, text=True, env=env, timeout=60)
    assert dry.returncode == 0, dry.stderr
    assert "scripts/setup_system.sh" in dry.stdout and "-m pytest" in dry.stdout and "offscreen" in dry.stdout
    # Without a display, `make run` explains instead of failing (setup itself is exercised by CI).
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    dry = subprocess.run(["make", "-n", "run"], cwd=REPO, capture_output=True, text=True, env=env, timeout=60)
    assert "callassist analyze" in dry.stdout


@pytest.fixture
def make_sandbox(tmp_path):
    """The real Makefile in a folder whose .venv/bin/python is a fake that logs what it is asked to do."""
    box = tmp_path / "repo"
    (box / "scripts").mkdir(parents=True)
    (box / ".venv" / "bin").mkdir(parents=True)
    shutil.copy(REPO / "Makefile", box)
    (box / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (box / "scripts" / "setup_system.sh").write_text('echo system >> "$(dirname "$0")/../calls.log"\n')
    fake = box / ".venv" / "bin" / "python"
    fake.write_text(
        "#!/bin/sh\n"
        'log="$(dirname "$0")/../../calls.log"\n'
        'case "$1" in\n'
        '  -c) exit 0 ;;\n'  # version checks
        '  -m) echo "$2 $3" >> "$log"; [ "$2" = pytest ] && exit "${FAKE_PYTEST_RC:-0}"; exit 0 ;;\n'
        '  scripts/fetch_model.py) echo fetch >> "$log"; mkdir -p models/whisper-base;'
        ' echo {} > models/whisper-base/.callassist-model.json ;;\n'
        "esac\n"
    )
    fake.chmod(0o755)
    return box


def _make(box, *args, **env_extra):
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL")}
    env.update(env_extra)
    proc = subprocess.run(["make", *args], cwd=box, capture_output=True, text=True, env=env, timeout=60)
    log = box / "calls.log"
    calls = log.read_text().split("\n")[:-1] if log.exists() else []
    log.unlink(missing_ok=True)
    return proc, calls


def test_make_setup_is_idempotent(make_sandbox):
    box = make_sandbox
    proc, calls = _make(box, "setup")
    assert proc.returncode == 0, proc.stderr
    assert calls == ["system", "pip install", "fetch"]
    proc, calls = _make(box, "setup")  # everything there: only the (quick) system check runs
    assert proc.returncode == 0 and calls == ["system"]
    # pyproject.toml edited after the last install → pip again, model untouched
    t = (box / "pyproject.toml").stat().st_mtime - 60
    os.utime(box / ".venv" / ".installed", (t, t))
    assert _make(box, "setup")[1] == ["system", "pip install"]
    assert _make(box, "model")[1] == ["fetch"]  # explicit: always re-verifies


def test_make_test_reports_pytest_exit_5(make_sandbox):
    _make(make_sandbox, "setup")
    proc, calls = _make(make_sandbox, "test", FAKE_PYTEST_RC="5")
    assert calls[-1] == "pytest -q"
    assert proc.returncode != 0 and "collected no tests" in proc.stderr
    proc, _ = _make(make_sandbox, "test")
    assert proc.returncode == 0
