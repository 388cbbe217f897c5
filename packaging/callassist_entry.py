"""Entry point of the frozen app (PyInstaller), the same as the `callassist` console script.

One addition for measuring start-up (the packaging smoke test, support staff on a slow PC): with
CALLASSIST_EXIT_WHEN_READY=1 and no arguments, the desktop app starts as usual and, as soon as its live window
is shown with the speech model loaded (status 就绪), prints
``callassist: ready in N.NN s (window shown, model loaded)`` and quits with status 0. If the model cannot be
loaded it prints the app's message and quits with status 3. Nothing else changes.

Runs from the source tree too (``.venv/bin/python packaging/callassist_entry.py``), so one run can compare the
installed app with the checkout.
"""

from __future__ import annotations

import os
import sys
import time

_T0 = time.monotonic()
READY_ENV = "CALLASSIST_EXIT_WHEN_READY"


def _exit_when_ready() -> None:
    """Create the QApplication that `app.launch` will adopt and poll it until the live window is ready."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])

    def poll() -> None:
        for w in app.topLevelWidgets():
            services = getattr(w, "services", None)
            if type(w).__name__ != "LiveWindow" or services is None or not w.isVisible():
                continue
            state = getattr(services, "model_state", "")
            if state == "ready":
                print(f"callassist: ready in {time.monotonic() - _T0:.2f} s (window shown, model loaded)", flush=True)
                app.exit(0)
                return
            if state == "missing":
                print(f"callassist: the model did not load: {services.model_message}", flush=True)
                app.exit(3)
                return
        QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


def main() -> int:
    if os.environ.get(READY_ENV) == "1" and len(sys.argv) == 1:
        _exit_when_ready()
    from assist.cli.main import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
