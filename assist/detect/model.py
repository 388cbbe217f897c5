"""Run the trained detector over hashed n-grams and the rule packs' matches, numpy only.

Two shapes of model, both written by bench/train_detector.py into ``resources/detector/model.npz``:
- ``linear``: one logistic model per utterance rule; the file holds the weight matrix ((``DIM`` + rules) × rules,
  float16) and the biases;
- ``hidden``: one hidden layer shared by the rules (ReLU), then a logistic output per rule. Only the inputs seen
  often enough in training have a row (``rows`` maps a bucket to its row, -1 for none), which keeps the file small.
  It can weigh words together (a threat is 你家 *and* 晚上 *and* 小心, none of them alone), which a sum of n-gram
  weights cannot: see the training script's docstring for what it measured.
Either way the file also holds two thresholds per rule chosen by cross-validation on the corpus (finals, and a stricter
one for partials) and the feature version. scikit-learn and scipy are needed only to train.
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
class Hidden:
    """The hidden layer of a ``hidden`` model: h = relu(x · w1 + b1), and the output is h · w2 + bias."""
    rows: np.ndarray             # (DIM + len(rules),) int32: each input's row of w1, -1 for an input left out
    w1: np.ndarray               # (kept inputs, H) float32
    b1: np.ndarray               # (H,)
    w2: np.ndarray               # (H, len(rules))


@dataclass(frozen=True)
class Detector:
    rules: tuple[str, ...]
    weights: np.ndarray          # linear: (DIM + len(rules), len(rules)) float32, n-gram buckets then pattern
                                 # inputs; hidden: empty (the weights are in ``hidden``)
    bias: np.ndarray             # (len(rules),) the output layer's bias
    threshold: np.ndarray        # per rule, finals
    partial_threshold: np.ndarray  # per rule, partial text (stricter)
    meta: dict
    hidden: Hidden | None = None

    def _inputs(self, idx: list[int], fired: frozenset[str]) -> tuple[list[int], np.ndarray]:
        """The present inputs (n-gram buckets, then pattern inputs) and their values."""
        pat = pattern_inputs(fired, self.rules)
        return idx + pat, np.array([1.0] * len(idx) + [PATTERN_VALUE] * len(pat), dtype=np.float32)

    def _logits(self, inputs: list[int], values: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """The output logits, and for a hidden model the hidden layer's pre-activation."""
        if self.hidden is None:
            return self.bias + (values @ self.weights[inputs] if inputs else 0.0), None
        h = self.hidden
        rows = h.rows[inputs] if inputs else np.zeros(0, dtype=np.int32)
        keep = rows >= 0
        pre = h.b1 + (values[keep] @ h.w1[rows[keep]] if keep.any() else 0.0)
        return np.maximum(pre, 0.0) @ h.w2 + self.bias, pre

    def probabilities(self, feats: list[Feature], fired: frozenset[str] = frozenset()) -> np.ndarray:
        """Per rule, the probability that the utterance breaks it; ``fired``: the rules whose patterns matched."""
        z, _ = self._logits(*self._inputs(indexes(feats), fired))
        return 1.0 / (1.0 + np.exp(-z))

    def input_weights(self, feats: list[Feature], r: int, fired: frozenset[str] = frozenset()) -> dict[int, float]:
        """What each present n-gram bucket adds to rule ``r``'s logit: its weight for a linear model; for a hidden
        model the same quantity at this utterance (the gradient through the units that are on), which is exact for
        the units that stay on and is what the span finder needs: which words pushed the verdict up."""
        idx = indexes(feats)
        if self.hidden is None:
            return {i: float(self.weights[i, r]) for i in idx}
        _, pre = self._logits(*self._inputs(idx, fired))
        h = self.hidden
        through = np.where(pre > 0, h.w2[:, r], 0.0)      # (H,) the output weight of each unit that is on
        rows = h.rows[idx] if idx else np.zeros(0, dtype=np.int32)
        return {i: (float(h.w1[row] @ through) if row >= 0 else 0.0) for i, row in zip(idx, rows)}

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
            start, end = self.evidence_span(feats, int(r), len(tv.clean), words, fired)
            out.append(ModelHit(self.rules[r], float(probs[r]), start, end))
        return out

    def evidence_span(self, feats: list[Feature], r: int, n: int,
                      words: list[tuple[str, int, int]] | None = None,
                      fired: frozenset[str] = frozenset()) -> tuple[int, int]:
        """The clean-text span where the rule's positive weight is densest.

        Each n-gram spreads its weight over its characters; a word scores the sum over its characters less the
        sentence's mean per character (nothing of its own for a function word); the span is the run of whole
        jieba words with the best total, ``EVIDENCE_MIN`` to ``EVIDENCE_MAX`` characters. Growing from the single
        peak character instead (the first version) named a lone 们, 是 or 我 in 14 of 120 of the probe set's model alerts: the weight of a
        phrase is spread thin over its characters, and a pronoun shared by many of its n-grams peaked."""
        score = np.zeros(max(n, 1))
        seen: set[int] = set()
        weight = self.input_weights(feats, r, fired)
        for f in feats:
            if f.index in seen:
                continue
            seen.add(f.index)
            w = weight[f.index]
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
            kind = meta.get("kind", "linear")
            weights = z["weights"].astype(np.float32)
            bias = z["bias"].astype(np.float32)
            thr = z["threshold"].astype(np.float32)
            pthr = z["partial_threshold"].astype(np.float32)
            hidden = None
            if kind == "hidden":
                hidden = Hidden(z["rows"].astype(np.int32), z["w1"].astype(np.float32), z["b1"].astype(np.float32),
                                z["w2"].astype(np.float32))
    except FileNotFoundError:
        raise ResourceError(path, None, "the detector model is missing (bench/train_detector.py writes it)") from None
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ResourceError(path, None, f"the detector model cannot be read: {exc}") from None
    if kind not in ("linear", "hidden"):
        raise ResourceError(path, None, f"the detector model is of an unknown kind {kind!r}; retrain it with "
                            "bench/train_detector.py")
    if hidden is None:
        shape_ok = weights.shape == (DIM + len(rules), len(rules))
        shape = weights.shape
    else:
        kept, units = hidden.w1.shape
        shape_ok = (hidden.rows.shape == (DIM + len(rules),) and int(hidden.rows.max()) < kept
                    and hidden.b1.shape == (units,) and hidden.w2.shape == (units, len(rules)))
        shape = (hidden.rows.shape, hidden.w1.shape, hidden.w2.shape)
    if meta.get("feature_version") != FEATURE_VERSION or not shape_ok:
        raise ResourceError(path, None, f"the detector model was trained on other features (version "
                            f"{meta.get('feature_version')}, shape {shape}); retrain it with "
                            "bench/train_detector.py")
    if not (bias.shape == thr.shape == pthr.shape == (len(rules),)):
        raise ResourceError(path, None, "the detector model's thresholds do not match its rules")
    return Detector(rules, weights, bias, thr, pthr, meta, hidden)
