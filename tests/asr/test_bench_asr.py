"""bench.asr's finals sweep and its side-by-side comparison run from the checkout on one dev call and print
their figures (the choice of AsrConfig's decoding defaults rests on them)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from assist import paths

pytestmark = pytest.mark.model


def _bench(*args: str, timeout: float = 600) -> str:
    res = subprocess.run([sys.executable, "-m", "bench.asr", *args], cwd=paths.PROJECT_ROOT, env=dict(os.environ),
                         capture_output=True, text=True, timeout=timeout)
    assert res.returncode == 0, res.stderr[-1500:]
    return res.stdout


def test_sweep_prints_cer_and_cpu_per_setting(shared_dir, tmp_path):
    out = _bench("--shared", str(shared_dir), "--calls", "d01", "--no-dialogues", "--sweep", "",
                 "--sweep", "beam=2,ctx=1,case=1", "--sweep-out", str(tmp_path / "s.json"))
    rows = re.findall(r"^(\S+)\s+dev CER raw ([\d.]+)% corr ([\d.]+)% \| finals CPU ÷ audio ([\d.]+)", out, re.M)
    assert [r[0] for r in rows] == ["greedy", "beam=2,ctx=1,case=1"], out[-1500:]
    for _, raw, cor, cpu in rows:
        # d01 is clean synthetic speech: far from 0 and from 100 % either way; the finals cost something
        assert 1 < float(raw) < 40 and 0 < float(cor) < 40 and 0 < float(cpu) < 2
    assert (tmp_path / "s.json").stat().st_size > 0


def test_unknown_sweep_setting_is_a_clear_error(shared_dir):
    res = subprocess.run([sys.executable, "-m", "bench.asr", "--shared", str(shared_dir), "--calls", "d01",
                          "--sweep", "beams=5"], cwd=paths.PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode != 0 and "unknown setting 'beams'" in res.stderr
