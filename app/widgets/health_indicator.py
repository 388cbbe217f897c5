"""HealthIndicator: a coloured dot and the recognition lag, from the engine's Health events.

The recogniser reports its health after every second of audio it has worked through, so while it is stuck
(a long decode on a busy PC) nothing arrives and the last figure would stay on screen — green 1.3 s for 16 s,
then 19.2 s at once. ``tick()``, called by the window's clock during a live call, counts the lag up from the
last report once the next one is overdue: audio keeps arriving in real time, so every second without a
report is a second more behind."""

from __future__ import annotations

import math
import time

from PySide6.QtWidgets import QLabel, QWidget

from assist.events import Health

LAG_OK_S = 1.5     # below: green — suggestions keep up with the agent
LAG_SLOW_S = 4.0   # above: red — the machine can't keep up; alerts will come late
DROPPED_SHOWN_S = 0.05   # skipped audio worth telling the agent about (Health.dropped)
OVERDUE_S = 1.5          # reports come every second of audio: later than this, the recogniser is stuck


class HealthIndicator(QLabel):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.level = "idle"
        self.clock = time.monotonic
        self.setObjectName("muted")
        self.reset()

    def reset(self) -> None:
        self.last: Health | None = None
        self._received = 0.0
        self.lag = 0.0
        self._set_level("idle", "#8a8f98")
        self.setText(self.tr("● 识别空闲"))
        self.setToolTip(self.tr("语音识别状态"))

    def _set_level(self, level: str, colour: str) -> None:
        # Restyling is costly (the app stylesheet is re-resolved): only when the colour really changes,
        # not on every Health event (several a second).
        if level != getattr(self, "_styled", None):
            self._styled = level
            self.setStyleSheet(f"color: {colour};" + (" font-weight: bold;" if level != "idle" else ""))
        self.level = level

    def set_health(self, health: Health) -> None:
        self.last, self._received = health, self.clock()
        self._show(health, max(0.0, float(health.lag)))

    def tick(self) -> None:
        """Live call: show the lag growing while the next report is overdue."""
        if self.last is None:
            return
        waited = self.clock() - self._received
        if waited > OVERDUE_S:
            self._show(self.last, max(0.0, float(self.last.lag)) + waited, waited=waited)

    def pause(self) -> None:
        """No audio is arriving (the microphone was lost): a missing report means nothing until the next one."""
        self.last = None

    def _show(self, health: Health, lag: float, waited: float = 0.0) -> None:
        self.lag = lag
        if lag < LAG_OK_S:
            self._set_level("ok", "#2e7d32")
        elif lag < LAG_SLOW_S:
            self._set_level("slow", "#ef6c00")
        else:
            self._set_level("behind", "#c62828")
        tip = f"识别延迟 {lag:.1f} 秒；实时率 {health.rtf:.2f}；待处理 {health.queue_depth} 段"
        if waited:
            tip += f"\n已 {waited:.0f} 秒没有新的识别结果"
        dropped = max(0.0, float(getattr(health, "dropped", 0.0)))
        if dropped < DROPPED_SHOWN_S:
            self.setText(f"● 延迟 {lag:.1f} 秒")
        else:
            # the engine skipped audio it could not keep up with: say so, those words are not in the record
            n = math.ceil(dropped)
            if self.level == "behind":
                self.setText(f"● 识别跟不上，已跳过 {n} 秒")
            else:
                self.setText(f"● 延迟 {lag:.1f} 秒（已跳过 {n} 秒）")
            tip += f"\n电脑太忙，本通话已有 {n} 秒语音未识别（不在通话记录里，也不会触发提醒）"
        self.setToolTip(tip)
