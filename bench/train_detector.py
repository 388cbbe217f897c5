#!/usr/bin/env python3
"""Train the compliance detector on corpus/compliance/*.tsv and write resources/detector/model.npz.

    .venv/bin/python -m bench.train_detector            # cross-validate, print per-rule figures, write the model
    .venv/bin/python -m bench.train_detector --dry-run  # figures only
    .venv/bin/python -m bench.train_detector --corpus DIR --out FILE --folds 5 --seed 7

Needs the training extras (``pip install -e '.[train]'``: scikit-learn, scipy); the app needs numpy only.
Seeded and deterministic: the same corpus gives the same model file.

What it does: every sentence plus three recogniser-shaped copies (assist/detect/augment.py) becomes a row of
hashed n-gram features (assist/detect/features.py); one L2 logistic regression per utterance rule (``--kind hidden``:
one hidden layer shared by the rules with a logistic output per rule, measured and not shipped). The threshold of
each rule is chosen on out-of-fold scores (folds keep a sentence and its copies together, so a copy never
leaks its original's label into the fold that scores it). The blind split is never read here.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

from assist.analysis.rules import Utterance, load_pack, rule_hits
from assist.analysis.state import UTTERANCE_RULES
from assist.detect.augment import Homophones, variants
from assist.detect.corpus import read_folder
from assist.detect.features import DIM, FEATURE_VERSION, PATTERN_VALUE, extract, indexes, pattern_inputs

ROOT = Path(__file__).resolve().parent.parent

C_GRID = (0.5,)                 # L2 strength; out-of-fold micro F1 on the 10.6k corpus (balanced classes):
                                # C 0.5 → 0.857, C 2 → 0.84; 4.2k corpus: 0.5 ≈ 2 ≈ 8 within 0.005
PARTIAL_PRECISION = 0.95        # the partial threshold: out-of-fold precision at least this (an early alert shown
PARTIAL_MAX = 0.90              # on half a sentence must be right more often than a final), but never above this
MIN_THRESHOLD = 0.05


CACHE_DIR = ROOT / ".cache" / "train_detector"


def _cache_key(rules: tuple[str, ...]) -> str:
    """What a row's features depend on besides its text: the feature and pattern code, the rule packs and the
    dictionaries. Any edit to them starts a new cache file, so a stale feature can never be trained on."""
    import hashlib

    h = hashlib.sha256(f"{FEATURE_VERSION}|{DIM}|{','.join(rules)}".encode())
    sources = [ROOT / "assist" / "detect" / "features.py", ROOT / "assist" / "analysis" / "patterns.py",
               ROOT / "assist" / "analysis" / "rules.py"]
    sources += sorted((ROOT / "resources" / "rules").glob("*.yaml")) + sorted((ROOT / "resources" / "dict").glob("*"))
    sources += sorted((ROOT / "resources" / "lexicon").glob("*"))
    for f in sources:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def _row(text: str, pack, rules: tuple[str, ...]) -> tuple[list[int], list[int]]:
    utt = Utterance(text)
    idx = indexes(extract(utt.tv, utt.words if utt.tv.clean else []))
    return idx, pattern_inputs({h.rule for h in rule_hits(utt, pack)}, rules)


def featurise(texts: list[str], rules: tuple[str, ...], cache: bool = True):
    """The model's input rows, exactly as assist.analysis computes them at call time: n-gram buckets of the text
    and the rule packs' matches on it.

    Computing them is ~10 ms a row (jieba, pinyin, the patterns: 60k rows ≈ 10 min on this machine, most of a
    training run), so rows are kept in ``.cache/train_detector/`` keyed by everything they depend on."""
    import pickle

    from scipy.sparse import csr_matrix

    pack = load_pack()
    path = CACHE_DIR / f"features-{_cache_key(rules)}.pkl"
    known: dict[str, tuple[list[int], list[int]]] = {}
    if cache and path.exists():
        try:
            known = pickle.loads(path.read_bytes())
        except Exception:  # a torn or foreign cache file is only a slower run
            known = {}
    fresh = 0
    rows, cols, vals = [], [], []
    for i, t in enumerate(texts):
        got = known.get(t)
        if got is None:
            got = known[t] = _row(t, pack, rules)
            fresh += 1
        idx, pat = got
        rows += [i] * (len(idx) + len(pat))
        cols += idx + pat
        vals += [1.0] * len(idx) + [PATTERN_VALUE] * len(pat)
    if cache and fresh:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(known, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(path)
    return csr_matrix((np.array(vals, dtype=np.float32), (rows, cols)), shape=(len(texts), DIM + len(rules)))


def fit(X, Y, C: float, seed: int):
    from sklearn.linear_model import LogisticRegression

    W = np.zeros((X.shape[1], Y.shape[1]), dtype=np.float32)
    b = np.zeros(Y.shape[1], dtype=np.float32)
    for r in range(Y.shape[1]):
        # balanced: each rule has ~6 % positives; reweighting them moved the F1-best thresholds from the 0.1–0.15
        # floor to 0.4–0.55, where out-of-fold scores separate better (recall +0.01 at equal precision)
        m = LogisticRegression(C=C, solver="liblinear", max_iter=200, random_state=seed, class_weight="balanced")
        m.fit(X, Y[:, r])
        W[:, r] = m.coef_[0]
        b[r] = m.intercept_[0]
    return W, b


def probs(X, W, b):
    z = X @ W + b
    return 1.0 / (1.0 + np.exp(-np.asarray(z)))


# The hidden-layer model (--kind hidden): measured, not shipped. Out of fold on the 21.4k corpus (5 folds, same
# features): linear P .942 R .808 (F1 .870, lawful alerted 1.8 %), hidden P .955 R .781 (F1 .859, lawful 1.3 %); on
# the 24.1k corpus hidden .956/.793 (1.2 %). Against the shipped linear model it did better on every set written apart
# from the corpus in P/R (blind .931/.876 → .947/.886, blind_2 .975/.911 → .985/.953, lead_3 .958/.969), but it alerted
# on more lawful sentences of both blind splits (4.6 → 5.0 %, 0.3 → 0.9 %) and is confidently wrong where the linear
# model is not: "我们绝不会给你通讯录里的人打电话" scores third_party 0.997 (a disowned practice; linear 0.68, under its
# threshold), so the floor tests refuse it. Next: more regularisation or an average with the linear model's logits.
# It keeps the n-grams seen in the most training sentences (HIDDEN_INPUTS; the 60,000th is in 11 of them), so the
# file stays small: 60k × 96 float16 ≈ 11 MB, against a limit of 20 MB.
HIDDEN_UNITS = 96
HIDDEN_INPUTS = 60_000
HIDDEN_EPOCHS = 10        # not converged at 10 (sklearn warns); more epochs fit the corpus' own wording closer
HIDDEN_ALPHA = 1e-4       # L2
HIDDEN_BATCH = 512


def fit_hidden(X, Y, seed: int) -> dict:
    """One hidden layer over the most frequent inputs (and every pattern input); the model file's arrays."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    df = np.asarray((X > 0).sum(axis=0)).ravel()
    df[DIM:] = np.iinfo(np.int64).max                       # pattern inputs always kept
    keep = np.sort(np.argsort(-df, kind="stable")[:HIDDEN_INPUTS + (X.shape[1] - DIM)])
    keep = keep[df[keep] > 0]
    m = MLPClassifier(hidden_layer_sizes=(HIDDEN_UNITS,), alpha=HIDDEN_ALPHA, batch_size=HIDDEN_BATCH,
                      max_iter=HIDDEN_EPOCHS, random_state=seed, n_iter_no_change=HIDDEN_EPOCHS + 1, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)   # a fixed number of epochs, on purpose
        m.fit(X[:, keep], Y)
    rows = np.full(X.shape[1], -1, dtype=np.int32)
    rows[keep] = np.arange(len(keep), dtype=np.int32)
    return {"rows": rows, "w1": m.coefs_[0].astype(np.float32), "b1": m.intercepts_[0].astype(np.float32),
            "w2": m.coefs_[1].astype(np.float32), "bias": m.intercepts_[1].astype(np.float32)}


