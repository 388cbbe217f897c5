"""Nothing leaves the PC: a real audio analyze and the desktop app's call, each under strace, may open no
socket but AF_UNIX/loopback and may write no file outside the user's folders.

onnxruntime 1.29–1.32 (the VAD's runtime) carry Microsoft telemetry on Linux: DNS lookups for
mobile.events.data.microsoft.com, TLS to port 443, a device id under ~/.cache/Microsoft. pyproject.toml pins a
build without it; these tests catch it (or any other library phoning home) coming back.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from assist import paths

from .strace_log import TRACED, merge, network_use, written_paths

pytestmark = pytest.mark.model


@pytest.fixture()
def sandbox(tmp_path):
    """An empty home and callassist's own folders, all inside tmp: the only places a run may write."""
    if not shutil.which("strace"):
        pytest.fail("strace is not installed: run scripts/setup_system.sh (it is in its package list)")
    dirs = {name: tmp_path / name for name in ("home", "data", "config", "logs", "tmp")}
    for d in dirs.values():
        d.mkdir()
    # A fresh user with no sound server: a PulseAudio client that autospawned a daemon here would leave a
    # traced process behind, and strace -f waits for every one of them.
    (dirs["home"] / ".config" / "pulse").mkdir(parents=True)
    (dirs["home"] / ".config" / "pulse" / "client.conf").write_text("autospawn = no\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CALLASSIST_", "XDG_", "PULSE_"))}
    env.update(HOME=str(dirs["home"]), TMPDIR=str(dirs["tmp"]), CALLASSIST_DATA_DIR=str(dirs["data"]),
               CALLASSIST_CONFIG_DIR=str(dirs["config"]), CALLASSIST_LOG_DIR=str(dirs["logs"]),
               CALLASSIST_SHARED=os.environ.get("CALLASSIST_SHARED", str(paths.PROJECT_ROOT.parent / "shared")),
               PYTHONPATH=str(paths.PROJECT_ROOT), PYTHONDONTWRITEBYTECODE="1", QT_QPA_PLATFORM="offscreen")
    return tmp_path, dirs, env


def _traced(sandbox, argv, timeout=240):
    root, dirs, env = sandbox
    log = root / "strace.log"
    proc = subprocess.run(["strace", "-f", "-qq", "-y", "-s", "256", "-e", f"trace={TRACED}", "-o", str(log),
                           *argv], cwd=root, env=env, capture_output=True, text=True, encoding="utf-8",
                          errors="replace", timeout=timeout)
    calls = merge(log.read_text(encoding="utf-8", errors="replace").splitlines())
    assert calls, f"strace recorded nothing (ptrace not allowed here?): {proc.stderr[-2000:]}"
    return proc, calls


def _outside(written: set[str], dirs: dict[str, Path]) -> list[str]:
    allowed = [str(dirs[k]) for k in ("data", "config", "logs", "tmp")]
    allowed += [
        "/dev/null",
        # the PulseAudio client library keeps its per-user cookie/config here (PortAudio → ALSA → pulse)
        str(dirs["home"] / ".config"),
        # libjack, loaded by PortAudio, keeps its per-user metadata database in shared memory
        f"/dev/shm/jack_db-{os.getuid()}",
        # our own rebuildable cache (jieba's dictionaries as SQLite, paths.cache_dir()) at its default place: the
        # user's cache folder, left unset here so that the default is what is checked
        str(dirs["home"] / ".cache" / "callassist"),
    ]
    return sorted(p for p in written
                  if not any(p == a or p.startswith(a + "/") for a in allowed)
                  and p not in (str(dirs["home"]), str(dirs["home"] / ".cache")))


def _assert_offline(proc, calls, sandbox):
    root, dirs, _env = sandbox
    assert network_use(calls) == [], "network use:\n" + "\n".join(network_use(calls)[:10])
    outside = _outside(written_paths(calls, str(root)), dirs)
    assert outside == [], f"files written outside the user's folders: {outside}"
    assert not (dirs["home"] / ".cache" / "Microsoft").exists()


def test_audio_analyze_uses_no_network_and_writes_only_user_folders(sandbox, dev_dir, model_dir):
    proc, calls = _traced(sandbox, [sys.executable, "-m", "assist.cli.main", "analyze", str(dev_dir / "d06.wav"),
                                    "--json"])
    assert proc.returncode == 0, proc.stderr[-2000:]
    events = [json.loads(line)["event"] for line in proc.stdout.splitlines() if line.strip()]
    assert events.count("utterance") >= 4 and events[-1] == "call_ended", events
    assert (sandbox[1]["data"] / "records.sqlite3").is_file()      # it really recorded the call
    _assert_offline(proc, calls, sandbox)


def test_app_call_start_uses_no_network_and_writes_only_user_folders(sandbox, dev_dir, model_dir):
    root = sandbox[0]
    clip = root / "tmp" / "d06_12s.wav"
    with wave.open(str(dev_dir / "d06.wav")) as w:
        params, frames = w.getparams(), w.readframes(12 * w.getframerate())
    with wave.open(str(clip), "wb") as out:
        out.setparams(params)
        out.writeframes(frames)
    proc, calls = _traced(sandbox, [sys.executable, "-m", "tests.offline.app_call", str(clip),
                                    str(sandbox[1]["config"] / "settings.ini")])
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip(), "no call id printed"
    _assert_offline(proc, calls, sandbox)
