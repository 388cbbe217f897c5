"""Work-arounds for bugs in the PySide6 we ship with.

PySide6 6.12.0 returns the result of ``SignalInstance.emit()`` (True) without taking a reference, so every
emit from Python drops one reference to ``True``. On Python 3.11 (where True is not immortal) a long call's
thousands of emits end in "Fatal Python error: bool_dealloc". ``emit(signal, *args)`` gives the reference
back when — and only when — the running PySide6 has the bug (checked once with a probe signal).
Every Python-side emit in app/ goes through here; signals Qt emits itself (clicked, timeout) are unaffected.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None
_drops_ref: bool | None = None


class _Probe(QObject):
    ping = Signal()


def emit_drops_true_ref() -> bool:
    """True when this PySide6's emit() loses a reference to its bool result."""
    global _drops_ref
    if _drops_ref is None:
        probe = _Probe()
        n = 16
        before = sys.getrefcount(True)
        for _ in range(n):
            probe.ping.emit()
        lost = before - sys.getrefcount(True)
        _drops_ref = lost >= n // 2
        for _ in range(max(0, lost)):   # give back what the probe itself took
            _incref(True)
    return _drops_ref


def emit(signal, *args) -> None:
    result = signal.emit(*args)
    if result is True and emit_drops_true_ref():
        _incref(result)


def emitter(signal):
    """A plain callable that emits ``signal`` safely (for callbacks such as RecordStore's on_error)."""
    return lambda *args: emit(signal, *args)
