#!/usr/bin/env python3
"""Evaluate call analysis on the dev data and print the figures.

    .venv/bin/python -m bench.eval_analysis            # lines (dev + our own sets), calls from text, timing
    .venv/bin/python -m bench.eval_analysis --audio    # also the dev WAVs through the real ASR (slow)
    .venv/bin/python -m bench.eval_analysis --direct   # drive CallAnalyzer in-process instead of the CLI

Scoring (data/README.md): lines.tsv micro P/R over (line, rule); calls: stage accuracy per utterance, alert P/R
with utterance rules per (call, utterance, rule) and call rules per (call, rule); PTP exact on amount, date and
channel (a null PTP must produce no promise). Audio utterances are aligned to the written ones by time overlap.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

from assist.analysis.rules import CALL_RULE_IDS

ROOT = Path(__file__).resolve().parent.parent

SHARED = Path(os.environ.get("CALLASSIST_SHARED", ROOT.parent / "shared"))
DEV = SHARED / "data" / "dev"
OWN = ROOT / "tests" / "analysis" / "data"


def callassist() -> list[str]:
    exe = ROOT / ".venv" / "bin" / "callassist"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("callassist")
    return [found] if found else [sys.executable, "-m", "assist.cli.main"]


def read_tsv(path: Path) -> list[tuple[set[str], str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if not line.strip():
            continue
        labels, text = line.split("\t", 1)
        rows.append(({r for r in labels.split(",") if r}, text))
    return rows


def check_lines(texts: list[str], direct: bool) -> list[set[str]]:
    if direct:
        from assist.analysis import check_text

        return [{h.rule for h in check_text(t)[0]} for t in texts]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write("\n".join(texts) + "\n")
    try:
        out = subprocess.run(callassist() + ["check", "--json", "--file", f.name], capture_output=True, text=True,
                             timeout=600, check=True).stdout
    finally:
        os.unlink(f.name)
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert len(rows) == len(texts), "check printed a different number of lines than it was given"
    return [{r["rule"] for r in row["rules"]} for row in rows]


def prf(tp: int, fp: int, fn: int) -> tuple[float, float]:
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def eval_lines(path: Path, direct: bool, show_errors: bool = True) -> tuple[float, float]:
    rows = read_tsv(path)
    got = check_lines([t for _, t in rows], direct)
    per: dict[str, Counter] = defaultdict(Counter)
    for (gold, text), pred in zip(rows, got):
        for r in gold | pred:
            per[r]["tp" if r in gold and r in pred else "fp" if r in pred else "fn"] += 1
        if show_errors and gold != pred:
            print(f"    miss: gold={sorted(gold)} got={sorted(pred)}  {text}")
    tp = sum(c["tp"] for c in per.values())
    fp = sum(c["fp"] for c in per.values())
    fn = sum(c["fn"] for c in per.values())
    p, r = prf(tp, fp, fn)
    print(f"  {path.name}: {len(rows)} lines  precision {p:.3f}  recall {r:.3f}  (tp {tp}, fp {fp}, fn {fn})")
    for rule in sorted(per):
        c = per[rule]
        rp, rr = prf(c["tp"], c["fp"], c["fn"])
        print(f"      {rule:22s} P {rp:.3f}  R {rr:.3f}  (tp {c['tp']}, fp {c['fp']}, fn {c['fn']})")
    return p, r


# ------------------------------------------------------------------ calls


def run_call_cli(input_path: Path, started_at: str, timeout: float) -> list[dict]:
    cmd = callassist() + ["analyze", "--json", "--no-record", "--started-at", started_at, str(input_path)]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {res.stderr.strip()[-500:]}")
    return [json.loads(line) for line in res.stdout.splitlines() if line.strip().startswith("{")]


def run_call_direct(call: dict) -> list[dict]:
    from assist.analysis import CallAnalyzer

    a = CallAnalyzer(started_at=datetime.fromisoformat(call["started_at"]))
    events = a.on_time(0.0)
    for k, u in enumerate(call["utterances"]):
        events += a.on_final(k, u["text"], float(k), float(k) + 1, float(k))
    events += a.finish(float(len(call["utterances"])))
    return [e.to_dict() for e in events]


def final_ptp(events: list[dict]) -> dict | None:
    ended = [e for e in events if e["event"] == "call_ended"]
    if ended and "ptp" in ended[-1]:
        return ended[-1]["ptp"]
    ptps = [e for e in events if e["event"] == "ptp"]
    return {k: ptps[-1][k] for k in ("amount", "date", "channel")} if ptps else None


def ptp_equal(got: dict | None, gold: dict | None) -> bool:
    if gold is None:
        return got is None or all(v is None for v in got.values())
    if got is None:
        return False
    ga, ea = got.get("amount"), gold.get("amount")
    amount_ok = (ga is None and ea is None) or (ga is not None and ea is not None and abs(float(ga) - float(ea)) < 0.01)
    return amount_ok and got.get("date") == gold.get("date") and got.get("channel") == gold.get("channel")


def align(events: list[dict], call: dict) -> dict[int, int]:
    """Recognised utterance index → written utterance index, by the largest time overlap (audio runs)."""
    mapping = {}
    for e in events:
        if e["event"] != "utterance":
            continue
        best, best_ov = None, 0.0
        for k, u in enumerate(call["utterances"]):
            ov = min(e["end"], u["end"]) - max(e["start"], u["start"])
            if ov > best_ov:
                best, best_ov = k, ov
        if best is not None:
            mapping[e["utterance"]] = best
    return mapping


def score_calls(calls: list[dict], runs: dict[str, list[dict]], audio: bool, taxonomy_only: bool = False) -> None:
    """``taxonomy_only``: the JSON stream of ``callassist analyze`` carries taxonomy rule ids only, so the
    engine's extra debt_before_identity check is not scored there (it is when driving the analyzer directly)."""
    from assist.analysis.state import CALL_RULES, UTTERANCE_RULES

    scored = set(UTTERANCE_RULES) | set(CALL_RULES) if taxonomy_only else None
    st_ok = st_n = 0
    tp = fp = fn = 0
    ptp_ok = 0
    partial_alerts = 0
    for call in calls:
        events = runs[call["id"]]
        mapping = align(events, call) if audio else {e["utterance"]: e["utterance"] for e in events
                                                     if e["event"] == "utterance"}
        # stage per written utterance: the stage of the recognised utterance that overlaps it most
        stage_of: dict[int, str] = {}
        for e in events:
            if e["event"] == "utterance" and e["utterance"] in mapping:
                stage_of.setdefault(mapping[e["utterance"]], e["stage"])
        gold_u, gold_c = set(), set()
        for k, u in enumerate(call["utterances"]):
            st_n += 1
            st_ok += stage_of.get(k) == u["stage"]
            for r in u["rules"]:
                if scored is not None and r not in scored:
                    continue
                (gold_c.add(r) if r in CALL_RULE_IDS else gold_u.add((k, r)))
        got_u, got_c = set(), set()
        for e in events:
            if e["event"] != "alert":
                continue
            partial_alerts += e.get("source") == "partial"
            if e["rule"] in CALL_RULE_IDS:
                got_c.add(e["rule"])
            else:
                got_u.add((mapping.get(e["utterance"], -1), e["rule"]))
        for got, gold in ((got_u, gold_u), (got_c, gold_c)):
            tp += len(got & gold)
            fp += len(got - gold)
            fn += len(gold - got)
        ok = ptp_equal(final_ptp(events), call["ptp"])
        ptp_ok += ok
        if got_u != gold_u or got_c != gold_c or not ok:
            print(f"    {call['id']}: alerts fp={sorted(got_u - gold_u) + sorted(got_c - gold_c)} "
                  f"fn={sorted(gold_u - got_u) + sorted(gold_c - got_c)}"
                  + ("" if ok else f"  ptp got={final_ptp(events)} gold={call['ptp']}"))
    p, r = prf(tp, fp, fn)
    print(f"  stage accuracy {st_ok / st_n:.3f} ({st_ok}/{st_n})   alerts precision {p:.3f} recall {r:.3f} "
          f"(tp {tp}, fp {fp}, fn {fn})   PTP exact {ptp_ok}/{len(calls)} = {ptp_ok / len(calls):.3f}")
    if audio:
        print(f"  early (partial-text) alerts in the stream: {partial_alerts}")


