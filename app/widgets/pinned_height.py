"""PinnedHeight: a mixin for panels full of word-wrapped labels.

Qt sizes a top-level window by its layouts' minimum sizes, which ignore wrapped text's height-for-width;
the wrapped lines are then clipped or overlap. A panel with this mixin reports no height-for-width and
instead pins its minimum height to what its text really needs at its current width.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QTimer


class PinnedHeight:
    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt naming)
        return False

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.pin_height()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self.pin_height()

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.pin_height()   # a new font size or theme re-wraps the text

    def pin_height(self) -> None:
        """Pin now and once more after Qt has polished fonts and shown new children (deferred)."""
        self._pin_now()
        QTimer.singleShot(0, self, self._pin_now)   # cancelled if self dies

    def _pin_now(self) -> None:
        layout = self.layout()
        if layout is not None:
            layout.activate()
        if layout is None or self.width() <= 0:
            return
        h = layout.minimumSize().height()
        if layout.hasHeightForWidth():
            h = max(h, layout.heightForWidth(self.width()))
        # the frame's own border (stylesheet) is outside the layout; a few pixels more absorb rounding of the
        # nested wrapped labels so the last line is never cut
        m = self.contentsMargins()
        h += m.top() + m.bottom() + 6
        if h > 0 and h != self.minimumHeight():
            self.setMinimumHeight(h)
            # Ancestors' layouts cache their children's minimum sizes: make each one re-read them.
            w = self.parentWidget()
            while w is not None:
                if w.layout() is not None:
                    w.layout().invalidate()
                w.updateGeometry()
                if w.isWindow():
                    break
                w = w.parentWidget()
            top = self.window()
            if top is not self and top.layout() is not None:
                top.layout().activate()   # re-distribute now, not on some later resize
