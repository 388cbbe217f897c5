"""Run the trained detector: one linear logistic model per utterance rule over hashed n-grams and the rule
packs' matches, numpy only.

The model file (``resources/detector/model.npz``, written by scripts/train_detector.py) holds the weight matrix
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
EVIDENCE_KEEP = 0.35     # a character stays in the span while its share of the score is ≥ 35 % of the peak's


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
            start, end = self.evidence_span(feats, int(r), len(tv.clean))
            out.append(ModelHit(self.rules[r], float(probs[r]), start, end))
        return out

    def evidence_span(self, feats: list[Feature], r: int, n: int) -> tuple[int, int]:
        """The clean-text span where the rule's positive weight concentrates: each n-gram spreads its weight over
        its characters; the span grows from the peak character while neighbours keep a fair share of it."""
        score = np.zeros(max(n, 1))
        seen: set[int] = set()
        for f in feats:
            if f.index in seen:
                continue
            seen.add(f.index)
            w = float(self.weights[f.index, r])
            if w > 0 and f.end > f.start:
                score[f.start:f.end] += w / (f.end - f.start)
        peak = int(score.argmax())
        if score[peak] <= 0:
            return 0, n
        keep = score[peak] * EVIDENCE_KEEP
        lo = hi = peak
        while hi - lo + 1 < EVIDENCE_MAX:
            left = score[lo - 1] if lo > 0 else -1.0
            right = score[hi + 1] if hi + 1 < n else -1.0
            if max(left, right) < keep:
                break
            if left >= right:
                lo -= 1
            else:
                hi += 1
        return lo, hi + 1


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
        raise ResourceError(path, None, "the detector model is missing (scripts/train_detector.py writes it)") from None
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ResourceError(path, None, f"the detector model cannot be read: {exc}") from None
    if meta.get("feature_version") != FEATURE_VERSION or weights.shape != (DIM + len(rules), len(rules)):
        raise ResourceError(path, None, f"the detector model was trained on other features (version "
                            f"{meta.get('feature_version')}, shape {weights.shape}); retrain it with "
                            "scripts/train_detector.py")
    if not (bias.shape == thr.shape == pthr.shape == (len(rules),)):
        raise ResourceError(path, None, "the detector model's thresholds do not match its rules")
    return Detector(rules, weights, bias, thr, pthr, meta)
