#!/usr/bin/env python
"""Overload: a live recogniser on a PC too slow for it. Prints how much audio waits, memory, what was dropped.

The dev calls are fed back to back as one long live call (``realtime=True``) ``--speed`` times faster than real
time, and every decode is made ``--slow`` seconds slower (a starved PC / an antivirus scan). Time is compressed:
at ``--speed 10`` a 10-minute call takes a minute. Prints, every ``--every`` audio minutes, the audio waiting
for the recogniser, the process RSS, the seconds dropped so far and the finals emitted. Asserts nothing.

    .venv/bin/python -m bench.overload --minutes 10 --speed 10 --slow 1.0
    (run with PYTHONPATH=<checkout> to measure that checkout's recogniser, e.g. before/after a change)
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from assist.config import AsrConfig

SR = 16000
BLOCK = 800


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default="/work/shared")
    ap.add_argument("--minutes", type=float, default=10.0, help="audio minutes fed")
    ap.add_argument("--speed", type=float, default=10.0, help="feed this many times faster than real time")
    ap.add_argument("--slow", type=float, default=1.0, help="extra seconds added to every decode")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--every", type=float, default=1.0, help="print every N audio minutes")
    args = ap.parse_args(argv)

    import numpy as np
    from faster_whisper import decode_audio

    from assist.asr import AsrFinal, StreamingRecognizer
    from assist.model import load_whisper

    dev = Path(args.shared) / "data" / "dev"
    manifest = json.loads((dev / "manifest.json").read_text(encoding="utf-8"))
    need = int(args.minutes * 60 * SR)
    parts, have = [], 0
    while have < need:
        for call in manifest:
            a = decode_audio(str(dev / call["audio"]), sampling_rate=SR)
            parts.append(a)
            have += a.size
            if have >= need:
                break
    audio = np.concatenate(parts)[:need]

    cfg = AsrConfig(cpu_threads=args.threads)
    model = load_whisper(cfg.model_dir, cfg)
    finals = []
    rec = StreamingRecognizer(cfg, model=model, realtime=True,
                              on_event=lambda e: finals.append(e) if isinstance(e, AsrFinal) else None)
    inner = rec.decoder.decode

    def starved(a, **kw):
        time.sleep(args.slow)
        return inner(a, **kw)

    rec.decoder.decode = starved
    print(f"{args.minutes:g} audio min at {args.speed:g}x, +{args.slow:g} s per decode, "
          f"max_backlog_s={getattr(cfg, 'max_backlog_s', None)}, threads={args.threads}")
    print(f"{'audio min':>9} {'waiting s':>9} {'peak s':>7} {'RSS MB':>7} {'dropped s':>9} {'finals':>6}")
    t0 = time.monotonic()
    peak = 0.0
    next_print = args.every * 60 * SR
    for k, i in enumerate(range(0, audio.size, BLOCK)):
        rec.feed(audio[i:i + BLOCK])
        waiting = rec._lag()
        peak = max(peak, waiting)
        if i + BLOCK >= next_print:
            next_print += args.every * 60 * SR
            print(f"{(i + BLOCK) / SR / 60:9.1f} {waiting:9.1f} {peak:7.1f} {rss_mb():7.0f} "
                  f"{getattr(rec, 'dropped_s', 0.0):9.1f} {len(finals):6d}", flush=True)
        time.sleep(max(0.0, t0 + (k + 1) * BLOCK / SR / args.speed - time.monotonic()))
    t_fed = time.monotonic()
    rec.finish()
    per_s = sum(len(c["utterances"]) for c in manifest) / sum(c["duration"] for c in manifest)
    print(f"fed in {t_fed - t0:.0f} s; finish() drained the rest in {time.monotonic() - t_fed:.0f} s; "
          f"finals {len(finals)} (of ≈{per_s * args.minutes * 60:.0f} utterances in the audio); "
          f"dropped {getattr(rec, 'dropped_s', 0.0):.1f} s; peak waiting {peak:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
