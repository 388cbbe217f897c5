"""The callbacks that receive a call's events (CLI printer, Qt bridge): each gets every event, in order.

A failing subscriber never stops the call nor the others; its first failure is logged in full, then only now
and then, so a broken UI cannot flood the log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from .events import Event

log = logging.getLogger(__name__)


class Subscribers:
    def __init__(self) -> None:
        self._callbacks: list[Callable[[Event], None]] = []
        self._failures: dict[int, int] = {}

    def add(self, callback: Callable[[Event], None]) -> None:
        self._callbacks.append(callback)

    def publish(self, ev: Event) -> None:
        for cb in list(self._callbacks):
            try:
                cb(ev)
            except Exception:
                n = self._failures[id(cb)] = self._failures.get(id(cb), 0) + 1
                if n == 1:
                    log.exception("subscriber %r failed on %s (the call goes on)", cb, ev.name)
                elif n % 100 == 0:
                    log.warning("subscriber %r has failed %d times", cb, n)
