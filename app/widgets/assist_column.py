"""AssistColumn: the live window's assist side — the suggestion (in a height-capped scroll area) above the
tabs 客户异议 / 必备要素 / 话术库. It knows how to lay itself out for the narrow side panel and the wide window,
and for idle vs. in-call."""

from __future__ import annotations

from PySide6.QtWidgets import QSizePolicy, QTabWidget, QVBoxLayout, QWidget

from .checklist_view import ChecklistView
from .library_search import LibrarySearch
from .objection_pad import ObjectionPad
from .scroll_cap import ScrollCap
from .suggestion_panel import SuggestionPanel

UNLIMITED = 16777215


class AssistColumn(QWidget):
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
        self.objections = ObjectionPad()
        self.checklist = ChecklistView()
        self.library = LibrarySearch()
        self.tabs.addTab(self.objections, self.tr("客户异议"))
        self.tabs.addTab(self.checklist, self.tr("必备要素"))
        self.tabs.addTab(self.library, self.tr("话术库"))
        layout.addWidget(self.tabs)
        self.wide = False
        self.in_call = False

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

    def _fit_tabs(self) -> None:
        # Narrow and idle, the case form needs the room (the tabs serve a call; wide, they stay).
        self.tabs.setVisible(self.wide or self.in_call)
        # measured when shown, so the theme's fonts apply
        self.tabs.setMaximumHeight(UNLIMITED if self.wide else self.tabs.minimumSizeHint().height())
