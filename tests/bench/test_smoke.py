"""Each bench tool starts from the checkout as ``python -m bench.NAME`` and prints its figures on a tiny input.

Run as the README says (a fresh process, the repository root as the working folder), so an import that only
worked through an old ``sys.path`` edit fails here. The figures themselves are the tools' business: these
tests check that they come out, with plausible values.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from assist import paths

ROOT = paths.PROJECT_ROOT


def _run(tool: str, *args: str, timeout: float = 240) -> str:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    res = subprocess.run([sys.executable, "-m", f"bench.{tool}", *args], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=timeout)
    # only stderr's tail on failure: some tools print labelled sentences
    assert res.returncode == 0, f"bench.{tool} exited {res.returncode}: {res.stderr.strip()[-1500:]}"
    return res.stdout


def test_search_prints_latency_percentiles(tmp_path):
    out = _run("search", "--calls", "30", "--repeat", "1", "--db", str(tmp_path / "bench.sqlite3"))
    m = re.search(r"search: n=(\d+) p50=([\d.]+) ms\s+p95=([\d.]+) ms", out)
    assert m and int(m.group(1)) > 0 and float(m.group(2)) <= float(m.group(3)), out[-800:]
    assert re.search(r"commit latency per utterance: p50=[\d.]+ ms", out)


def test_eval_suggest_prints_top1_and_top3(shared_dir):
    out = _run("eval_suggest", "--data", str(shared_dir / "data" / "dev" / "calls.json"))
    assert re.search(r"top-1", out) and re.search(r"top-3", out), out[-800:]


def test_eval_debtor_prints_its_figures_as_json():
    out = _run("eval_debtor")
    figures = json.loads(out.strip().splitlines()[-1])
    assert set(figures) >= {"objection_precision", "objection_recall", "wrong_party_turn_accuracy"}
    assert all(0.0 <= v <= 1.0 for v in figures.values())


def test_run_dev_calls_writes_one_event_stream_and_the_timing(tmp_path, shared_dir):
    out = _run("run_dev_calls", "--calls", "d01", "--out", str(tmp_path), "--inprocess")
    assert re.search(r"d01\s+wall\s+[\d.]+s\s+utterances \d+/\d+", out), out[-800:]
    events = [json.loads(line) for line in (tmp_path / "d01.jsonl").read_text(encoding="utf-8").splitlines()]
    assert events[0]["event"] == "call_started" and events[-1]["event"] == "call_ended"
    timing = json.loads((tmp_path / "timing.json").read_text(encoding="utf-8"))
    assert [(t["call"], t["exit"]) for t in timing] == [("d01", 0)] and timing[0]["wall_s"] > 0


@pytest.mark.parametrize("tool", sorted(p.stem for p in (ROOT / "bench").glob("*.py") if p.stem != "__init__"))
def test_every_tool_starts_and_explains_itself(tool):
    # --help imports the module (every top-level import, the package path) without running anything long
    out = _run(tool, "--help", timeout=120)
    assert out.startswith("usage:"), out[:300]
