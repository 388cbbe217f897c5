"""How a detector is scored on labelled sentences: micro precision/recall over (sentence, rule) pairs, per rule,
and the share of lawful sentences that raised any alert. One definition for the eval script, the training
report and the regression test."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assist.analysis.state import UTTERANCE_RULES

from .corpus import Labelled


@dataclass(frozen=True)
class Figures:
    n: int
    lawful: int
    tp: int
    fp: int
    fn: int
    lawful_alerted: float
    per_rule: dict[str, tuple[float, float]]

    @property
    def precision(self) -> float:
        return self.tp / max(1, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return self.tp / max(1, self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / max(1e-9, p + r)

    def as_dict(self) -> dict:
        return {"sentences": self.n, "lawful": self.lawful, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "lawful_alerted": round(self.lawful_alerted, 4),
                "per_rule": {k: {"precision": round(p, 4), "recall": round(r, 4)} for k, (p, r) in self.per_rule.items()}}


def score(rows: Sequence[Labelled], got: Sequence[set[str]]) -> Figures:
    tp = fp = fn = 0
    lawful = alerted = 0
    per: dict[str, list[int]] = {r: [0, 0, 0] for r in UTTERANCE_RULES}
    for row, hits in zip(rows, got):
        gold = set(row.rules)
        tp += len(gold & hits)
        fp += len(hits - gold)
        fn += len(gold - hits)
        if not gold:
            lawful += 1
            alerted += bool(hits)
        for r in UTTERANCE_RULES:
            c = per[r]
            c[0] += r in gold and r in hits
            c[1] += r in hits and r not in gold
            c[2] += r in gold and r not in hits
    per_rule = {r: (c[0] / max(1, c[0] + c[1]), c[0] / max(1, c[0] + c[2])) for r, c in per.items()}
    return Figures(len(rows), lawful, tp, fp, fn, alerted / max(1, lawful), per_rule)