def eval_calls_text(calls: list[dict], direct: bool) -> None:
    runs = {}
    t0 = time.perf_counter()
    how = "CallAnalyzer in-process" if direct else "callassist analyze --json <call>.txt --no-record"
    with tempfile.TemporaryDirectory() as tmp:
        for call in calls:
            if direct:
                runs[call["id"]] = run_call_direct(call)
                continue
            txt = Path(tmp) / f"{call['id']}.txt"
            txt.write_text("\n".join(u["text"] for u in call["utterances"]) + "\n", encoding="utf-8")
            runs[call["id"]] = run_call_cli(txt, call["started_at"], timeout=300)
    print(f"  via {how} ({time.perf_counter() - t0:.1f} s)")
    score_calls(calls, runs, audio=False, taxonomy_only=not direct)


def eval_calls_audio(manifest: list[dict], only: list[str] | None) -> None:
    calls = [c for c in manifest if not only or c["id"] in only]
    runs = {}
    t0 = time.perf_counter()
    for call in calls:
        t1 = time.perf_counter()
        runs[call["id"]] = run_call_cli(DEV / call["audio"], call["started_at"], timeout=1800)
        print(f"    {call['id']}: {time.perf_counter() - t1:.1f} s for {call.get('duration', 0):.0f} s of audio",
              flush=True)
    print(f"  via callassist analyze --json <wav> --no-record ({time.perf_counter() - t0:.1f} s)")
    score_calls(calls, runs, audio=True, taxonomy_only=True)


