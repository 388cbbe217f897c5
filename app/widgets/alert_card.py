"""AlertCard: one rule hit, impossible to miss: what was wrong, the rule, its basis, what to say instead."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from assist.events import Alert

from assist.labels import RULE_BASIS, SEVERITY_NAMES, rule_name
from ..qt_compat import emit


class AlertCard(QFrame):
    dismissed = Signal(object)   # the Alert

    def __init__(self, alert: Alert, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("alertCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 8)
        layout.setSpacing(2)
        top = QHBoxLayout()
        self.title = QLabel()
        self.title.setObjectName("alertTitle")
        self.title.setWordWrap(True)
        top.addWidget(self.title, 1)
        self.dismiss_button = QPushButton(self.tr("知道了"))
        self.dismiss_button.setToolTip(self.tr("关闭此提醒（会记录在通话记录中）"))
        self.dismiss_button.clicked.connect(lambda: emit(self.dismissed, self.alert))
        top.addWidget(self.dismiss_button)
        layout.addLayout(top)
        self.rule_label = QLabel()
        self.rule_label.setWordWrap(True)
        self.advice_label = QLabel()
        self.advice_label.setWordWrap(True)
        self.basis_label = QLabel()
        self.basis_label.setObjectName("alertBasis")   # smaller type: the basis matters less mid-call
        self.basis_label.setWordWrap(True)
        for w in (self.rule_label, self.advice_label, self.basis_label):
            layout.addWidget(w)
        self.alert = alert
        self.set_alert(alert)

    def set_alert(self, alert: Alert) -> None:
        self.alert = alert
        self.setProperty("severity", alert.severity)
        message = alert.message or f"{rule_name(alert.rule)}：“{alert.evidence}”"
        self.title.setText(f"⚠ {message}" if alert.severity == "critical" else message)
        quoted = f" · 原话：“{alert.evidence}”" if alert.evidence else ""
        pending = "（识别中，待确认）" if alert.source == "partial" else ""
        self.rule_label.setText(f"{SEVERITY_NAMES.get(alert.severity, alert.severity)} · {rule_name(alert.rule)}{quoted}{pending}")
        self.advice_label.setText(f"建议改说：{alert.advice}" if alert.advice else "")
        self.advice_label.setVisible(bool(alert.advice))
        basis = alert.basis or RULE_BASIS.get(alert.rule, "")
        self.basis_label.setText(f"依据：{basis}" if basis else "")
        self.basis_label.setVisible(bool(basis))
        self.style().unpolish(self)
        self.style().polish(self)
