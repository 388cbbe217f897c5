"""Agent-side latency with and without the debtor lane, on the stereo dialogues, in one run.

    python -m bench.two_party [--calls dlg01,dlg02,dlg05,dlg07]

Each call is run twice through one StreamingRecognizer on the virtual clock (what a live call on this machine
would see: every decode advances the clock by its measured compute time): agent channel alone, then agent +
debtor channel. Prints per-run p50/p95 of the agent's final latency (recogniser clock when the final was
produced − the utterance's end), the debtor finals' latency, and compute ÷ audio.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from assist.asr import StreamingRecognizer
from assist.audio import FileSource
from assist.config import EngineConfig
from assist.model import load_whisper

ROOT = Path(__file__).resolve().parents[1]

DATA = Path(os.environ.get("CALLASSIST_SHARED", ROOT.parent / "shared")) / "data" / "dialogues"


def run(path: Path, model, cfg, debtor: bool) -> dict:
    finals = []
    rec = StreamingRecognizer(cfg, model=model, on_event=lambda e: finals.append(e)
                              if type(e).__name__ == "AsrFinal" else None, realtime=False)
    src = FileSource(path, channel=0, debtor_channel=1 if debtor else None)
    if debtor:
        src.debtor_sink = rec.feed_debtor
    src.start(rec.feed)
    src.wait()
    rec.finish()
    agent = [f.clock_t - f.end for f in finals if f.speaker == "agent"]
    debt = [f.clock_t - f.end for f in finals if f.speaker == "debtor"]
    return {"agent": agent, "debtor": debt, "compute": rec.compute_s, "audio": rec.audio_t}


def pct(xs, q):
    return round(float(np.percentile(xs, q)), 3) if xs else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", default="dlg01,dlg02,dlg05,dlg07")
    args = ap.parse_args()
    cfg = EngineConfig().asr
    model = load_whisper(cfg.model_dir, cfg)
    out = {}
    for mode in (False, True):
        agent, debt, compute, audio = [], [], 0.0, 0.0
        for cid in args.calls.split(","):
            t0 = time.monotonic()
            r = run(DATA / f"{cid}.flac", model, cfg, mode)
            agent += r["agent"]
            debt += r["debtor"]
            compute += r["compute"]
            audio += r["audio"]
            print(f"  {cid} debtor={'on' if mode else 'off'}: {len(r['agent'])} agent finals, "
                  f"{len(r['debtor'])} debtor finals, {time.monotonic() - t0:.1f} s", flush=True)
        out["with_debtor" if mode else "agent_only"] = {
            "agent_final_latency_p50": pct(agent, 50), "agent_final_latency_p95": pct(agent, 95),
            "debtor_final_latency_p50": pct(debt, 50), "debtor_final_latency_p95": pct(debt, 95),
            "compute_over_audio": round(compute / audio, 3), "agent_finals": len(agent), "debtor_finals": len(debt)}
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
