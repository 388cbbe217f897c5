"""Playback of a kept call recording (the review window's player): decoded samples out through PortAudio.

The PortAudio callback only copies the next frames out of the decoded array and advances a frame counter;
``position_s`` reads that counter, so whoever shows the transcript following along polls it (no callback
reaches into the GUI). ``seek`` works whether or not it is playing (and without an output device at all).
"""

from __future__ import annotations

import threading

import numpy as np

from .errors import DeviceError


class Playback:
    def __init__(self, samples: np.ndarray, rate: int):
        """``samples``: float32, shape (frames, channels) (assist.store.audio.decode)."""
        self.samples = np.ascontiguousarray(samples, dtype=np.float32)
        if self.samples.ndim == 1:
            self.samples = self.samples[:, None]
        self.rate = int(rate)
        self._pos = 0                     # next frame to play; written by the callback and by seek()
        self._lock = threading.Lock()
        self._stream = None

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.rate

    @property
    def position_s(self) -> float:
        return self._pos / self.rate

    @property
    def playing(self) -> bool:
        return self._stream is not None and self._stream.active

    def seek(self, seconds: float) -> None:
        with self._lock:
            self._pos = int(min(max(0.0, float(seconds)), self.duration_s) * self.rate)

    def play(self) -> None:
        """Start (or resume) from ``position_s``; from the start again once at the end. Raises DeviceError
        (Chinese message) when no output device can play it."""
        if self.playing:
            return
        if self._pos >= len(self.samples):
            self.seek(0.0)
        self.close()
        import sounddevice as sd

        try:
            self._stream = sd.OutputStream(samplerate=self.rate, channels=self.samples.shape[1], dtype="float32",
                                           callback=self._callback, finished_callback=None)
            self._stream.start()
        except Exception as exc:   # PortAudioError, no device, unsupported rate
            self._stream = None
            raise DeviceError(f"无法播放录音：没有可用的音频输出设备（{exc}）") from exc

    def pause(self) -> None:
        self.close()

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
                stream.close()
            except Exception:
                pass

    def _callback(self, out, frames, _time, _status) -> None:
        # PortAudio's thread: copy only.
        import sounddevice as sd

        with self._lock:
            start = self._pos
            chunk = self.samples[start:start + frames]
            self._pos = start + len(chunk)
        out[:len(chunk)] = chunk
        if len(chunk) < frames:
            out[len(chunk):] = 0
            raise sd.CallbackStop
