"""Place a new window wholly on the screen the agent is using: no larger than its free area (the taskbar
left out) and moved inside it. The review window opened at its design size, 1100x700, partly off a
1366x768 laptop screen beside the side panel."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

FRAME_ALLOWANCE = (16, 40)   # title bar and borders the window manager adds (unknown before the first show)


def fit_on_screen(window: QWidget, near: QWidget | None = None) -> None:
    """Shrink ``window`` to the free area of ``near``'s screen (else the primary one) and move it inside."""
    screen = (near.screen() if near is not None else None) or QGuiApplication.primaryScreen()
    if screen is None:
        return
    free = screen.availableGeometry()
    extra_w, extra_h = FRAME_ALLOWANCE
    width = min(window.width(), free.width() - extra_w)
    height = min(window.height(), free.height() - extra_h)
    window.resize(max(width, window.minimumWidth()), max(height, window.minimumHeight()))
    # beside the live window when it fits, else wherever it is wholly visible
    start = window.pos() if near is None else near.frameGeometry().topLeft() - QPoint(window.width() + extra_w, 0)
    x = min(max(start.x(), free.left()), free.right() - window.width() - extra_w + 1)
    y = min(max(start.y(), free.top()), free.bottom() - window.height() - extra_h + 1)
    window.move(max(x, free.left()), max(y, free.top()))
