"""LevelMeter: a horizontal microphone level bar (dBFS), fed by the window's poll timer."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

FLOOR_DB = -60.0


class LevelMeter(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = FLOOR_DB
        self.setMinimumHeight(10)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip(self.tr("麦克风音量"))

    def sizeHint(self) -> QSize:
        return QSize(160, 12)

    @property
    def fraction(self) -> float:
        return max(0.0, min(1.0, (self.db - FLOOR_DB) / -FLOOR_DB))

    def set_level_db(self, db: float | None) -> None:
        if db is None or not isinstance(db, (int, float)) or math.isnan(db):
            db = FLOOR_DB
        db = max(FLOOR_DB, min(0.0, float(db)))
        if abs(db - self.db) >= 0.5:
            self.db = db
            self.update()

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        r = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        p.setPen(QColor("#9aa0a6"))
        p.setBrush(QColor("#202124"))
        p.drawRoundedRect(r, 3, 3)
        f = self.fraction
        if f > 0:
            # green for speech levels, amber near clipping
            colour = QColor("#43a047") if self.db < -9 else QColor("#ffb300") if self.db < -3 else QColor("#e53935")
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            p.drawRoundedRect(QRectF(r.x() + 1, r.y() + 1, (r.width() - 2) * f, r.height() - 2), 2, 2)
        p.end()
