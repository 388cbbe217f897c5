"""ObjectionPad: one button per debtor objection; number keys 1–9, 0 and - pick them during a call."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QGridLayout, QPushButton, QWidget

from assist.labels import objections

from ..qt_compat import emit

KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "-", "="]


class ObjectionPad(QWidget):
    picked = Signal(str)   # objection key

    def __init__(self, parent: QWidget | None = None, *, columns: int = 4, shortcut_host: QWidget | None = None):
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        self.buttons: dict[str, QPushButton] = {}
        self.shortcuts: list[QShortcut] = []
        for i, (key, label) in enumerate(objections().items()):
            hotkey = KEYS[i] if i < len(KEYS) else ""
            button = QPushButton(f"{hotkey} {label}" if hotkey else label)
            button.setToolTip(f"客户说“{label}”：给出应对话术" + (f"（快捷键 {hotkey}）" if hotkey else ""))
            button.clicked.connect(lambda _=False, k=key: emit(self.picked, k))
            grid.addWidget(button, i // columns, i % columns)
            self.buttons[key] = button
            if hotkey:
                # Window-wide, but a focused text field still gets its digits (QLineEdit overrides shortcuts).
                # Qt ignores a shortcut whose widget is hidden: with a host (a widget that stays shown) the
                # keys keep working while the buttons are folded away.
                sc = QShortcut(QKeySequence(hotkey), shortcut_host or self, context=Qt.ShortcutContext.WindowShortcut)
                sc.activated.connect(lambda k=key: self._shortcut(k))
                self.shortcuts.append(sc)
        grid.setRowStretch(grid.rowCount(), 1)   # buttons stay together at the top in a tall panel
        self.set_active(False)

    def _shortcut(self, key: str) -> None:
        if self.buttons[key].isEnabled():
            emit(self.picked, key)

    def set_active(self, on: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(on)
        for sc in self.shortcuts:
            sc.setEnabled(on)