def timing(calls: list[dict]) -> None:
    """Per-utterance analysis time: every final, and every partial (growing prefixes, as the recogniser sends)."""
    from assist.analysis import CallAnalyzer

    finals, partials = [], []
    for call in calls:
        a = CallAnalyzer(started_at=datetime.fromisoformat(call["started_at"]))
        for k, u in enumerate(call["utterances"]):
            text = u["text"]
            for cut in range(4, len(text), 4):
                t0 = time.perf_counter()
                a.on_partial(k, text[:cut], float(k))
                partials.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            a.on_final(k, text, float(k), float(k) + 1, float(k))
            finals.append(time.perf_counter() - t0)

    def q(xs, p):
        xs = sorted(xs)
        return xs[min(len(xs) - 1, int(p * len(xs)))] * 1000

    print(f"  final:   n={len(finals)} median {statistics.median(finals) * 1000:.1f} ms  p95 {q(finals, .95):.1f} ms")
    print(f"  partial: n={len(partials)} median {statistics.median(partials) * 1000:.1f} ms  p95 {q(partials, .95):.1f} ms")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--audio", action="store_true", help="also run the dev WAVs through the real ASR (slow)")
    ap.add_argument("--calls", nargs="*", help="only these call ids for --audio (e.g. d01 d07)")
    ap.add_argument("--direct", action="store_true", help="drive the analyzer in-process, not through the CLI")
    ap.add_argument("--audio-only", action="store_true", help="skip the sentence and text-call parts")
    args = ap.parse_args()
    calls = json.loads((DEV / "calls.json").read_text(encoding="utf-8"))

    if not args.audio_only:
        print("Sentences (callassist check):")
        for path in (DEV / "lines.tsv", OWN / "paraphrases.tsv", OWN / "holdout.tsv"):
            if path.exists():
                eval_lines(path, args.direct)
        print("Dev calls from the written text:")
        eval_calls_text(calls, args.direct)
        own = OWN / "own_calls.json"
        if own.exists():
            print("Our own written calls (tests/analysis/data/own_calls.json):")
            eval_calls_text(json.loads(own.read_text(encoding="utf-8")), args.direct)
        blind = ROOT / "corpus" / "blind_calls" / "calls.json"
        if blind.exists():
            print("Blind calls (corpus/blind_calls: another author, from the spec only; figures, never tuning):")
            eval_calls_text(json.loads(blind.read_text(encoding="utf-8")), args.direct)
        print("Analysis time per utterance (this machine; shared CPU makes it pessimistic):")
        timing(calls)
    if args.audio or args.audio_only:
        print("Dev calls through the real ASR:")
        manifest = json.loads((DEV / "manifest.json").read_text(encoding="utf-8"))
        eval_calls_audio(manifest, args.calls)
    return 0


if __name__ == "__main__":
    sys.exit(main())
