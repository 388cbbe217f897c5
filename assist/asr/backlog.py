"""Backlog: the queue between the audio feed and the recogniser's thread, with a hard bound for live audio.

A live call cannot wait for the recogniser: if inference falls behind for long (a starved PC, an antivirus scan
on a 2-core machine), waiting audio would grow without limit over an 8-hour shift. ``put`` therefore never
blocks and, when ``limit_s`` is set, keeps at most that much audio waiting: past it the *oldest* waiting audio
is discarded and replaced by one ``Gap`` marker carrying its length, so the consumer still knows where the
stream is (timestamps of later utterances stay true) and that the utterance in flight lost audio.

The recogniser sheds load earlier and more gently itself (it skips decoding whole utterances, see
``StreamingRecognizer``); this bound is the last resort for when its thread is stuck in one long decode.
A file analysed as fast as possible passes ``limit_s=None``: the file is the buffer, nothing is dropped.

The other party's audio (the debtor lane) waits in the same queue, in order with the agent's, as ``Side``
items: it is bounded on its own (``put_side(…, limit_s)``), so a debtor backlog on a busy PC cannot grow without
limit either. Past the bound the oldest waiting debtor block is emptied in place (``Side.audio`` None,
``Side.lost`` its length) rather than removed, so the consumer still advances the debtor's clock by it.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Gap:
    """``samples`` of audio were discarded here, unheard."""

    samples: int


class Side:
    """A block of the second party's audio; ``audio`` None once the bound discarded it (``lost`` samples)."""

    __slots__ = ("audio", "lost")

    def __init__(self, audio: np.ndarray):
        self.audio: np.ndarray | None = audio
        self.lost = 0


class Backlog:
    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self._items: deque = deque()
        self._cond = threading.Condition()
        self._queued = 0            # samples waiting (gaps excluded)
        self.dropped = 0            # samples discarded by the bound, whole call
        self._sides: deque[Side] = deque()   # the Side items still holding audio, oldest first
        self._side_queued = 0
        self.side_dropped = 0       # debtor samples discarded by their bound, whole call

    def put(self, block: np.ndarray, limit_s: float | None = None) -> int:
        """Enqueue ``block``; with ``limit_s``, discard the oldest waiting audio beyond it. Returns samples dropped."""
        with self._cond:
            self._items.append(block)
            self._queued += block.size
            dropped = 0
            if limit_s is not None:
                limit = max(int(limit_s * self.sample_rate), block.size)   # the newest block always stays
                gap = side_lost = 0
                while self._queued > limit:
                    head = self._items[0]
                    if isinstance(head, Gap):
                        gap += self._items.popleft().samples
                    elif isinstance(head, Side):
                        # the other party's audio of the same stretch goes with it (it is older than what stays)
                        self._items.popleft()
                        if head.audio is not None:
                            self._sides.popleft()
                            self._side_queued -= head.audio.size
                            self.side_dropped += head.audio.size
                            side_lost += head.audio.size
                        else:
                            side_lost += head.lost
                    elif isinstance(head, np.ndarray):
                        old = self._items.popleft()
                        self._queued -= old.size
                        dropped += old.size
                        gap += old.size
                    else:
                        break   # a control marker: nothing older to drop
                # one marker per party for the whole discarded run, however many blocks it held
                if side_lost:
                    lost = Side(np.zeros(0, dtype=np.float32))
                    lost.audio, lost.lost = None, side_lost
                    self._items.appendleft(lost)
                if gap:
                    self._items.appendleft(Gap(gap))
                self.dropped += dropped
            self._cond.notify()
            return dropped

    def put_side(self, block: np.ndarray, limit_s: float | None = None) -> int:
        """Enqueue a block of the second party's audio after everything queued; with ``limit_s``, empty the
        oldest waiting ones beyond it (their place and length stay). Returns samples discarded."""
        with self._cond:
            item = Side(block)
            self._items.append(item)
            self._sides.append(item)
            self._side_queued += block.size
            dropped = 0
            if limit_s is not None:
                limit = max(int(limit_s * self.sample_rate), block.size)
                while self._side_queued > limit and len(self._sides) > 1:
                    old = self._sides.popleft()
                    n = old.audio.size
                    old.audio, old.lost = None, n
                    self._side_queued -= n
                    dropped += n
                self.side_dropped += dropped
            self._cond.notify()
            return dropped

    @property
    def side_queued_s(self) -> float:
        """Seconds of the second party's audio waiting."""
        with self._cond:
            return self._side_queued / self.sample_rate

    def _taken(self, item):
        if isinstance(item, np.ndarray):
            self._queued -= item.size
        elif isinstance(item, Side) and item.audio is not None:
            self._sides.popleft()          # FIFO: the oldest still holding audio is this one
            self._side_queued -= item.audio.size
        return item

    def put_marker(self, marker: object) -> None:
        """Control items (finish, close): never dropped, always after the audio already queued."""
        with self._cond:
            self._items.append(marker)
            self._cond.notify()

    def get(self):
        """Next item (blocks until there is one): an audio block, a ``Gap`` or a marker."""
        with self._cond:
            while not self._items:
                self._cond.wait()
            return self._taken(self._items.popleft())

    def get_nowait(self):
        """Next item or None."""
        with self._cond:
            if not self._items:
                return None
            return self._taken(self._items.popleft())

    @property
    def queued(self) -> int:
        """Samples waiting."""
        with self._cond:
            return self._queued

    @property
    def queued_s(self) -> float:
        return self.queued / self.sample_rate

    def __len__(self) -> int:
        with self._cond:
            return len(self._items)
