"""Write operations: engine events become small JSON-safe dicts (queued, and saved to a rescue file if the
database stays unwritable), and each op is applied with plain SQL by the writer thread."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import sqlite3
from datetime import datetime
from typing import Any

from assist import events as ev

from .tokens import index_tokens

Op = dict[str, Any]


def _num(value) -> float | None:
    """A number as stored: None for unknown, and for inf/NaN (no meaning in a record, not valid JSON)."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _jsonable(value) -> Any:
    """Suggestion alternatives may be dataclasses, tuples or strings; keep whatever JSON can hold."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def ops_for_event(call_id: str, event: ev.Event, *, last_utterance: int | None,
                  started_at: datetime | None) -> list[Op]:
    """The writes an event needs; [] for events the records do not keep (health, checklist, device errors)."""
    if isinstance(event, ev.UtteranceFinal):
        return [{"op": "utterance", "call_id": call_id, "idx": int(event.utterance), "text": event.text,
                 "raw_text": event.raw_text or "", "start": _num(event.start), "end": _num(event.end),
                 "stage": event.stage or "", "t": _num(event.t), "speaker": getattr(event, "speaker", "agent")}]
    if isinstance(event, ev.Alert):
        return [{"op": "alert", "call_id": call_id, "utterance": event.utterance, "rule": event.rule,
                 "severity": event.severity, "evidence": event.evidence or "", "source": event.source or "",
                 "message": event.message or "", "advice": event.advice or "", "basis": event.basis or "",
                 "t": _num(event.t)}]
    if isinstance(event, ev.AlertRetracted):
        return [{"op": "retract", "call_id": call_id, "rule": event.rule, "utterance": event.utterance}]
    if isinstance(event, ev.StageChanged):
        return [{"op": "stage", "call_id": call_id, "stage": event.stage, "utterance": last_utterance,
                 "t": _num(event.t)}]
    if isinstance(event, ev.Suggestion):
        return [{"op": "suggestion", "call_id": call_id, "stage": event.stage or "", "text": event.text or "",
                 "reason": event.reason or "", "line_id": event.line_id or "", "t": _num(event.t),
                 "alternatives": json.dumps(_jsonable(event.alternatives), ensure_ascii=False)}]
    if isinstance(event, ev.PromiseToPay):
        return [{"op": "ptp", "call_id": call_id, "amount": _num(event.amount), "date": event.date,
                 "channel": event.channel, "t": _num(event.t)}]
    if isinstance(event, ev.CallEnded):
        duration = _num(event.duration)
        if started_at is not None and duration is not None:
            ended = started_at + _seconds(duration)
        else:
            ended = datetime.now().astimezone()
        ptp = event.ptp if isinstance(event.ptp, dict) else None
        return [{"op": "end", "call_id": call_id, "duration": duration, "ended_at": ended.isoformat(timespec="seconds"),
                 "ptp": _jsonable(ptp), "skipped": float(getattr(event, "skipped", 0.0) or 0.0)}]
    return []


def _seconds(s: float):
    from datetime import timedelta

    return timedelta(seconds=s)


def _now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def apply(conn: sqlite3.Connection, op: Op) -> None:
    """Apply one op inside the caller's transaction."""
    kind = op["op"]
    fn = _APPLY.get(kind)
    if fn is None:
        raise ValueError(f"unknown record op {kind!r}")
    fn(conn, op)


def call_kind(source: str, kind: str | None = None) -> str:
    """A call's kind (schema.KINDS) when the caller did not say: a recording analysed, or a live call."""
    if kind:
        return kind
    return "file" if source and not source.startswith("mic") else "call"


def _begin(conn, op):
    conn.execute(
        "INSERT INTO calls (id, started_at, started_ts, status, source, agent_name, agent_id, case_json,"
        " debtor_name, phone, account, owner, kind) VALUES (?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (op["call_id"], op["started_at"], op["started_ts"], op["source"], op["agent_name"], op["agent_id"],
         op["case_json"], op["debtor_name"], op["phone"], op["account"], op.get("owner", ""),
         call_kind(op["source"], op.get("kind"))),
    )


def _utterance(conn, op):
    conn.execute(
        'INSERT INTO utterances (call_id, idx, text, raw_text, start, "end", stage, is_final, t, tokens, speaker)'
        " VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)"
        ' ON CONFLICT (call_id, idx) DO UPDATE SET text = excluded.text, raw_text = excluded.raw_text,'
        ' start = excluded.start, "end" = excluded."end", stage = excluded.stage, is_final = 1,'
        " t = excluded.t, tokens = excluded.tokens, speaker = excluded.speaker",
        (op["call_id"], op["idx"], op["text"], op["raw_text"], op["start"], op["end"], op["stage"], op["t"],
         index_tokens(op["text"], op["raw_text"]), op.get("speaker", "agent")),
    )


