"""SuggestionPanel: the next line to say (large), two alternatives, and why."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from assist.events import Suggestion

from assist.labels import stage_name
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
        self.top = SuggestionLine(top=True)
        layout.addWidget(self.top)
        self.alts = [SuggestionLine() for _ in range(alternatives)]
        for line in [self.top, *self.alts]:
            line.copied.connect(self.copied)
            line.used.connect(self.used)
            layout.addWidget(line)
        self.current: Suggestion | None = None

    def set_suggestion(self, s: Suggestion) -> None:
        self.current = s
        self.placeholder.hide()
        self.title.setText(f"建议话术 · {stage_name(s.stage)}")
        self.top.set_line(s.text, s.reason, s.line_id)
        alts = [line_fields(a) for a in (s.alternatives or ())]
        alts = [a for a in alts if a[0] and a[0] != s.text]
        for i, line in enumerate(self.alts):
            line.set_line(*(alts[i] if i < len(alts) else ("", "", "")))
        self.pin_height()

    def reset(self) -> None:
        self.current = None
        self.title.setText(self.tr("建议话术"))
        self.placeholder.show()
        for line in [self.top, *self.alts]:
            line.set_line("", "", "")
