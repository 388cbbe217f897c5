"""AlertCard: one rule hit, impossible to miss. A short headline (the rule's name and the words said) beside
知道了, what to say instead right under it, then the long explanation and its basis.

Only the card the agent is reading (the newest, or one clicked) is open; the others (``brief``) keep their
headline, 建议改说 and 知道了, so that three cards fit above the suggestion — the rules' own messages are a
paragraph long and used to fill the card on their own. In the wide window a card on its own shows the long
explanation and basis too. In the narrow side panel (``compact``) no card shows them (the tooltip keeps
them), the headline is one line, and a brief card's 建议改说 is one line too."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from assist.events import Alert
from assist.labels import SEVERITY_NAMES, rule_basis, rule_name

from ..qt_compat import emit
from .elided_label import ElidedLabel

EVIDENCE_CHARS = 12   # longer quoted words are cut in the headline (the detail line has them whole)


def headline(alert: Alert) -> str:
    """'⚠ 威胁恐吓：“去你单位”' — a glance says what went wrong."""
    words = alert.evidence.strip()
    if len(words) > EVIDENCE_CHARS:
        words = words[:EVIDENCE_CHARS - 1] + "…"
    text = rule_name(alert.rule) + (f"：“{words}”" if words else "")
    return f"⚠ {text}" if alert.severity == "critical" else text


class AlertCard(QFrame):
    dismissed = Signal(object)   # the Alert
    expandRequested = Signal()   # the agent clicked a brief card

    def __init__(self, alert: Alert, parent: QWidget | None = None, *, compact: bool = False):
        super().__init__(parent)
        self.setObjectName("alertCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 6, 6)
        layout.setSpacing(2)
        top = QHBoxLayout()
        top.setSpacing(6)
        self.title = ElidedLabel()
        self.title.setObjectName("alertTitle")
        top.addWidget(self.title, 1)
        self.dismiss_button = QPushButton(self.tr("知道了"))
        self.dismiss_button.setToolTip(self.tr("关闭此提醒（会记录在通话记录中）"))
        self.dismiss_button.clicked.connect(lambda: emit(self.dismissed, self.alert))
        top.addWidget(self.dismiss_button)
        layout.addLayout(top)
        self.advice_label = QLabel()
        self.advice_label.setObjectName("alertAdvice")
        self.advice_label.setWordWrap(True)
        layout.addWidget(self.advice_label)
        self.advice_brief = ElidedLabel()
        self.advice_brief.setObjectName("alertAdvice")
        self.advice_brief.setCursor(Qt.CursorShape.PointingHandCursor)
        layout.addWidget(self.advice_brief)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.rule_label = QLabel()
        self.rule_label.setWordWrap(True)
        self.basis_label = QLabel()
        self.basis_label.setObjectName("alertBasis")   # smaller type: the basis matters less mid-call
        self.basis_label.setWordWrap(True)
        self.details = (self.message_label, self.rule_label, self.basis_label)
        for w in self.details:
            layout.addWidget(w)
        self.compact = compact
        self.brief = False
        self.alert = alert
        self.set_alert(alert)

    @property
    def pending(self) -> bool:
        """Raised on the partial text and not yet confirmed by the final text."""
        return self.alert.source == "partial"

    def set_alert(self, alert: Alert) -> None:
        self.alert = alert
        self.setProperty("severity", alert.severity)
        self.title.setText(headline(alert))
        self.advice_label.setText(self.tr("建议改说：{advice}").format(advice=alert.advice) if alert.advice else "")
        self.advice_brief.setText(self.advice_label.text())
        self.message_label.setText(alert.message)
        quoted = f" · 原话：“{alert.evidence}”" if alert.evidence else ""
        self._rule_text = f"{SEVERITY_NAMES.get(alert.severity, alert.severity)} · {rule_name(alert.rule)}{quoted}"
        basis = alert.basis or rule_basis(alert.rule)
        self.basis_label.setText(self.tr("依据：{basis}").format(basis=basis) if basis else "")
        self.setToolTip("\n".join(t for t in (alert.message, self._rule_text, self.basis_label.text()) if t))
        self._show_parts()
        self.style().unpolish(self)
        self.style().polish(self)

    def confirm(self) -> None:
        """The utterance's final text kept this alert (the engine does not send it again): no longer pending."""
        if self.pending:
            self.set_alert(replace(self.alert, source="final"))

    def set_compact(self, on: bool) -> None:
        if on != self.compact:
            self.compact = on
            self._show_parts()

    def set_brief(self, on: bool) -> None:
        """Not the card being read: headline, 建议改说 and 知道了 only (one line of advice when compact)."""
        if on != self.brief:
            self.brief = on
            self._show_parts()

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        if self.brief:
            emit(self.expandRequested)
        super().mousePressEvent(event)

    def _show_parts(self) -> None:
        advice = bool(self.advice_label.text())
        one_line = self.brief and self.compact
        details = not self.brief and not self.compact
        self.advice_label.setVisible(advice and not one_line)
        self.advice_brief.setVisible(advice and one_line)
        self.message_label.setVisible(details and bool(self.alert.message))
        # a card without its details keeps the pending mark: an unconfirmed alert must look unconfirmed
        pending = self.tr("（识别中，待确认）") if self.pending else ""
        self.rule_label.setText(self._rule_text + pending if details else pending)
        self.rule_label.setVisible(bool(self.rule_label.text()))
        self.basis_label.setVisible(details and bool(self.basis_label.text()))
