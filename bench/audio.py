#!/usr/bin/env python3
"""Audio figures: resampler cost, file decode speed, realtime pacing accuracy, and (with --pulse) live capture
block jitter and device-failure detection time through a private PulseAudio virtual mic.

    .venv/bin/python -m bench.audio [--pulse]

Figures depend on the machine and its load; on a shared CI box they are pessimistic.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from assist.audio import FileSource, MicSource, StreamResampler, rescan_devices

ROOT = Path(__file__).resolve().parent.parent

SHARED = Path(os.environ.get("CALLASSIST_SHARED", ROOT.parent / "shared"))
DEV = SHARED / "data" / "dev"


def bench_resampler() -> None:
    rng = np.random.default_rng(0)
    for rate in (44100, 48000, 22050, 8000):
        x = (rng.standard_normal(rate * 60) * 0.1).astype(np.float32)
        r = StreamResampler(rate)
        block = int(rate * 0.05)
        t0 = time.process_time()
        for i in range(0, x.size, block):
            r.process(x[i:i + block])
        r.flush()
        cpu = time.process_time() - t0
        print(f"resample {rate:>5} Hz → 16 kHz, 50 ms blocks: {cpu:.2f} s CPU per 60 s of audio "
              f"({cpu / 60 * 100:.2f} % of one core)")


def bench_files() -> None:
    wavs = sorted(DEV.glob("*.wav"))
    audio = 0.0
    t0 = time.monotonic()
    for w in wavs:
        src = FileSource(w)
        n = [0]
        src.start(lambda b, n=n: n.__setitem__(0, n[0] + b.size))
        src.wait()
        audio += n[0] / 16000
    wall = time.monotonic() - t0
    print(f"FileSource fast: {len(wavs)} dev WAVs, {audio:.0f} s of audio in {wall:.2f} s ({audio / wall:.0f}x real time)")


def bench_pacing(seconds: float = 5.0) -> None:
    from tests.audio.signals import read_wav, write_wav

    x, rate = read_wav(DEV / "d01.wav")
    with tempfile.TemporaryDirectory() as tmp:
        src = FileSource(write_wav(Path(tmp) / "slice.wav", x[: int(seconds * rate)], rate), realtime=True)
        late: list[float] = []
        pos = [0]

        def sink(b):
            pos[0] += b.size
            late.append(time.monotonic() - t0 - pos[0] / 16000)

        t0 = time.monotonic()
        src.start(sink)
        src.wait(seconds + 5)
        total = time.monotonic() - t0
    a = np.array(late)
    print(f"realtime pacing, {seconds:.0f} s file: took {total:.3f} s; block lateness mean {a.mean() * 1000:.1f} ms, "
          f"max {a.max() * 1000:.1f} ms, last {a[-1] * 1000:.1f} ms (no drift: lateness does not accumulate)")


def bench_pulse() -> None:
    from tests.audio.signals import sine, write_wav
    from tests.pulse import PulseServer

    d = Path(tempfile.mkdtemp(prefix="capulse-"))
    srv = PulseServer(d)
    try:
        srv.script("start")
        os.environ["PULSE_SERVER"] = srv.env["PULSE_SERVER"]
        rescan_devices()
        tone = write_wav(d / "tone.wav", sine(440, 6.0, 16000, 0.3), 16000)
        for how in ("unload", "kill"):
            times, errs = [], []
            mic = MicSource("pulse")
            mic.errors = lambda m, errs=errs: errs.append(time.monotonic())
            t_open = time.monotonic()
            mic.start(lambda b, times=times: times.append(time.monotonic()))
            while not times:
                time.sleep(0.01)
            first = times[0] - t_open
            srv.play(tone)
            time.sleep(3.0)
            gaps = np.diff(times[5:])
            t_fail = time.monotonic()
            srv.unload_sink() if how == "unload" else srv.kill()
            while not errs and time.monotonic() - t_fail < 5:
                time.sleep(0.005)
            mic.stop()
            detect = f"{(errs[0] - t_fail) * 1000:.0f} ms" if errs else "NOT DETECTED"
            print(f"pulse capture: first block after {first:.2f} s (null-sink start-up), block interval "
                  f"mean {gaps.mean() * 1000:.0f} ms max {gaps.max() * 1000:.0f} ms, overflows {mic.overflows}; "
                  f"failure ({how}) reported after {detect}")
            if how == "unload":
                srv.close()
                srv = PulseServer(d)
                srv.script("start")
                rescan_devices()
    finally:
        srv.close()
        shutil.rmtree(d, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pulse", action="store_true", help="also measure live capture via a virtual mic")
    args = ap.parse_args()
    bench_resampler()
    bench_files()
    bench_pacing()
    if args.pulse:
        if not shutil.which("pulseaudio"):
            sys.exit("--pulse needs pulseaudio pulseaudio-utils libasound2-plugins")
        bench_pulse()


if __name__ == "__main__":
    main()
