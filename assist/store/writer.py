"""The one thread that writes the records database.

Callers only append to an in-memory queue (never blocks the live call). The thread commits what is queued —
usually one event per transaction, whatever has piled up when it is behind. When the database is locked, full
or read-only, the transaction is rolled back, ``on_error`` gets a clear message (once per outage, then at most
every ``report_every_s``), and the same ops are retried with capped exponential backoff: the queue is kept, in
order, nothing is dropped. If the store is closed while the database is still unwritable, the pending ops are
saved to a rescue file beside the database (``<db>.pending-<id>.jsonl``) that the next open replays.
An op that can never succeed (a bug: unknown call, constraint violation) is reported and moved to the rescue
file, so one bad op cannot block the rest.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from .. import private
from . import ops as ops_mod
from .db import db_error_message

log = logging.getLogger(__name__)

MAX_BATCH = 500


def _retryable(exc: BaseException) -> bool:
    # Locked/busy, full, read-only, I/O: conditions that can clear. Integrity/programming errors cannot.
    return isinstance(exc, sqlite3.OperationalError) and "no such" not in str(exc).lower()


class Writer:
    def __init__(self, conn: sqlite3.Connection, db_path: Path, *, on_error: Callable[[str], None] | None,
                 backoff_s: tuple[float, float] = (0.05, 5.0), report_every_s: float = 30.0,
                 busy_timeout_s: float = 5.0, rescue_token: str = ""):
        self._conn = conn
        self._db_path = db_path
        self._on_error = on_error
        self._backoff = backoff_s
        self._report_every = report_every_s
        self._busy_timeout = busy_timeout_s
        # One rescue file per writer, named by its owner token, so a live writer's file is never replayed
        # (and deleted) by another process while it may still append to it.
        self.rescue_path = db_path.with_name(f"{db_path.name}.pending-{rescue_token or uuid.uuid4().hex}.jsonl")
        self._cond = threading.Condition()
        self._queue: deque = deque()       # ops (dicts) or (callable, Future) jobs
        self._inflight = 0
        self._stopping = False
        self._last_report = 0.0
        self._failing = False
        self.failures = 0                  # retried transactions so far (tests and the app's status line read it)
        self.rescued = 0                   # ops saved to the rescue file instead of the database
        self.lost = 0                      # ops neither committed nor rescued (disk full for the rescue file too)
        self._thread = threading.Thread(target=self._run, name="records-writer", daemon=True)
        self._thread.start()

    # --- caller side -------------------------------------------------------------------------------------
    def put(self, *items) -> None:
        with self._cond:
            if self._stopping:
                raise RuntimeError("the record store is closed")
            self._queue.extend(items)
            self._cond.notify_all()

    def put_front(self, items: list) -> None:
        with self._cond:
            self._queue.extendleft(reversed(items))
            self._cond.notify_all()

    def call(self, fn: Callable[[sqlite3.Connection], object]) -> Future:
        """Run ``fn(conn)`` on the writer thread, in queue order; its result or exception goes to the Future."""
        fut: Future = Future()
        self.put(("job", fn, fut))
        return fut

    def replay(self, path: Path, items: list[dict]) -> None:
        """Queue a rescue file's ops first; the file is deleted in the transaction's wake, once they are in."""
        self.put_front([("replay", path, items)])

    def pending(self) -> int:
        with self._cond:
            return len(self._queue) + self._inflight

    def flush(self, timeout: float = 10.0, *, unless_failing: bool = False) -> bool:
        """Wait until everything queued is committed (True) or ``timeout`` passes (False). ``unless_failing``:
        return False as soon as a transaction fails (a live call does not wait out a full disk)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._inflight:
                if unless_failing and self._failing:
                    return False
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def stop(self, timeout: float = 10.0) -> list:
        """Finish what can be written within ``timeout``; return the ops that could not be (already rescued)."""
        self.flush(timeout)
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        # Long enough for a transaction waiting out busy_timeout to finish: the connection is closed after this.
        self._thread.join(timeout=self._busy_timeout + self._backoff[1] + 2.0)
        with self._cond:
            # Replays not done yet stay in their own rescue file; jobs fail; ops go to a new rescue file.
            left = [item for item in self._queue if isinstance(item, dict)]
            for item in self._queue:
                if isinstance(item, tuple) and item[0] == "job":
                    item[2].set_exception(RuntimeError("the record store was closed before this ran"))
            self._queue.clear()
        if left:
            self._shrink_wal()
            try:
                path = self.rescue(left)
            except OSError as exc:
                self.lost += len(left)
                self._report(f"通话记录有 {len(left)} 条未能保存：数据库和暂存文件都无法写入 ({exc})", force=True)
            else:
                self._report(f"通话记录未能写入数据库，已暂存到 {path}，下次打开时自动补写 "
                             f"({len(left)} pending writes saved)", force=True)
        return left

    def _shrink_wal(self) -> None:
        """On a full disk the WAL keeps the space of the transactions that failed; giving it back (after
        copying the committed ones into the database) is often what lets the rescue file be written."""
        try:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            log.info("WAL checkpoint before rescue failed: %s", exc)

    @property
    def failing(self) -> bool:
        """The last transaction failed and is being retried (locked, full or read-only database)."""
        return self._failing

    # --- writer thread -----------------------------------------------------------------------------------
    def _run(self) -> None:
        delay = self._backoff[0]
        while True:
            with self._cond:
                while not self._queue and not self._stopping:
                    self._cond.wait()
                if not self._queue:
                    return  # stopping and drained
                if isinstance(self._queue[0], tuple):
                    batch = [self._queue.popleft()]
                else:
                    batch = []
                    while self._queue and len(batch) < MAX_BATCH and isinstance(self._queue[0], dict):
                        batch.append(self._queue.popleft())
                self._inflight = len(batch)
            ok = self._apply(batch)
            with self._cond:
                if ok:
                    self._inflight = 0
                    delay = self._backoff[0]
                    self._cond.notify_all()
                    continue
                # Keep the batch, in order, at the head of the queue and wait before retrying.
                self._queue.extendleft(reversed(batch))
                self._inflight = 0
                self._cond.notify_all()
                if self._stopping:
                    return
                self._cond.wait(delay)
                delay = min(delay * 2, self._backoff[1])

    def _apply(self, batch: list) -> bool:
        if isinstance(batch[0], tuple) and batch[0][0] == "job":
            _, fn, fut = batch[0]
            try:
                fut.set_result(fn(self._conn))
            except BaseException as exc:  # the job's caller gets the exception
                self._rollback()
                fut.set_exception(exc)
            return True
        if isinstance(batch[0], tuple):  # ("replay", path, ops)
            _, path, items = batch[0]
            if items and not self._apply(items):
                return False
            try:
                path.unlink()
            except OSError:
                pass
            return True
        try:
            self._transaction(batch)
        except Exception as exc:  # noqa: BLE001 - whatever it is, the writer thread must survive it
            self._rollback()
            if _retryable(exc):
                self.failures += 1
                self._failing = True
                self._report(db_error_message(exc, self._db_path))
                return False
            if len(batch) > 1:  # find the bad op: apply one by one
                for i, op in enumerate(batch):
                    if not self._apply([op]):
                        # A retryable error mid-way: only what was not done yet goes back to the queue.
                        batch[:] = batch[i:]
                        return False
                return True
            log.error("record op %s failed permanently: %s", batch[0].get("op"), exc)
            try:
                path = self.rescue(batch)
            except OSError as rescue_exc:
                self.lost += 1
                self._report(f"一条通话记录无法写入 ({exc})，也无法暂存 ({rescue_exc})", force=True)
            else:
                self._report(f"一条通话记录无法写入 ({exc})，已保存到 {path}", force=True)
            return True
        if self._failing:
            self._failing = False
            self._last_report = 0.0  # the next outage is reported at once
            log.info("records database writable again")
        return True

    def _transaction(self, batch: list) -> None:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        for op in batch:
            ops_mod.apply(conn, op)
        conn.execute("COMMIT")

    def _rollback(self) -> None:
        try:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def _report(self, message: str, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and self._last_report and now - self._last_report < self._report_every:
            return
        self._last_report = now
        log.warning("%s", message)
        if self._on_error is not None:
            try:
                self._on_error(message)
            except Exception:  # a broken callback must not stop the writer
                log.exception("records on_error callback failed")

    def rescue(self, items: list) -> Path:
        """Append ``items`` to this writer's rescue file; OSError (disk full) when it cannot be written."""
        path = self.rescue_path
        data = "".join(json.dumps(op, ensure_ascii=False) + "\n" for op in items).encode("utf-8")
        fd = private.open_fd(path, os.O_WRONLY | os.O_APPEND)   # debtors' data: 0600
        try:
            start = os.lseek(fd, 0, os.SEEK_END)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)   # a rescue file is the records' last copy: on disk before we say so
            except OSError:
                # Half a batch would be replayed later as if whole: cut back to what was there before.
                os.ftruncate(fd, start)
                if start == 0:
                    os.unlink(path)
                raise
        finally:
            os.close(fd)
        self.rescued += len(items)
        return path


def load_rescued(db_path: Path, claim_token: str) -> list[tuple[Path, list[dict]]]:
    """Rescue files left by writers that are gone, oldest first, with their ops.

    Each file is first claimed by renaming it under ``claim_token`` (atomic), so two processes opening the
    database at once never both replay it; a claimed file whose claimant dies is replayed by the next open.
    """
    from . import owner

    found = []
    prefix = f"{db_path.name}.pending-"
    try:
        candidates = sorted(db_path.parent.glob(f"{prefix}*.jsonl"), key=lambda p: p.stat().st_mtime)
    except OSError:
        return found
    for n, path in enumerate(candidates):
        token = path.name[len(prefix):].split(".", 1)[0]
        if token == claim_token or owner.is_alive(db_path, token):
            continue  # its writer still runs (and may still append): not ours to replay
        claimed = path.with_name(f"{prefix}{claim_token}.r{n}.jsonl")
        try:
            os.rename(path, claimed)
        except OSError:
            continue  # another process claimed it first
        path = claimed
        items = []
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if line:
                    try:
                        items.append(json.loads(line))
                    except json.JSONDecodeError:
                        log.error("skipping a damaged line in %s", path)
        found.append((path, items))
    return found
