"""LibrarySearch: search the script library (话术库) by keyword; double-click or Enter copies a line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from assist.labels import stage_name

from ..qt_compat import emit

MAX_RESULTS = 30


class LibrarySearch(QWidget):
    copied = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.query = QLineEdit()
        self.query.setPlaceholderText(self.tr("搜索话术库，如“分期”“工号”“gh”"))
        self.query.setClearButtonEnabled(True)
        self.query.returnPressed.connect(self.run_search)
        self.query.textChanged.connect(lambda _t: self.run_search())
        layout.addWidget(self.query)
        self.results = QListWidget()
        self.results.setWordWrap(True)
        self.results.itemActivated.connect(self._copy_item)
        self.results.itemDoubleClicked.connect(self._copy_item)
        layout.addWidget(self.results, 1)
        self.status = QLabel(self.tr("双击一条话术即可复制"))
        self.status.setObjectName("muted")
        layout.addWidget(self.status)
        self.search_fn: Callable[[str], list[Any]] | None = None

    def set_search(self, fn: Callable[[str], list[Any]] | None) -> None:
        self.search_fn = fn

    def run_search(self) -> None:
        q = self.query.text().strip()
        self.results.clear()
        if not q:
            return
        if self.search_fn is None:
            self.status.setText(self.tr("话术库尚未加载"))
            return
        try:
            found = list(self.search_fn(q))[:MAX_RESULTS]
        except Exception as exc:  # a broken library file must not break the live window
            self.status.setText(f"话术库搜索失败：{exc}")
            return
        for line in found:
            text = getattr(line, "text", None) or (line.get("text") if isinstance(line, dict) else str(line))
            stage = getattr(line, "stage", None) or (line.get("stage") if isinstance(line, dict) else "")
            item = QListWidgetItem(f"【{stage_name(stage)}】{text}" if stage else text)
            item.setData(Qt.ItemDataRole.UserRole, text)
            self.results.addItem(item)
        self.status.setText(f"找到 {len(found)} 条" if found else self.tr("没有找到匹配的话术"))

    def _copy_item(self, item: QListWidgetItem) -> None:
        text = item.data(Qt.ItemDataRole.UserRole)
        QApplication.clipboard().setText(text)
        self.status.setText(self.tr("已复制"))
        emit(self.copied, text)
