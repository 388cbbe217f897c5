"""A WAV cut short (half a call, or 1,000 bytes of it) is not passed off as a complete shorter call: the run
warns and the call record keeps the warning. The real console script, the real model."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from assist import paths
from assist.audio.wav_header import truncation

pytestmark = pytest.mark.model


def analyze(wav, db):
    return subprocess.run([sys.executable, "-m", "assist.cli.main", "analyze", str(wav), "--db", str(db)],
                          capture_output=True, text=True, encoding="utf-8", timeout=240, cwd=paths.PROJECT_ROOT,
                          env=dict(os.environ))


def test_intact_wavs_are_not_flagged(dev_dir):
    assert all(truncation(p) is None for p in sorted(dev_dir.glob("*.wav")))


@pytest.mark.parametrize("keep", [1000, 400_000])
def test_truncated_wav_is_warned_and_recorded(tmp_path, dev_dir, keep):
    cut = tmp_path / "cut.wav"
    cut.write_bytes((dev_dir / "d06.wav").read_bytes()[:keep])
    announced, present = truncation(cut)
    assert announced > 49 and present < 13
    db = tmp_path / "records.sqlite3"
    proc = analyze(cut, db)
    assert proc.returncode == 0, proc.stderr
    warned = [line for line in proc.stderr.splitlines() if "录音文件不完整" in line]
    assert len(warned) == 1 and "49.9" in warned[0], proc.stderr
    with sqlite3.connect(db) as conn:
        (status, error), = conn.execute("SELECT status, error FROM calls").fetchall()
    assert status == "completed" and "录音文件不完整" in error
