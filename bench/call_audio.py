#!/usr/bin/env python3
"""Kept call audio (设置 › 保留通话录音): size per minute, encoder CPU, the cost of handing a block over (what
the audio callback pays), and decoding for the review player — on the dev calls (mono) and a two-party dialogue.

    CALLASSIST_SHARED=/work/shared .venv/bin/python -m bench.call_audio

Blocks are handed over at 20× real time (a paced file or a live call is slower still); CPU is the process's.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from assist.audio import FileSource
from assist.store.audio import CallAudioWriter, decode

ROOT = Path(__file__).resolve().parent.parent

SHARED = Path(os.environ.get("CALLASSIST_SHARED", ROOT.parent / "shared"))
SR = 16000


def read(path: Path, channel: int | None = None) -> np.ndarray:
    blocks: list[np.ndarray] = []
    src = FileSource(path, channel=channel)
    src.start(blocks.append)
    src.wait(120)
    src.stop()
    return np.concatenate(blocks)


def run(name: str, agent: np.ndarray, debtor: np.ndarray | None, folder: Path) -> None:
    writer = CallAudioWriter(folder / f"{name}.ogg", two_party=debtor is not None)
    offers = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for i in range(0, len(agent), 800):
        t0 = time.perf_counter()
        writer.agent(agent[i:i + 800])
        if debtor is not None:
            writer.debtor(debtor[i:i + 800])
        offers.append(time.perf_counter() - t0)
        time.sleep(0.05 / 20)
    kept = writer.close()
    cpu = time.process_time() - cpu0
    minutes = len(agent) / SR / 60
    t0 = time.perf_counter()
    back = decode(kept.path)
    dec = time.perf_counter() - t0
    p = np.percentile(np.array(offers) * 1e6, [50, 99, 100])
    print(f"{name}: {minutes * 60:.0f} s {'stereo' if debtor is not None else 'mono'}: {kept.bytes / minutes / 1e3:.0f} kB/min, "
          f"CPU {cpu / minutes:.2f} s per minute of audio (feeding included, wall {time.perf_counter() - wall0:.1f} s), "
          f"hand-over p50 {p[0]:.0f} µs p99 {p[1]:.0f} µs max {p[2]:.0f} µs; decode {dec / minutes:.2f} s per minute; "
          f"length back {len(back) - len(agent):+d} samples{'; ' + kept.error if kept.error else ''}")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", default="d01,d03", help="dev calls kept mono (default d01,d03)")
    ap.add_argument("--dialogue", default="dlg05", help="two-party dialogue kept stereo ('' = none)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for call in filter(None, args.calls.split(",")):
            run(call, read(SHARED / "data" / "dev" / f"{call}.wav"), None, folder)
        if args.dialogue:
            dlg = SHARED / "data" / "dialogues" / f"{args.dialogue}.flac"
            run(args.dialogue, read(dlg, 0), read(dlg, 1), folder)


if __name__ == "__main__":
    main()
