"""Backlog: the queue between the audio feed and the recogniser's thread, with a hard bound for live audio.

A live call cannot wait for the recogniser: if inference falls behind for long (a starved PC, an antivirus scan
on a 2-core machine), waiting audio would grow without limit over an 8-hour shift. ``put`` therefore never
blocks and, when ``limit_s`` is set, keeps at most that much audio waiting: past it the *oldest* waiting audio
is discarded and replaced by one ``Gap`` marker carrying its length, so the consumer still knows where the
stream is (timestamps of later utterances stay true) and that the utterance in flight lost audio.

The recogniser sheds load earlier and more gently itself (it skips decoding whole utterances, see
``StreamingRecognizer``); this bound is the last resort for when its thread is stuck in one long decode.
A file analysed as fast as possible passes ``limit_s=None``: the file is the buffer, nothing is dropped.
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


class Backlog:
    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self._items: deque = deque()
        self._cond = threading.Condition()
        self._queued = 0            # samples waiting (gaps excluded)
        self.dropped = 0            # samples discarded by the bound, whole call

    def put(self, block: np.ndarray, limit_s: float | None = None) -> int:
        """Enqueue ``block``; with ``limit_s``, discard the oldest waiting audio beyond it. Returns samples dropped."""
        with self._cond:
            self._items.append(block)
            self._queued += block.size
            dropped = 0
            if limit_s is not None:
                limit = max(int(limit_s * self.sample_rate), block.size)   # the newest block always stays
                while self._queued > limit:
                    gap = self._items.popleft().samples if isinstance(self._items[0], Gap) else 0
                    if not isinstance(self._items[0], np.ndarray):   # a marker: nothing older to drop
                        if gap:
                            self._items.appendleft(Gap(gap))
                        break
                    old = self._items.popleft()
                    self._queued -= old.size
                    dropped += old.size
                    # one marker for the whole discarded run, however many blocks it held
                    self._items.appendleft(Gap(gap + old.size))
                self.dropped += dropped
            self._cond.notify()
            return dropped

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
            item = self._items.popleft()
            if isinstance(item, np.ndarray):
                self._queued -= item.size
            return item

    def get_nowait(self):
        """Next item or None."""
        with self._cond:
            if not self._items:
                return None
            item = self._items.popleft()
            if isinstance(item, np.ndarray):
                self._queued -= item.size
            return item

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
