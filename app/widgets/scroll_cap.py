"""ScrollCap: a vertical scroll area as tall as its content, but never taller than a share of the window.

The alert stack and the suggestion panel pin their minimum height to their wrapped text (PinnedHeight); put
straight into the window's column, a few alert cards made the narrow window ~1000 px tall — off a 768 px
screen. Inside a ScrollCap the content keeps its natural height and the area scrolls beyond
``share`` × the window's height instead. The area hides itself while its content is hidden.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QWidget


class ScrollCap(QScrollArea):
    def __init__(self, content: QWidget, *, share: float = 0.3, floor: int = 80, parent: QWidget | None = None):
        super().__init__(parent)
        self.share = share
        self.floor = floor          # never squeeze below this (a line of text and its buttons)
        self.cap = 10_000
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        content.installEventFilter(self)
        self._fit()

    def set_window_height(self, height: int) -> None:
        """The window was resized: allow ``share`` of its height."""
        self.cap = max(self.floor, int(height * self.share))
        self._fit()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt naming)
        if obj is self.widget() and event.type() in (QEvent.Type.Show, QEvent.Type.Hide, QEvent.Type.Resize,
                                                     QEvent.Type.LayoutRequest):
            self._fit()
        return False

    def _fit(self) -> None:
        content = self.widget()
        if content is None:
            return
        visible = not content.isHidden()
        if self.isHidden() == visible:
            self.setVisible(visible)
        need = max(content.minimumHeight(), content.minimumSizeHint().height()) if visible else 0
        # Preferred height: all of it up to the cap. Minimum: only the floor, so the window's minimum height
        # never includes the cap (a cap from the window's height must not make the window taller).
        self._hint = min(need, self.cap)
        low = min(need, self.floor)
        if self.minimumHeight() != low or self.maximumHeight() != self._hint:
            self.setMinimumHeight(low)
            self.setMaximumHeight(self._hint)
        self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(super().sizeHint().width(), getattr(self, "_hint", 0))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(super().minimumSizeHint().width(), self.minimumHeight())

    def scrolled(self) -> bool:
        """True when the content is taller than the area (tests, screenshots)."""
        return self.verticalScrollBar().maximum() > 0
