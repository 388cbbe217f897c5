"""Run by test_offline.py under strace: the desktop app as an agent uses it — services start (model load,
engine warm-up, records DB), the call window starts a call on a WAV and the call runs to its end.

    python -m tests.offline.app_call WAV SETTINGS_INI      (prints the call id; exit 0 when the call ended)
"""

from __future__ import annotations

import os
import sys
from datetime import datetime

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(wav: str, settings_ini: str) -> int:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from app.live_window import LiveWindow
    from app.services import AppServices
    from app.settings import open_settings
    from assist.audio import FileSource

    app = QApplication.instance() or QApplication([])
    services = AppServices(settings=open_settings(settings_ini))
    loop = QEventLoop()
    services.modelChanged.connect(lambda state, _msg: state != "loading" and loop.quit())
    QTimer.singleShot(90_000, loop.quit)
    services.load_model()
    loop.exec()
    if services.model_state != "ready":
        print(f"model not ready: {services.model_message}", file=sys.stderr)
        return 1
    services.open_store()
    window = LiveWindow(services)
    window.alerts.sound = False
    window.show()
    finished: list[str] = []
    window.callFinished.connect(lambda call_id: (finished.append(call_id), loop.quit()))
    QTimer.singleShot(100_000, loop.quit)
    # A weekday morning: a start outside the allowed call hours would wait on the agent's confirmation dialog
    started = datetime(2026, 11, 3, 10, 0).astimezone()
    if not window.start_call(source_factory=lambda: FileSource(wav), started_at=started):
        print("the call did not start", file=sys.stderr)
        return 1
    loop.exec()
    services.close_store()
    app.processEvents()
    if not finished:
        print("the call did not end", file=sys.stderr)
        return 1
    print(finished[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
