"""Reading a file no faster than the recogniser can follow (fast file analysis only).

A file is read much faster than Whisper can work: ``FilePacer.wait`` (on the source's thread, after each block)
holds the reader while more than ``bound_s`` of fed audio waits for the recogniser (``AsrConfig.max_backlog_s``;
None: unbounded), so a long recording does not sit in memory twice. It never waits forever: a recogniser that
reports no progress for ``stall_s`` (or has failed) is no longer waited for.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class FilePacer:
    def __init__(self, bound_s: float | None, *, sample_rate: int = 16000, stall_s: float = 10.0,
                 failed: Callable[[], bool] = lambda: False):
        self.bound_s = bound_s
        self.sample_rate = sample_rate
        self.stall_s = stall_s
        self._failed = failed
        self.fed = 0                   # samples handed to the recogniser (source thread)
        self._done_t = 0.0             # audio seconds the recogniser has consumed (its thread)
        self._off = not bound_s        # set when the recogniser stalled: stop pacing on it

    @property
    def fed_s(self) -> float:
        return self.fed / self.sample_rate

    def progress(self, audio_t: float) -> None:
        """The recogniser has consumed ``audio_t`` seconds (called from its thread)."""
        if audio_t > self._done_t:
            self._done_t = audio_t

    def wait(self, stop: threading.Event) -> None:
        if self._off:
            return
        last_progress, last_t = time.monotonic(), self._done_t
        while self.fed_s - self._done_t > self.bound_s and not stop.is_set():
            time.sleep(0.02)
            if self._done_t != last_t:
                last_progress, last_t = time.monotonic(), self._done_t
            elif time.monotonic() - last_progress > self.stall_s or self._failed():
                log.warning("the recogniser reports no progress; reading the file without waiting for it")
                self._off = True
                return
