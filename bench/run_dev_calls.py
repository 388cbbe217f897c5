"""Run ``callassist analyze --json`` over every dev call and keep the event streams.

    python -m bench.run_dev_calls [--audio] [--out DIR] [--calls d01,d06] [--realtime] [--partials]

Text mode (default) writes each call's ground-truth utterances to a ``.txt`` and analyzes that; ``--audio``
analyzes the WAV through the real streaming ASR. Each call runs with its own ``started_at`` from
``calls.json``, no database (``--no-record``). Writes ``OUT/<id>.jsonl`` (the event stream) and
``OUT/timing.json``, and prints the wall time and (audio) real-time factor per call. Eval scripts read the
``.jsonl`` files. Timings are of this machine at this moment: a shared or busy PC reads slower.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CALLASSIST_SHARED", ROOT.parent / "shared"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--audio", action="store_true", help="analyze the WAVs (real ASR) instead of the texts")
    ap.add_argument("--out", type=Path, default=None, help="output folder (default: out/dev_runs/text or audio)")
    ap.add_argument("--calls", default="", help="comma-separated call ids (default: all)")
    ap.add_argument("--realtime", action="store_true", help="pass --realtime (audio at wall-clock speed)")
    ap.add_argument("--partials", action="store_true", help="pass --partials")
    ap.add_argument("--model", default=None, help="pass --model DIR")
    ap.add_argument("--inprocess", action="store_true",
                    help="run every call in this process (times exclude interpreter start and imports)")
    args = ap.parse_args(argv)

    dev = SHARED / "data" / "dev"
    calls = json.loads((dev / "manifest.json").read_text(encoding="utf-8"))
    wanted = {c.strip() for c in args.calls.split(",") if c.strip()}
    if wanted:
        calls = [c for c in calls if c["id"] in wanted]
    out = args.out or (ROOT / "out" / "dev_runs" / ("audio" if args.audio else "text"))
    out.mkdir(parents=True, exist_ok=True)

    timing = []
    total_wall = total_audio = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for call in calls:
            if args.audio:
                inp = dev / call["audio"]
            else:
                inp = Path(tmp) / f"{call['id']}.txt"
                inp.write_text("\n".join(u["text"] for u in call["utterances"]) + "\n", encoding="utf-8")
            cmd = [sys.executable, "-m", "assist.cli.main", "analyze", str(inp), "--json", "--no-record",
                   "--started-at", call["started_at"]]
            if args.realtime:
                cmd.append("--realtime")
            if args.partials:
                cmd.append("--partials")
            if args.model:
                cmd += ["--model", args.model]
            t0 = time.monotonic()
            proc = _run_inprocess(cmd[3:]) if args.inprocess else subprocess.run(
                cmd, capture_output=True, text=True, encoding="utf-8", cwd=ROOT)
            wall = time.monotonic() - t0
            (out / f"{call['id']}.jsonl").write_text(proc.stdout, encoding="utf-8")
            n_utt = sum(1 for line in proc.stdout.splitlines() if '"event": "utterance"' in line)
            row = {"call": call["id"], "exit": proc.returncode, "wall_s": round(wall, 2),
                   "audio_s": call["duration"], "utterances": n_utt}
            if args.audio:
                row["rtf"] = round(wall / call["duration"], 3)
                total_audio += call["duration"]
            total_wall += wall
            timing.append(row)
            extra = f"  audio {call['duration']:6.1f}s  RTF {row['rtf']:.3f}" if args.audio else ""
            status = "" if proc.returncode == 0 else f"  EXIT {proc.returncode}: {proc.stderr.strip()[:200]}"
            print(f"{call['id']}  wall {wall:6.2f}s{extra}  utterances {n_utt}/{len(call['utterances'])}{status}",
                  flush=True)
    summary = f"total wall {total_wall:.1f}s for {len(calls)} calls"
    if args.audio and total_audio:
        what = "incl. model load" if args.inprocess else "incl. process start + model load"
        summary += f"; audio {total_audio:.1f}s; overall RTF {total_wall / total_audio:.3f} ({what})"
    print(summary)
    (out / "timing.json").write_text(json.dumps(timing, indent=1), encoding="utf-8")
    return 0 if all(r["exit"] == 0 for r in timing) else 1


def _run_inprocess(argv: list[str]) -> subprocess.CompletedProcess:
    """``callassist ARGV`` in this process, stdout captured (the first call pays for the imports)."""
    import contextlib
    import io

    from assist.cli.main import main as cli_main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli_main(argv)
    return subprocess.CompletedProcess(argv, status, out.getvalue(), err.getvalue())


if __name__ == "__main__":
    sys.exit(main())
