"""The call's clock, in one place (docs/ARCHITECTURE.md "Clock").

``WallClock``: seconds since it was started (monotonic). A live call has one, started by the session; the
recogniser schedules on the same one (``StreamingRecognizer(clock=…)``), so there is one wall clock per call.
``CallClock``: the ``t`` of the call's events. Live and ``--realtime``: the wall clock. As-fast-as-possible
file analysis: the audio seconds consumed when the event was produced (the numbers then do not depend on the
machine's speed). Either way it never goes backwards.
"""

from __future__ import annotations

import threading
import time


class WallClock:
    def __init__(self) -> None:
        self._t0: float | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start now; a no-op once started (any thread may be first)."""
        if self._t0 is None:
            with self._lock:
                if self._t0 is None:
                    self._t0 = time.monotonic()

    @property
    def started(self) -> bool:
        return self._t0 is not None

    def now(self) -> float:
        """Seconds since ``start()``; 0 before."""
        return 0.0 if self._t0 is None else time.monotonic() - self._t0

    def until(self, t: float) -> float:
        """Seconds from now until the clock reads ``t`` (negative: passed)."""
        return t - self.now()


class CallClock:
    """``t`` for the call's events (read and advanced on the pipeline thread only)."""

    def __init__(self, realtime: bool) -> None:
        self.realtime = realtime
        self.wall = WallClock()
        self._t = 0.0     # last t handed out

    def start(self) -> None:
        self.wall.start()

    def now(self) -> float:
        """The clock as it reads now, without advancing it."""
        return self.wall.now() if self.realtime else self._t

    def advance(self, audio_t: float | None = None) -> float:
        """The ``t`` of an event produced now: the wall clock live; else ``audio_t`` (None: the last ``t``).
        Never less than a ``t`` already handed out."""
        now = self.wall.now() if self.realtime else (self._t if audio_t is None else float(audio_t))
        self._t = max(self._t, now)
        return self._t
