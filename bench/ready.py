#!/usr/bin/env python
"""How soon the app is ready: seconds from process start until the live window shows, and until 就绪 (model
loaded and engine warmed). Prints figures; asserts nothing. Issue 12's target: 就绪 ≤ 5 s after the window shows
on a quiet machine (check ``uptime`` first). Runs the real app with a private settings/records folder.

    .venv/bin/python -m bench.ready [--runs 3]

Each run is a fresh process (the model, jieba and the rule packs load once per process).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child() -> int:
    t0 = time.monotonic()
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    from app.main_app import MainApp

    main = MainApp()
    main.show()
    app.processEvents()
    shown = time.monotonic() - t0

    def on_model(state: str, _message: str) -> None:
        if state in ("ready", "missing"):
            print(f"shown {shown:.2f} s, {state} {time.monotonic() - t0:.2f} s after start "
                  f"({time.monotonic() - t0 - shown:.2f} s after the window showed)", flush=True)
            app.quit()

    main.services.modelChanged.connect(on_model)
    QTimer.singleShot(120_000, app.quit)
    app.exec()
    main.shutdown()
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child()
    print(f"load average {os.getloadavg()[0]:.2f}; {os.cpu_count()} cores")
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="callassist-ready-") as tmp:
            env = dict(os.environ, CALLASSIST_CONFIG_DIR=f"{tmp}/config", CALLASSIST_DATA_DIR=f"{tmp}/data",
                       CALLASSIST_LOG_DIR=f"{tmp}/log")
            out = subprocess.run([sys.executable, "-m", "bench.ready", "--child"], env=env, cwd=ROOT,
                                 capture_output=True, text=True,
                                 timeout=180)
            lines = [ln for ln in out.stdout.splitlines() if ln.startswith("shown")]
            print(lines[-1] if lines else f"no result (exit {out.returncode}): {out.stderr.strip()[-300:]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
