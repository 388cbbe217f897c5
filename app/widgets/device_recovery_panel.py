"""DeviceRecoveryPanel: shown in place when the microphone fails mid-call — what happened (the call goes on,
nothing transcribed is lost), a microphone picker, 刷新 and 继续. It only presents; app/device_recovery.py
lists devices and switches the call's capture on workers."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..qt_compat import emit


class DeviceRecoveryPanel(QFrame):
    resumeRequested = Signal(object)   # device name, or None for the system default
    rescanRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("deviceRecovery")
        self.setStyleSheet("#deviceRecovery { background: #fff3e0; border: 1px solid #ef6c00; border-radius: 4px; }"
                           "#deviceRecovery QLabel { color: #bf360c; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        self.title = QLabel(self.tr("麦克风已断开：通话仍在继续，已转写的内容都在。"))
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: bold;")
        layout.addWidget(self.title)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        layout.addWidget(self.detail)
        row = QHBoxLayout()
        self.devices = QComboBox()
        self.devices.setMinimumContentsLength(10)
        self.devices.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        row.addWidget(self.devices, 1)
        self.rescan_button = QPushButton(self.tr("刷新"))
        self.rescan_button.setToolTip(self.tr("重新查找麦克风"))
        self.rescan_button.clicked.connect(self.rescanRequested)
        row.addWidget(self.rescan_button)
        self.resume_button = QPushButton(self.tr("继续"))
        self.resume_button.setToolTip(self.tr("用选中的麦克风继续本次通话的识别"))
        self.resume_button.clicked.connect(self._resume)
        row.addWidget(self.resume_button)
        layout.addLayout(row)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.hide()
        layout.addWidget(self.status)
        self.hide()

    def show_failure(self, message: str) -> None:
        self.detail.setText(self.tr("请重新插好耳机，或选择其他麦克风后点“继续”。同一耳机插回后会自动继续。"))
        self.detail.setToolTip(message)
        self.status.hide()
        self.resume_button.setEnabled(self.devices.count() > 0)
        self.show()

    def set_devices(self, devices, preferred: str | None = None) -> None:
        """Fill the picker (keeps the agent's current choice if it is still there)."""
        current = self.devices.currentData() or preferred
        self.devices.blockSignals(True)
        self.devices.clear()
        chosen = 0
        for i, d in enumerate(devices):
            self.devices.addItem(d.label() if hasattr(d, "label") else d.name, d.name)
            if d.name == current or (not current and getattr(d, "is_default", False)):
                chosen = i
        if not devices:
            self.devices.addItem(self.tr("（未检测到麦克风）"), None)
        self.devices.setCurrentIndex(chosen)
        self.devices.blockSignals(False)
        self.resume_button.setEnabled(bool(devices))

    def set_busy(self, name: str) -> None:
        self.resume_button.setEnabled(False)
        self.show_status(self.tr("正在切换到：{name}…").format(name=name or self.tr("系统默认麦克风")))

    def show_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.show()

    def switch_failed(self, message: str) -> None:
        self.resume_button.setEnabled(self.devices.currentData() is not None)
        self.show_status(self.tr("未能继续：{message}").format(message=message))

    def _resume(self) -> None:
        emit(self.resumeRequested, self.devices.currentData())
