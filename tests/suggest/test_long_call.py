"""A long call does not slow down utterance by utterance: the suggester's work per line stays flat.

Counted, not timed (the CI machine is shared): the number of bigram comparisons per utterance late in a
1,500-line call against early in it. Each library line used to be compared with the whole history on every
utterance, so a 100,000-line transcript went from 25 to 8 lines/s."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from assist.analysis.state import CallState
from assist.suggest import Suggester
from assist.suggest import suggester as suggester_mod


def test_comparisons_per_utterance_stay_flat(dev_dir, monkeypatch):
    calls = json.loads((dev_dir / "calls.json").read_text(encoding="utf-8"))
    utterances = [u for c in calls for u in c["utterances"]]
    count = [0]
    real = suggester_mod.similarity

    def counting(a, b):
        count[0] += 1
        return real(a, b)

    monkeypatch.setattr(suggester_mod, "similarity", counting)
    sg = Suggester()
    state = CallState(started_at=datetime(2026, 11, 3, 10, 0, tzinfo=timezone.utc))
    per_line = []
    for i in range(1500):
        u = utterances[i % len(utterances)]
        state.texts.append(u["text"])
        state.stage = u["stage"]
        before = count[0]
        sg.after_utterance(state, u["text"], [], float(i))
        per_line.append(count[0] - before)
    early, late = sum(per_line[100:300]), sum(per_line[1300:1500])
    assert late < 1.5 * early, f"comparisons per 200 utterances: {early} early, {late} late"
