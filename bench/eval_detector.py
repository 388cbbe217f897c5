#!/usr/bin/env python3
"""Figures of the compliance detector (rule packs + model, exactly what ``callassist check`` runs) on every
labelled sentence set, side by side, plus its cost.

    .venv/bin/python -m bench.eval_detector            # all sets
    .venv/bin/python -m bench.eval_detector --record   # also write corpus/blind*/figures.json (the floors that
                                                       # tests/analysis/test_detector.py holds the model to)
    .venv/bin/python -m bench.eval_detector --errors probe   # list one set's mistakes (refused for the blind
                                                             # sets: that is what keeps them blind)

Sets: the training corpus (in-sample; cross-validated figures are printed by train_detector.py), the dev lines,
the blind split (written apart from the corpus, never tuned on), the probe sentences and the earlier sessions'
own sets in tests/analysis/data.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from assist.detect.corpus import Labelled, read_folder, read_labelled
from assist.detect.scoring import Figures, score

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CALLASSIST_SHARED", ROOT.parent / "shared"))

# the sealed sets, each written by an author who never saw the corpus: (set name, sentences, recorded floor)
BLINDS = (("blind split", ROOT / "corpus" / "blind" / "blind.tsv", ROOT / "corpus" / "blind" / "figures.json"),
          ("blind split 2", ROOT / "corpus" / "blind_2" / "blind.tsv", ROOT / "corpus" / "blind_2" / "figures.json"))
BLIND_CALLS = ROOT / "corpus" / "blind_calls" / "calls.json"


def sets() -> dict[str, list[Labelled]]:
    out = {"corpus (in-sample)": read_folder(ROOT / "corpus" / "compliance")}
    if (SHARED / "data" / "dev" / "lines.tsv").is_file():
        out["dev lines"] = read_labelled(SHARED / "data" / "dev" / "lines.tsv")
    for name, path, _ in BLINDS:
        if path.is_file():
            out[name] = read_labelled(path)
    if BLIND_CALLS.is_file():  # the blind calls' utterances, one by one (eval_analysis.py runs them as calls)
        out["blind calls (utt.)"] = [
            Labelled(frozenset(u["rules"]), u["text"], f"{BLIND_CALLS.name}:{c['id']}#{k}")
            for c in json.loads(BLIND_CALLS.read_text(encoding="utf-8")) for k, u in enumerate(c["utterances"], 1)]
    out["probe"] = read_labelled(ROOT / "corpus" / "probe" / "probe.tsv")
    for lead in sorted((ROOT / "corpus" / "probe").glob("lead*.tsv")):
        out[f"probe/{lead.stem}"] = read_labelled(lead)
    for name in ("holdout", "paraphrases"):
        out[f"tests/{name}"] = read_labelled(ROOT / "tests" / "analysis" / "data" / f"{name}.tsv")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--record", action="store_true", help="write the blind split's figures as the new floor")
    ap.add_argument("--errors", metavar="SET", help="print the mistakes of the set whose name starts with SET")
    ap.add_argument("--skip-corpus", action="store_true", help="leave out the in-sample corpus (the slow one)")
    ap.add_argument("--model", type=Path, help="score this model file instead of resources/detector/model.npz")
    ap.add_argument("--patterns-only", action="store_true", help="the rule packs alone (no model), for comparison")
    args = ap.parse_args(argv)
    if args.errors and args.errors.startswith("blind"):
        # a blind set's mistakes, once read, are tuned on: only its figures are ever printed
        ap.error("the blind sets' mistakes are never listed (they stay blind); use the corpus or a probe set")

    if args.model:
        # a candidate model, scored before it replaces the shipped one: a private copy of the resources folder
        # holding it, so every part reads the candidate exactly as it would read the shipped file
        import atexit
        import shutil
        import tempfile

        tmp = Path(tempfile.mkdtemp(prefix="eval-detector-"))
        atexit.register(shutil.rmtree, tmp, ignore_errors=True)
        shutil.copytree(ROOT / "resources", tmp / "resources")
        shutil.copyfile(args.model, tmp / "resources" / "detector" / "model.npz")
        os.environ["CALLASSIST_RESOURCES"] = str(tmp / "resources")

    from assist.analysis import check_text, load_resources
    from assist.analysis.rules import Utterance, rule_hits

    t0 = time.perf_counter()
    res = load_resources()
    load_s = time.perf_counter() - t0
    if args.patterns_only:
        def predict(text: str) -> set[str]:
            return {h.rule for h in rule_hits(Utterance(text), res.pack)}
    else:
        def predict(text: str) -> set[str]:
            return {h.rule for h in check_text(text)[0]}
    predict("预热")  # jieba and pinyin tables load on first use
    print(f"{'set':22} {'n':>5} {'lawful':>6}  {'P':>5} {'R':>5} {'F1':>5}  {'lawful alerted':>14}  {'ms/sentence':>11}")
    figures: dict[str, Figures] = {}
    for name, rows in sets().items():
        if args.skip_corpus and name.startswith("corpus"):
            continue
        t1 = time.perf_counter()
        got = [predict(r.text) for r in rows]
        ms = (time.perf_counter() - t1) * 1000 / max(1, len(rows))
        f = score(rows, got)
        figures[name] = f
        print(f"{name:22} {len(rows):5} {f.lawful:6}  {f.precision:5.3f} {f.recall:5.3f} {f.f1:5.3f}  "
              f"{f.lawful_alerted:14.1%}  {ms:11.2f}")
        if args.errors and name.startswith(args.errors):
            for r, g in zip(rows, got):
                if g != set(r.rules):
                    print(f"    {r.source}: gold {','.join(sorted(r.rules)) or '-'}  got {','.join(sorted(g)) or '-'}  {r.text}")
    for name, _, _ in BLINDS:
        if name in figures:
            print(f"\n{name} per rule (P/R): " + ", ".join(
                f"{k} {p:.2f}/{r:.2f}" for k, (p, r) in figures[name].per_rule.items()))
    model = args.model or ROOT / "resources" / "detector" / "model.npz"
    print(f"model file {model.stat().st_size / 1e6:.1f} MB; resources loaded in {load_s:.2f} s (rules, cues, model)")
    if args.record and not args.patterns_only and not args.model:
        for name, _, record in BLINDS:
            if name in figures:
                record.write_text(json.dumps(figures[name].as_dict(), indent=1, ensure_ascii=False) + "\n",
                                  encoding="utf-8")
                print(f"recorded {record}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
