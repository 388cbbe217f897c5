"""The call-flow model on the dev calls, driven by the real CallAnalyzer as a live call is.

bench/eval_suggest.py prints the figures (target: top-1 ≥ 70 %, top-3 ≥ 90 % on the clean calls); this test
guards against regressions with a little slack, since the analyser's stage/checklist output also moves.
"""

from __future__ import annotations

import importlib
import json
import statistics


def _eval_module():
    return importlib.import_module("bench.eval_suggest")


def test_next_stage_prediction_on_clean_dev_calls(dev_dir, library):
    ev = _eval_module()
    calls = ev.select(json.loads((dev_dir / "calls.json").read_text(encoding="utf-8")), "clean")
    assert {c["id"] for c in calls} >= {"d01", "d02", "d03", "d04", "d05", "d06"}
    top1, top3, n, times = ev.evaluate(calls, library=library)
    assert n >= 50
    assert top1 / n >= 0.65, f"top-1 {top1}/{n}"
    assert top3 / n >= 0.90, f"top-3 {top3}/{n}"
    assert statistics.median(times) < 50.0


def test_truth_state_builder_agrees_with_labels(dev_dir):
    # The label-driven stand-in used when the analyser is unavailable still scores in the same range.
    ev = _eval_module()
    calls = ev.select(json.loads((dev_dir / "calls.json").read_text(encoding="utf-8")), "strict")
    top1, top3, n, _ = ev.evaluate(calls, use_truth=True)
    assert top1 / n >= 0.65 and top3 / n >= 0.90
