"""ChecklistView: required elements of a call, done ✓ or still missing ○, with a one-line summary."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from assist.analysis.state import CHECKLIST
from assist.events import Checklist
from assist.labels import checklist_name


class ChecklistView(QWidget):
    def __init__(self, parent: QWidget | None = None, *, columns: int = 2):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        grid = QGridLayout()
        grid.setSpacing(2)
        self.items: dict[str, QLabel] = {}
        for i, item in enumerate(CHECKLIST):
            label = QLabel()
            grid.addWidget(label, i // columns, i % columns)
            self.items[item] = label
        layout.addLayout(grid)
        layout.addStretch(1)
        self.done: tuple[str, ...] = ()
        self.missing: tuple[str, ...] = tuple(CHECKLIST)
        self._render()

    def set_checklist(self, event: Checklist) -> None:
        self.done, self.missing = tuple(event.done), tuple(event.missing)
        self._render()

    def reset(self) -> None:
        self.done, self.missing = (), tuple(CHECKLIST)
        self._render()

    def _render(self) -> None:
        for item, label in self.items.items():
            done = item in self.done
            if label.property("done") == done:
                continue   # unchanged: no re-styling (costly) on every checklist event
            label.setProperty("done", done)
            label.setText(f"{'✓' if done else '○'} {checklist_name(item)}")
            label.setStyleSheet("color: #2e7d32;" if done else "")
        if self.missing:
            self.summary.setText("还缺：" + "、".join(checklist_name(m) for m in self.missing))
        else:
            self.summary.setText(self.tr("必备要素已全部完成"))
