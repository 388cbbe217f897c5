"""DebtorSourcePicker: 对方声音来源 — none, the output's monitor (扬声器输出的监听), or a second input device —
with a level meter, like the microphone's.

The choice is one string (``assist.audio.second``: "", "monitor", "monitor:<id>", "input:<name>"). Listing and
the preview stream run on workers (PortAudio and the sound server can take a while, and soundcard's first
import connects to the server); the meter is drained by a GUI timer from the preview source's ``level``.
A choice saved earlier that is not there now stays selectable (shown as 未连接), so opening the dialog with the
headset unplugged does not lose it; the message says what is wrong.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..qt_compat import emit
from ..workers import run_async
from .level_meter import LevelMeter

LEVEL_POLL_MS = 80


class DebtorSourcePicker(QWidget):
    listed = Signal()            # the choices are in (tests, the dialog)
    problem = Signal(str)        # Chinese message; "" when fine

    def __init__(self, spec: str = "", parent: QWidget | None = None, *, agent_device: str = ""):
        super().__init__(parent)
        self.spec = spec or ""
        self.agent_device = agent_device
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.choice = QComboBox()
        self.choice.setMinimumContentsLength(14)
        self.choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.choice.setToolTip(self.tr("对方（债务人）的声音从哪里来：软电话播放到的耳机输出的监听，或接电话线路的第二个输入设备"))
        self.choice.addItem(self.tr("无（只识别坐席）"), "")
        row.addWidget(self.choice, 1)
        self.rescan_button = QPushButton(self.tr("刷新"))
        self.rescan_button.clicked.connect(self.scan)
        row.addWidget(self.rescan_button)
        layout.addLayout(row)
        self.meter = LevelMeter()
        self.meter.setToolTip(self.tr("对方声音音量"))
        layout.addWidget(self.meter)
        self.message = QLabel()
        self.message.setObjectName("muted")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        self.preview = None
        self._want_preview = 0          # bumped per request: a late-opened preview of an old choice is closed
        self._timer = QTimer(self)
        self._timer.setInterval(LEVEL_POLL_MS)
        self._timer.timeout.connect(self._poll)
        self.choice.currentIndexChanged.connect(self._changed)

    # --- choices --------------------------------------------------------------------------------------------
    def scan(self) -> None:
        self.stop_preview()
        exclude = self.agent_device

        def listing():
            from assist.audio.second import list_second_sources

            return list_second_sources(exclude_input=exclude or None)

        run_async(listing, on_done=self._listed, on_error=lambda m: self._listed(([], [m])))

    def _listed(self, result) -> None:
        from assist.audio.second import describe

        choices, problems = result
        self.choice.blockSignals(True)
        self.choice.clear()
        self.choice.addItem(self.tr("无（只识别坐席）"), "")
        for c in choices:
            if c.spec:
                self.choice.addItem(c.label, c.spec)
        i = self.choice.findData(self.spec)
        if i < 0 and self.spec:
            self.choice.addItem(self.tr("{name}（未连接）").format(name=describe(self.spec)), self.spec)
            i = self.choice.count() - 1
            problems = [self.tr("上次选择的对方声音来源现在找不到：{name}").format(name=describe(self.spec)), *problems]
        self.choice.setCurrentIndex(max(0, i))
        self.choice.blockSignals(False)
        self._show_problem("；".join(problems) if self.spec and problems else "")
        emit(self.listed)
        self._changed()

    def selected(self) -> str:
        return str(self.choice.currentData() or "")

    def _changed(self, *_args) -> None:
        self.spec = self.selected()
        if self.spec and self.isVisible():
            self.start_preview(self.spec)
        else:
            self.stop_preview()

    # --- preview level ----------------------------------------------------------------------------------------
    def start_preview(self, spec: str) -> None:
        self.stop_preview()
        self._want_preview += 1
        ticket = self._want_preview

        def open_preview():
            from assist.audio.second import open_second_source

            src = open_second_source(spec)
            src.start(lambda _block: None)
            return src

        def opened(src):
            if ticket != self._want_preview or not self.isVisible():
                run_async(src.stop)   # superseded meanwhile
                return
            self.preview = src
            self._show_problem("")
            self._timer.start()

        def failed(message: str):
            if ticket == self._want_preview:
                self._show_problem(self.tr("对方声音来源无法打开：{message}").format(message=message))

        run_async(open_preview, on_done=opened, on_error=failed)

    def stop_preview(self, *, wait: bool = False) -> None:
        self._want_preview += 1
        self._timer.stop()
        self.meter.set_level_db(None)
        src, self.preview = self.preview, None
        if src is not None:
            src.stop() if wait else run_async(src.stop)

    def _poll(self) -> None:
        if self.preview is not None:
            self.meter.set_level_db(getattr(self.preview, "level", None))

    def _show_problem(self, message: str) -> None:
        self.message.setText(message)
        self.message.setVisible(bool(message))
        emit(self.problem, message)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.scan()

    def hideEvent(self, event) -> None:
        self.stop_preview()
        super().hideEvent(event)