def probs_hidden(X, params: dict) -> np.ndarray:
    rows = params["rows"]
    keep = np.flatnonzero(rows >= 0)
    pre = np.asarray(X[:, keep] @ params["w1"][rows[keep]]) + params["b1"]
    z = np.maximum(pre, 0.0) @ params["w2"] + params["bias"]
    return 1.0 / (1.0 + np.exp(-z))


def train(X, Y, kind: str, C: float, seed: int) -> dict:
    """The model file's arrays for one kind of model."""
    if kind == "hidden":
        return fit_hidden(X, Y, seed)
    W, b = fit(X, Y, C, seed)
    return {"weights": W, "bias": b}


def predict(X, params: dict) -> np.ndarray:
    return probs_hidden(X, params) if "w1" in params else probs(X, params["weights"], params["bias"])


def best_threshold(p: np.ndarray, y: np.ndarray, beta: float = 0.5) -> float:
    """The threshold with the best F-beta on out-of-fold scores (ties → the higher, more precise one).

    beta 0.5 weighs precision twice: at the F1-best thresholds 4.3 % of the corpus' lawful sentences raised an alert
    out of fold, against a target of ≤ 2 %; an agent who sees false alarms stops reading the cards."""
    best, best_f = 0.5, -1.0
    b2 = beta * beta
    for t in np.arange(MIN_THRESHOLD, 0.96, 0.01):
        pred = p >= t
        tp = int((pred & y).sum())
        f = (1 + b2) * tp / max(1, b2 * y.sum() + pred.sum())
        if f >= best_f:
            best, best_f = float(t), f
    return round(best, 2)


