#!/usr/bin/env python
"""Sustained live run: one long call through the whole engine at wall-clock pace. Prints figures; asserts nothing.

    .venv/bin/python -m bench.sustained                 # 60 minutes (takes 60 minutes)
    .venv/bin/python -m bench.sustained --minutes 5 --every 30

The call is the 16 dev calls played back to back, over and over, until ``--minutes`` of audio, each pass at a
slightly different speed (±6 %, as another agent would speak) so that no utterance length repeats — the engine's
memory must not depend on having seen a length before. Written once to a WAV and played by a paced
``FileSource`` (a block is delivered when the wall clock reaches its end, as from a microphone) into a real
``CallSession``: recogniser, analysis, suggestions and a real SQLite record.

Every ``--every`` seconds it samples: compute ÷ audio of the window and of the call so far (the recogniser's own
decode time, from its Health events), recogniser queue depth and lag, the final latency of the window's
utterances (time produced − the utterance's end in the audio), resident memory, process CPU. At the end it
prints the memory and queue trend over the call (least-squares slope after the first window, when the model,
jieba and the caches are all loaded) and whether every spoken utterance came out.

Decode time is wall time: on a machine busy with other work it reads slower, so check ``uptime`` first.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

SR = 16000


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def build_long_call(dev: Path, minutes: float, out: Path) -> tuple[int, float]:
    """Write the dev calls back to back until ``minutes`` of audio; return (spoken utterances, duration s)."""
    from faster_whisper import decode_audio

    manifest = json.loads((dev / "manifest.json").read_text(encoding="utf-8"))
    target = int(minutes * 60 * SR)
    written = 0
    utts = 0
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        speeds = (1.0, 0.95, 1.04, 0.97, 1.06, 0.94, 1.02, 0.98)
        lap = 0
        while written < target:
            speed = speeds[lap % len(speeds)] + 0.003 * (lap // len(speeds))
            lap += 1
            for call in manifest:
                audio = decode_audio(str(dev / call["audio"]), sampling_rate=SR)
                if speed != 1.0:   # plain resampling: faster speech, shorter utterances, every length new
                    n = int(len(audio) / speed)
                    audio = np.interp(np.arange(n) * speed, np.arange(len(audio)), audio).astype(np.float32)
                audio = audio[: target - written]
                pcm = np.clip(audio * 32767.0, -32768, 32767).astype("<i2")
                w.writeframes(pcm.tobytes())
                dur = len(audio) / SR
                utts += sum(1 for u in call["utterances"] if u["start"] / speed < dur - 0.3)
                written += len(audio)
                if written >= target:
                    break
    return utts, written / SR


def slope_per_hour(xs: list[float], ys: list[float]) -> float:
    if len(xs) < 3:
        return float("nan")
    return float(np.polyfit(np.array(xs) / 3600.0, np.array(ys), 1)[0])


def pct(vals: list[float], q: float) -> float:
    return float(np.percentile(vals, q)) if vals else float("nan")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=60.0, help="audio length (default 60)")
    ap.add_argument("--every", type=float, default=300.0, help="seconds between samples (default 300)")
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"), help="the shared data folder")
    ap.add_argument("--threads", type=int, default=None, help="recogniser cpu_threads (default: all cores)")
    ap.add_argument("--keep", action="store_true", help="keep the long WAV and the database (printed)")
    args = ap.parse_args(argv)

    from assist.audio import FileSource
    from assist.config import AsrConfig, EngineConfig
    from assist.events import Health, UtteranceFinal
    from assist.model import load_whisper
    from assist.session import CallSession
    from assist.store import RecordStore

    tmp = Path(tempfile.mkdtemp(prefix="callassist-sustained-"))
    wav = tmp / "long_call.wav"
    expected, duration = build_long_call(Path(args.shared) / "data" / "dev", args.minutes, wav)
    print(f"call: {duration / 60:.1f} min of audio, {expected} spoken utterances; load {os.getloadavg()[0]:.2f}",
          flush=True)

    asr = AsrConfig() if args.threads is None else AsrConfig(cpu_threads=args.threads)
    config = EngineConfig(asr=asr, db_path=tmp / "records.sqlite3", record=True)
    model = load_whisper(asr.model_dir, asr)
    store = RecordStore(config.db_path)
    session = CallSession(FileSource(wav, realtime=True), config=config, store=store, model=model)

    lock = threading.Lock()
    health: list[Health] = []
    finals: list[UtteranceFinal] = []

    def on_event(ev) -> None:
        with lock:
            if isinstance(ev, Health):
                health.append(ev)
            elif isinstance(ev, UtteranceFinal):
                finals.append(ev)

    session.subscribe(on_event)
    rows = []
    print(f"{'audio min':>9} {'c/a win':>8} {'c/a all':>8} {'queue':>6} {'lag s':>6} {'lat p50':>8} "
          f"{'lat p95':>8} {'finals':>7} {'RSS MB':>7} {'CPU %':>6} {'load':>5}", flush=True)
    session.start()
    t0 = time.monotonic()
    cpu0 = sum(os.times()[:2])
    last = {"wall": t0, "cpu": cpu0, "compute": 0.0, "audio": 0.0, "finals": 0}
    while not session.wait(timeout=args.every):
        now = time.monotonic()
        cpu = sum(os.times()[:2])
        with lock:
            h = health[-1] if health else None
            new_finals = finals[last["finals"]:]
            n_finals = len(finals)
        if h is None:
            continue
        compute = h.rtf * h.t
        win_audio = h.t - last["audio"]
        row = {
            "audio_min": h.t / 60,
            "ca_win": (compute - last["compute"]) / win_audio if win_audio > 0 else float("nan"),
            "ca_all": h.rtf,
            "queue": h.queue_depth,
            "lag": h.lag,
            "lat50": pct([f.t - f.end for f in new_finals], 50),
            "lat95": pct([f.t - f.end for f in new_finals], 95),
            "finals": n_finals,
            "rss": rss_mb(),
            "cpu": 100 * (cpu - last["cpu"]) / (now - last["wall"]),
            "load": os.getloadavg()[0],
            "t": now - t0,
        }
        rows.append(row)
        print(f"{row['audio_min']:9.1f} {row['ca_win']:8.3f} {row['ca_all']:8.3f} {row['queue']:6d} "
              f"{row['lag']:6.2f} {row['lat50']:8.2f} {row['lat95']:8.2f} {row['finals']:7d} {row['rss']:7.0f} "
              f"{row['cpu']:6.0f} {row['load']:5.2f}", flush=True)
        last.update(wall=now, cpu=cpu, compute=compute, audio=h.t, finals=n_finals)

    ended = session.ended
    store.close()
    lat = [f.t - f.end for f in finals]
    steady = rows[1:] if len(rows) > 3 else rows
    print()
    print(f"call ended: {ended is not None}; audio {duration / 60:.1f} min in {(time.monotonic() - t0) / 60:.1f} "
          f"min wall")
    print(f"utterances: {len(finals)} finals for {expected} spoken")
    if health:
        print(f"compute ÷ audio over the call: {health[-1].rtf:.3f}; worst window "
              f"{max((r['ca_win'] for r in rows), default=float('nan')):.3f}")
        print(f"recogniser queue depth: max {max(h.queue_depth for h in health)} blocks, lag max "
              f"{max(h.lag for h in health):.2f} s; queue trend "
              f"{slope_per_hour([r['t'] for r in steady], [r['queue'] for r in steady]):+.2f} blocks/h")
    print(f"final latency over the call: p50 {pct(lat, 50):.2f} s, p95 {pct(lat, 95):.2f} s, max "
          f"{max(lat, default=float('nan')):.2f} s")
    if rows:
        print(f"RSS: first sample {rows[0]['rss']:.0f} MB, last {rows[-1]['rss']:.0f} MB, max "
              f"{max(r['rss'] for r in rows):.0f} MB; trend after the first sample "
              f"{slope_per_hour([r['t'] for r in steady], [r['rss'] for r in steady]):+.1f} MB/h")
    if args.keep:
        print(f"kept: {wav} and {config.db_path}")
    else:
        wav.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
