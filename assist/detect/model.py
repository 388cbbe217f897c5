"""Run the trained detector: one linear logistic model per utterance rule over hashed n-grams and the rule
packs' matches, numpy only.

The model file (``resources/detector/model.npz``, written by bench/train_detector.py) holds the weight matrix
((``DIM`` + rules) × rules, float16), the biases, two thresholds per rule chosen by cross-validation on the corpus (finals,
and a stricter one for partials) and the feature version. scikit-learn and scipy are needed only to train.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assist.analysis.patterns import TextView
from assist.resources import ResourceError

from .features import DIM, FEATURE_VERSION, PATTERN_VALUE, Feature, extract, indexes, pattern_inputs

MODEL_FILE = Path("detector") / "model.npz"
EVIDENCE_MAX = 16        # characters: an evidence span longer than this stops being "the words that drove it"
EVIDENCE_MIN = 4         # characters: a lone 有 or 能 is what the model weighed, but tells a reader nothing


@dataclass(frozen=True)
class ModelHit:
    rule: str
    score: float     # probability
    start: int       # clean-text span of the strongest n-grams
    end: int


@dataclass(frozen=True)
class Detector:
    rules: tuple[str, ...]
    weights: np.ndarray          # (DIM + len(rules), len(rules)) float32: n-gram buckets, then pattern inputs
    bias: np.ndarray             # (len(rules),)
    threshold: np.ndarray        # per rule, finals
    partial_threshold: np.ndarray  # per rule, partial text (stricter)
    meta: dict

    def probabilities(self, feats: list[Feature], fired: frozenset[str] = frozenset()) -> np.ndarray:
        """Per rule, the probability that the utterance breaks it; ``fired``: the rules whose patterns matched."""
        idx = indexes(feats)
        z = self.bias + (self.weights[idx].sum(axis=0) if idx else 0.0)
        pat = pattern_inputs(fired, self.rules)
        if pat:
            z = z + PATTERN_VALUE * self.weights[pat].sum(axis=0)
        return 1.0 / (1.0 + np.exp(-z))

    def hits(self, tv: TextView, words: list[tuple[str, int, int]], fired: frozenset[str] = frozenset(), *,
             partial: bool = False) -> list[ModelHit]:
        feats = extract(tv, words)
        if not feats:
            return []
        probs = self.probabilities(feats, fired)
        limit = self.threshold
        if partial:
            # half a sentence is held to the stricter bar, unless a rule file's pattern matched it: explicit
            # wording the model also believes at the finals' bar is enough to alert before the sentence ends
            limit = np.where([r in fired for r in self.rules], self.threshold, self.partial_threshold)
        out = []
        for r in np.flatnonzero(probs >= limit):
            start, end = self.evidence_span(feats, int(r), len(tv.clean), words)
            out.append(ModelHit(self.rules[r], float(probs[r]), start, end))
        return out

    def evidence_span(self, feats: list[Feature], r: int, n: int,
                      words: list[tuple[str, int, int]] | None = None) -> tuple[int, int]:
        """The clean-text span where the rule's positive weight is densest.

        Each n-gram spreads its weight over its characters; a word scores the sum over its characters less the
        sentence's mean per character (nothing of its own for a function word); the span is the run of whole
        jieba words with the best total, ``EVIDENCE_MIN`` to ``EVIDENCE_MAX`` characters. Growing from the single
        peak character instead (the first version) named a lone 们, 是 or 我 in 14 of 120 of the probe set's model alerts: the weight of a
        phrase is spread thin over its characters, and a pronoun shared by many of its n-grams peaked."""
        score = np.zeros(max(n, 1))
        seen: set[int] = set()
        for f in feats:
            if f.index in seen:
                continue
            seen.add(f.index)
            w = float(self.weights[f.index, r])
            if w > 0 and f.end > f.start:
                score[f.start:f.end] += w / (f.end - f.start)
        if score.max() <= 0:
            return 0, n
        toks = [(w, s, e) for w, s, e in (words or []) if w.strip() and e > s]
        if not toks:  # no words (a test, or text jieba cannot cut): characters are the units
            toks = [(str(i), i, i + 1) for i in range(n)]
        mean = score.mean()
        # a function word's own weight is not evidence: it may sit inside the span, never make it
        gain = [(0.0 if w in FUNCTION_WORDS else float(score[s:e].sum())) - mean * (e - s) for w, s, e in toks]
        best, lo, hi = -np.inf, 0, n
        for i in range(len(toks)):
            run = 0.0
            for j in range(i, len(toks)):
                if toks[j][2] - toks[i][1] > EVIDENCE_MAX and j > i:
                    break
                run += gain[j]
                if run > best and toks[j][2] - toks[i][1] >= min(EVIDENCE_MIN, n):
                    best, lo, hi = run, toks[i][1], toks[j][2]
        return lo, hi


# words that carry no rule on their own: at the edge of an evidence span they only make it longer
FUNCTION_WORDS = frozenset(
    "的 了 吧 啊 呢 吗 呀 嘛 哦 哈 啦 么 就 也 都 还 又 再 才 是 在 和 跟 与 把 被 给 让 对 我 你 您 他 她 它 "
    "我们 你们 他们 咱们 咱 这 那 这个 那个 这样 那样 就是 然后 其实 那么 所以 而且 可以 一下 一个 呃 嗯".split())


def model_path(resources: Path) -> Path:
    return Path(resources) / MODEL_FILE


def load(path: Path) -> Detector:
    """Load a model file; a missing, corrupt or incompatible file is a ResourceError naming it."""
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            rules = tuple(str(x) for x in z["rules"])
            weights = z["weights"].astype(np.float32)
            bias = z["bias"].astype(np.float32)
            thr = z["threshold"].astype(np.float32)
            pthr = z["partial_threshold"].astype(np.float32)
    except FileNotFoundError:
        raise ResourceError(path, None, "the detector model is missing (bench/train_detector.py writes it)") from None
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ResourceError(path, None, f"the detector model cannot be read: {exc}") from None
    if meta.get("feature_version") != FEATURE_VERSION or weights.shape != (DIM + len(rules), len(rules)):
        raise ResourceError(path, None, f"the detector model was trained on other features (version "
                            f"{meta.get('feature_version')}, shape {weights.shape}); retrain it with "
                            "bench/train_detector.py")
    if not (bias.shape == thr.shape == pthr.shape == (len(rules),)):
        raise ResourceError(path, None, "the detector model's thresholds do not match its rules")
    return Detector(rules, weights, bias, thr, pthr, meta)
