"""SyncIndicator: the team-sync status where the agent sees it (已同步 / 待同步 N 通 / 服务器不可达); a click
opens the 团队 window. Hidden while no team server is configured."""

from __future__ import annotations

from PySide6.QtWidgets import QToolButton

from assist.team.sync import OFF, PENDING, SYNCED, UNREACHABLE, SyncStatus

COLOURS = {SYNCED: "#2e7d32", PENDING: "#8a6d00", UNREACHABLE: "#c62828"}


class SyncIndicator(QToolButton):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAutoRaise(True)
        self.status = SyncStatus(OFF)
        self.set_status(self.status)

    def set_status(self, status: SyncStatus) -> None:
        self.status = status
        self.setVisible(status.state != OFF)
        self.setText(f"团队同步：{status.text()}")
        tip = "点击打开团队视图"
        if status.message:
            tip = f"{status.message}\n{tip}"
        self.setToolTip(tip)
        colour = COLOURS.get(status.state, "")
        if self.property("colour") != colour:
            self.setProperty("colour", colour)
            self.setStyleSheet(f"color: {colour};" if colour else "")
