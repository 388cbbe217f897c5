"""What a call's events leave in the records database, and the promise that what the agent saw is on disk.

``CallRecorder(store, call_id)`` queues every event the store keeps (``RecordStore.record``) and, for an
utterance, an alert or a promise, waits (``_FLUSH_TIMEOUT_S`` at most) until it is committed before it is shown:
a crash right after loses nothing shown. When it is not committed (the database refuses writes: disk full,
read-only, locked) a ``StoreError`` goes first, so nothing is shown as recorded that is not; the writes stay
queued in memory and are retried, and waiting out the timeout on every utterance would only stall the agent.
"""

from __future__ import annotations

import logging

from .events import Alert, CallEnded, DeviceFailure, Event, Health, Partial, PromiseToPay, StoreError, UtteranceFinal

log = logging.getLogger(__name__)

# How long the pipeline waits for the store to commit an utterance before it is shown (so what the agent
# saw is on disk); a locked database is reported through StoreError and does not stall the call longer.
_FLUSH_TIMEOUT_S = 2.0
# The record's count of audio the recogniser skipped is rewritten when it has grown by this much.
_SKIPPED_STEP_S = 1.0
# Shown, never stored: superseded (partials, health) or about the machine, not the call.
_NOT_STORED = (Partial, Health, DeviceFailure, StoreError)


class CallRecorder:
    def __init__(self, store, call_id: str):
        self.store = store
        self.call_id = call_id
        self._skipped_recorded = 0.0   # unrecognised audio last written to the record

    def record(self, events: list[Event], *, commit: bool = False) -> list[Event]:
        """Queue ``events``; with ``commit`` (or an alert or promise among them) wait until they are on disk.
        Returns the events to show: ``events``, after a StoreError when they are not committed."""
        for ev in events:
            if not isinstance(ev, _NOT_STORED):
                try:
                    self.store.record(self.call_id, ev)
                except Exception:
                    log.exception("store.record failed for %s", ev.name)
        if not (commit or any(isinstance(ev, (Alert, PromiseToPay)) for ev in events)):
            return events
        try:
            committed = self.store.flush(_FLUSH_TIMEOUT_S, unless_failing=True)
        except Exception:
            log.exception("store.flush failed")
            committed = False
        return events if committed else [_unrecorded(events)] + events

    def note_skipped(self, seconds: float) -> None:
        """Keep the record's count of unrecognised audio current (a call that is killed keeps it too): written
        when it has grown by a second since last written."""
        if seconds >= self._skipped_recorded + _SKIPPED_STEP_S:
            self._skipped_recorded = seconds
            try:
                self.store.set_skipped(self.call_id, seconds)
            except Exception:
                log.exception("store.set_skipped failed")


def _unrecorded(events: list[Event]) -> StoreError:
    utt = next((ev.utterance for ev in events if isinstance(ev, UtteranceFinal)), None)
    what = f"第{utt}句" if utt is not None else ("通话结束信息" if any(isinstance(ev, CallEnded) for ev in events)
                                               else "最新的通话记录")
    return StoreError(message=f"{what}尚未写入通话记录数据库（已暂存内存，恢复后自动补写）", t=events[0].t)
