"""AssistColumn: the live window's assist side — the suggestion (in a height-capped scroll area) above the
tabs 客户异议 / 必备要素 / 话术库. It knows how to lay itself out for the narrow side panel and the wide window,
and for idle vs. in-call."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPushButton, QSizePolicy, QTabWidget, QVBoxLayout, QWidget

from ..qt_compat import emit
from .checklist_view import ChecklistView
from .library_search import LibrarySearch
from .objection_pad import ObjectionPad
from .scroll_cap import ScrollCap
from .suggestion_panel import SuggestionPanel

UNLIMITED = 16777215


class AssistColumn(QWidget):
    foldChanged = Signal(bool)   # the tabs folded away (an alert is open in the narrow panel) or back

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.suggestions = SuggestionPanel()
        # The suggestion is never squeezed below its floor; beyond its share of the window it scrolls.
        self.suggestions.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.suggestions_area = ScrollCap(self.suggestions, share=0.3, floor=140)
        layout.addWidget(self.suggestions_area)
        self.tabs = QTabWidget()
        self.objections = ObjectionPad(shortcut_host=self)
        self.checklist = ChecklistView()
        self.library = LibrarySearch()
        self.tabs.addTab(self.objections, self.tr("客户异议"))
        self.tabs.addTab(self.checklist, self.tr("必备要素"))
        self.tabs.addTab(self.library, self.tr("话术库"))
        layout.addWidget(self.tabs)
        # While an alert is open in the narrow panel the tabs fold to this one line (the number keys still
        # pick objections); the agent can unfold them for the rest of that alert.
        self.unfold_button = QPushButton(self.tr("客户异议 · 必备要素 · 话术库 ▾"))
        self.unfold_button.setObjectName("linkButton")
        self.unfold_button.setFlat(True)
        self.unfold_button.setToolTip(self.tr("告警期间已收起，点击展开（数字键仍可选客户异议）"))
        self.unfold_button.clicked.connect(self._unfold)
        self.unfold_button.hide()
        layout.addWidget(self.unfold_button)
        self.wide = False
        self.in_call = False
        self.alerts_open = False
        self._agent_unfolded = False

    def set_window_height(self, height: int) -> None:
        self.suggestions_area.set_window_height(height)

    def set_wide(self, wide: bool) -> None:
        """Wide: the column has room for more suggestion. Narrow: alternatives fold, tabs keep to their buttons."""
        self.wide = wide
        self.suggestions_area.share = 0.5 if wide else 0.3
        self.suggestions.set_compact(not wide)
        self._fit_tabs()

    def set_in_call(self, on: bool) -> None:
        self.in_call = on
        self.objections.set_active(on)
        self._fit_tabs()

    def set_alerts_open(self, on: bool) -> None:
        """Alert cards are shown (narrow: they need the tabs' room) or all gone."""
        if on != self.alerts_open:
            self.alerts_open = on
            if not on:
                self._agent_unfolded = False   # the next alert folds the tabs again
            self._fit_tabs()

    @property
    def folded(self) -> bool:
        return not self.wide and self.in_call and self.alerts_open and not self._agent_unfolded

    def _unfold(self) -> None:
        self._agent_unfolded = True
        self._fit_tabs()

    def _fit_tabs(self) -> None:
        # Narrow and idle, the case form needs the room (the tabs serve a call; wide, they stay).
        folded = self.folded
        changed = self.unfold_button.isHidden() == folded
        # Whoever makes room for the tabs hears of it before they show, and of their folding after they
        # hide: the other order briefly makes the window's minimum taller than the screen and Qt grows it.
        if changed and not folded:
            emit(self.foldChanged, False)
        self.tabs.setVisible((self.wide or self.in_call) and not folded)
        self.unfold_button.setVisible(folded)
        if changed and folded:
            emit(self.foldChanged, True)
        # measured when shown, so the theme's fonts apply
        self.tabs.setMaximumHeight(UNLIMITED if self.wide else self.tabs.minimumSizeHint().height())
