"""TranscriptView: final utterances in the normal colour tagged with their stage, the live partial greyed
at the bottom, utterances that triggered an alert highlighted in place. The debtor's lines (two-party calls)
are marked 对方, indented and quieter (grey, italic), without the stage tag."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget

from assist.events import Alert, AlertRetracted, Partial, UtteranceFinal
from assist.labels import format_clock, stage_name

PARTIAL_COLOUR = QColor("#8a8f98")
DEBTOR_COLOUR = QColor("#5f6670")
DEBTOR_PREFIX = "    对方："
ALERT_BG = {"critical": QColor("#ffcdd2"), "warning": QColor("#ffe0b2"), "info": QColor("#e3f2fd")}
_RANK = {"critical": 3, "warning": 2, "info": 1}


class TranscriptView(QListWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("transcript")
        self.setWordWrap(True)
        self.setUniformItemSizes(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.finals: dict[int, QListWidgetItem] = {}
        self.alerts: dict[int, dict[str, str]] = {}   # utterance → {rule: severity}
        self.partial_item: QListWidgetItem | None = None
        self.partial_utterance: int | None = None
        # Follow the call unless the agent has scrolled up to read. Deciding "at the bottom?" only when a line
        # arrives fails: an alert card shrinking the view, or a partial re-wrapping taller, grows the scroll
        # range without moving the value, and from then on the view never followed again. So the state
        # changes only when the value moves (the agent scrolling, or our own scroll), and every range change
        # while following goes back to the bottom.
        self.following = True
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._value_moved)
        bar.rangeChanged.connect(self._range_changed)

    # --- events -------------------------------------------------------------------------------------
    def add_partial(self, event: Partial) -> None:
        if event.utterance in self.finals:
            return  # a late partial for an utterance already final
        if self.partial_item is None:
            self.partial_item = QListWidgetItem()
            self.partial_item.setForeground(QBrush(PARTIAL_COLOUR))
            self.addItem(self.partial_item)
        self.partial_utterance = event.utterance
        self.partial_item.setText(f"… {event.text}")
        self._follow()

    def add_final(self, event: UtteranceFinal) -> None:
        if getattr(event, "speaker", "agent") == "debtor":
            self._add_debtor(event)
            return
        if self.partial_item is not None:
            self.takeItem(self.row(self.partial_item))
            self.partial_item = None
            self.partial_utterance = None
        item = self.finals.get(event.utterance)
        if item is None:
            item = QListWidgetItem()
            self.finals[event.utterance] = item
            self.addItem(item)
        item.setText(f"【{stage_name(event.stage)}】{format_clock(event.start)}  {event.text}")
        item.setData(Qt.ItemDataRole.UserRole, event.utterance)
        self._paint(event.utterance)
        self._follow()

    def _add_debtor(self, event: UtteranceFinal) -> None:
        # The agent's partial in flight (if any) stays the last line: the debtor's line goes above it.
        item = self.finals.get(event.utterance)
        if item is None:
            item = QListWidgetItem()
            self.finals[event.utterance] = item
            if self.partial_item is not None:
                self.insertItem(self.row(self.partial_item), item)
            else:
                self.addItem(item)
        item.setText(f"{DEBTOR_PREFIX}{format_clock(event.start)}  {event.text}")
        item.setData(Qt.ItemDataRole.UserRole, event.utterance)
        item.setForeground(QBrush(DEBTOR_COLOUR))
        font = QFont(self.font())
        font.setItalic(True)
        item.setFont(font)
        self._follow()

    def mark_alert(self, alert: Alert) -> None:
        if alert.utterance is None:
            return
        self.alerts.setdefault(alert.utterance, {})[alert.rule] = alert.severity
        self._paint(alert.utterance)

    def unmark_alert(self, event: AlertRetracted) -> None:
        rules = self.alerts.get(event.utterance, {})
        rules.pop(event.rule, None)
        self._paint(event.utterance)

    def reset_call(self) -> None:
        # (not "reset": that is a QAbstractItemView virtual that clear() itself calls)
        self.clear()
        self.finals.clear()
        self.alerts.clear()
        self.partial_item = None
        self.partial_utterance = None
        self.following = True

    # --- helpers --------------------------------------------------------------------------------------
    def severity_of(self, utterance: int) -> str | None:
        rules = self.alerts.get(utterance) or {}
        if not rules:
            return None
        return max(rules.values(), key=lambda s: _RANK.get(s, 0))

    def _paint(self, utterance: int) -> None:
        item = self.finals.get(utterance)
        if item is None:
            return
        sev = self.severity_of(utterance)
        item.setBackground(QBrush(ALERT_BG[sev]) if sev in ALERT_BG else QBrush())
        if sev:
            item.setForeground(QBrush(QColor("#000000")))
        item.setToolTip("违规：" + "、".join(sorted(self.alerts.get(utterance, {}))) if sev else "")

    def _follow(self) -> None:
        if self.following:
            self.scrollToBottom()

    def _value_moved(self, value: int) -> None:
        self.following = value >= self.verticalScrollBar().maximum() - 4

    def _range_changed(self, _low: int, high: int) -> None:
        if self.following:
            self.verticalScrollBar().setValue(high)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt naming)
        # The transcript takes what is left (its stretch), never room the alerts and the suggestion need:
        # with QListWidget's own hint (192 px) a squeezed narrow window cut the third alert card instead.
        return QSize(super().sizeHint().width(), self.minimumHeight())

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        self._follow()   # a shorter view (an alert card above it) keeps the newest line in sight

    def texts(self) -> list[str]:
        return [self.item(i).text() for i in range(self.count())]
