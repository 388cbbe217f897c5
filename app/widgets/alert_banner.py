"""AlertBanner: the stack of live alerts, newest on top. Critical ones sound (if enabled: ``play_sound``, the
window's soft tone in the headset; else the system beep); one click dismisses; a partial-text alert the final
text did not confirm disappears."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from assist.events import Alert, AlertRetracted, UtteranceFinal

from ..qt_compat import emit
from .alert_card import AlertCard
from .pinned_height import PinnedHeight


class AlertBanner(PinnedHeight, QWidget):
    dismissed = Signal(object)   # Alert, after its card is gone
    countChanged = Signal(int)   # cards shown (the narrow window folds the tabs while there are any)

    def __init__(self, parent: QWidget | None = None, *, max_cards: int = 2):
        super().__init__(parent)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(4)
        self.cards: dict[tuple[str, int | None], AlertCard] = {}
        self.max_cards = max_cards
        self.compact = False     # narrow panel: cards without their long explanation
        self.expanded: AlertCard | None = None
        self.sound = True
        self.beeps = 0
        self.play_sound = None   # callable, must not block (the tone plays on its own thread)
        self.setVisible(False)

    def add_alert(self, alert: Alert) -> None:
        key = (alert.rule, alert.utterance)
        card = self.cards.get(key)
        if card is not None:
            card.set_alert(alert)   # the final text confirmed a partial alert: update, don't duplicate
            self.pin_height()
            return
        card = AlertCard(alert, self, compact=self._compact_now(len(self.cards) + 1))
        card.dismissed.connect(self._dismiss)
        card.expandRequested.connect(lambda c=card: self._expand(c))
        self.cards[key] = card
        self.layout_.insertWidget(0, card)
        self._expand(card)   # the newest alert is the one to read in full
        # Keep the banner glanceable: the oldest cards beyond the limit collapse away (they stay in the record).
        while len(self.cards) > self.max_cards:
            oldest = next(iter(self.cards))
            self._remove(oldest)
        self._fit_cards()
        self.setVisible(True)
        self.pin_height()
        emit(self.countChanged, len(self.cards))
        if alert.severity == "critical" and self.sound:
            self.beeps += 1
            if self.play_sound is not None:
                self.play_sound()
            else:
                QApplication.beep()

    def _compact_now(self, n: int) -> bool:
        # the long explanation only for a lone card in the wide window: with more, every headline and
        # 建议改说 must stay in sight above the columns
        return self.compact or n > 1

    def _fit_cards(self) -> None:
        compact = self._compact_now(len(self.cards))
        for card in self.cards.values():
            card.set_compact(compact)

    def _expand(self, card: AlertCard) -> None:
        """One card is open (the one being read); the others are brief."""
        for other in self.cards.values():
            other.set_brief(other is not card)
        self.expanded = card
        self.pin_height()

    def set_compact(self, on: bool) -> None:
        self.compact = on
        self._fit_cards()
        self.pin_height()

    def confirm(self, event: UtteranceFinal) -> None:
        """The final text of an utterance arrived: its partial alerts that are not retracted right after it
        (retractions follow the final in the same batch) are confirmed."""
        for (_rule, utterance), card in self.cards.items():
            if utterance == event.utterance:
                card.confirm()

    def retract(self, event: AlertRetracted) -> None:
        self._remove((event.rule, event.utterance))

    def _dismiss(self, alert: Alert) -> None:
        self._remove((alert.rule, alert.utterance))
        emit(self.dismissed, alert)

    def _remove(self, key) -> None:
        card = self.cards.pop(key, None)
        if card is not None and card is self.expanded:
            self.expanded = None
            if self.cards:
                self._expand(next(reversed(self.cards.values())))   # the newest left opens in full
        if card is not None:
            card.hide()
            card.setParent(None)
            card.deleteLater()
            self._fit_cards()
            emit(self.countChanged, len(self.cards))
        self.setVisible(bool(self.cards))
        self.pin_height()

    def clear(self) -> None:
        for key in list(self.cards):
            self._remove(key)

    def visible_alerts(self) -> list[Alert]:
        return [c.alert for c in self.cards.values()]
