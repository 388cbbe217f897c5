"""Our own sounds, so the second source (what the agent hears) never takes them for the debtor.

The alert tone plays into the agent's headset, the very output whose monitor (Linux) or loopback (Windows)
the debtor side captures. Whatever plays a sound of ours notes the wall time it occupies here
(``note_playing``); the second sources (``LoopbackSource``, a second ``MicSource`` with ``own_sound_gate``)
replace every captured sample whose capture time falls inside such a window — widened by ``MARGIN_BEFORE_S`` /
``MARGIN_AFTER_S`` for the output and capture buffers, whose latency we do not know exactly — by silence before
it reaches the recogniser. Silence rather than subtraction: the tone's path through the softphone, the mixer
and the monitor changes its level and phase, so subtracting a copy would leave most of it; half a second of the
debtor's voice lost under a tone costs less than a false debtor utterance.

Times are ``time.monotonic()`` seconds. Process-wide on purpose: every player of ours (the live window's, the
settings dialog's test beep) goes through ``TonePlayer``, which notes it, and every second source reads it.
"""

from __future__ import annotations

import threading
from collections import deque

import numpy as np

# The monitor hears a sound when the mixer renders it (before the DAC); a capture block is stamped when it is
# read, up to a block and the server's fragment later. On the test PulseAudio server (null sink, 50 ms blocks)
# the tone was heard within its noted window and the gated capture kept no sample of it
# (tests/audio/test_second_source.py); the margins leave room for a desktop server's longer buffers.
MARGIN_BEFORE_S = 0.05
MARGIN_AFTER_S = 0.35
_KEEP = 32      # windows remembered (a few minutes of alerts at most; older ones are long past)

_lock = threading.Lock()
_windows: deque = deque(maxlen=_KEEP)   # (start, end) pairs; an open one (Playing) is a list until done


def note_playing(start: float, end: float) -> None:
    """A sound of ours occupies the output from ``start`` to ``end`` (monotonic seconds)."""
    if end < start:
        start, end = end, start
    with _lock:
        _windows.append((start - MARGIN_BEFORE_S, end + MARGIN_AFTER_S))


class Playing:
    """A sound of ours whose end is not known yet: gated from ``start`` on until ``done()`` (the player's
    stream has drained) — a stream's start-up on a loaded PC was seen to put the tone 1.5 s after write()."""

    def __init__(self, start: float):
        self._window = [start - MARGIN_BEFORE_S, float("inf")]
        with _lock:
            _windows.append(self._window)   # the list object itself: done() closes it in place

    def done(self, end: float) -> None:
        with _lock:
            self._window[1] = max(self._window[0], end) + MARGIN_AFTER_S


def windows() -> list[tuple[float, float]]:
    """The gated windows (margins included), oldest first."""
    with _lock:
        return [(a, b) for a, b in _windows]


def clear() -> None:
    """Forget every window (tests)."""
    with _lock:
        _windows.clear()


def gate(block: np.ndarray, end_time: float, rate: int) -> tuple[np.ndarray, int]:
    """``block`` (samples at ``rate``, any channel layout with frames first) was captured up to ``end_time``:
    return it with the samples inside a gated window set to zero (a copy only when something is gated) and the
    number of frames silenced."""
    frames = block.shape[0]
    if frames == 0:
        return block, 0
    start_time = end_time - frames / rate
    with _lock:
        hits = [(a, min(b, end_time)) for a, b in _windows if a < end_time and b > start_time]
    if not hits:
        return block, 0
    out = np.array(block, copy=True)
    silenced = np.zeros(frames, dtype=bool)
    for a, b in hits:
        i = max(0, int((a - start_time) * rate))
        j = min(frames, int(np.ceil((b - start_time) * rate)))
        if j > i:
            silenced[i:j] = True
    out[silenced] = 0
    return out, int(silenced.sum())
