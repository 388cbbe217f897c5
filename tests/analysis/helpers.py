"""Small shared helpers for the analysis tests."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from assist.analysis import CallAnalyzer

DATA = Path(__file__).parent / "data"


def read_tsv(path: Path) -> list[tuple[set[str], str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip():
            labels, text = line.split("\t", 1)
            rows.append(({r for r in labels.split(",") if r}, text))
    return rows


def micro_pr(rows, predict) -> tuple[float, float, list]:
    tp = fp = fn = 0
    errors = []
    for gold, text in rows:
        got = predict(text)
        tp += len(gold & got)
        fp += len(got - gold)
        fn += len(gold - got)
        if got != gold:
            errors.append((text, sorted(gold), sorted(got)))
    return tp / max(1, tp + fp), tp / max(1, tp + fn), errors


def load_calls(dev_dir: Path) -> list[dict]:
    return json.loads((dev_dir / "calls.json").read_text(encoding="utf-8"))


def run_text_call(call: dict, **kw) -> tuple[CallAnalyzer, list]:
    """Drive a CallAnalyzer over a written call the way the session does (one final per line)."""
    a = CallAnalyzer(started_at=datetime.fromisoformat(call["started_at"]), **kw)
    events = a.on_time(0.0)
    for k, u in enumerate(call["utterances"]):
        events += a.on_final(k, u["text"], float(k), k + 0.9, float(k + 1))
    events += a.finish(float(len(call["utterances"]) + 1))
    return a, events
