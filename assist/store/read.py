"""The read side: call lists with filters, one call in full, transcript search. Plain functions over a
connection, so any thread can use them with its own connection."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import date, datetime, timezone
from typing import Any

from .tokens import match_expression, normalise, query_terms, substring_expression

CALL_COLUMNS = (
    "id", "started_at", "ended_at", "duration", "status", "source", "agent_name", "agent_id", "debtor_name",
    "phone", "account", "notes", "error", "kind", "skipped_s",
)
# The kept recording's file while it exists (schema v8: call_audio), beside the call columns.
_AUDIO_PATH = "(SELECT path FROM call_audio a WHERE a.call_id = {c}id AND a.purged_at IS NULL) AS audio_path"
FILTERS = ("since", "until", "agent", "rule", "stage", "ptp", "status", "debtor", "kind")


class _Rows:
    """``query(sql, params)`` → one dict per row. (sqlite_utils did this; importing it took ~0.7 s of every
    `callassist records` start on this PC, for nothing else.)"""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def query(self, sql: str, params=()):
        cur = self.conn.execute(sql, params or ())
        keys = [d[0] for d in cur.description]
        for row in cur:
            yield dict(zip(keys, row))


_db = _Rows


class FilterError(ValueError):
    """A filter value that cannot be understood (bad date, unknown filter)."""


def _when(value, *, end: bool) -> tuple[str, Any]:
    """A date filter → SQL on the call's local date; a date-time → SQL on the absolute time."""
    if isinstance(value, datetime):
        ts = (value if value.tzinfo else value.astimezone()).timestamp()
        return ("c.started_ts < ?" if end else "c.started_ts >= ?"), ts
    if isinstance(value, date):
        value = value.isoformat()
    text = str(value).strip()
    if len(text) == 10:
        try:
            date.fromisoformat(text)
        except ValueError as exc:
            raise FilterError(f"bad date {text!r}: expected YYYY-MM-DD") from exc
        # The call's own local date: the first 10 characters of its local ISO start time. The started_ts bound
        # (that date in UTC, widened by the largest UTC offsets) is implied by it and lets the index help.
        day = datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()
        if end:
            return "(c.started_ts < ? AND substr(c.started_at, 1, 10) <= ?)", [day + 86400 + 12 * 3600, text]
        return "(c.started_ts >= ? AND substr(c.started_at, 1, 10) >= ?)", [day - 14 * 3600, text]
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise FilterError(f"bad date/time {text!r}: expected YYYY-MM-DD or an ISO 8601 date-time") from exc
    return _when(parsed, end=end)


def where_clause(filters: dict) -> tuple[list[str], list[Any]]:
    unknown = sorted(k for k in filters if k not in FILTERS)
    if unknown:
        raise FilterError(f"unknown filter(s): {', '.join(unknown)}; known: {', '.join(FILTERS)}")
    where: list[str] = []
    params: list[Any] = []
    for key, end in (("since", False), ("until", True)):
        if filters.get(key) not in (None, ""):
            sql, p = _when(filters[key], end=end)
            where.append(sql)
            params += p if isinstance(p, list) else [p]
    if filters.get("agent"):
        where.append("(c.agent_id = ? OR c.agent_name = ?)")
        params += [str(filters["agent"])] * 2
    if filters.get("debtor"):
        where.append("(c.debtor_name = ? OR c.phone = ? OR c.account = ?)")
        params += [str(filters["debtor"])] * 3
    if filters.get("rule"):
        where.append("EXISTS (SELECT 1 FROM alerts a WHERE a.call_id = c.id AND a.rule = ? AND a.retracted = 0)")
        params.append(str(filters["rule"]))
    if filters.get("stage"):
        where.append(
            "(EXISTS (SELECT 1 FROM stages s WHERE s.call_id = c.id AND s.stage = ?)"
            " OR EXISTS (SELECT 1 FROM utterances x WHERE x.call_id = c.id AND x.stage = ?))"
        )
        params += [str(filters["stage"])] * 2
    if filters.get("ptp") is not None:
        made = "(c.ptp_amount IS NOT NULL OR c.ptp_date IS NOT NULL OR c.ptp_channel IS NOT NULL)"
        where.append(made if filters["ptp"] else f"NOT {made}")
    if filters.get("status"):
        where.append("c.status = ?")
        params.append(str(filters["status"]))
    if filters.get("kind"):
        # one kind, or several: kind=("call", "file") is every real call (schema.REAL_KINDS)
        kinds = [filters["kind"]] if isinstance(filters["kind"], str) else list(filters["kind"])
        where.append(f"c.kind IN ({', '.join('?' * len(kinds))})")
        params += [str(k) for k in kinds]
    return where, params


