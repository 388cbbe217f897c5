#!/usr/bin/env python3
"""Write the dev data into the training corpus: the dev lines, the dev calls' written utterances, what the
real recogniser made of the dev calls (so the detector learns recogniser-shaped text from real output too), and
the script library's own lines (lawful by construction: the app suggests them, and a flagged suggestion would
teach an agent to ignore the alerts).

    .venv/bin/python -m bench.run_dev_calls --audio --out out/asr_dev     # the recogniser's event streams
    .venv/bin/python -m bench.corpus_from_dev --asr out/asr_dev            # → corpus/compliance/dev_*.tsv

Recognised utterances take the labels of the written utterance they overlap most in time (call rules are
scored per call, not per sentence, and are left out).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from assist.analysis.state import UTTERANCE_RULES

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CALLASSIST_SHARED", ROOT.parent / "shared"))


def write(path: Path, rows: list[tuple[list[str], str]]) -> None:
    seen: set[str] = set()
    lines = ["rules\ttext"]
    for rules, text in rows:
        text = text.replace("\t", " ").strip()
        if text and text not in seen:
            seen.add(text)
            lines.append(",".join(r for r in rules if r in UTTERANCE_RULES) + "\t" + text)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{path}: {len(lines) - 1} sentences")


def overlap(a0, a1, b0, b1) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def library_lines() -> list[tuple[list[str], str]]:
    """Every script-library line rendered with a sample case and with none (placeholders as the app fills them)."""
    from assist.case import CaseData
    from assist.suggest.library import ScriptLibrary
    from assist.suggest.render import call_values

    case = CaseData(debtor_name="王秀兰", account="6217000022228802", phone="13900005678", amount=12800,
                    overdue_days=62, institution="恒丰银行信用卡中心", agent_name="周明", agent_id="5531")
    promise = {"amount": 2000, "date": "2026-12-08", "channel": "alipay"}
    out = []
    for values in (call_values(case.placeholders(), promise), call_values(CaseData().placeholders(), None)):
        out += [([], ln.render(values)) for ln in ScriptLibrary().lines]
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--asr", type=Path, help="folder of run_dev_calls.py --audio event streams")
    ap.add_argument("--out", type=Path, default=ROOT / "corpus" / "compliance")
    args = ap.parse_args(argv)
    dev = SHARED / "data" / "dev"
    lines = [(lab.split(","), text) for lab, text in
             (ln.split("\t", 1) for ln in (dev / "lines.tsv").read_text(encoding="utf-8").splitlines()[1:] if ln)]
    manifest = json.loads((dev / "manifest.json").read_text(encoding="utf-8"))
    written = [(u["rules"], u["text"]) for call in manifest for u in call["utterances"]]
    write(args.out / "dev_lines.tsv", lines)
    write(args.out / "dev_calls.tsv", written)
    write(args.out / "script_library.tsv", library_lines())
    if args.asr:
        heard = []
        for call in manifest:
            path = args.asr / f"{call['id']}.jsonl"
            for ev in map(json.loads, path.read_text(encoding="utf-8").splitlines()):
                if ev.get("event") != "utterance":
                    continue
                best = max(call["utterances"], key=lambda u: overlap(u["start"], u["end"], ev["start"], ev["end"]))
                if overlap(best["start"], best["end"], ev["start"], ev["end"]) > 0:
                    heard.append((best["rules"], ev["text"]))
        write(args.out / "dev_asr.tsv", heard)
    return 0


if __name__ == "__main__":
    sys.exit(main())