def _alert(conn, op):
    conn.execute(
        "INSERT INTO alerts (call_id, utterance, rule, severity, evidence, source, message, advice, basis, t)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (op["call_id"], op["utterance"], op["rule"], op["severity"], op["evidence"], op["source"],
         op["message"], op["advice"], op["basis"], op["t"]),
    )


def _retract(conn, op):
    conn.execute(
        "UPDATE alerts SET retracted = 1 WHERE call_id = ? AND rule = ? AND utterance IS ? AND retracted = 0",
        (op["call_id"], op["rule"], op["utterance"]),
    )


def _stage(conn, op):
    conn.execute("INSERT INTO stages (call_id, stage, utterance, t) VALUES (?, ?, ?, ?)",
                 (op["call_id"], op["stage"], op["utterance"], op["t"]))


def _suggestion(conn, op):
    conn.execute(
        "INSERT INTO suggestions (call_id, stage, text, reason, line_id, t, alternatives) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (op["call_id"], op["stage"], op["text"], op["reason"], op["line_id"], op["t"], op["alternatives"]),
    )


def _ptp(conn, op):
    conn.execute("INSERT INTO ptps (call_id, amount, date, channel, t) VALUES (?, ?, ?, ?, ?)",
                 (op["call_id"], op["amount"], op["date"], op["channel"], op["t"]))
    # A slot the event leaves unknown keeps what an earlier event fixed.
    conn.execute(
        "UPDATE calls SET ptp_amount = coalesce(?, ptp_amount), ptp_date = coalesce(?, ptp_date),"
        " ptp_channel = coalesce(?, ptp_channel) WHERE id = ?",
        (op["amount"], op["date"], op["channel"], op["call_id"]),
    )


def _end(conn, op):
    ptp = op.get("ptp") or {}
    conn.execute(
        "UPDATE calls SET status = 'completed', duration = ?, ended_at = ?,"
        " ptp_amount = coalesce(?, ptp_amount), ptp_date = coalesce(?, ptp_date),"
        " ptp_channel = coalesce(?, ptp_channel) WHERE id = ?",
        (op["duration"], op["ended_at"], _num(ptp.get("amount")), ptp.get("date"), ptp.get("channel"),
         op["call_id"]),
    )
    if op.get("skipped"):
        conn.execute("UPDATE calls SET skipped_s = max(skipped_s, ?) WHERE id = ?", (op["skipped"], op["call_id"]))
    # a live call in which nothing was recognised (a stray F9) is not a call to review or export
    conn.execute(
        "UPDATE calls SET kind = 'empty' WHERE id = ? AND kind = 'call'"
        " AND NOT EXISTS (SELECT 1 FROM utterances WHERE call_id = ? AND is_final = 1)",
        (op["call_id"], op["call_id"]),
    )


def _fail(conn, op):
    conn.execute(
        "UPDATE calls SET status = 'failed', error = ?, ended_at = coalesce(ended_at, ?),"
        " duration = coalesce(?, duration) WHERE id = ?",
        (op["message"], op["at"], op.get("duration"), op["call_id"]),
    )


def _note(conn, op):
    conn.execute("UPDATE calls SET error = CASE WHEN error = '' THEN ? ELSE error || '；' || ? END WHERE id = ?",
                 (op["message"], op["message"], op["call_id"]))


def _discard(conn, op):
    _remove_audio_file(conn, op["call_id"])
    conn.execute("DELETE FROM calls WHERE id = ?", (op["call_id"],))  # children go by ON DELETE CASCADE


def _dismiss(conn, op):
    conn.execute(
        "UPDATE alerts SET dismissed = 1, dismissed_at = ? WHERE call_id = ? AND rule = ? AND utterance IS ?"
        " AND dismissed = 0",
        (op["at"], op["call_id"], op["rule"], op["utterance"]),
    )


def _used(conn, op):
    row = conn.execute(
        "SELECT id FROM suggestions WHERE call_id = ? AND line_id = ? ORDER BY (t <= ?) DESC, t DESC, id DESC LIMIT 1",
        (op["call_id"], op["line_id"], op["t"]),
    ).fetchone()
    if row:
        conn.execute("UPDATE suggestions SET used = 1, used_at = ? WHERE id = ?", (op["t"], row[0]))
    else:  # a line used that was never the top suggestion (an alternative, or picked from the library)
        conn.execute(
            "INSERT INTO suggestions (call_id, line_id, t, used, used_at, reason) VALUES (?, ?, ?, 1, ?, 'picked')",
            (op["call_id"], op["line_id"], op["t"], op["t"]),
        )


