"""CaseForm: the case data an agent has before dialling, typed or pasted (JSON or 'label: value' text)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assist.case import CaseData, CaseDataError

from ..case_paste import parse_case
from ..qt_compat import emit

FIELDS = [
    ("debtor_name", "债务人"), ("account", "账户"), ("phone", "电话"), ("amount", "欠款金额（元）"),
    ("overdue_days", "逾期天数"), ("creditor", "委托方"), ("institution", "所属机构"), ("agent_name", "坐席姓名"),
    ("agent_id", "工号"),
]



class CaseForm(QWidget):
    changed = Signal()
    nextCase = Signal()  # a new case was pasted in, or the form cleared for one (the last call's view goes)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        self.edits: dict[str, QLineEdit] = {}
        for key, label in FIELDS:
            edit = QLineEdit()
            edit.setObjectName(key)
            edit.textChanged.connect(self.changed)
            self.edits[key] = edit
            if key == "institution":
                continue   # on the 委托方 row (the pre-call form must fit a 728 px side panel)
            if key == "creditor":
                pair = QHBoxLayout()
                pair.addWidget(edit, 1)
                pair.addWidget(QLabel(self.tr("所属机构")))
                form.addRow(label, pair)
                continue
            form.addRow(label, edit)
        # two fields, so an outside agency's agent never introduces themselves as the bank
        self.edits["creditor"].setPlaceholderText(self.tr("欠款的银行/平台"))
        self.edits["creditor"].setToolTip(self.tr("欠款所属的银行或平台，如“华信银行”"))
        self.edits["institution"].setPlaceholderText(self.tr("您的公司"))
        self.edits["institution"].setToolTip(self.tr("您自己所在的公司：开场时报这个名字"))
        pair.addWidget(self.edits["institution"], 1)
        outer.addLayout(form)
        row = QHBoxLayout()
        self.paste_button = QPushButton(self.tr("粘贴案件信息…"))
        self.paste_button.setToolTip(self.tr("粘贴 JSON 或“姓名：张三”格式的文本"))
        self.paste_button.clicked.connect(self.open_paste_dialog)
        self.clear_button = QPushButton(self.tr("清空"))
        self.clear_button.clicked.connect(self.clear_debtor)
        row.addWidget(self.paste_button)
        row.addWidget(self.clear_button)
        row.addStretch(1)
        outer.addLayout(row)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        self.error.hide()
        outer.addWidget(self.error)

    def case(self) -> CaseData:
        """The typed case; raises CaseDataError (Chinese message) on a non-numeric amount or days."""
        values = {k: e.text().strip() for k, e in self.edits.items()}
        for key, label in (("amount", self.tr("欠款金额")), ("overdue_days", self.tr("逾期天数"))):
            v = values[key].replace(",", "").replace("元", "").replace("天", "").strip()
            if v:
                try:
                    float(v) if key == "amount" else int(v)
                except ValueError:
                    raise CaseDataError(f"{label}“{values[key]}”不是有效数字") from None
            values[key] = v
        return CaseData.from_dict(values)

    def fill_agent(self, name: str, agent_id: str) -> None:
        """The agent's own name and 工号 (from the settings) go into the form where it has none yet."""
        for key, value in (("agent_name", name), ("agent_id", agent_id)):
            if value and not self.edits[key].text():
                self.edits[key].setText(value)

    def set_case(self, case: CaseData, *, keep_agent: bool = False) -> None:
        data = case.to_dict()
        for key, edit in self.edits.items():
            if keep_agent and key in ("agent_name", "agent_id") and not data.get(key):
                continue
            value = data.get(key)
            if key == "amount" and value is not None:
                value = f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"
            edit.setText("" if value is None else str(value))
        self.show_error("")

    def apply_text(self, text: str) -> bool:
        try:
            pasted = parse_case(text)
        except CaseDataError as exc:
            self.show_error(f"无法读取案件信息：{exc}")
            return False
        self.set_case(pasted.case, keep_agent=True)
        if pasted.ignored:
            self.show_error(self.tr("已读取案件信息；没有用上的项：{items}").format(items="、".join(pasted.ignored)))
        emit(self.nextCase)
        return True

    def open_paste_dialog(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle(self.tr("粘贴案件信息"))
        layout = QVBoxLayout(dialog)
        layout.addWidget(QLabel(self.tr("粘贴 JSON，或每行一项，例如“姓名：张三”、“金额：3680元”、“逾期天数：45”：")))
        edit = QPlainTextEdit()
        edit.setPlainText(QApplication.clipboard().text())
        layout.addWidget(edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        layout.addWidget(buttons)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.apply_text(edit.toPlainText())

    def clear_debtor(self) -> None:
        for key, edit in self.edits.items():
            if key not in ("agent_name", "agent_id", "institution"):   # the agent's own: kept for the next case
                edit.clear()
        self.show_error("")
        emit(self.nextCase)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def summary(self) -> str:
        c = {k: e.text().strip() for k, e in self.edits.items()}
        parts = [c["debtor_name"] or "未填姓名"]
        if c["amount"]:
            parts.append(f"{c['amount']} 元")
        if c["overdue_days"]:
            parts.append(f"逾期 {c['overdue_days']} 天")
        if c["agent_id"]:
            parts.append(f"工号 {c['agent_id']}")
        return " · ".join(parts)