def precise_threshold(p: np.ndarray, y: np.ndarray, floor: float) -> float:
    for t in np.arange(floor, PARTIAL_MAX, 0.01):
        pred = p >= t
        if pred.sum() == 0 or (pred & y).sum() / pred.sum() >= PARTIAL_PRECISION:
            return round(float(t), 2)
    return PARTIAL_MAX


def micro(gold: list[frozenset], got: list[set]) -> tuple[float, float, float]:
    tp = sum(len(g & h) for g, h in zip(gold, got))
    fp = sum(len(h - g) for g, h in zip(gold, got))
    fn = sum(len(g - h) for g, h in zip(gold, got))
    p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
    lawful = [h for g, h in zip(gold, got) if not g]
    return p, r, sum(1 for h in lawful if h) / max(1, len(lawful))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus" / "compliance")
    ap.add_argument("--out", type=Path, default=ROOT / "resources" / "detector" / "model.npz")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--copies", type=int, default=3, help="recogniser-shaped copies per sentence")
    ap.add_argument("--grid", type=float, nargs="+", default=list(C_GRID), help="L2 strengths to try (C, linear)")
    ap.add_argument("--kind", choices=("linear", "hidden"), default="linear",
                    help="linear: a logistic model per rule (the shipped kind); hidden: one hidden layer (measured, "
                         "not shipped: see HIDDEN_UNITS)")
    ap.add_argument("--dry-run", action="store_true", help="print the figures, write nothing")
    ap.add_argument("--save-oof", type=Path, help="also keep the out-of-fold scores and labels (.npz) for analysis")
    args = ap.parse_args(argv)
    try:
        from sklearn.model_selection import GroupKFold
    except ImportError:
        print("train_detector: scikit-learn is missing: .venv/bin/pip install -e '.[train]'", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    rows = read_folder(args.corpus)
    homo = Homophones(r.text for r in rows)
    texts, groups, labels, is_orig = [], [], [], []
    for g, row in enumerate(rows):
        # a generator per sentence (a str seed is hashed, so runs agree): a sentence's copies stay the same when
        # other lines are added, and the feature cache keeps serving them
        rng = random.Random(f"{args.seed}:{row.text}")
        for k, t in enumerate([row.text, *variants(row.text, homo, rng, args.copies)]):
            texts.append(t)
            groups.append(g)
            labels.append(row.rules)
            is_orig.append(k == 0)
    rules = UTTERANCE_RULES
    Y = np.array([[r in lab for r in rules] for lab in labels], dtype=bool)
    X = featurise(texts, rules)
    groups = np.array(groups)
    is_orig = np.array(is_orig)
    print(f"corpus: {len(rows)} sentences ({sum(1 for r in rows if not r.rules)} lawful), {len(texts)} rows with "
          f"copies, {X.nnz / len(texts):.0f} features a row; {time.perf_counter() - t0:.1f} s")

    folds = list(GroupKFold(n_splits=args.folds).split(X, groups=groups))
    best = None
    for C in (args.grid if args.kind == "linear" else args.grid[:1]):   # C is the linear model's only
        oof = np.zeros(Y.shape, dtype=np.float32)
        for tr, te in folds:
            oof[te] = predict(X[te], train(X[tr], Y[tr], args.kind, C, args.seed))
        thr = np.array([best_threshold(oof[is_orig, r], Y[is_orig, r]) for r in range(len(rules))])
        got = [set(np.array(rules)[oof[i] >= thr]) for i in np.flatnonzero(is_orig)]
        p, r, fa = micro([labels[i] for i in np.flatnonzero(is_orig)], got)
        f = 2 * p * r / max(1e-9, p + r)
        print(f"  C={C:<4} out-of-fold (originals) P {p:.3f} R {r:.3f} F1 {f:.3f} lawful alerted {fa:.1%}")
        if best is None or f > best[0]:
            best = (f, C, oof, thr)
    _, C, oof, thr = best
    if args.save_oof:
        np.savez_compressed(args.save_oof, oof=oof, labels=Y, is_orig=is_orig, groups=groups, rules=np.array(rules))
    pthr = np.array([precise_threshold(oof[is_orig, r], Y[is_orig, r], thr[r] + 0.05) for r in range(len(rules))])
    # never below the finals' bar: a rule whose finals' threshold is already above PARTIAL_MAX keeps it for partials
    # (unauthorized_promise chose 0.91 on the 24.1k corpus, and a partial bar of 0.90 would have been the looser one)
    pthr = np.maximum(pthr, thr)
    report(rows, labels, Y, oof, thr, is_orig, rules)

    params = train(X, Y, args.kind, C, args.seed)
    meta = {"feature_version": FEATURE_VERSION, "kind": args.kind, "C": C, "seed": args.seed, "copies": args.copies,
            "sentences": len(rows), "rows": len(texts), "folds": args.folds,
            "rules": list(rules), "threshold": thr.tolist(), "partial_threshold": pthr.tolist()}
    print(f"chosen C={C}; thresholds " + ", ".join(f"{r} {t:.2f}/{pt:.2f}" for r, t, pt in zip(rules, thr, pthr)))
    if args.dry_run:
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp.npz")
    arrays = {k: (v.astype(np.float16) if k in ("weights", "w1") else v) for k, v in params.items()}
    arrays.setdefault("weights", np.zeros((0, len(rules)), dtype=np.float16))
    np.savez_compressed(tmp, **arrays, threshold=thr.astype(np.float32),
                        partial_threshold=pthr.astype(np.float32), rules=np.array(rules),
                        meta=np.array(json.dumps(meta, ensure_ascii=False)))
    tmp.replace(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.0f} s")
    return 0


def report(rows, labels, Y, oof, thr, is_orig, rules) -> None:
    """Per-rule out-of-fold figures: the model alone, the rule packs alone, and both (what the product runs)."""
    pack = load_pack()
    orig = np.flatnonzero(is_orig)
    # "model" here is the stacked model (the rule packs' matches are among its inputs), i.e. the product
    gold = [labels[i] for i in orig]
    model = [set(np.array(rules)[oof[i] >= thr]) for i in orig]
    packs = [{h.rule for h in rule_hits(Utterance(row.text), pack)} for row in rows]
    both = [m | k for m, k in zip(model, packs)]
    copies = np.flatnonzero(~is_orig)
    cgold = [labels[i] for i in copies]
    cmodel = [set(np.array(rules)[oof[i] >= thr]) for i in copies]
    print(f"{'rule':22} {'n':>4}  {'model P/R':>11}  {'packs P/R':>11}  {'union P/R':>11}  {'copies R':>8}")
    for r in rules:
        n = sum(1 for g in gold if r in g)
        cells = []
        for got in (model, packs, both):
            tp = sum(1 for g, h in zip(gold, got) if r in g and r in h)
            fp = sum(1 for g, h in zip(gold, got) if r not in g and r in h)
            cells.append(f"{tp / max(1, tp + fp):.2f}/{tp / max(1, n):.2f}")
        ctp = sum(1 for g, h in zip(cgold, cmodel) if r in g and r in h)
        cn = sum(1 for g in cgold if r in g)
        print(f"{r:22} {n:4}  {cells[0]:>11}  {cells[1]:>11}  {cells[2]:>11}  {ctp / max(1, cn):8.2f}")
    for name, got in (("model", model), ("packs", packs), ("union", both)):
        p, rc, fa = micro(gold, got)
        print(f"  {name:6} micro P {p:.3f} R {rc:.3f}  lawful alerted {fa:.1%}")


if __name__ == "__main__":
    sys.exit(main())
