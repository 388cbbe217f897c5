"""Debtor-side cue detection on the two-party dialogues: from the written text, or through the recogniser.

    python -m bench.eval_debtor                 # text: each labelled debtor turn through DebtorTracker
    python -m bench.eval_debtor --audio [--calls dlg01,dlg02]   # stereo through `callassist analyze --json`

Text mode scores per turn (objection precision/recall over turns with a label or a detection; wrong party
and hardship per turn; promise per call: the last promise of the call, amount + date + channel all right,
combining the agent's promise tracking is NOT included here — the debtor's own words only). Audio mode runs
the whole pipeline (agent + debtor channel) and scores call-level sets: objections heard (set per call, as
the Suggester sees them), wrong party found in the call, and the call's final promise (agent + debtor).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from assist.analysis.debtor import DebtorTracker

ROOT = Path(__file__).resolve().parents[1]

DATA = Path(os.environ.get("CALLASSIST_SHARED", ROOT.parent / "shared")) / "data" / "dialogues"


def _calls(only):
    calls = json.loads((DATA / "calls.json").read_text(encoding="utf-8"))
    calls = calls if isinstance(calls, list) else calls["calls"]
    return [c for c in calls if not only or c["id"] in only]


def _prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r


def text_mode(calls) -> dict:
    tp = fp = fn = 0
    wp_ok = wp_n = hs_tp = hs_fp = hs_fn = 0
    for c in calls:
        tr = DebtorTracker(datetime.fromisoformat(c["started_at"]).date())
        for turn in c["turns"]:
            if turn["speaker"] != "debtor":
                continue
            got = tr.turn(turn["text"])
            want = turn.get("objection")
            if got.objection and got.objection == want:
                tp += 1
            else:
                if got.objection:
                    fp += 1
                    print(f"  {c['id']} FP {got.objection}: {turn['text']} (want {want})")
                if want:
                    fn += 1
                    if not got.objection:
                        print(f"  {c['id']} FN {want}: {turn['text']}")
            wp_n += 1
            wp_ok += got.wrong_party == bool(turn.get("wrong_party"))
            h = bool(turn.get("hardship"))
            hs_tp += got.hardship and h
            hs_fp += got.hardship and not h
            hs_fn += h and not got.hardship
    p, r = _prf(tp, fp, fn)
    hp, hr = _prf(hs_tp, hs_fp, hs_fn)
    return {"objection_precision": round(p, 3), "objection_recall": round(r, 3),
            "wrong_party_turn_accuracy": round(wp_ok / wp_n, 3),
            "hardship_precision": round(hp, 3), "hardship_recall": round(hr, 3)}


def audio_mode(calls) -> dict:
    tp = fp = fn = 0
    wp_found = wp_calls = wp_false = ptp_ok = ptp_n = 0
    for c in calls:
        audio = DATA / f"{c['id']}.flac"
        out = subprocess.run([sys.executable, "-m", "assist.cli.main", "analyze", str(audio), "--json", "--no-record",
                              "--started-at", c["started_at"], "--agent-channel", "0", "--debtor-channel", "1"],
                             capture_output=True, text=True, cwd=ROOT, check=True).stdout
        events = [json.loads(x) for x in out.splitlines()]
        heard = {e["objection"] for e in events if e["event"] == "debtor" and e.get("objection")}
        wanted = {t["objection"] for t in c["turns"] if t.get("objection")}
        tp += len(heard & wanted)
        fp += len(heard - wanted)
        fn += len(wanted - heard)
        wp = any(e["event"] == "debtor" and e.get("wrong_party") for e in events)
        is_wp = any(t.get("wrong_party") for t in c["turns"])
        wp_calls += is_wp
        wp_found += wp and is_wp
        wp_false += wp and not is_wp
        end = events[-1]["ptp"]
        if c.get("ptp"):
            ptp_n += 1
            ok = end is not None and end.get("amount") == c["ptp"]["amount"] and end.get("date") == c["ptp"]["date"] \
                and end.get("channel") == c["ptp"]["channel"]
            ptp_ok += ok
        print(f"  {c['id']}: objections heard {sorted(heard)} want {sorted(wanted)}; wrong party {wp}; "
              f"ptp {end} want {c.get('ptp')}", flush=True)
    p, r = _prf(tp, fp, fn)
    return {"objection_precision": round(p, 3), "objection_recall": round(r, 3),
            "wrong_party_calls_found": f"{wp_found}/{wp_calls}", "wrong_party_false_calls": wp_false,
            "ptp_calls_right": f"{ptp_ok}/{ptp_n}"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--audio", action="store_true")
    ap.add_argument("--calls", default="")
    args = ap.parse_args()
    calls = _calls(set(filter(None, args.calls.split(","))))
    res = audio_mode(calls) if args.audio else text_mode(calls)
    print(json.dumps(res, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
