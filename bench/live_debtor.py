"""Agent-side latency of LIVE calls with the live debtor side on and off, in one run, on a private PulseAudio server.

    .venv/bin/python -m bench.live_debtor [--calls dlg02,dlg05] [--rounds 1]

Each dialogue is played in real time: the agent's channel into the virtual microphone (MicSource, PortAudio),
the debtor's into a null sink standing for the softphone's output. "on": the call's second source is that
sink's monitor (LoopbackSource, soundcard) feeding the debtor lane; "off": the same audio plays, nothing
captures it. Conditions alternate per call (off, on, off, on…), so both see the same machine load.

Prints, per condition: the agent's final latency (event t on the call's wall clock − the utterance's end on the
microphone's audio clock − the clock's head start over the microphone's first block, measured per call) and
alert latency (alert t − its utterance's end; an alert from a partial can be
negative), p50/p95; compute ÷ audio (the recogniser's decode time ÷ the call's agent audio; "on" includes the
debtor's decodes) and the debtor's finals and cues heard. The load average is printed: timings on a shared
2-core machine are noisy, compare the two conditions of one run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from datetime import datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

DATA = Path(os.environ.get("CALLASSIST_SHARED", ROOT.parent / "shared")) / "data" / "dialogues"
SR = 16000


def _wav(src: Path, channel: int, out: Path) -> None:
    from assist.audio import FileSource

    fs = FileSource(src, channel=channel)
    blocks: list[np.ndarray] = []
    fs.start(blocks.append)
    fs.wait()
    a = np.concatenate(blocks)
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes((np.clip(a, -1, 1) * 32767).astype("<i2").tobytes())


def _pct(xs, q):
    return float(np.percentile(xs, q)) if xs else float("nan")


def run_call(call: dict, folder: Path, env: dict, model, config, debtor_on: bool) -> dict:
    from assist.audio import MicSource
    from assist.audio.second import open_second_source
    from assist.events import Alert, DebtorCue, UtteranceFinal
    from assist.session import CallSession

    debtor = open_second_source("monitor:softphone_bench.monitor") if debtor_on else None
    mic = MicSource(None)
    session = CallSession(mic, config=config, model=model, debtor_source=debtor,
                          started_at=datetime.fromisoformat(call["started_at"]))
    events: list = []
    session.subscribe(events.append)
    session.start()
    players = [subprocess.Popen(["paplay", f"--device={sink}", str(folder / f"{call['id']}_{side}.wav")], env=env)
               for sink, side in (("callassist_test", "agent"), ("softphone_bench", "debtor"))]
    for p in players:
        p.wait()
    time.sleep(2.0)
    # the call's clock starts before the microphone's first block arrives: that constant head start is in
    # every raw "t − end"; measured here (clock now − audio delivered) and taken off for the corrected figures
    offset = session._clock.wall.now() - mic.position_s
    session.stop()
    session.wait(120)
    rec = session._recognizer
    finals = {e.utterance: e for e in events if isinstance(e, UtteranceFinal)}
    agent = [e for e in finals.values() if e.speaker == "agent"]
    alerts = [e for e in events if isinstance(e, Alert) and e.utterance in finals]
    return {
        "final": [e.t - e.end - offset for e in agent],
        "alert": [a.t - finals[a.utterance].end - offset for a in alerts],
        "offset": offset,
        "compute_s": rec.compute_s, "audio_s": rec.audio_t,
        "debtor_finals": sum(1 for e in finals.values() if e.speaker == "debtor"),
        "cues": sorted({e.objection for e in events if isinstance(e, DebtorCue) and e.objection}),
        "debtor_dropped_s": rec.debtor_dropped_s,
        "gated_s": getattr(debtor, "gated_s", 0.0),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", default="dlg02,dlg05")
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()

    from assist.audio import rescan_devices
    from assist.config import EngineConfig
    from assist.model import load_whisper

    calls = {c["id"]: c for c in json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))}
    ids = [c.strip() for c in args.calls.split(",") if c.strip()]
    folder = Path(tempfile.mkdtemp(prefix="capulse-"))
    env = dict(os.environ, CALLASSIST_PULSE_DIR=str(folder), CALLASSIST_PULSE_SINK="callassist_test",
               PULSE_RUNTIME_PATH=str(folder), PULSE_SERVER=f"unix:{folder}/native")
    script = ROOT / "scripts" / "pulse_virtual_mic.sh"
    subprocess.run([str(script), "start"], env=env, check=True, capture_output=True)
    os.environ["PULSE_SERVER"], os.environ["PULSE_RUNTIME_PATH"] = env["PULSE_SERVER"], env["PULSE_RUNTIME_PATH"]
    try:
        subprocess.run(["pactl", "load-module", "module-null-sink", "sink_name=softphone_bench"], env=env,
                       check=True, capture_output=True)
        rescan_devices()
        for cid in ids:
            _wav(DATA / f"{cid}.flac", 0, folder / f"{cid}_agent.wav")
            _wav(DATA / f"{cid}.flac", 1, folder / f"{cid}_debtor.wav")
        config = EngineConfig(record=False)
        model = load_whisper(config.asr.model_dir, config.asr)
        results = {False: [], True: []}
        load0 = os.getloadavg()
        for _ in range(args.rounds):
            for cid in ids:
                for on in (False, True):
                    res = run_call(calls[cid], folder, env, model, config, on)
                    results[on].append(res)
                    print(f"{cid} debtor {'on ' if on else 'off'}: {len(res['final'])} agent finals, "
                          f"p50 {_pct(res['final'], 50):.2f} s (clock head start {res['offset']:.2f} s taken off), "
                          f"compute÷audio {res['compute_s'] / res['audio_s']:.2f}, "
                          f"debtor finals {res['debtor_finals']}, cues {','.join(res['cues']) or '-'}", flush=True)
        load1 = os.getloadavg()
        print(f"\nload average (1 min) at start {load0[0]:.1f}, at end {load1[0]:.1f} on {os.cpu_count()} cores")
        for on in (False, True):
            rs = results[on]
            fin = [x for r in rs for x in r["final"]]
            al = [x for r in rs for x in r["alert"]]
            comp = sum(r["compute_s"] for r in rs) / sum(r["audio_s"] for r in rs)
            print(f"debtor side {'ON ' if on else 'OFF'}: agent final latency p50 {_pct(fin, 50):.2f} s "
                  f"p95 {_pct(fin, 95):.2f} s (n={len(fin)}); alert latency p50 {_pct(al, 50):.2f} s "
                  f"p95 {_pct(al, 95):.2f} s (n={len(al)}); compute ÷ audio {comp:.2f}; debtor finals "
                  f"{sum(r['debtor_finals'] for r in rs)}, debtor audio not recognised "
                  f"{sum(r['debtor_dropped_s'] for r in rs):.1f} s")
    finally:
        subprocess.run([str(script), "stop"], env=env, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
