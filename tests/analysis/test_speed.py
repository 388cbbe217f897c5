"""Analysis runs on every partial: it must stay far below the partial interval (target ≤ 20 ms median on an
idle PC; the bound here is loose because CI shares its cores)."""

from __future__ import annotations

import statistics
import time
from datetime import datetime

from assist.analysis import CallAnalyzer

from .helpers import load_calls


def test_per_utterance_time(dev_dir):
    calls = load_calls(dev_dir)[:6]
    a = CallAnalyzer(started_at=datetime(2026, 10, 12, 10, 0))
    a.on_final(0, "预热", 0, 1, 0)  # resources and jieba are loaded once, before the call
    times = []
    k = 1
    for call in calls:
        for u in call["utterances"]:
            t0 = time.perf_counter()
            a.on_partial(k, u["text"][: len(u["text"]) // 2], float(k))
            a.on_final(k, u["text"], k, k + 1, float(k))
            times.append((time.perf_counter() - t0) / 2)
            k += 1
    assert statistics.median(times) < 0.06, statistics.median(times)
