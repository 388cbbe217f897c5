"""CallSetup: what the agent prepares before dialling — case data, the microphone (with a live level meter).

Device listing and the preview stream are opened on worker threads (PortAudio can take a while); the
level meter is drained by a GUI timer reading the source's ``level`` (the audio thread never touches Qt).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..qt_compat import emit
from ..workers import run_async
from .case_form import CaseForm
from .level_meter import LevelMeter

log = logging.getLogger(__name__)

LEVEL_POLL_MS = 80
AUDIO_FILTER = "录音文件 (*.wav *.flac *.mp3 *.m4a *.ogg);;所有文件 (*)"


class CallSetup(QWidget):
    micStatus = Signal(bool, str)     # usable?, Chinese message
    fileChosen = Signal(str)          # 用录音文件模拟通话

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.case_form = CaseForm()
        layout.addWidget(self.case_form)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("麦克风")))
        self.devices = QComboBox()
        self.devices.setMinimumContentsLength(12)
        self.devices.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.devices.currentIndexChanged.connect(self._device_changed)
        row.addWidget(self.devices, 1)
        self.rescan_button = QPushButton(self.tr("刷新"))
        self.rescan_button.setToolTip(self.tr("重新查找麦克风（插拔耳机后使用）"))
        self.rescan_button.clicked.connect(lambda: self.scan_devices(rescan=True))
        row.addWidget(self.rescan_button)
        layout.addLayout(row)
        meter_row = QHBoxLayout()
        self.meter = LevelMeter()
        meter_row.addWidget(self.meter, 1)
        self.file_button = QPushButton(self.tr("用录音测试…"))
        self.file_button.setToolTip(self.tr("用一段录音文件代替麦克风，演示或培训时使用"))
        self.file_button.clicked.connect(self._choose_file)
        meter_row.addWidget(self.file_button)
        layout.addLayout(meter_row)
        self.preview = None
        self.preferred_device = ""
        self._timer = QTimer(self)
        self._timer.setInterval(LEVEL_POLL_MS)
        self._timer.timeout.connect(self._poll_level)
        self.mic_ok = False

    # --- devices ----------------------------------------------------------------------------------------
    def scan_devices(self, *, rescan: bool = False) -> None:
        self.stop_preview()

        def scan():
            from assist.audio.devices import list_input_devices, rescan_devices

            if rescan:
                rescan_devices()
            return list_input_devices()

        run_async(scan, on_done=self._devices_found, on_error=self._devices_failed)

    def _devices_found(self, devices) -> None:
        self.devices.blockSignals(True)
        self.devices.clear()
        chosen = 0
        for i, d in enumerate(devices):
            self.devices.addItem(d.label(), d.name)
            if self.preferred_device and d.name == self.preferred_device:
                chosen = i
            elif not self.preferred_device and d.is_default:
                chosen = i
        self.devices.blockSignals(False)
        if not devices:
            self.devices.addItem(self.tr("（未检测到麦克风）"), None)
            self._set_mic(False, self.tr("未检测到麦克风：请插好耳机后点“刷新”"))
            return
        self.devices.setCurrentIndex(chosen)
        self._set_mic(True, "")
        self._device_changed()

    def _devices_failed(self, message: str) -> None:
        self.devices.clear()
        self._set_mic(False, f"未检测到麦克风：{message}")

    def _set_mic(self, ok: bool, message: str) -> None:
        self.mic_ok = ok
        emit(self.micStatus, ok, message)

    def device_name(self) -> str | None:
        data = self.devices.currentData()
        return str(data) if data else None

    # --- preview level ------------------------------------------------------------------------------------
    def _device_changed(self, *_args) -> None:
        name = self.device_name()
        if name and self.isVisible():
            self.start_preview(name)

    def start_preview(self, device: str) -> None:
        self.stop_preview()

        def open_preview():
            from assist.audio import MicSource

            src = MicSource(device)
            src.start(lambda _block: None)
            return src

        def opened(src):
            if self.preview is not None or not self.isVisible():
                run_async(src.stop)   # superseded meanwhile
                return
            self.preview = src
            self._timer.start()

        run_async(open_preview, on_done=opened, on_error=lambda m: self._set_mic(False, f"麦克风无法打开：{m}"))

    def stop_preview(self, *, wait: bool = False) -> None:
        """Close the preview stream (on a worker; ``wait=True`` when the window is closing for good)."""
        self._timer.stop()
        self.meter.set_level_db(None)
        src, self.preview = self.preview, None
        if src is not None:
            if wait:
                src.stop()
            else:
                run_async(src.stop)

    def take_preview(self):
        """Hand the preview stream over (the caller stops it on a worker before opening the device)."""
        self._timer.stop()
        self.meter.set_level_db(None)
        src, self.preview = self.preview, None
        return src

    def _poll_level(self) -> None:
        if self.preview is not None:
            self.meter.set_level_db(getattr(self.preview, "level", None))

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择录音文件"), "", AUDIO_FILTER)
        if path:
            emit(self.fileChosen, path)
