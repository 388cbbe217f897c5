"""A short, soft alert tone for the agent's headset: generated with numpy, played through sounddevice on the
default output from one background thread (never the GUI thread, never the capture callback).

`make_tone(volume)` gives the samples (two short notes, with fades so there is no click); `TonePlayer.play()`
only queues a request and returns. Each tone's time on the output is noted in `own_sound`, so the
debtor side (which captures that output) silences it. A missing/unusable output device is logged once per kind of failure and
otherwise ignored: a failed beep must never disturb the call.
"""

from __future__ import annotations

import logging
import queue
import threading
import time

import numpy as np

from . import own_sound

log = logging.getLogger(__name__)

TONE_RATE = 48000            # every output device takes 48 kHz; no resampling needed
NOTES_HZ = (880.0, 1175.0)   # A5 then D6: noticeable, not harsh
NOTE_S = 0.09
GAP_S = 0.03
FADE_S = 0.012
MAX_AMPLITUDE = 0.5          # volume 1.0; well below full scale, the tone sits in the agent's ear


def make_tone(volume: float = 0.5, rate: int = TONE_RATE) -> np.ndarray:
    """float32 mono samples of the alert (peak = MAX_AMPLITUDE·volume, volume clipped to 0..1)."""
    volume = min(1.0, max(0.0, float(volume)))
    n, fade = int(NOTE_S * rate), int(FADE_S * rate)
    t = np.arange(n) / rate
    ramp = np.ones(n)
    ramp[:fade] = np.linspace(0.0, 1.0, fade)
    ramp[-fade:] = np.linspace(1.0, 0.0, fade)
    gap = np.zeros(int(GAP_S * rate))
    parts = []
    for i, f in enumerate(NOTES_HZ):
        if i:
            parts.append(gap)
        parts.append(np.sin(2 * np.pi * f * t) * ramp)
    return (np.concatenate(parts) * MAX_AMPLITUDE * volume).astype(np.float32)


class TonePlayer:
    """Plays the alert on a daemon thread. ``play()`` never blocks; requests arriving while a tone plays
    are dropped (three alerts in one second must not become a ringing ear)."""

    def __init__(self, device: int | str | None = None):
        self.device = device
        self.played = 0              # tones that reached the device (tests, diagnostics)
        self.failures = 0
        self.last_error: str | None = None
        self._q: queue.SimpleQueue = queue.SimpleQueue()
        self._busy = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def play(self, volume: float = 0.5) -> bool:
        """Queue one tone; False if one is already playing (dropped) or the volume is zero."""
        if volume <= 0 or self._busy.is_set():
            return False
        self._busy.set()
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="alert-tone", daemon=True)
                self._thread.start()
        self._q.put(float(volume))
        return True

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """True once no tone is queued or playing (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while self._busy.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)
        return not self._busy.is_set()

    def _run(self) -> None:
        while True:
            volume = self._q.get()
            try:
                self._play_now(make_tone(volume))
                self.played += 1
            except Exception as exc:  # no output device, device busy, PortAudio missing: log, stay silent
                self.failures += 1
                message = f"{type(exc).__name__}: {exc}"
                if message != self.last_error:
                    log.warning("alert tone not played: %s", message)
                self.last_error = message
            finally:
                self._busy.clear()

    def _play_now(self, samples: np.ndarray) -> None:
        import sounddevice as sd

        # Its own short-lived stream (not sd.play's global one), so it never interferes with capture.
        # Noted before it is written and closed once the stream has drained (leaving the with-block waits for
        # that): the output's monitor (the debtor side) may capture it at any time in between, and the debtor
        # source must silence it rather than recognise our own beep as the debtor (own_sound).
        playing = own_sound.Playing(time.monotonic())
        try:
            with sd.OutputStream(samplerate=TONE_RATE, channels=1, dtype="float32", device=self.device) as out:
                out.write(samples.reshape(-1, 1))
        finally:
            playing.done(time.monotonic())
