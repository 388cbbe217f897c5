"""Run slow things (model load, file decoding, DB export, re-analysis) off the GUI thread.

`run_async(fn, on_done=..., on_error=...)` runs ``fn`` on the global QThreadPool; its result or its error
message comes back through a signal, so the callbacks run on the GUI thread. Workers are kept referenced
until they finish (a QRunnable's Python wrapper must outlive the run).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from .qt_compat import emit, emitter

log = logging.getLogger(__name__)


class WorkerSignals(QObject):
    done = Signal(object)
    failed = Signal(str)
    progress = Signal(object)


class FunctionWorker(QRunnable):
    """Calls ``fn(*args, **kwargs)``; if ``fn`` takes ``progress=``, it may report through it."""

    def __init__(self, fn: Callable[..., Any], *args, **kwargs):
        super().__init__()
        self.setAutoDelete(False)
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.signals = WorkerSignals()

    def run(self) -> None:  # on a pool thread
        try:
            result = self.fn(*self.args, **self.kwargs)
        except Exception as exc:  # reported to the GUI, never raised into Qt's pool
            log.warning("background task failed: %s\n%s", exc, traceback.format_exc())
            self._emit(self.signals.failed, str(exc) or exc.__class__.__name__)
        else:
            self._emit(self.signals.done, result)

    @staticmethod
    def _emit(signal, value) -> None:
        try:
            emit(signal, value)
        except RuntimeError:  # the app (or the window that asked) is already gone: nobody to tell
            log.debug("background result dropped: receiver deleted")


_alive: set[FunctionWorker] = set()


def run_async(fn: Callable[..., Any], *args, on_done: Callable[[Any], None] | None = None,
              on_error: Callable[[str], None] | None = None, on_progress: Callable[[Any], None] | None = None,
              pool: QThreadPool | None = None, with_progress: bool = False, **kwargs) -> FunctionWorker:
    worker = FunctionWorker(fn, *args, **kwargs)
    if with_progress:
        worker.kwargs["progress"] = emitter(worker.signals.progress)
    if on_progress:
        worker.signals.progress.connect(on_progress)
    if on_done:
        worker.signals.done.connect(on_done)
    if on_error:
        worker.signals.failed.connect(on_error)
    worker.signals.done.connect(lambda _r, w=worker: _alive.discard(w))
    worker.signals.failed.connect(lambda _m, w=worker: _alive.discard(w))
    _alive.add(worker)
    (pool or QThreadPool.globalInstance()).start(worker)
    return worker


def wait_all(timeout_ms: int = 30000) -> bool:
    """Wait for background tasks (app shutdown, tests)."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
