#!/usr/bin/env python3
"""Render the app's windows to PNG without a microphone: the live window mid-call (driven by a dev call) —
narrow and wide, grabbed once three alert cards and the promise card are up (d12 has both) — and the review
window with that call open.

    .venv/bin/python scripts/screenshot.py                 # d12 audio through Whisper → out/screenshots/
    .venv/bin/python scripts/screenshot.py --text          # same call from its transcript (no model, fast)
    .venv/bin/python scripts/screenshot.py --call d07 --at 6 --out /tmp/shots

Works offscreen (no display needed) or under Xvfb. Records go to a temporary database unless --db is given,
so the user's own call records are never touched.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--call", default="d12", help="dev call id (default d12: short, with violations)")
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"), help="the shared data folder")
    ap.add_argument("--out", default=str(ROOT / "out" / "screenshots"))
    ap.add_argument("--at", type=int, default=0, help="grab the live window after this many utterances (default: "
                                                      "once three alerts and a promise are shown)")
    ap.add_argument("--text", action="store_true", help="drive the call from its transcript instead of the WAV")
    ap.add_argument("--font-size", type=int, default=14)
    ap.add_argument("--db", help="records database (default: a temporary one)")
    ap.add_argument("--narrow", default="420x728", help="side-panel size WxH (default: 420 wide, a 1366x768 "
                                                       "screen's height less the taskbar)")
    ap.add_argument("--wide", default="1366x728", help="wide window size WxH")
    args = ap.parse_args()

    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = tempfile.mkdtemp(prefix="callassist-shots-")
    os.environ.setdefault("CALLASSIST_CONFIG_DIR", os.path.join(tmp, "config"))
    os.environ.setdefault("CALLASSIST_DATA_DIR", os.path.join(tmp, "data"))
    os.environ.setdefault("CALLASSIST_LOG_DIR", os.path.join(tmp, "logs"))

    from dataclasses import replace

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.main_app import MainApp
    from app.services import AppServices
    from app.settings import open_settings
    from assist.case import CaseData

    dev = Path(args.shared) / "data" / "dev"
    calls = json.loads((dev / "calls.json").read_text(encoding="utf-8"))
    call = next((c for c in calls if c["id"] == args.call), None)
    if call is None:
        print(f"no dev call {args.call!r} in {dev / 'calls.json'}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    services = AppServices(settings=open_settings(Path(tmp) / "settings.ini"))
    services.prefs = replace(services.prefs, font_size=args.font_size,
                             db_path=args.db or str(Path(tmp) / "data" / "records.sqlite3"))
    main_app = MainApp(services, load_model=False)
    live = main_app.live
    live.alerts.sound = False
    live.setup.case_form.set_case(CaseData(debtor_name="张伟", account="6222****1234", phone="138****1111",
                                           amount=3680, overdue_days=45, creditor="华信银行",
                                           institution="聚信服务", agent_name="王芳", agent_id="A023"))
    started_at = datetime.fromisoformat(call["started_at"])
    if args.text:
        from assist.transcript import TranscriptSource

        source = TranscriptSource.from_lines([u["text"] for u in call["utterances"]], realtime=True, line_s=0.4)
    else:
        from assist.audio import FileSource
        from assist.model import load_whisper

        services.model = load_whisper(services.config.asr.model_dir, services.config.asr)
        services.warm_engine()
        services.model_state = "ready"
        source = FileSource(dev / f"{args.call}.wav")
    live._refresh_status()

    shots: list[Path] = []
    narrow = tuple(int(v) for v in args.narrow.lower().split("x"))
    wide = tuple(int(v) for v in args.wide.lower().split("x"))

    def grab(widget, name: str) -> None:
        path = out / name
        widget.grab().save(str(path))
        hint = widget.minimumSizeHint()
        print(f"{name}: {widget.width()}x{widget.height()} (minimum {hint.width()}x{hint.height()})")
        shots.append(path)
        print(f"wrote {path}")

    live.resize(*narrow)
    live.show()
    grab(live, "live_before_call.png")
    count = {"n": 0}

    def ready() -> bool:
        if args.at:
            return count["n"] == args.at
        return len(live.alerts.cards) >= 3 and live.promise.has_promise

    def on_utterance(_event) -> None:
        count["n"] += 1
        check()

    def check(_event=None) -> None:
        # the alerts and the promise of an utterance arrive just after it: looked at on each of them
        if not count.get("grabbed") and ready():
            count["grabbed"] = True
            QTimer.singleShot(300, grab_mid_call)   # after the cards' deferred height pinning

    def grab_mid_call() -> None:
        grab(live, "live_mid_call.png")
        live.resize(*wide)
        app.processEvents()
        grab(live, "live_mid_call_wide.png")
        for _ in range(2):   # the first resize is clamped by the wide layout's minimum width
            live.resize(*narrow)
            app.processEvents()

    live.bridge.utterance.connect(on_utterance)
    live.bridge.alert.connect(check)
    live.bridge.ptp.connect(check)

    def after_call(call_id: str) -> None:
        if not count.get("grabbed"):
            print("the call ended before three alerts and a promise were shown", file=sys.stderr)
            grab(live, "live_mid_call.png")
        # the window goes back to the agent's height once the form is back (LiveWindow._restore_height)
        QTimer.singleShot(500, lambda: (grab(live, "live_after_call.png"), open_review(call_id)))

    def open_review(call_id: str) -> None:
        review = main_app.show_review()
        review.resize(1280, 760)

        def show_detail(_n):
            review.show_call(call_id)

        review.listed.connect(show_detail)
        review.detailShown.connect(lambda _cid: QTimer.singleShot(200, lambda: (grab(review, "review.png"), app.quit())))

    live.callFinished.connect(after_call)
    live.bridge.failed.connect(lambda m: (print(f"call failed: {m}", file=sys.stderr), app.exit(1)))
    QTimer.singleShot(100, lambda: live.start_call(source=source, started_at=started_at))
    QTimer.singleShot(600_000, lambda: (print("timed out", file=sys.stderr), app.exit(1)))
    rc = app.exec()
    services.close_store()
    return rc if shots else 1


if __name__ == "__main__":
    sys.exit(main())
