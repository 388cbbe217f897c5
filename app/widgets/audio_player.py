"""AudioPlayer: the review window's player for a call's kept recording (play/pause, a position slider, time).

Decoding runs on a worker (a long call takes a second or more); the sound goes out through
assist.audio.playback (PortAudio: QtMultimedia is not in the installed PySide6-Essentials). While playing a
timer polls the position and ``positionChanged`` drives the transcript following along; ``seek`` (a click on an
utterance) moves it whether or not it plays.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from assist.labels import format_clock

from ..qt_compat import emit
from ..workers import run_async

_POLL_MS = 100


class AudioPlayer(QWidget):
    positionChanged = Signal(float)   # seconds into the recording
    loaded = Signal(float)            # the recording is ready: its duration in seconds

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.playback = None
        self._generation = 0
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.play_button = QPushButton(self.tr("▶ 播放录音"))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setEnabled(False)
        self.time_label = QLabel("00:00 / 00:00")
        self.time_label.setObjectName("muted")
        self.message = QLabel()
        self.message.setObjectName("muted")
        self.message.setWordWrap(True)
        for w in (self.play_button, self.slider, self.time_label):
            row.addWidget(w, 1 if w is self.slider else 0)
        row.addWidget(self.message, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(_POLL_MS)
        self.timer.timeout.connect(self._poll)
        self.play_button.clicked.connect(self.toggle)
        self.slider.sliderMoved.connect(lambda ms: self.seek(ms / 1000))
        self.show_none(self.tr("未保存录音"))

    # --- which recording -------------------------------------------------------------------------------------
    def load_call(self, call: dict) -> None:
        """Show the player for the call's kept recording, or say why there is none."""
        audio = call.get("audio")
        if not audio:
            self.show_none(self.tr("这通电话没有保存录音（设置 → 保留通话录音）"))
        elif audio.get("purged_at"):
            self.show_none(self.tr("录音已按保留天数删除（{when}）").format(when=str(audio["purged_at"])[:10]))
        else:
            self.load(audio["path"], note=audio.get("error") or "")

    def load(self, path: str, note: str = "") -> None:
        from assist.store.audio import SAMPLE_RATE, decode

        self.stop()
        self._generation += 1
        gen = self._generation
        self._set_ready(False)
        self.message.setText(self.tr("正在读取录音…"))
        self.message.show()
        run_async(decode, path, on_done=lambda samples: self._decoded(samples, SAMPLE_RATE, note, gen),
                  on_error=lambda m: gen == self._generation and self.show_none(self.tr("无法读取录音：{m}").format(m=m)))

    def _decoded(self, samples, rate: int, note: str, generation: int) -> None:
        if generation != self._generation:
            return   # another call was chosen meanwhile
        from assist.audio.playback import Playback

        self.playback = Playback(samples, rate)
        self.slider.setRange(0, int(self.playback.duration_s * 1000))
        self._set_ready(True)
        self.message.setText(note)
        self.message.setVisible(bool(note))
        self._poll()
        emit(self.loaded, self.playback.duration_s)

    def show_none(self, text: str) -> None:
        self.stop()
        self._generation += 1
        self.playback = None
        self._set_ready(False)
        self.message.setText(text)
        self.message.show()

    def _set_ready(self, on: bool) -> None:
        for w in (self.play_button, self.slider, self.time_label):
            w.setVisible(on)
        self.play_button.setEnabled(on)
        self.slider.setEnabled(on)

    # --- transport ---------------------------------------------------------------------------------------------
    @property
    def position_s(self) -> float:
        return self.playback.position_s if self.playback is not None else 0.0

    def seek(self, seconds: float) -> None:
        if self.playback is not None:
            self.playback.seek(seconds)
            self._poll()

    def toggle(self) -> None:
        if self.playback is None:
            return
        if self.playback.playing:
            self.pause()
            return
        from assist.audio import DeviceError

        try:
            self.playback.play()
        except DeviceError as exc:
            self.message.setText(str(exc))
            self.message.show()
            return
        self.play_button.setText(self.tr("暂停"))
        self.timer.start()

    def pause(self) -> None:
        if self.playback is not None:
            self.playback.pause()
        self.timer.stop()
        self.play_button.setText(self.tr("▶ 播放录音"))
        self._poll()

    def stop(self) -> None:
        """Release the output device (another call chosen, window closed)."""
        if self.playback is not None:
            self.playback.close()
        self.timer.stop()
        self.play_button.setText(self.tr("▶ 播放录音"))

    def _poll(self) -> None:
        if self.playback is None:
            return
        pos = self.playback.position_s
        if not self.slider.isSliderDown():
            self.slider.setValue(int(pos * 1000))
        self.time_label.setText(f"{format_clock(pos)} / {format_clock(self.playback.duration_s)}")
        if self.timer.isActive() and not self.playback.playing:
            self.pause()   # reached the end
            return
        emit(self.positionChanged, pos)
