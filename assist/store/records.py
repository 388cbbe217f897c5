"""RecordStore: the call records a session writes and the review window / CLI read.

Writes are queued and committed by one writer thread (writer.py), so the live call never waits on the disk.
Reads open their own short-lived connection, so any thread may call them.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from assist.case import CaseData
from assist.events import Event

from . import export as export_mod
from . import ops as ops_mod
from . import owner, read
from .db import RecordStoreError, connect, db_error_message, open_database
from .schema import KINDS
from .writer import Writer, load_rescued

if TYPE_CHECKING:   # .audio imports numpy: `callassist records list` does not need it (start-up time)
    from .audio import CallAudioWriter, KeptAudio

log = logging.getLogger(__name__)


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.astimezone()


class RecordStore:
    """See docs/ARCHITECTURE.md ("Records"). Raises RecordStoreError when the file cannot be used at all."""

    def __init__(self, path: str | Path, *, on_error: Callable[[str], None] | None = None,
                 busy_timeout_s: float = 2.0,
                 backoff_s: tuple[float, float] = (0.05, 5.0), create: bool = True,
                 on_connect: Callable[[sqlite3.Connection], None] | None = None):
        """``create=False``: refuse a missing file instead of creating it (the CLI's read commands).
        ``on_connect``: extra setup of the writer's connection (tests cap its size with max_page_count)."""
        self.path = Path(path)
        self._busy_timeout_s = busy_timeout_s
        self._on_error = on_error
        self._calls: dict[str, datetime] = {}       # started_at of calls begun here (for ended_at)
        self._last_utt: dict[str, int] = {}         # last final utterance per call (for stage rows)
        self._lock = threading.Lock()
        self._closed = False
        conn = open_database(self.path, busy_timeout_s=busy_timeout_s, create=create)
        try:
            self._owner = owner.OwnerLock(self.path)
        except OSError as exc:
            conn.close()
            raise RecordStoreError(f"无法创建记录数据库锁文件: {exc}") from exc
        if on_connect is not None:
            on_connect(conn)
        self._writer = Writer(conn, self.path, on_error=on_error, backoff_s=backoff_s, busy_timeout_s=busy_timeout_s,
                             rescue_token=self._owner.token)
        owner.sweep(self.path)
        # Calls left active by a process that died: marked interrupted. Done as the writer's first job so a
        # locked database delays it instead of failing the open.
        self.interrupted: list[str] = []
        self._writer.call(self._recover)
        for path, items in load_rescued(self.path, self._owner.token):
            log.warning("replaying %d record writes saved in %s", len(items), path)
            self._writer.replay(path, items)
        # Queued behind the recovery and the replays (which go to the front): done once they are.
        self._opened = self._writer.call(lambda conn: None)

    def wait_opened(self, timeout: float = 10.0) -> bool:
        """Wait for the open's own work: rescue files replayed (queued first) and dead writers' calls marked
        interrupted. Readers call it before their first query, or the first look after a crash is stale."""
        try:
            self._opened.result(timeout)
            return True
        except Exception:   # timeout (database locked) or a closed store: the caller reads what there is
            return False

    def _recover(self, conn: sqlite3.Connection) -> list[str]:
        for attempt in range(3):
            try:
                found = ops_mod.mark_interrupted(conn, self.path, skip_owner=self._owner.token)
                self.interrupted.extend(found)
                return found
            except sqlite3.OperationalError as exc:
                self._report(db_error_message(exc, self.path))
                time.sleep(0.5 * (attempt + 1))
        return []

    def _report(self, message: str) -> None:
        log.warning("%s", message)
        if self._on_error is not None:
            try:
                self._on_error(message)
            except Exception:
                log.exception("records on_error callback failed")

    # --- write side (never blocks) -----------------------------------------------------------------------
    def _put(self, *ops: dict) -> None:
        if self._closed:
            raise RuntimeError("the record store is closed")
        self._writer.put(*ops)

    def begin_call(self, call_id: str, *, started_at: datetime, case: CaseData | None = None, source: str = "",
                   agent_id: str = "", kind: str | None = None) -> None:
        """``kind`` (schema.KINDS): 'test' for a rehearsal; by default 'file' for an analysed recording, else
        'call'. A live call that ends with nothing recognised becomes 'empty'."""
        if kind is not None and kind not in KINDS:
            raise ValueError(f"unknown call kind {kind!r}; expected one of {', '.join(KINDS)}")
        case = case or CaseData()
        started = _aware(started_at)
        with self._lock:
            self._calls[call_id] = started
        self._put({
            "op": "begin", "call_id": call_id, "started_at": started.isoformat(timespec="seconds"), "started_ts": started.timestamp(),
            "source": str(source or ""), "agent_name": case.agent_name, "agent_id": agent_id or case.agent_id,
            "case_json": json.dumps(case.to_dict(), ensure_ascii=False), "debtor_name": case.debtor_name,
            "phone": case.phone, "account": case.account, "owner": self._owner.token,
            "kind": ops_mod.call_kind(str(source or ""), kind),
        })

    def record(self, call_id: str, event: Event) -> None:
        """Queue an engine event; the store keeps utterances, alerts (and retractions), stage changes,
        suggestions, promises to pay and the call's end. Other events are ignored."""
        with self._lock:
            if getattr(event, "name", "") == "utterance":
                self._last_utt[call_id] = int(event.utterance)
            last = self._last_utt.get(call_id)
            started = self._calls.get(call_id)
        ops = ops_mod.ops_for_event(call_id, event, last_utterance=last, started_at=started)
        if ops:
            self._put(*ops)

    def fail_call(self, call_id: str, message: str, duration: float | None = None) -> None:
        """The call could not go on (model or audio failure): status ``failed`` with the reason kept."""
        self._put({"op": "fail", "call_id": call_id, "message": message, "duration": duration,
                   "at": ops_mod.now_iso()})

    def note_problem(self, call_id: str, message: str) -> None:
        """Keep a problem with the call's input (a truncated recording) in its ``error`` text; status unchanged."""
        self._put({"op": "note", "call_id": call_id, "message": message})

    def discard_call(self, call_id: str) -> None:
        """Remove a call that never really started (bad input found after begin_call): nothing half-written."""
        self._put({"op": "discard", "call_id": call_id})

    def set_skipped(self, call_id: str, seconds: float) -> None:
        """Audio seconds of the call the recogniser could not keep up with (not in the transcript)."""
        self._put({"op": "skipped", "call_id": call_id, "seconds": float(seconds)})

    def set_kind(self, call_id: str, kind: str) -> None:
        """Mark a call as a test (hidden from the review list and the 催收记录表 by default) or as real again."""
        if kind not in KINDS:
            raise ValueError(f"unknown call kind {kind!r}; expected one of {', '.join(KINDS)}")
        self._put({"op": "kind", "call_id": call_id, "kind": kind})

    def delete_call(self, call_id: str, reason: str = "") -> None:
        """Delete a call for good; what it was (time, kind, agent, debtor, alerts), when and why stay in
        ``deletions()``. The caller asks the user first."""
        self._put({"op": "delete", "call_id": call_id, "reason": str(reason or ""), "at": ops_mod.now_iso()})

    def dismiss_alert(self, call_id: str, utterance: int | None, rule: str) -> None:
        self._put({"op": "dismiss", "call_id": call_id, "utterance": utterance, "rule": rule,
                   "at": ops_mod.now_iso()})

    def mark_suggestion_used(self, call_id: str, line_id: str, t: float) -> None:
        self._put({"op": "used", "call_id": call_id, "line_id": line_id, "t": float(t)})

    def set_notes(self, call_id: str, text: str) -> None:
        self._put({"op": "notes", "call_id": call_id, "text": text})

    def attach_audio(self, call_id: str, kept: KeptAudio) -> None:
        """Link a call's kept recording (CallAudioWriter.close()) to its record; purged by ``purge_audio``."""
        from . import audio as audio_mod

        self._put({"op": "audio", "call_id": call_id, "path": str(Path(kept.path).resolve()),
                   "format": f"{audio_mod.CONTAINER}/opus", "channels": ",".join(kept.channels),
                   "seconds": kept.seconds, "bytes": int(kept.bytes), "error": kept.error, "at": ops_mod.now_iso()})

    @property
    def audio_dir(self) -> Path:
        """Where a session keeps call audio: a folder beside the database (0700, made on first use)."""
        return self.path.with_name("audio")

    def audio_writer(self, call_id: str, *, two_party: bool = False,
                     on_error: Callable[[str], None] | None = None) -> CallAudioWriter:
        """A writer for the call's audio in ``audio_dir`` (attach its ``close()`` result with attach_audio)."""
        from . import audio as audio_mod
        from .audio import CallAudioWriter

        return CallAudioWriter(self.audio_dir / f"{call_id}{audio_mod.SUFFIX}", two_party=two_party,
                               on_error=on_error)

    def purge_audio(self, older_than_days: int, *, timeout: float = 30.0) -> int:
        """Delete the kept audio of calls that started more than ``older_than_days`` days ago; their records
        stay (``audio.purged_at`` says when). Returns the number of files removed. Blocks up to ``timeout``
        (the writer thread does it): call it off the GUI thread."""
        if int(older_than_days) < 1:
            raise ValueError("older_than_days must be at least 1")
        cutoff = time.time() - float(older_than_days) * 86400

        def job(conn: sqlite3.Connection) -> int:
            rows = conn.execute(
                "SELECT a.call_id, a.path FROM call_audio a JOIN calls c ON c.id = a.call_id"
                " WHERE a.purged_at IS NULL AND c.started_ts < ?", (cutoff,)
            ).fetchall()
            removed = 0
            done = []
            for cid, apath in rows:
                try:
                    os.unlink(apath)
                    removed += 1
                except FileNotFoundError:
                    pass  # already gone: just forget it
                except OSError as exc:
                    log.warning("cannot delete kept audio of call %s: %s", cid, exc.strerror)
                    continue
                done.append(cid)
            if done:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany("UPDATE call_audio SET purged_at = ? WHERE call_id = ?",
                                 [(ops_mod.now_iso(), cid) for cid in done])
                conn.execute("COMMIT")
            return removed

        return int(self._writer.call(job).result(timeout))

    @property
    def failing(self) -> bool:
        """Writes are failing and being retried (locked, full or read-only database): don't wait on flush."""
        return self._writer.failing

    @property
    def rescue_path(self) -> Path:
        """Where this store saves writes the database refused (replayed by the next open)."""
        return self._writer.rescue_path

    @property
    def unrecorded(self) -> tuple[int, int]:
        """After close(): (writes saved to a rescue file for the next open, writes lost altogether)."""
        return self._writer.rescued, self._writer.lost

    @property
    def pending(self) -> int:
        """Writes queued and not yet committed (non-zero while the database is locked or full)."""
        return self._writer.pending()

    def flush(self, timeout: float = 10.0, *, unless_failing: bool = False) -> bool:
        """True once everything queued is committed; False after ``timeout`` or, with ``unless_failing``, as
        soon as the database refuses a write (it is retried in the background either way)."""
        return self._writer.flush(timeout, unless_failing=unless_failing)

    def close(self, timeout: float = 10.0) -> None:
        """Commit what is queued (waiting up to ``timeout``); anything still unwritable goes to a rescue file."""
        if self._closed:
            return
        self._closed = True
        self._writer.stop(timeout)
        try:
            self._writer._conn.close()
        except sqlite3.Error:
            pass
        self._owner.release()

    def __enter__(self) -> RecordStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- read side (any thread; a fresh connection each time) --------------------------------------------
    def _reader(self):
        return closing(connect(self.path, busy_timeout_s=self._busy_timeout_s, setup=False))

    def list_calls(self, **filters) -> list[dict]:
        """Filters: since/until (YYYY-MM-DD = the call's local date, or a date-time), agent (工号 or name),
        debtor (name, phone or account), rule (a non-retracted alert), stage (reached), ptp (bool), status,
        limit, offset."""
        with self._reader() as conn:
            return read.list_calls(conn, **filters)

    def get_call(self, call_id: str) -> dict | None:
        with self._reader() as conn:
            return read.get_call(conn, call_id)

    def search(self, query: str, **filters) -> list[dict]:
        with self._reader() as conn:
            return read.search(conn, query, **filters)

    def deletions(self) -> list[dict]:
        """Deleted calls, newest deletion first: what each was and why it was deleted."""
        with self._reader() as conn:
            return read.deletions(conn)

    def export(self, fmt: str, out: str | Path | IO[str], since=None, **filters) -> int:
        with self._reader() as conn:
            return export_mod.export(conn, fmt, out, since=since, db=self.path, **filters)
