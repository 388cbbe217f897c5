"""What every audio source offers (the contract in docs/ARCHITECTURE.md "Audio"), and the level meter maths."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

SAMPLE_RATE = 16000
SILENCE_DBFS = -120.0  # floor of the level meter: digital silence would otherwise be -inf


class AudioSource(Protocol):
    sample_rate: int  # always 16000 after resampling
    realtime: bool  # True for a microphone or a paced file
    errors: Callable[[str], None] | None  # set by the session; called with a human message on failure

    def start(self, sink: Callable[[np.ndarray], None]) -> None: ...  # float32 mono 16 kHz blocks

    def stop(self) -> None: ...  # idempotent; blocks until no more sink calls

    def wait(self, timeout: float | None = None) -> bool: ...  # True when exhausted/stopped

    @property
    def level(self) -> float: ...  # RMS dBFS of the latest block delivered


class Delivery:
    """The level / position bookkeeping every source shares: each block handed to the sink goes through
    ``_hand_over``, which measures it (off the PortAudio callback: sources call it from their own thread)."""

    _level: float = SILENCE_DBFS
    _delivered: int = 0      # samples handed to the sink

    @property
    def level(self) -> float:
        """RMS dBFS of the latest delivered block (SILENCE_DBFS when nothing yet)."""
        return self._level

    @property
    def position_s(self) -> float:
        """Seconds of audio delivered to the sink so far."""
        return self._delivered / SAMPLE_RATE

    def _hand_over(self, sink: Callable[[np.ndarray], None], block: np.ndarray) -> None:
        self._level = level_dbfs(block)
        sink(block)
        self._delivered += block.size


def level_dbfs(block: np.ndarray) -> float:
    """RMS level of a float block in dBFS (full-scale sine ≈ -3 dBFS), floored at SILENCE_DBFS."""
    if block.size == 0:
        return SILENCE_DBFS
    rms = float(np.sqrt(np.mean(np.square(block, dtype=np.float64))))
    return max(SILENCE_DBFS, 20.0 * np.log10(rms)) if rms > 0 else SILENCE_DBFS
