"""StageBar: the seven call stages across the top, the current one highlighted, visited ones darker."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from assist.analysis.state import STAGES
from assist.labels import stage_name

from ..theme import repolish

# Two-character names keep the bar one line even in a narrow side panel; the tooltip has the full name.
SHORT = {"greet": "联系", "confirm_debt": "确认", "willingness": "意愿", "plan": "计划",
         "consequence": "后果", "support": "支持", "close": "结束"}


class StageBar(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        self.steps: dict[str, QLabel] = {}
        for i, stage in enumerate(STAGES):
            label = QLabel(f"{i + 1} {SHORT.get(stage, stage)}")
            label.setObjectName("stageStep")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setToolTip(stage_name(stage))
            label.setProperty("state", "todo")
            layout.addWidget(label, 1)
            self.steps[stage] = label
        self.current: str | None = None
        self.visited: set[str] = set()

    def set_stage(self, stage: str) -> None:
        if stage not in self.steps:
            return
        self.current = stage
        self.visited.add(stage)
        for sid, label in self.steps.items():
            state = "current" if sid == stage else ("done" if sid in self.visited else "todo")
            if label.property("state") != state:
                label.setProperty("state", state)
                repolish(label)

    def reset(self) -> None:
        self.current = None
        self.visited.clear()
        for label in self.steps.values():
            label.setProperty("state", "todo")
            repolish(label)
