"""CallFilters: the review window's filter bar — date range, agent, rule hit, promise made, full-text query."""

from __future__ import annotations

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QGridLayout, QLabel, QLineEdit, QPushButton, QWidget

from assist.labels import rule_names
from assist.store.schema import REAL_KINDS

from ..qt_compat import emit


class CallFilters(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.use_since = QCheckBox(self.tr("从"))
        self.since = QDateEdit(QDate.currentDate().addDays(-30))
        self.use_until = QCheckBox(self.tr("到"))
        self.until = QDateEdit(QDate.currentDate())
        for d in (self.since, self.until):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
        self.agent = QLineEdit()
        self.agent.setPlaceholderText(self.tr("坐席工号或姓名"))
        self.rule = QComboBox()
        self.rule.addItem(self.tr("全部违规类型"), "")
        for rid, name in rule_names().items():
            self.rule.addItem(name, rid)
        self.ptp = QComboBox()
        self.ptp.addItem(self.tr("承诺：不限"), None)
        self.ptp.addItem(self.tr("有还款承诺"), True)
        self.ptp.addItem(self.tr("无还款承诺"), False)
        self.query = QLineEdit()
        self.query.setPlaceholderText(self.tr("全文搜索通话内容，如“分期”“工号”"))
        self.query.setClearButtonEnabled(True)
        self.show_tests = QCheckBox(self.tr("显示测试和空通话"))
        self.show_tests.setToolTip(self.tr("用录音测试的通话、标为测试的通话和没有识别到内容的通话；导出时总是不含"))
        self.apply_button = QPushButton(self.tr("查询"))
        grid.addWidget(self.use_since, 0, 0)
        grid.addWidget(self.since, 0, 1)
        grid.addWidget(self.use_until, 0, 2)
        grid.addWidget(self.until, 0, 3)
        grid.addWidget(QLabel(self.tr("坐席")), 0, 4)
        grid.addWidget(self.agent, 0, 5)
        grid.addWidget(self.rule, 1, 0, 1, 2)
        grid.addWidget(self.ptp, 1, 2, 1, 2)
        grid.addWidget(self.query, 1, 4, 1, 2)
        grid.addWidget(self.show_tests, 2, 0, 1, 4)
        grid.addWidget(self.apply_button, 0, 6, 2, 1)
        self.apply_button.clicked.connect(self.changed)
        self.query.returnPressed.connect(self.changed)
        self.agent.returnPressed.connect(self.changed)
        for w in (self.rule, self.ptp):
            w.currentIndexChanged.connect(lambda _i: emit(self.changed))
        for w in (self.use_since, self.use_until, self.show_tests):
            w.toggled.connect(lambda _on: emit(self.changed))

    def filters(self) -> dict:
        """Keyword arguments for RecordStore.list_calls/search/export."""
        f: dict = {}
        if self.use_since.isChecked():
            f["since"] = self.since.date().toString("yyyy-MM-dd")
        if self.use_until.isChecked():
            f["until"] = self.until.date().toString("yyyy-MM-dd")
        if self.agent.text().strip():
            f["agent"] = self.agent.text().strip()
        if self.rule.currentData():
            f["rule"] = self.rule.currentData()
        if self.ptp.currentData() is not None:
            f["ptp"] = bool(self.ptp.currentData())
        if not self.show_tests.isChecked():
            f["kind"] = REAL_KINDS
        return f

    def text_query(self) -> str:
        return self.query.text().strip()
