"""PySide6 6.12.0's emit() drops a reference to True per call; app code emits through a compensating helper.
Without it a long call crashes the interpreter ("bool_dealloc")."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Src(QObject):
    value = Signal(object)
    bare = Signal()


def test_many_emits_through_the_helper_keep_true_alive(qtbot):
    from app.qt_compat import emit, emitter

    src = _Src()
    got = []
    src.value.connect(got.append)
    before = sys.getrefcount(True)
    for i in range(5000):
        emit(src.value, i)
        emit(src.bare)
    cb = emitter(src.value)
    for i in range(1000):
        cb(i)
    assert len(got) == 6000
    assert abs(sys.getrefcount(True) - before) < 50   # unpatched, 11000 references would be gone


def test_bridge_survives_a_long_call_worth_of_events(qtbot):
    from app.bridge import SessionBridge
    from assist.events import Partial

    bridge = SessionBridge()
    before = sys.getrefcount(True)
    with qtbot.waitSignal(bridge.anyEvent, timeout=5000, check_params_cb=lambda e: e.utterance == 2999):
        for i in range(3000):
            bridge.publish(Partial(utterance=i, text="好的", t=float(i)))
    assert abs(sys.getrefcount(True) - before) < 50
