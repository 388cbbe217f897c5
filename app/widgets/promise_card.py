"""PromiseCard: the promise to pay as the engine heard it — amount, date with its weekday, channel — what to
check about it (a date that has passed or is far off, more than the debt), and 确认 / 修改 so the agent settles
it with the debtor before the call ends. The confirmed or corrected promise is what the call records."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assist.analysis.ptp import format_date, promise_warnings
from assist.events import PromiseToPay
from assist.labels import CHANNEL_NAMES, channel_name, format_amount

from ..qt_compat import emit

MAX_AMOUNT = 10_000_000


def _slots(amount, date_iso, channel) -> dict:
    return {"amount": None if amount is None else float(amount), "date": date_iso or None, "channel": channel or None}


class PromiseCard(QFrame):
    confirmed = Signal(object)   # {"amount", "date", "channel"}: the agent confirmed or corrected it

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("promiseCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 0)
        layout.setSpacing(2)
        row = QHBoxLayout()
        row.setSpacing(4)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        row.addWidget(self.summary, 1)
        self.state_label = QLabel()
        row.addWidget(self.state_label)
        self.confirm_button = QPushButton(self.tr("确认"))
        self.confirm_button.setToolTip(self.tr("已与客户核对金额、日期和渠道"))
        self.edit_button = QPushButton(self.tr("修改"))
        self.edit_button.setToolTip(self.tr("改成客户实际承诺的金额、日期和渠道"))
        row.addWidget(self.confirm_button)
        row.addWidget(self.edit_button)
        layout.addLayout(row)
        self.warning_label = QLabel()
        self.warning_label.setObjectName("promiseWarning")
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet("color: #e65100; font-weight: bold;")
        layout.addWidget(self.warning_label)

        self.editor = QWidget()
        ed = QHBoxLayout(self.editor)
        ed.setContentsMargins(0, 0, 0, 0)
        ed.setSpacing(4)
        self.amount_edit = QDoubleSpinBox()
        self.amount_edit.setRange(0, MAX_AMOUNT)
        self.amount_edit.setDecimals(0)
        self.amount_edit.setSuffix(self.tr(" 元"))
        self.amount_edit.setSpecialValueText(self.tr("金额未定"))   # 0 = not settled
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.channel_edit = QComboBox()
        self.channel_edit.addItem(self.tr("渠道未定"), None)
        for cid, name in CHANNEL_NAMES.items():
            self.channel_edit.addItem(name, cid)
        self.save_button = QPushButton(self.tr("保存"))
        self.cancel_button = QPushButton(self.tr("取消"))
        for w in (self.amount_edit, self.date_edit, self.channel_edit):
            ed.addWidget(w, 1)
        ed.addWidget(self.save_button)
        ed.addWidget(self.cancel_button)
        self.editor.hide()
        layout.addWidget(self.editor)

        self.confirm_button.clicked.connect(self.confirm)
        self.edit_button.clicked.connect(self.start_editing)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(lambda: self.editor.hide())
        self.today = date.today()
        self.debt: float | None = None
        self.reset()

    # --- state -------------------------------------------------------------------------------------------
    def reset(self, *, today: date | None = None, debt: float | None = None, in_call: bool = False) -> None:
        """A new call (or none): no promise yet; ``today`` is the call's local date, ``debt`` the case amount."""
        self.today = today or date.today()
        self.debt = debt
        self.promise = _slots(None, None, None)
        self.agreed: dict | None = None     # what the agent confirmed last
        self.in_call = in_call
        self.editor.hide()
        self._render()

    def set_in_call(self, on: bool) -> None:
        self.in_call = on
        if not on:
            self.editor.hide()
        self._render()

    def set_promise(self, event: PromiseToPay) -> None:
        self.promise = _slots(event.amount, event.date, event.channel)
        self._render()

    @property
    def has_promise(self) -> bool:
        return any(v is not None for v in self.promise.values())

    @property
    def is_confirmed(self) -> bool:
        return self.agreed is not None and self.agreed == self.promise

    def warnings(self) -> list[str]:
        return promise_warnings(self.promise["amount"], self.promise["date"], self.today, debt=self.debt)

    # --- actions -----------------------------------------------------------------------------------------
    def confirm(self) -> None:
        if self.has_promise:
            self._agree(dict(self.promise))

    def start_editing(self) -> None:
        p = self.promise
        self.amount_edit.setValue(p["amount"] or 0)
        d = date.fromisoformat(p["date"]) if p["date"] else self.today
        self.date_edit.setDate(QDate(d.year, d.month, d.day))
        self.channel_edit.setCurrentIndex(max(0, self.channel_edit.findData(p["channel"])) if p["channel"] else 0)
        self.editor.show()
        self.amount_edit.setFocus()

    def save(self) -> None:
        amount = self.amount_edit.value() or None
        self._agree(_slots(amount, self.date_edit.date().toString("yyyy-MM-dd"), self.channel_edit.currentData()))
        self.editor.hide()

    def _agree(self, slots: dict) -> None:
        # Shown as the promise at once; the session echoes it back as a PromiseToPay and records it.
        self.agreed = slots
        self.promise = dict(slots)
        self._render()
        emit(self.confirmed, dict(slots))

    # --- view --------------------------------------------------------------------------------------------
    def _render(self) -> None:
        p = self.promise
        if not self.has_promise:
            self.summary.setText(self.tr("还款承诺：无"))
        else:
            amount = p["amount"]
            parts = [format_amount(amount).replace(" ", "") if amount is not None else "金额未定",
                     format_date(p["date"]).replace(" ", "") or "日期未定", channel_name(p["channel"]) or "渠道未定"]
            # one line in the 420 px panel when its buttons are gone (after the call)
            self.summary.setText("还款承诺：" + "·".join(parts))
        confirmed = self.has_promise and self.is_confirmed
        self.state_label.setText(self.tr("已确认 ✓") if confirmed else (self.tr("待确认") if self.has_promise else ""))
        style = "color: #2e7d32; font-weight: bold;" if confirmed else "color: #e65100;"
        if self.state_label.styleSheet() != style:   # restyling re-resolves the app's stylesheet: only on change
            self.state_label.setStyleSheet(style)
        # in a call the 确认 button itself says the promise is unconfirmed: the label only says it after the call
        self.confirm_button.setVisible(self.in_call and self.has_promise and not confirmed)
        self.state_label.setVisible(self.has_promise and not self.confirm_button.isVisibleTo(self))
        self.edit_button.setVisible(self.in_call)
        self.edit_button.setText(self.tr("修改") if self.has_promise else self.tr("填写"))
        warnings = self.warnings() if self.has_promise else []
        self.warning_label.setText("⚠ " + "；".join(warnings) if warnings else "")
        self.warning_label.setVisible(bool(warnings))
