"""Distribution metadata, console script, the Qt-free engine, the README's promises."""

from __future__ import annotations

import importlib.metadata as md
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement

from assist import paths

REPO = paths.PROJECT_ROOT


def _requirements():
    return [Requirement(r) for r in md.requires("callassist") or []]


def test_distribution_metadata():
    meta = md.metadata("callassist")
    assert meta["Name"] == "callassist"
    assert meta["Requires-Python"].replace(" ", "") == ">=3.10"
    eps = {ep.name: ep.value for ep in md.entry_points(group="console_scripts") if ep.dist.name == "callassist"}
    assert eps == {"callassist": "assist.cli.main:main"}
    for pkg in ("assist", "app"):
        spec = importlib.util.find_spec(pkg)
        assert spec is not None and Path(spec.origin).parent == REPO / pkg


def test_runtime_deps_exclude_test_tools():
    runtime = {r.name.lower() for r in _requirements() if r.marker is None}
    test = {r.name.lower() for r in _requirements() if r.marker and r.marker.evaluate({"extra": "test"})}
    assert {"faster-whisper", "numpy", "sounddevice", "pyside6-essentials", "platformdirs"} <= runtime
    assert not {n for n in runtime if n.startswith("pytest")}
    assert {"pytest", "pytest-qt", "pytest-timeout"} <= test


def test_console_script_in_venv():
    exe = Path(sys.executable).parent / ("callassist.exe" if os.name == "nt" else "callassist")
    assert exe.is_file(), f"{exe} missing: run `make venv`"


_QT_IMPORT = re.compile(
    r"^\s*(?:from|import)\s+(?:PySide[26]|PyQt[56]|shiboken[26])\b|import_module\(\s*['\"](?:PySide|PyQt|shiboken)",
    re.MULTILINE,
)


def test_engine_is_qt_free():
    offenders = [
        f"{p.relative_to(REPO)}:{text.count(chr(10), 0, m.start()) + 1}"
        for p in sorted((REPO / "assist").rglob("*.py"))
        for text in [p.read_text(encoding="utf-8")]
        for m in _QT_IMPORT.finditer(text)
    ]
    assert offenders == [], f"assist/ must not import Qt: {offenders}"


def test_provisioning_and_logging_import_no_qt_or_whisper():
    code = (
        "import sys, assist.model, assist.logs, assist.cli.model, assist.config;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'faster_whisper', 'ctranslate2'));"
        "print(bad); sys.exit(bool(bad))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_readme_top_has_the_two_commands():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    head = text[: text.index("## Command line")]
    block = re.search(r"```sh\n(.*?)```", head, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make run", "make test"]
    for needed in ("Windows", "Offline", "callassist model fetch --wheels", "--from DIR"):
        assert needed in head
