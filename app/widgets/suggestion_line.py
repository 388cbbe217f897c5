"""SuggestionLine: one suggested line with its reason; one click copies it, one click marks it used."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..qt_compat import emit


class SuggestionLine(QWidget):
    copied = Signal(str)      # text
    used = Signal(str)        # line_id
    pinToggled = Signal(str, str)   # line_id, text: 固定 (or 取消固定 on the pinned line)

    def __init__(self, *, top: bool = False, pinned: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.line_id = ""
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        texts = QVBoxLayout()
        texts.setSpacing(0)
        self.text_label = QLabel()
        self.text_label.setObjectName("suggestTop" if top else "suggestAlt")
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason_label = QLabel()
        self.reason_label.setObjectName("muted")
        self.reason_label.setWordWrap(True)
        texts.addWidget(self.text_label)
        texts.addWidget(self.reason_label)
        layout.addLayout(texts, 1)
        buttons = QVBoxLayout()
        self.copy_button = QPushButton(self.tr("复制"))
        self.copy_button.setToolTip(self.tr("复制到剪贴板"))
        self.copy_button.clicked.connect(self.copy)
        self.used_button = QPushButton(self.tr("已用"))
        self.used_button.setToolTip(self.tr("标记为已使用（记入通话记录）"))
        self.used_button.clicked.connect(self.mark_used)
        self.pinned = pinned
        self.pin_button = QPushButton(self.tr("取消固定") if pinned else self.tr("固定"))
        self.pin_button.setToolTip(self.tr("不再固定这句（F8）") if pinned else
                                   self.tr("把这句固定在最上面，直到说出它（F8 固定首条建议）"))
        self.pin_button.clicked.connect(lambda: emit(self.pinToggled, self.line_id, self.text_label.text()))
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.used_button)
        buttons.addWidget(self.pin_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.set_line("", "", "")

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_labels()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            QTimer.singleShot(0, self, self._fit_labels)

    def _fit_labels(self) -> None:
        # Wrapped labels in nested layouts get a one-line height guess; pin them to their real height.
        for label in (self.text_label, self.reason_label):
            h = label.heightForWidth(max(1, label.width())) if label.text() else 0
            if h > 0 and label.minimumHeight() != h:
                label.setMinimumHeight(h)

    def set_line(self, text: str, reason: str, line_id: str) -> None:
        self.line_id = line_id or ""
        self.text_label.setText(text)
        self.reason_label.setText(f"理由：{reason}" if reason else "")
        self.reason_label.setVisible(bool(reason))
        self.copy_button.setEnabled(bool(text))
        self.used_button.setEnabled(bool(text))
        self.used_button.setText(self.tr("已用"))
        self.pin_button.setEnabled(bool(text and line_id))   # only library lines can be pinned
        self.setVisible(bool(text))
        self._fit_labels()

    def copy(self) -> None:
        text = self.text_label.text()
        if text:
            QApplication.clipboard().setText(text)
            emit(self.copied, text)

    def mark_used(self) -> None:
        if self.text_label.text():
            self.used_button.setText(self.tr("✓ 已用"))
            self.used_button.setEnabled(False)
            emit(self.used, self.line_id)