def _ptp(row: dict) -> dict | None:
    ptp = {"amount": row.pop("ptp_amount", None), "date": row.pop("ptp_date", None),
           "channel": row.pop("ptp_channel", None)}
    return ptp if any(v is not None for v in ptp.values()) else None


def _alert_counts(conn: sqlite3.Connection, ids: list[str]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {i: {} for i in ids}
    for chunk in _chunks(ids, 500):
        marks = ",".join("?" * len(chunk))
        for cid, rule, n in conn.execute(
            f"SELECT call_id, rule, count(*) FROM alerts WHERE retracted = 0 AND call_id IN ({marks})"
            " GROUP BY call_id, rule ORDER BY call_id, rule", chunk,
        ):
            out[cid][rule] = n
    return out


def _chunks(items: list, n: int) -> Iterable[list]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


# Bounds of what a person can ask for: SQLite takes 64-bit integers only, and a query of thousands of words
# builds an expression tree deeper than SQLite allows (it failed as a "write error").
MAX_ROWS = 10**9
MAX_TERMS = 32
MAX_QUERY_CHARS = 500


def _bounded(name: str, value) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise FilterError(f"{name} 不是整数: {str(value)[:30]!r}") from None
    if not 0 <= n <= MAX_ROWS:
        raise FilterError(f"{name} 超出范围: 应在 0 到 {MAX_ROWS} 之间 (got {str(value)[:30]})")
    return n


def list_calls(conn: sqlite3.Connection, *, limit: int | None = None, offset: int = 0, **filters) -> list[dict]:
    """Calls newest first, each with its promise to pay, alert counts by rule and utterance count."""
    where, params = where_clause(filters)
    sql = (
        f"SELECT {', '.join('c.' + c for c in CALL_COLUMNS)}, {_AUDIO_PATH.format(c='c.')},"
        " c.ptp_amount, c.ptp_date, c.ptp_channel,"
        " (SELECT count(*) FROM utterances u WHERE u.call_id = c.id AND u.is_final = 1) AS utterances"
        " FROM calls c"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY c.started_ts DESC, c.id"
    )
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [_bounded("--limit", limit), _bounded("--offset", offset)]
    rows = list(_db(conn).query(sql, params))
    counts = _alert_counts(conn, [r["id"] for r in rows])
    for row in rows:
        row["ptp"] = _ptp(row)
        row["alerts"] = counts[row["id"]]
    return rows


def get_call(conn: sqlite3.Connection, call_id: str) -> dict | None:
    db = _db(conn)
    rows = list(db.query(
        f"SELECT {', '.join(CALL_COLUMNS)}, {_AUDIO_PATH.format(c='calls.')}, case_json, ptp_amount, ptp_date,"
        " ptp_channel FROM calls WHERE id = ?", [call_id]))
    if not rows:
        return None
    call = rows[0]
    call["ptp"] = _ptp(call)
    try:
        call["case"] = json.loads(call.pop("case_json") or "{}")
    except json.JSONDecodeError:
        call["case"] = {}
    call["utterances"] = list(db.query(
        'SELECT idx AS utterance, start, "end", text, raw_text, stage, t, is_final, speaker FROM utterances'
        " WHERE call_id = ? ORDER BY idx", [call_id]))
    for u in call["utterances"]:
        u["is_final"] = bool(u["is_final"])
    call["alerts"] = list(db.query(
        "SELECT id, utterance, rule, severity, evidence, source, message, advice, basis, t, retracted, dismissed,"
        " dismissed_at FROM alerts WHERE call_id = ? ORDER BY t, id", [call_id]))
    for a in call["alerts"]:
        a["retracted"] = bool(a["retracted"])
        a["dismissed"] = bool(a["dismissed"])
    call["suggestions"] = list(db.query(
        "SELECT stage, text, reason, line_id, t, used, used_at, alternatives FROM suggestions WHERE call_id = ?"
        " ORDER BY t, id", [call_id]))
    for s in call["suggestions"]:
        s["used"] = bool(s["used"])
        try:
            s["alternatives"] = json.loads(s["alternatives"] or "[]")
        except json.JSONDecodeError:
            s["alternatives"] = []
    call["stages"] = list(db.query(
        "SELECT stage, utterance, t FROM stages WHERE call_id = ? ORDER BY t, id", [call_id]))
    call["ptp_history"] = list(db.query(
        "SELECT amount, date, channel, t FROM ptps WHERE call_id = ? ORDER BY t, id", [call_id]))
    audio = list(db.query(
        "SELECT path, format, channels, seconds, bytes, error, created_at, purged_at FROM call_audio"
        " WHERE call_id = ?", [call_id]))
    if audio:
        audio[0]["channels"] = tuple(c for c in (audio[0]["channels"] or "").split(",") if c)
    # audio: the kept recording (None when the call kept none); audio_path / audio_purged_at as before v8
    call["audio"] = audio[0] if audio else None
    call["audio_purged_at"] = audio[0]["purged_at"] if audio else None
    return call


def deletions(conn: sqlite3.Connection) -> list[dict]:
    rows = list(_db(conn).query("SELECT * FROM deleted_calls ORDER BY deleted_at DESC, id DESC"))
    for row in rows:
        row.pop("id", None)
        try:
            row["alerts"] = json.loads(row["alerts"] or "{}")
        except json.JSONDecodeError:
            row["alerts"] = {}
    return rows


def highlight(text: str, terms: list[str], mark: tuple[str, str] = ("【", "】")) -> str:
    """Wrap each occurrence of a query term in ``mark`` (case-insensitively, on the simplified text)."""
    if not terms or not text:
        return text
    low = normalise(text)
    if len(low) != len(text):  # normalisation changed lengths (rare NFKC cases): do not risk misplaced marks
        return text
    spans = []
    for term in sorted(set(terms), key=len, reverse=True):
        start = 0
        while (i := low.find(term, start)) >= 0:
            if not any(a < i + len(term) and i < b for a, b in spans):
                spans.append((i, i + len(term)))
            start = i + len(term)
    out, last = [], 0
    for a, b in sorted(spans):
        out += [text[last:a], mark[0], text[a:b], mark[1]]
        last = b
    out.append(text[last:])
    return "".join(out)


_HIT_SQL = (
    "SELECT u.id AS _id, c.id AS call_id, c.started_at, c.status, c.agent_name, c.agent_id, c.debtor_name,"
    ' c.phone, c.account, u.idx AS utterance, u.start, u."end", u.stage, u.text, u.raw_text, u.speaker'
)


# Filters that usually leave few calls: walking those calls beats walking every match of a common word. Not
# rule/stage/ptp/status (many calls pass) nor a lone `since` (recent calls come first in rowid order anyway).
_SELECTIVE = ("until", "agent", "debtor")


def _substring_condition(term: str) -> tuple[str, list]:
    """Every occurrence of ``term`` in the text or the raw text. instr() is ~3x faster than LIKE; LIKE is used
    only for terms with Latin letters, where it gives the case-insensitive match (App/app)."""
    if any("a" <= ch <= "z" for ch in term):
        pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return ("(u.text LIKE ? ESCAPE '\\' OR (u.raw_text <> u.text AND u.raw_text LIKE ? ESCAPE '\\'))",
                [pattern, pattern])
    return "(instr(u.text, ?) > 0 OR (u.raw_text <> u.text AND instr(u.raw_text, ?) > 0))", [term, term]


def _indexed(expr: str, conds: list[str], cparams: list, where: list[str], params: list, want: int,
             selective: bool) -> tuple[str, list]:
    """SQL for utterances whose tokens match ``expr`` (plus ``conds`` and the call filters), newest first."""
    extra = "".join(" AND " + w for w in conds + where)
    if selective:
        # Few calls pass the filter: walk their utterances and probe the set of matching rowids, rather than
        # walk every match of a common word and look its call up.
        sql = (
            _HIT_SQL + " FROM calls c CROSS JOIN utterances u ON u.call_id = c.id WHERE u.id IN"
            " (SELECT rowid FROM utterances_fts WHERE utterances_fts MATCH ?)" + extra
            + " ORDER BY u.id DESC LIMIT ?"
        )
    else:
        # Most recently recorded first (rowid order) lets FTS5 stop early under LIMIT instead of ranking or
        # sorting every match: a common word matches most of the database.
        sql = (
            _HIT_SQL + " FROM utterances_fts f JOIN utterances u ON u.id = f.rowid JOIN calls c ON c.id = u.call_id"
            " WHERE utterances_fts MATCH ?" + extra + " ORDER BY f.rowid DESC LIMIT ?"
        )
    return sql, [expr, *cparams, *params, want]


def search(conn: sqlite3.Connection, query: str, *, limit: int = 50, offset: int = 0, sounds_like: bool = False,
           **filters) -> list[dict]:
    """Utterances matching every word of ``query``, most recently recorded first, with their call's summary.

    Two ways to match, merged: the full-text index of jieba tokens (a word anywhere in the utterance, either
    number spelling, traditional or simplified), and, when that gives fewer than a page, a plain substring
    match of every term (finds what jieba segmented differently in context, arbitrary spans), itself using
    the index's character bigrams except for single-character terms. ``sounds_like`` also matches words that
    read the same in pinyin (see tokens.py). With an empty query the filters alone select calls; each hit is the call's first utterance.
    """
    where, params = where_clause(filters)
    limit, offset = _bounded("--limit", limit), _bounded("--offset", offset)
    if len(query or "") > MAX_QUERY_CHARS:
        raise FilterError(f"搜索内容过长: {len(query)} 个字符，最多 {MAX_QUERY_CHARS} 个")
    terms = query_terms(query)
    if len(terms) > MAX_TERMS:
        raise FilterError(f"搜索词太多: {len(terms)} 个，最多 {MAX_TERMS} 个（每句话须包含全部搜索词）")
    expr = match_expression(query, sounds_like=sounds_like)
    want = limit + offset
    db = _db(conn)
    if not terms:
        sql = (
            _HIT_SQL + " FROM calls c JOIN utterances u ON u.call_id = c.id AND u.idx ="
            " (SELECT min(idx) FROM utterances WHERE call_id = c.id)"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY c.started_ts DESC LIMIT ? OFFSET ?"
        )
        rows = list(db.query(sql, [*params, int(limit), int(offset)]))
    else:
        found: dict[int, dict] = {}
        selective = any(filters.get(k) not in (None, "") for k in _SELECTIVE)
        if expr is not None:
            sql, qparams = _indexed(expr, [], [], where, params, want, selective)
            for row in db.query(sql, qparams):
                found[row["_id"]] = row
        if len(found) < want:
            conds, cparams = [], []
            for term in terms:
                cond, p = _substring_condition(term)
                conds.append(cond)
                cparams += p
            spans = substring_expression(terms)
            if spans is not None:
                # Candidates from the character-bigram tokens, confirmed by instr()/LIKE.
                sql, qparams = _indexed(spans, conds, cparams, where, params, want, selective)
            else:
                # A single character: no index can help. With a selective filter walk the few matching calls'
                # utterances (CROSS JOIN fixes that order); otherwise scan newest first and stop at the limit.
                join = "calls c CROSS JOIN utterances u ON u.call_id = c.id" if selective else \
                    "utterances u JOIN calls c ON c.id = u.call_id"
                sql = _HIT_SQL + f" FROM {join} WHERE " + " AND ".join(conds + where) + " ORDER BY u.id DESC LIMIT ?"
                qparams = [*cparams, *params, want]
            for row in db.query(sql, qparams):
                found.setdefault(row["_id"], row)
        rows = [found[k] for k in sorted(found, reverse=True)][int(offset):want]
    for row in rows:
        row.pop("_id", None)
        row["terms"] = terms
        row["snippet"] = highlight(row["text"], terms)
    return rows
