"""Start-up time of the short CLI commands (`check` of one sentence, `records list`, `records search`): each
is run as a fresh process, as a script author or QA lead runs it, and timed from spawn to exit.

    .venv/bin/python -m bench.startup [--repeat 7] [--code DIR]

``--code DIR``: time another checkout's ``assist`` package with this venv (e.g. the commit before a change:
``git archive <commit> | tar -x -C /tmp/base`` then ``--code /tmp/base``). A first, untimed run of each command
builds the jieba caches (assist/text/segment.py). Prints the median, p90 and max wall seconds, the median CPU
seconds (user + system) of each command, and the load average before and after (wall time on a loaded 2-core PC
is mostly waiting for a core: compare CPU too). This is a benchmark, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = "您好，我是华信银行信用卡中心的工作人员，工号八零二六，您的账单已经逾期三十天了。"
CALL = ["您好，我是华信银行信用卡中心的刘晓雯，工号八零二六。", "请问是王先生本人吗？",
        "您的信用卡已经逾期三十天，欠款三千六百八十元。", "您看今天能不能先还一部分？", "好的，那就明天下午还款，谢谢配合。"]


def _run(cmd: list[str], env: dict, cwd: str) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.strip()[-400:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--code", type=Path, default=ROOT, help="checkout whose assist/ package is timed")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        env = dict(os.environ, PYTHONPATH=str(args.code.resolve()), CALLASSIST_DATA_DIR=f"{tmp}/data",
                   CALLASSIST_CONFIG_DIR=f"{tmp}/config", CALLASSIST_LOG_DIR=f"{tmp}/logs")
        env.pop("CALLASSIST_RESOURCES", None)
        call = Path(tmp) / "call.txt"
        call.write_text("\n".join(CALL) + "\n", encoding="utf-8")
        # run from the temp folder: `-m` puts the working directory first on sys.path, ahead of PYTHONPATH
        py = [sys.executable, "-m", "assist.cli.main"]
        for _ in range(3):   # a few calls to list and search
            subprocess.run([*py, "analyze", str(call), "--json"], env=env, cwd=tmp, check=True,
                           stdout=subprocess.DEVNULL)
        commands = {"check (1 sentence)": [*py, "check", SENTENCE], "records list": [*py, "records", "list"],
                    "records search 还款": [*py, "records", "search", "还款"]}
        load0 = os.getloadavg()
        print(f"code: {args.code.resolve()}  python: {sys.executable}  cores: {os.cpu_count()}")
        for name, cmd in commands.items():
            _run(cmd, env, tmp)   # untimed: caches built, files in the page cache
            runs = [_run(cmd, env, tmp) for _ in range(args.repeat)]
            walls = sorted(w for w, _ in runs)
            p90 = walls[min(len(walls) - 1, round(0.9 * (len(walls) - 1)))]
            print(f"{name:22s} wall median {statistics.median(walls):.2f} s  p90 {p90:.2f}  max {walls[-1]:.2f}  "
                  f"cpu median {statistics.median(c for _, c in runs):.2f} s  (n={len(runs)})")
        load1 = os.getloadavg()
    print(f"load average (1/5/15 min) before {load0[0]:.1f}/{load0[1]:.1f}/{load0[2]:.1f}, "
          f"after {load1[0]:.1f}/{load1[1]:.1f}/{load1[2]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
