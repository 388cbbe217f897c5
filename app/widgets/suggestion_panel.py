"""SuggestionPanel: the next line to say (large), two alternatives, and why; a line the agent pinned (固定)
stays on top, marked, until it is said or unpinned (the engine's Suggester decides when it was said)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from assist.events import Suggestion
from assist.labels import stage_name

from ..qt_compat import emit
from .pinned_height import PinnedHeight
from .suggestion_line import SuggestionLine


def line_fields(obj: Any) -> tuple[str, str, str]:
    """(text, reason, line_id) from whatever the engine put in Suggestion.alternatives (objects, dicts, tuples)."""
    if isinstance(obj, dict):
        return str(obj.get("text", "")), str(obj.get("reason", "")), str(obj.get("line_id") or obj.get("id") or "")
    if isinstance(obj, (tuple, list)):
        parts = [str(p) for p in obj] + ["", "", ""]
        return parts[0], parts[1], parts[2]
    if isinstance(obj, str):
        return obj, "", ""
    text = getattr(obj, "text", "")
    reason = getattr(obj, "reason", "")
    line_id = getattr(obj, "line_id", "") or getattr(obj, "id", "")
    return str(text), str(reason or ""), str(line_id or "")


class SuggestionPanel(PinnedHeight, QFrame):
    copied = Signal(str)
    used = Signal(str)
    pinChanged = Signal(object)    # line_id pinned, or None when unpinned by the agent

    def __init__(self, parent: QWidget | None = None, *, alternatives: int = 2):
        super().__init__(parent)
        self.setObjectName("panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        self.title = QLabel(self.tr("建议话术"))
        self.title.setObjectName("sectionTitle")
        layout.addWidget(self.title)
        self.placeholder = QLabel(self.tr("通话开始后，这里会给出下一句建议。"))
        self.placeholder.setObjectName("muted")
        self.placeholder.setWordWrap(True)
        layout.addWidget(self.placeholder)
        self.pin_title = QLabel(self.tr("★ 已固定"))   # the pushpin emoji is not in the CJK fonts: it drew an empty box
        self.pin_title.setObjectName("sectionTitle")
        self.pin_title.hide()
        layout.addWidget(self.pin_title)
        self.pinned = SuggestionLine(top=True, pinned=True)
        self.pinned.setObjectName("pinnedLine")
        self.pinned.copied.connect(self.copied)
        self.pinned.used.connect(self.used)
        self.pinned.pinToggled.connect(lambda *_: self.unpin())
        layout.addWidget(self.pinned)
        self.top = SuggestionLine(top=True)
        layout.addWidget(self.top)
        self.alts = [SuggestionLine() for _ in range(alternatives)]
        for line in [self.top, *self.alts]:
            line.copied.connect(self.copied)
            line.used.connect(self.used)
            line.pinToggled.connect(self.pin)
            layout.addWidget(line)
        self.more_button = QPushButton()
        self.more_button.setObjectName("linkButton")
        self.more_button.setFlat(True)
        self.more_button.setCheckable(True)
        self.more_button.toggled.connect(lambda _on: self._show_lines())
        self.more_button.hide()
        layout.addWidget(self.more_button)
        self.compact = False           # narrow window: the alternatives fold behind 更多建议
        self.current: Suggestion | None = None
        self.pinned_id: str | None = None
        self._lines: list[tuple[str, str, str]] = []

    def set_suggestion(self, s: Suggestion) -> None:
        self.current = s
        self.placeholder.hide()
        self.title.setText(f"建议话术 · {stage_name(s.stage)}")
        alts = [line_fields(a) for a in (s.alternatives or ())]
        self._lines = [(s.text, s.reason, s.line_id)] + [a for a in alts if a[0] and a[0] != s.text]
        self._show_lines()

    def _show_lines(self) -> None:
        # the pinned line is shown once, above; the rest move up
        lines = [ln for ln in self._lines if not (self.pinned_id and ln[2] == self.pinned_id)]
        for i, line in enumerate([self.top, *self.alts]):
            line.set_line(*(lines[i] if i < len(lines) else ("", "", "")))
        hidden = len([ln for ln in self.alts if ln.text_label.text()])
        folded = self.compact and hidden and not self.more_button.isChecked()
        if folded:
            for line in self.alts:
                line.hide()
        self.more_button.setText(self.tr("更多建议（{n}）▾").format(n=hidden) if folded else self.tr("收起 ▴"))
        self.more_button.setVisible(bool(self.compact and hidden))
        self.pin_height()

    def set_compact(self, on: bool) -> None:
        """Narrow window: show the first suggestion, fold the alternatives (one click shows them)."""
        if on != self.compact:
            self.compact = on
            self._show_lines()

    # --- pinning ---------------------------------------------------------------------------------------
    def pin(self, line_id: str, text: str) -> None:
        """Pin a shown line (固定). Pinning the pinned line again unpins it."""
        if not line_id or not text:
            return
        if line_id == self.pinned_id:
            self.unpin()
            return
        self.pinned_id = line_id
        reason = next((r for t, r, i in self._lines if i == line_id), "")
        self.pinned.set_line(text, reason, line_id)
        self.pin_title.show()
        self._show_lines()
        emit(self.pinChanged, line_id)

    def pin_top(self) -> None:
        """F8: pin the first suggestion, or unpin if something is pinned."""
        if self.pinned_id:
            self.unpin()
        elif self.top.line_id:
            self.pin(self.top.line_id, self.top.text_label.text())

    def unpin(self) -> None:
        if self.pinned_id is not None:
            self.release_pin()
            emit(self.pinChanged, None)

    def release_pin(self) -> None:
        """Drop the pinned line without telling anyone (the engine released it: the agent said it)."""
        self.pinned_id = None
        self.pinned.set_line("", "", "")
        self.pin_title.hide()
        self._show_lines()

    def reset(self) -> None:
        self.current = None
        self.title.setText(self.tr("建议话术"))
        self.placeholder.show()
        self._lines = []
        self.release_pin()
