"""The ONE place where the engine meets Qt: engine callbacks (engine threads) → Qt signals (GUI thread).

`SessionBridge.publish(event)` is what the CallSession calls, on its pipeline thread. It only emits an
internal signal; Qt queues it to the bridge's own thread (the GUI thread), where `_dispatch` re-emits it as
a typed signal. Widgets connect to the typed signals and never see an engine thread.

Commands go the other way: start/stop run on the thread pool (they load, drain and join threads);
mute/objection/dismiss are cheap calls into the session.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from assist import events as ev

from .qt_compat import emit, emitter
from .workers import run_async

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 120.0   # a slow PC may need a while to transcribe the last captured seconds
SLOW_DISPATCH_S = 0.05   # the GUI thread must never be busy longer than this with one engine event

_SIGNAL_FOR = {
    ev.CallStarted: "callStarted",
    ev.Partial: "partial",
    ev.UtteranceFinal: "utterance",
    ev.StageChanged: "stageChanged",
    ev.Alert: "alert",
    ev.AlertRetracted: "alertRetracted",
    ev.Suggestion: "suggestion",
    ev.Checklist: "checklist",
    ev.PromiseToPay: "ptp",
    ev.Health: "health",
    ev.DeviceFailure: "deviceError",
    ev.StoreError: "storeError",
    ev.CallEnded: "callEnded",
}


class SessionBridge(QObject):
    callStarted = Signal(object)
    partial = Signal(object)
    utterance = Signal(object)
    stageChanged = Signal(object)
    alert = Signal(object)
    alertRetracted = Signal(object)
    suggestion = Signal(object)
    checklist = Signal(object)
    ptp = Signal(object)
    health = Signal(object)
    deviceError = Signal(object)
    storeError = Signal(object)
    callEnded = Signal(object)
    anyEvent = Signal(object)        # every event, after its typed signal (progress bars, tests)
    started = Signal(str)            # session.start() returned: call id
    stopped = Signal()               # session.stop() finished draining
    failed = Signal(str)             # start/stop raised: human message

    _incoming = Signal(object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.session = None
        self.call_id = ""
        self.last_t = 0.0
        self.max_dispatch_s = 0.0   # longest time the GUI thread spent handling one event (all its slots)
        self.max_dispatch_cpu_s = 0.0
        # Explicitly queued: even an event published from the GUI thread is delivered later, in order.
        self._incoming.connect(self._dispatch, Qt.ConnectionType.QueuedConnection)

    # --- engine side (any thread) -------------------------------------------------------------------
    def publish(self, event: Any) -> None:
        """Subscriber callback handed to CallSession.subscribe; safe on any thread, never blocks."""
        emit(self._incoming, event)

    # --- GUI side -------------------------------------------------------------------------------------
    @Slot(object)
    def _dispatch(self, event: Any) -> None:
        began, began_cpu = time.perf_counter(), time.thread_time()
        try:
            self._deliver(event)
        finally:
            took = time.perf_counter() - began
            # CPU time of the GUI thread itself: our cost, without time lost to other threads/processes
            self.max_dispatch_cpu_s = max(self.max_dispatch_cpu_s, time.thread_time() - began_cpu)
            if took > self.max_dispatch_s:
                self.max_dispatch_s = took
                if took > SLOW_DISPATCH_S:
                    log.warning("GUI handling of %s took %.0f ms", type(event).__name__, took * 1000)

    def _deliver(self, event: Any) -> None:
        t = getattr(event, "t", None)
        if isinstance(t, (int, float)):
            self.last_t = max(self.last_t, float(t))
        if isinstance(event, ev.CallStarted):
            self.call_id = event.call_id
        name = _SIGNAL_FOR.get(type(event))
        if name is None:
            log.debug("bridge: no signal for %r", event)
        else:
            emit(getattr(self, name), event)
        emit(self.anyEvent, event)

    def start(self, factory: Callable[[], Any]) -> None:
        """Build the session with ``factory()`` and start it, both off the GUI thread (constructing loads
        rules, the script library and jieba; starting opens the device). `started(call_id)` or
        `failed(message)` follows; events may already be flowing by then."""
        self.session = None
        self.call_id = ""
        self.last_t = 0.0

        def build_and_start():
            session = factory()
            session.subscribe(self.publish)
            # Events can reach the GUI before start() returns: commands (dismiss, 已用) must find the session.
            self.session = session
            return session, session.start()

        run_async(build_and_start, on_done=self._on_started, on_error=self._on_start_failed)

    def _on_started(self, result) -> None:
        self.session, call_id = result
        if call_id:
            self.call_id = str(call_id)
        emit(self.started, self.call_id)

    def _on_start_failed(self, message: str) -> None:
        self.session = None
        emit(self.failed, message)

    def stop(self) -> None:
        """Stop (drain, finalize, call_ended) off the GUI thread; `stopped` follows."""
        session = self.session
        if session is None:
            emit(self.stopped)
            return
        def stop_and_drain():
            session.stop()               # returns at once
            return session.wait(STOP_TIMEOUT_S)  # captured audio transcribed, CallEnded published

        run_async(stop_and_drain, on_done=lambda _r: emit(self.stopped), on_error=emitter(self.failed))

    def mute(self, on: bool) -> None:
        if self.session is not None:
            self.session.mute(bool(on))

    def pick_objection(self, key: str) -> None:
        if self.session is not None:
            self.session.pick_objection(key)

    def dismiss_alert(self, alert: ev.Alert) -> None:
        if self.session is not None:
            self.session.dismiss_alert(alert)

    def pin_suggestion(self, line_id: str | None) -> None:
        """Keep a script line on top until it is said (None: unpin). Cheap: the Suggester only stores the id."""
        if self.session is not None:
            try:
                self.session.suggester.pin(line_id or None)
            except KeyError:   # the library was reloaded without that line meanwhile
                log.warning("cannot pin unknown script line %r", line_id)

    def pinned_line_id(self) -> str | None:
        """The line the engine still holds pinned (it lets go once the agent has said it)."""
        line = getattr(getattr(self.session, "suggester", None), "pinned", None)
        return getattr(line, "id", None)

    def mark_suggestion_used(self, line_id: str) -> None:
        if self.session is not None and line_id:
            self.session.use_suggestion(line_id)

    def confirm_ptp(self, amount: float | None, date: str | None, channel: str | None) -> None:
        """The agent confirmed or corrected the promise to pay (queued to the pipeline: cheap)."""
        if self.session is not None:
            self.session.confirm_ptp(amount, date, channel)
