"""The background worker that pushes finished calls from the local outbox to the team server.

The local SQLite database stays the source of truth. Triggers (records schema v5) put every call that is no
longer active into ``sync_outbox`` with a revision, bumped by any later change (a note, a dismissal) in the same
transaction as the change, so what is pending survives restarts, a dead server and kill -9. The worker:

- reads a batch of pending calls in one read transaction (each call's rows match its revision),
- sends them in one server transaction: per call an upsert keyed by the call id that only replaces a row of a
  lower revision, and, when it did, the call's child rows deleted and inserted again — so a resend (the worker
  died between the server's commit and its own note of it) changes nothing, and a later revision replaces all;
- then records the revision the server has, locally.

A call the server refuses (row-level security: another login's call id; bad data) is set aside with its own
backoff and the error, without holding up the others. A server that cannot be reached sets the state to
``unreachable`` and the worker retries with capped exponential backoff. Nothing here runs on a call's or the
GUI's thread: callers only read ``status()`` or get ``on_status`` callbacks (from the worker thread).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .config import PasswordError, TeamConfig, load_password

log = logging.getLogger(__name__)

OFF, SYNCED, PENDING, UNREACHABLE = "off", "synced", "pending", "unreachable"


@dataclass(frozen=True)
class SyncStatus:
    state: str                 # off | synced | pending | unreachable
    pending: int = 0           # calls whose latest revision the server does not have yet
    refused: int = 0           # of those, set aside because the server refused them
    message: str = ""          # the last error, for a tooltip or the log
    last_ok: float | None = None

    def text(self) -> str:
        if self.state == OFF:
            return "团队同步未配置"
        if self.state == UNREACHABLE:
            return f"服务器不可达（待同步 {self.pending} 通）" if self.pending else "服务器不可达"
        if self.pending:
            extra = f"，{self.refused} 通被服务器拒绝" if self.refused else ""
            return f"待同步 {self.pending} 通{extra}"
        return "已同步"


def _now() -> float:
    return time.time()


def local_status(conn: sqlite3.Connection, configured: bool = True) -> SyncStatus:
    """The status as the local database knows it (the CLI's `records list`, the app before the worker runs)."""
    try:
        pending, refused = conn.execute(
            "SELECT count(*), coalesce(sum(last_error != ''), 0) FROM sync_outbox WHERE revision > synced_revision"
        ).fetchone()
        row = conn.execute("SELECT value FROM sync_state WHERE key = 'server'").fetchone()
    except sqlite3.OperationalError:  # a database older than v5, opened read-only
        return SyncStatus(OFF)
    if not configured:
        return SyncStatus(OFF, int(pending))
    info = json.loads(row[0]) if row else {}
    if info.get("ok") is False and pending:
        return SyncStatus(UNREACHABLE, int(pending), int(refused), info.get("error", ""), info.get("last_ok"))
    return SyncStatus(PENDING if pending else SYNCED, int(pending), int(refused), info.get("error", ""),
                      info.get("last_ok"))


def call_is_live(conn: sqlite3.Connection) -> bool:
    """Whether a call is being recorded into this records database right now (status active)."""
    return conn.execute("SELECT EXISTS (SELECT 1 FROM calls WHERE status = 'active')").fetchone()[0] == 1


# --- reading a call locally ---------------------------------------------------------------------------------

_CALL_COLS = ("id", "started_at", "ended_at", "duration", "status", "source", "agent_name", "agent_id", "case_json",
              "debtor_name", "phone", "account", "notes", "ptp_amount", "ptp_date", "ptp_channel", "error",
              "kind", "skipped_s")
_CHILDREN = {
    "utterances": ("idx", "text", "raw_text", "start", '"end"', "stage", "t", "tokens"),
    "alerts": ("utterance", "rule", "severity", "evidence", "source", "message", "advice", "basis", "t",
               "retracted", "dismissed", "dismissed_at"),
    "stages": ("stage", "utterance", "t"),
    "ptps": ("amount", "date", "channel", "t"),
    "suggestions": ("stage", "text", "reason", "line_id", "t", "used", "used_at", "alternatives"),
}
_BOOLS = {"retracted", "dismissed", "used"}


def read_calls(conn: sqlite3.Connection, call_ids: list[str]) -> list[dict]:
    """The calls with their rows and current revision, all read in one snapshot."""
    out = []
    conn.execute("BEGIN")
    try:
        for cid in call_ids:
            row = conn.execute(
                f"SELECT {', '.join('c.' + c for c in _CALL_COLS)}, o.revision FROM calls c"
                " JOIN sync_outbox o ON o.call_id = c.id WHERE c.id = ?", (cid,)).fetchone()
            if row is None:
                continue
            call = dict(zip(_CALL_COLS + ("revision",), row))
            for table, cols in _CHILDREN.items():
                where = "call_id = ? AND is_final = 1" if table == "utterances" else "call_id = ?"
                order = "idx" if table == "utterances" else "id"
                rows = conn.execute(f"SELECT {', '.join(cols)} FROM {table} WHERE {where} ORDER BY {order}",
                                    (cid,)).fetchall()
                names = [c.strip('"') for c in cols]
                call[table] = [dict(zip(names, r)) for r in rows]
            out.append(call)
    finally:
        conn.execute("COMMIT")
    return out


# --- writing a call to the server ---------------------------------------------------------------------------

_UPSERT = (
    "INSERT INTO callassist.calls (id, revision, started_at, started_local, ended_at, duration, status, source,"
    " agent_name, agent_id, case_json, debtor_name, phone, account, notes, ptp_amount, ptp_date, ptp_channel, error,"
    " kind, skipped_s) VALUES (%(id)s, %(revision)s, %(started_at)s::text::timestamptz, %(started_at)s::text, %(ended_at)s, %(duration)s,"
    " %(status)s, %(source)s, %(agent_name)s, %(agent_id)s, %(case_json)s::jsonb, %(debtor_name)s, %(phone)s,"
    " %(account)s, %(notes)s, %(ptp_amount)s, %(ptp_date)s, %(ptp_channel)s, %(error)s,"
    " %(kind)s, %(skipped_s)s)"
    " ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, ended_at = excluded.ended_at,"
    " duration = excluded.duration, status = excluded.status, source = excluded.source,"
    " agent_name = excluded.agent_name, agent_id = excluded.agent_id, case_json = excluded.case_json,"
    " debtor_name = excluded.debtor_name, phone = excluded.phone, account = excluded.account, notes = excluded.notes,"
    " ptp_amount = excluded.ptp_amount, ptp_date = excluded.ptp_date, ptp_channel = excluded.ptp_channel,"
    " error = excluded.error, kind = excluded.kind, skipped_s = excluded.skipped_s, received_at = now()"
    " WHERE callassist.calls.revision < excluded.revision"
    " RETURNING id"
)


def _child_insert(table: str) -> tuple[str, list[str]]:
    names = [c.strip('"') for c in _CHILDREN[table]]
    if table == "utterances":
        cols = ["call_started", "call_id"] + names
    else:
        cols = ["call_id", "seq"] + names
    quoted = ", ".join('"end"' if c == "end" else c for c in cols)
    casts = {"alternatives": "::jsonb", "call_started": "::timestamptz"}
    values = ", ".join(f"%({c})s{casts.get(c, '')}" for c in cols)
    return f"INSERT INTO callassist.{table} ({quoted}) VALUES ({values})", cols


_INSERTS = {t: _child_insert(t)[0] for t in _CHILDREN}


def push_call(pg, call: dict) -> bool:
    """Upsert one call inside the caller's transaction. True when the server took this revision (False: it has
    it or a newer one already)."""
    params = {k: call[k] for k in _CALL_COLS}
    params["revision"] = int(call["revision"])
    params["case_json"] = call["case_json"] or "{}"
    if pg.execute(_UPSERT, params).fetchone() is None:
        return False
    cid = call["id"]
    with pg.cursor() as cur:
        cur.execute("DELETE FROM callassist.utterances WHERE call_started = %s::timestamptz AND call_id = %s",
                    (call["started_at"], cid))
        for table in ("alerts", "stages", "ptps", "suggestions"):
            cur.execute(f"DELETE FROM callassist.{table} WHERE call_id = %s", (cid,))
        for table in _CHILDREN:
            rows = _child_rows(table, call)
            if rows:
                cur.executemany(_INSERTS[table], rows)
    return True


def _child_rows(table: str, call: dict) -> list[dict]:
    batch = []
    for seq, r in enumerate(call[table]):
        item = dict(r)
        for b in _BOOLS & item.keys():
            item[b] = bool(item[b])
        item["call_id"] = call["id"]
        if table == "utterances":
            item["call_started"] = call["started_at"]
        else:
            item["seq"] = seq
        batch.append(item)
    return batch


def push_calls(pg, calls: list[dict]) -> set[str]:
    """Upsert a batch inside the caller's transaction with a few round trips in all (one per statement kind,
    pipelined): the calls, then the child rows of the calls whose revision the server took. Returns their ids.
    Any error (a refused call) aborts the whole transaction: the caller retries call by call (push_call)."""
    params = []
    for call in calls:
        p = {k: call[k] for k in _CALL_COLS}
        p["revision"] = int(call["revision"])
        p["case_json"] = call["case_json"] or "{}"
        params.append(p)
    took: set[str] = set()
    with pg.cursor() as cur:
        cur.executemany(_UPSERT, params, returning=True)
        while True:
            for row in cur.fetchall():
                took.add(row[0])
            if not cur.nextset():
                break
        if not took:
            return took
        fresh = [c for c in calls if c["id"] in took]
        ids = [c["id"] for c in fresh]
        cur.execute(
            "WITH u AS (DELETE FROM callassist.utterances WHERE call_id = ANY(%(ids)s)"
            " AND call_started = ANY(%(starts)s::timestamptz[])),"
            " a AS (DELETE FROM callassist.alerts WHERE call_id = ANY(%(ids)s)),"
            " s AS (DELETE FROM callassist.stages WHERE call_id = ANY(%(ids)s)),"
            " p AS (DELETE FROM callassist.ptps WHERE call_id = ANY(%(ids)s))"
            " DELETE FROM callassist.suggestions WHERE call_id = ANY(%(ids)s)",
            {"ids": ids, "starts": sorted({c["started_at"] for c in fresh})})
        for table in _CHILDREN:
            rows = [r for c in fresh for r in _child_rows(table, c)]
            if rows:
                cur.executemany(_INSERTS[table], rows)
    return took


def _month(started_at: str) -> str:
    return started_at[:7]


# --- the worker ---------------------------------------------------------------------------------------------

class SyncWorker:
    """``SyncWorker(db_path, config).start()``; ``poke()`` when a call ended; ``stop()``.

    ``password``: given (tests, the CLI) or read from the keyring / password file when first needed.
    ``on_status``: called from the worker thread with each new SyncStatus (the GUI marshals it to its thread).
    """

    def __init__(self, db_path: str | Path, config: TeamConfig, *, password: str | None = None,
                 on_status: Callable[[SyncStatus], None] | None = None, batch: int = 50, poll_s: float = 10.0,
                 backoff_s: tuple[float, float] = (1.0, 300.0), refused_backoff_s: tuple[float, float] = (60.0, 3600.0),
                 live_share: float = 0.25, live_check: Callable[[], bool] | None = None):
        self.db_path = Path(db_path)
        self.config = config
        self._password = password
        self._on_status = on_status
        self.batch = int(batch)
        self.poll_s = poll_s
        self.backoff = backoff_s
        self.refused_backoff = refused_backoff_s
        self._pg = None
        self._months: set[str] = set()
        self._conn: sqlite3.Connection | None = None
        self._cond = threading.Condition()
        self._poked = False
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._status = SyncStatus(OFF)
        self._last_ok: float | None = None
        # While a call is being recorded the sync takes at most about this share of the time (it pauses after each
        # batch): on a 2-core PC a catch-up sync running flat out delayed a live call's final text by ~0.35 s
        # (median; bench/team.py --only latency). live_check: whether a call is live (default: an active
        # call in this records database, which is what the app records into).
        self.live_share = float(live_share)
        self._live_check = live_check
        self.paused_s = 0.0        # time spent pausing for a live call (tests, the benchmark)
        self.sent = 0              # call revisions the server took (tests, the benchmark)
        self.skipped = 0           # resends the server already had

    # --- caller side ---
    def start(self) -> SyncWorker:
        self._thread = threading.Thread(target=self._run, name="team-sync", daemon=True)
        self._thread.start()
        return self

    def poke(self) -> None:
        with self._cond:
            self._poked = True
            self._cond.notify_all()

    def stop(self, timeout: float = 10.0) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():  # stuck in a server round trip: it ends at its timeout, on its own
                log.warning("team sync still waiting on the server at shutdown; left to finish")
                return
        self._close_pg()
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def status(self) -> SyncStatus:
        return self._status

    # --- one pass (the thread's loop body; tests and the CLI call it directly) ---
    def sync_once(self, *, max_batches: int | None = None) -> SyncStatus:
        """Push everything due now. Raises nothing: the outcome is the returned status."""
        conn = self._local()
        done_batches = 0
        while not self._stopping and (max_batches is None or done_batches < max_batches):
            due = [r[0] for r in conn.execute(
                "SELECT call_id FROM sync_outbox WHERE revision > synced_revision AND next_ts <= ?"
                " ORDER BY changed_ts LIMIT ?", (_now(), self.batch))]
            if not due:
                break
            t0 = time.monotonic()
            try:
                self._push_batch(conn, due)
            except Exception as exc:  # noqa: BLE001 - connection lost, server gone, auth: retried later
                self._close_pg()
                self._set_state(ok=False, error=server_error_message(exc))
                return self._publish()
            done_batches += 1
            if len(due) == self.batch and self._call_live(conn):
                self._pause(time.monotonic() - t0)
        if done_batches:
            self._set_state(ok=True)
        return self._publish()

    # --- internals ---
    def _call_live(self, conn: sqlite3.Connection) -> bool:
        if self.live_share >= 1.0:
            return False
        try:
            if self._live_check is not None:
                return bool(self._live_check())
            return call_is_live(conn)
        except Exception:  # noqa: BLE001 - a check that fails must not stop the sync
            return False

    def _pause(self, worked_s: float) -> None:
        """Leave the CPU to the live call: wait so that the batch just sent is about live_share of the time."""
        wait = min(5.0, worked_s * (1.0 - self.live_share) / max(self.live_share, 0.01))
        t0 = time.monotonic()
        with self._cond:
            if not self._stopping:
                self._cond.wait(wait)
        self.paused_s += time.monotonic() - t0

    def _local(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = sqlite3.connect(str(self.db_path), isolation_level=None, timeout=10.0,
                                         check_same_thread=False)
            self._conn.execute("PRAGMA busy_timeout = 10000")
        return self._conn

    def _pending(self, conn) -> int:
        return int(conn.execute("SELECT count(*) FROM sync_outbox WHERE revision > synced_revision").fetchone()[0])

    def _connect(self):
        import psycopg

        if self._pg is not None and not self._pg.closed:
            return self._pg
        password = self._password
        if password is None:
            try:
                password = load_password(self.config.user)
            except PasswordError:
                raise
        self._pg = psycopg.connect(**self.config.conninfo(password), autocommit=True)
        # A sync must never sit on locks for long: give up and retry rather than queue behind an admin's DDL.
        self._pg.execute("SET lock_timeout = '10s'")
        self._pg.execute("SET statement_timeout = '120s'")
        return self._pg

    def _close_pg(self) -> None:
        if self._pg is not None:
            try:
                self._pg.close()
            except Exception:  # noqa: BLE001
                pass
            self._pg = None

    def _push_batch(self, conn: sqlite3.Connection, due: list[str]) -> None:
        import psycopg

        calls = read_calls(conn, due)
        pg = self._connect()
        for month in sorted({_month(c["started_at"]) for c in calls} - self._months):
            pg.execute("SELECT callassist.ensure_month(%s::timestamptz)", (month + "-15T00:00:00+00:00",))
            self._months.add(month)
        accepted: list[tuple[str, int]] = []
        refused: list[tuple[str, str]] = []
        try:  # the fast path: the whole batch in a few pipelined statements
            with pg.transaction():
                took = push_calls(pg, calls)
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.DataError, psycopg.errors.IntegrityError):
            took = None  # some call is refused: find it, call by call (the transaction was rolled back)
        if took is not None:
            accepted = [(c["id"], int(c["revision"])) for c in calls]
            self.sent += len(took)
            self.skipped += len(calls) - len(took)
        else:
            accepted, refused = self._push_one_by_one(pg, calls)
        now = _now()
        self._local_write(conn, [
            ("UPDATE sync_outbox SET synced_revision = max(synced_revision, ?), synced_ts = ?, attempts = 0,"
             " last_error = '' WHERE call_id = ?", [(rev, now, cid) for cid, rev in accepted]),
            ("UPDATE sync_outbox SET attempts = attempts + 1, last_error = ?,"
             " next_ts = ? + min(?, ? * (1 << min(attempts, 16))) WHERE call_id = ?",
             [(err, now, self.refused_backoff[1], self.refused_backoff[0], cid) for cid, err in refused]),
        ])
        self._last_ok = now

    def _push_one_by_one(self, pg, calls: list[dict]) -> tuple[list[tuple[str, int]], list[tuple[str, str]]]:
        import psycopg

        accepted: list[tuple[str, int]] = []
        refused: list[tuple[str, str]] = []
        with pg.transaction():
            for call in calls:
                try:
                    with pg.transaction():  # a savepoint: one refused call does not undo the others
                        took = push_call(pg, call)
                except (psycopg.errors.InsufficientPrivilege, psycopg.errors.DataError,
                        psycopg.errors.IntegrityError) as exc:
                    refused.append((call["id"], server_error_message(exc)))
                    log.error("team server refused call %s: %s", call["id"], exc)
                    continue
                accepted.append((call["id"], int(call["revision"])))
                if took:
                    self.sent += 1
                else:
                    self.skipped += 1
        return accepted, refused

    def _local_write(self, conn: sqlite3.Connection, statements: list[tuple[str, list]]) -> None:
        for attempt in range(20):
            try:
                conn.execute("BEGIN IMMEDIATE")
                for sql, rows in statements:
                    if rows:
                        conn.executemany(sql, rows)
                conn.execute("COMMIT")
                return
            except sqlite3.OperationalError:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if attempt == 19:
                    raise
                time.sleep(min(0.05 * 2 ** attempt, 2.0))

    def _set_state(self, *, ok: bool, error: str = "") -> None:
        info = {"ok": ok, "at": _now(), "error": error, "last_ok": self._last_ok}
        try:
            self._local_write(self._local(), [(
                "INSERT INTO sync_state (key, value) VALUES ('server', ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value", [(json.dumps(info, ensure_ascii=False),)])])
        except sqlite3.Error as exc:
            log.warning("cannot record the sync state locally: %s", exc)

    def _publish(self) -> SyncStatus:
        status = local_status(self._local(), configured=True)
        if status != self._status:
            if status.state == UNREACHABLE and self._status.state != UNREACHABLE:
                log.warning("team server unreachable (%s): %s", self.config.address(), status.message)
            self._status = status
            if self._on_status is not None:
                try:
                    self._on_status(status)
                except Exception:  # noqa: BLE001
                    log.exception("sync on_status callback failed")
        return status

    def _run(self) -> None:
        delay = self.backoff[0]
        while True:
            try:
                status = self.sync_once()
            except Exception:  # noqa: BLE001 - the worker must outlive anything (a corrupt db, a bug)
                log.exception("team sync pass failed")
                status = SyncStatus(UNREACHABLE, message="内部错误")
            if status.state == UNREACHABLE:
                wait = delay
                delay = min(delay * 2, self.backoff[1])
            else:
                delay = self.backoff[0]
                wait = self.poll_s
            with self._cond:
                if not self._stopping and not self._poked:
                    self._cond.wait(wait)
                self._poked = False
                if self._stopping:
                    return


def server_error_message(exc: BaseException) -> str:
    """Chinese for people, the cause after it; never the password (psycopg's messages do not contain it)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    low = text.lower()
    if isinstance(exc, PasswordError):
        return str(exc)
    if "password authentication failed" in low or "no password supplied" in low:
        return f"团队服务器拒绝登录：用户名或密码错误 ({text})"
    if "certificate" in low or "ssl" in low:
        return f"团队服务器证书校验失败或未启用 TLS ({text})"
    if "agent id" in low and "not registered" in low:
        return f"团队服务器拒绝这通电话：工号未登记在本登录下，请管理员用 team init 登记 ({text})"
    if "row-level security" in low or "permission denied" in low:
        return f"团队服务器拒绝写入这通电话（不属于本登录） ({text})"
    if "does not exist" in low and "callassist" in low:
        return f"团队服务器尚未初始化，请管理员运行 callassist team init ({text})"
    if "connection" in low or "timeout" in low or "could not" in low or "refused" in low:
        return f"服务器不可达 ({text})"
    return f"同步失败 ({text})"


def sync_status_line(db_path: str | Path) -> str:
    """'团队同步: …' for the CLI, or '' when no team server is configured here."""
    from . import config

    cfg = config.load()
    if not cfg.configured:
        return ""
    try:
        conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return ""
    try:
        return f"团队同步: {local_status(conn).text()}"
    finally:
        conn.close()
