"""ElidedLabel: one line of text that ends in … when the room is narrower than the text.

A plain QLabel without word wrap asks for its whole text's width (a long alert headline widened the narrow
window); with word wrap it grows to several lines. This label takes the width it is given and draws as much
of its text as fits; ``text()`` stays the whole text.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setWordWrap(False)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt naming)
        return QSize(0, super().minimumSizeHint().height())

    def shown_text(self) -> str:
        """What is drawn at the current width."""
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width())

    def elided(self) -> bool:
        return self.shown_text() != self.text()

    def paintEvent(self, _event) -> None:  # noqa: N802
        painter = QPainter(self)
        align = int(self.alignment() | Qt.AlignmentFlag.AlignVCenter)
        self.style().drawItemText(painter, self.contentsRect(), align, self.palette(), self.isEnabled(),
                                  self.shown_text(), QPalette.ColorRole.WindowText)
