"""CallControls: the window's top bar — start/stop (F9), mute, call timer, always-on-top, records, settings."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QWidget

from assist.labels import format_clock

from ..theme import repolish


class CallControls(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        bar = QHBoxLayout(self)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(4)
        self.start_button = QPushButton()
        self.start_button.setObjectName("startButton")
        self.mute_button = QPushButton(self.tr("静音"))
        self.mute_button.setCheckable(True)
        self.mute_button.setToolTip(self.tr("静音期间的声音不识别，计时继续"))
        self.timer_label = QLabel("00:00")
        self.timer_label.setObjectName("timer")
        self.top_check = QCheckBox(self.tr("置顶"))
        self.review_button = QPushButton(self.tr("记录"))
        self.settings_button = QPushButton(self.tr("设置"))
        for w in (self.start_button, self.mute_button, self.timer_label):
            bar.addWidget(w)
        bar.addStretch(1)
        for w in (self.top_check, self.review_button, self.settings_button):
            bar.addWidget(w)
        self.set_phase("idle")

    def set_phase(self, phase: str) -> None:
        """idle / starting / running / stopping: the start button's text and colour follow the call."""
        # F9 lives in the tooltip: the bar must fit a 420 px side panel
        text = {"idle": self.tr("开始通话"), "starting": self.tr("正在开始…"),
                "running": self.tr("结束通话"), "stopping": self.tr("正在结束…")}[phase]
        self.start_button.setText(text)
        self.start_button.setToolTip(self.tr("开始或结束通话（F9）"))
        running = "true" if phase in ("running", "stopping") else "false"
        if self.start_button.property("running") != running:
            self.start_button.setProperty("running", running)
            repolish(self.start_button)
        self.mute_button.setEnabled(phase == "running")
        if phase != "running":
            self.mute_button.setChecked(False)

    def show_elapsed(self, seconds: float) -> None:
        self.timer_label.setText(format_clock(seconds))
