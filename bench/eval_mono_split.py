"""How well the mono-mix speaker split (assist/audio/separate.py) works on the two-party dialogues.

    .venv/bin/python -m bench.eval_mono_split [--calls dlg01,dlg05] [--audio]

Turns: for every labelled turn of the manifest (speaker, start/end on the shared time axis), the share of its
speech the split gave to the right speaker; per call and overall (time-weighted), and the calls whose agent
side came out swapped. With ``--audio`` the split lanes go through the real pipeline (`callassist analyze` on
a temporary stereo file, 0600, removed after) and call-level debtor objections are scored as
`python -m bench.eval_debtor --audio` scores the stereo files (precision/recall over the calls' objection sets).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

from assist.audio import FileSource  # noqa: E402
from assist.audio.separate import SR, split_mix  # noqa: E402

DATA = Path(os.environ.get("CALLASSIST_SHARED", ROOT.parent / "shared")) / "data" / "dialogues"


def _load(path: Path) -> np.ndarray:
    fs = FileSource(path)
    blocks: list[np.ndarray] = []
    fs.start(blocks.append)
    fs.wait()
    return np.concatenate(blocks)


def turn_scores(call: dict, turns) -> tuple[float, float]:
    """(seconds right, seconds labelled) over the call's labelled turns."""
    right = total = 0.0
    for t in call["turns"]:
        a, b = t["start"], t["end"]
        total += b - a
        for s in turns:
            overlap = min(b, s.end) - max(a, s.start)
            if overlap > 0 and s.speaker == t["speaker"]:
                right += overlap
    return right, total


def _stereo(agent: np.ndarray, debtor: np.ndarray, out: Path) -> None:
    pcm = (np.clip(np.stack([agent, debtor], 1), -1, 1) * 32767).astype("<i2")
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)   # the debtor's voice: owner-only
    with os.fdopen(fd, "wb") as fh, wave.open(fh, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(pcm.tobytes())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", default="")
    ap.add_argument("--audio", action="store_true")
    args = ap.parse_args()
    only = set(filter(None, args.calls.split(",")))
    calls = [c for c in json.loads((DATA / "manifest.json").read_text(encoding="utf-8")) if not only or c["id"] in only]
    right = total = 0.0
    swapped = []
    tp = fp = fn = 0
    tmp = Path(tempfile.mkdtemp(prefix="monosplit-"))
    try:
        for c in calls:
            mix = _load(DATA / c["audio_mono"]) if "audio_mono" in c else _load(DATA / f"{c['id']}_mono.flac")
            agent, debtor, turns = split_mix(mix)
            r, t = turn_scores(c, turns)
            right, total = right + r, total + t
            if r / t < 0.5:
                swapped.append(c["id"])
            line = f"  {c['id']}: {len(turns)} segments, turn time right {r / t:.3f}"
            if args.audio:
                wav = tmp / f"{c['id']}.wav"
                _stereo(agent, debtor, wav)
                out = subprocess.run([sys.executable, "-m", "assist.cli.main", "analyze", str(wav), "--json",
                                      "--no-record", "--started-at", c["started_at"]],
                                     capture_output=True, text=True, cwd=ROOT, check=True).stdout
                wav.unlink()
                events = [json.loads(x) for x in out.splitlines()]
                heard = {e["objection"] for e in events if e["event"] == "debtor" and e.get("objection")}
                wanted = {t["objection"] for t in c["turns"] if t.get("objection")}
                tp, fp, fn = tp + len(heard & wanted), fp + len(heard - wanted), fn + len(wanted - heard)
                line += f"; objections heard {sorted(heard)} want {sorted(wanted)}"
            print(line, flush=True)
    finally:
        for p in tmp.glob("*"):
            p.unlink()
        tmp.rmdir()
    res = {"calls": len(calls), "turn_time_right": round(right / total, 3), "swapped_calls": swapped}
    if args.audio:
        res["objection_precision"] = round(tp / (tp + fp), 3) if tp + fp else 1.0
        res["objection_recall"] = round(tp / (tp + fn), 3) if tp + fn else 1.0
    print(json.dumps(res, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