def _notes(conn, op):
    conn.execute("UPDATE calls SET notes = ? WHERE id = ?", (op["text"], op["call_id"]))


def _skipped(conn, op):
    conn.execute("UPDATE calls SET skipped_s = max(skipped_s, ?) WHERE id = ?", (op["seconds"], op["call_id"]))


def _kind(conn, op):
    conn.execute("UPDATE calls SET kind = ? WHERE id = ?", (op["kind"], op["call_id"]))


def _delete(conn, op):
    """Remove a call and leave a line in deleted_calls saying what it was, when and why."""
    row = conn.execute(
        "SELECT started_at, kind, agent_name, agent_id, debtor_name, duration,"
        " (SELECT count(*) FROM utterances WHERE call_id = calls.id AND is_final = 1) FROM calls WHERE id = ?",
        (op["call_id"],),
    ).fetchone()
    if row is None:
        return
    alerts = dict(conn.execute(
        "SELECT rule, count(*) FROM alerts WHERE call_id = ? AND retracted = 0 GROUP BY rule ORDER BY rule",
        (op["call_id"],),
    ).fetchall())
    conn.execute(
        "INSERT INTO deleted_calls (call_id, started_at, kind, agent_name, agent_id, debtor_name, duration,"
        " utterances, alerts, reason, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (op["call_id"], *row, json.dumps(alerts, ensure_ascii=False), op.get("reason", ""), op["at"]),
    )
    _remove_audio_file(conn, op["call_id"])
    conn.execute("DELETE FROM calls WHERE id = ?", (op["call_id"],))  # children go by ON DELETE CASCADE


def _remove_audio_file(conn, call_id: str) -> None:
    """A deleted call takes its kept audio with it (the row goes by cascade; the file would be left behind)."""
    row = conn.execute("SELECT path FROM call_audio WHERE call_id = ? AND purged_at IS NULL", (call_id,)).fetchone()
    if row and row[0]:
        try:
            os.unlink(row[0])
        except FileNotFoundError:
            pass


def _audio(conn, op):
    conn.execute(
        "INSERT INTO call_audio (call_id, path, format, channels, seconds, bytes, error, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call_id) DO UPDATE SET path = excluded.path,"
        " format = excluded.format, channels = excluded.channels, seconds = excluded.seconds,"
        " bytes = excluded.bytes, error = excluded.error, created_at = excluded.created_at, purged_at = NULL",
        (op["call_id"], op["path"], op.get("format", "ogg/opus"), op.get("channels", "agent"), _num(op.get("seconds")),
         op.get("bytes"), op.get("error", ""), op["at"]),
    )


_APPLY = {
    "begin": _begin, "utterance": _utterance, "alert": _alert, "retract": _retract,
    "stage": _stage, "suggestion": _suggestion, "ptp": _ptp, "end": _end, "fail": _fail, "note": _note,
    "discard": _discard, "dismiss": _dismiss, "used": _used, "notes": _notes, "audio": _audio, "kind": _kind,
    "delete": _delete, "skipped": _skipped,
}


def mark_interrupted(conn: sqlite3.Connection, db_path, *, skip_owner: str = "") -> list[str]:
    """Mark ``active`` calls whose writer is gone as ``interrupted`` (one transaction). Returns their ids."""
    from . import owner

    rows = conn.execute("SELECT id, owner FROM calls WHERE status = 'active'").fetchall()
    dead = [(cid, tok) for cid, tok in rows if tok != skip_owner and not owner.is_alive(db_path, tok)]
    if not dead:
        return []
    conn.execute("BEGIN IMMEDIATE")
    try:
        for cid, _ in dead:
            # Duration: the last thing we know happened on the call's clock.
            conn.execute(
                "UPDATE calls SET status = 'interrupted', error = CASE WHEN error = '' THEN ? ELSE error END,"
                " duration = coalesce(duration, (SELECT max(x) FROM ("
                '   SELECT "end" AS x FROM utterances WHERE call_id = calls.id'
                "   UNION ALL SELECT t FROM utterances WHERE call_id = calls.id"
                "   UNION ALL SELECT t FROM alerts WHERE call_id = calls.id)))"
                " WHERE id = ? AND status = 'active'",
                ("通话未正常结束（程序被关闭或崩溃） / the call did not end normally", cid),
            )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    for _, tok in dead:
        owner.forget(db_path, tok)
    return [cid for cid, _ in dead]


def now_iso() -> str:
    return _now_iso()
