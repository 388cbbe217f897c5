"""What a supervisor asks of the team server: calls with the local review's filters plus agent and team,
full-text search over the same tokens as the local search, one call in full (the local review's shape, so the
same widgets and the same 催收记录表 export work), and the per-agent / per-week figures of ``team report``.

Every function takes a psycopg connection (a supervisor's login sees the team; a workstation's sees its own
calls, by row-level security) and only reads.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from typing import Any

from assist.store import tokens as tok

DEFAULT_TZ = "Asia/Shanghai"
FILTERS = ("since", "until", "agent", "team", "rule", "stage", "ptp", "status", "debtor", "workstation", "kind")


class ReportError(ValueError):
    """A filter that cannot be understood; ``str()`` is for people."""


def _day(value, name: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ReportError(f"日期格式应为 YYYY-MM-DD: {name}={value!r}") from exc


def where_clause(filters: dict, tz: str = DEFAULT_TZ) -> tuple[list[str], dict[str, Any]]:
    unknown = sorted(k for k in filters if k not in FILTERS)
    if unknown:
        raise ReportError(f"未知的筛选条件: {', '.join(unknown)}")
    where, params = [], {"tz": tz}
    if filters.get("since") not in (None, ""):
        where.append("c.started_at >= (%(since)s::date)::timestamp AT TIME ZONE %(tz)s")
        params["since"] = _day(filters["since"], "since")
    if filters.get("until") not in (None, ""):  # inclusive: the whole day
        where.append("c.started_at < (%(until)s::date + 1)::timestamp AT TIME ZONE %(tz)s")
        params["until"] = _day(filters["until"], "until")
    if filters.get("agent"):
        where.append("(c.agent_id = %(agent)s OR c.agent_name = %(agent)s)")
        params["agent"] = str(filters["agent"])
    if filters.get("team"):
        where.append("m.team = %(team)s")
        params["team"] = str(filters["team"])
    if filters.get("workstation"):
        where.append("c.workstation = %(workstation)s")
        params["workstation"] = str(filters["workstation"])
    if filters.get("debtor"):
        where.append("(c.debtor_name = %(debtor)s OR c.phone = %(debtor)s OR c.account = %(debtor)s)")
        params["debtor"] = str(filters["debtor"])
    if filters.get("rule"):
        where.append("EXISTS (SELECT 1 FROM callassist.alerts a WHERE a.call_id = c.id AND a.rule = %(rule)s"
                     " AND NOT a.retracted)")
        params["rule"] = str(filters["rule"])
    if filters.get("stage"):
        where.append("(EXISTS (SELECT 1 FROM callassist.stages s WHERE s.call_id = c.id AND s.stage = %(stage)s)"
                     " OR EXISTS (SELECT 1 FROM callassist.utterances x WHERE x.call_started = c.started_at"
                     " AND x.call_id = c.id AND x.stage = %(stage)s))")
        params["stage"] = str(filters["stage"])
    if filters.get("ptp") is not None:
        where.append("c.ptp_amount IS NOT NULL" if filters["ptp"] else "c.ptp_amount IS NULL")
    if filters.get("status"):
        where.append("c.status = %(status)s")
        params["status"] = str(filters["status"])
    if filters.get("kind"):  # as the local review: one kind, or several (schema.REAL_KINDS: every real call)
        kinds = [filters["kind"]] if isinstance(filters["kind"], str) else list(filters["kind"])
        where.append("c.kind = ANY(%(kind)s)")
        params["kind"] = [str(k) for k in kinds]
    return where, params


_FROM = " FROM callassist.calls c LEFT JOIN callassist.members m ON m.login = c.workstation"


def _rows(cur) -> list[dict]:
    names = [d.name for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


# --- full-text search ----------------------------------------------------------------------------------------

def _lex(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def ts_query(query: str, *, sounds_like: bool = False) -> str | None:
    """A tsquery over the local index's tokens for ``query``: every space-separated term must match, in either
    number spelling — the tokens of ``assist.store.tokens.match_expression``. None when the index cannot
    answer (a term that segments into a lone Chinese character; nothing searchable)."""
    groups = []
    for term in tok.query_terms(query):
        alternatives = []
        for form in tok._forms(term):
            toks = list(dict.fromkeys(t for t in (tok._fts_safe(x) for x in tok._cut(form)) if t))
            if any(len(t) == 1 and not t.isascii() for t in toks):
                return None
            if toks:
                parts = []
                for t in toks:
                    sound = tok.sound_token(t) if sounds_like else None
                    parts.append(f"({_lex(t)} | {_lex(sound)})" if sound else _lex(t))
                alternatives.append(" & ".join(parts))
        alternatives = list(dict.fromkeys(alternatives))
        if alternatives:
            groups.append(alternatives[0] if len(alternatives) == 1 else "(" + ") | (".join(alternatives) + ")")
    return " & ".join(f"({g})" for g in groups) if groups else None


def bigram_query(terms: list[str]) -> str | None:
    """Candidates for a substring match of every term: all its character bigrams (None: a term too short)."""
    groups = []
    for term in terms:
        pairs = list(dict.fromkeys(tok._bigrams(term)))
        if not pairs:
            return None
        groups.append(" & ".join(_lex(p) for p in pairs))
    return " & ".join(f"({g})" for g in groups) if groups else None


def _substring(term: str, i: int, params: dict) -> str:
    """As the local search: the term in the text or the raw text (case-insensitive for Latin letters)."""
    if any("a" <= ch <= "z" for ch in term):
        params[f"s{i}"] = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return f"(u.text ILIKE %(s{i})s OR u.raw_text ILIKE %(s{i})s)"
    params[f"s{i}"] = term
    return f"(strpos(u.text, %(s{i})s) > 0 OR strpos(u.raw_text, %(s{i})s) > 0)"


def list_calls(conn, *, limit: int = 200, offset: int = 0, tz: str = DEFAULT_TZ, ids: list[str] | None = None,
               **filters) -> list[dict]:
    """Calls newest first with agent, team, alerts by rule and promise: what the 团队 list shows. ``ids``: only
    those calls (the ones a search found), still with the filters."""
    where, params = where_clause(filters, tz)
    params.update(limit=int(limit), offset=int(offset))
    if ids is not None:
        where.append("c.id = ANY(%(ids)s)")
        params["ids"] = list(ids)
    sql = (
        "SELECT c.id, c.started_local AS started_at, c.duration, c.status, c.agent_name, c.agent_id,"
        " c.workstation, coalesce(m.team, '') AS team, c.debtor_name, c.phone, c.account, c.ptp_amount,"
        " c.ptp_date, c.ptp_channel,"
        " (SELECT coalesce(jsonb_object_agg(rule, n), '{}') FROM (SELECT a.rule, count(*) AS n"
        "   FROM callassist.alerts a WHERE a.call_id = c.id AND NOT a.retracted GROUP BY a.rule) x) AS alerts"
        + _FROM + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY c.started_at DESC LIMIT %(limit)s OFFSET %(offset)s"
    )
    with conn.cursor() as cur:
        cur.execute(sql, params)
        rows = _rows(cur)
    for r in rows:
        r["ptp"] = None if r["ptp_amount"] is None else {"amount": r["ptp_amount"], "date": r["ptp_date"],
                                                          "channel": r["ptp_channel"]}
        for k in ("ptp_amount", "ptp_date", "ptp_channel"):
            r.pop(k)
    return rows


def _search_sql(conn, match: str, params: dict, where: list[str]) -> list[dict]:
    # The call's start bounds the utterance partitions scanned (call_started = c.started_at and the slice).
    uwhere = [match, "u.call_started = c.started_at", "u.call_started >= %(lo)s", "u.call_started < %(hi)s",
              "c.started_at >= %(lo)s", "c.started_at < %(hi)s"]
    sql = (
        "SELECT u.call_id, u.idx AS utterance, u.text, u.stage, u.start, c.started_local AS started_at,"
        " u.call_started AS _ts, c.agent_name, c.agent_id, c.workstation, coalesce(m.team, '') AS team,"
        " c.debtor_name"
        " FROM callassist.utterances u JOIN callassist.calls c ON c.id = u.call_id"
        " LEFT JOIN callassist.members m ON m.login = c.workstation"
        " WHERE " + " AND ".join(uwhere + where)
        + " ORDER BY u.call_started DESC, u.call_id DESC, u.idx LIMIT %(limit)s"
    )
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return _rows(cur)


FIRST_CALLS = 50  # the first slice holds about this many calls (3,000 utterances): a common word fills a page


def _bounds(conn, params: dict, where: list[str]) -> tuple[datetime, datetime, int] | None:
    """The first and last start of the calls the filters select, and how many there are (None: none)."""
    with conn.cursor() as cur:
        cur.execute("SELECT min(c.started_at), max(c.started_at), count(*)" + _FROM
                    + (" WHERE " + " AND ".join(where) if where else ""), params)
        lo, hi, n = cur.fetchone()
    return None if lo is None else (lo, hi, int(n))


def _newest_first(conn, match: str, params: dict, where: list[str], want: int,
                  bounds: tuple[datetime, datetime, int]) -> list[dict]:
    """The ``want`` newest utterances matching, newest first, read in time slices from the newest call back: the
    first slice holds about FIRST_CALLS of the selected calls, each next one twice the time of the last. A common
    word (还款: one utterance in ten) fills the page from the first slice, so the server reads the utterances
    of a few dozen calls instead of a month's or a year's before sorting (the planner cannot know the join
    keeps that many rows and would walk every call of the range); a rare word takes more slices, each a small
    index read. The slices do not overlap, so their concatenation is in order."""
    first, last, n = bounds
    hi = last + timedelta(microseconds=1)
    span = hi - first
    width = max(timedelta(seconds=1), span * min(1.0, FIRST_CALLS / max(n, 1)))
    out: list[dict] = []
    while len(out) < want and hi > first:
        lo = max(first, hi - width)
        out += _search_sql(conn, match, {**params, "lo": lo, "hi": hi, "limit": want - len(out)}, where)
        hi, width = lo, width * 2
    return out


def search(conn, query: str, *, limit: int = 50, offset: int = 0, sounds_like: bool = False, tz: str = DEFAULT_TZ,
           **filters) -> list[dict]:
    """Utterances matching every term of ``query``, newest call first, with their call's summary."""
    terms = tok.query_terms(query)
    if not terms:
        return []
    where, params = where_clause(filters, tz)
    bounds = _bounds(conn, params, where)
    if bounds is None:
        return []
    # As the local search: the token index first; only when that gives fewer than a page, also every term as
    # written (candidates from the bigram tokens, confirmed by strpos/ILIKE).
    want = int(limit) + int(offset)
    tsq = ts_query(query, sounds_like=sounds_like)
    found: dict[tuple, dict] = {}
    if tsq is not None:
        for r in _newest_first(conn, "u.tsv @@ %(q)s::tsquery", {**params, "q": tsq}, where, want, bounds):
            found[(r["call_id"], r["utterance"])] = r
    if len(found) < want:
        sparams = dict(params)
        substr = " AND ".join(_substring(t, i, sparams) for i, t in enumerate(terms))
        bgq = bigram_query(terms)
        if bgq is not None:
            sparams["bg"] = bgq
            substr = f"u.tsv @@ %(bg)s::tsquery AND {substr}"
        for r in _newest_first(conn, substr, sparams, where, want, bounds):
            found.setdefault((r["call_id"], r["utterance"]), r)
    rows = sorted(found.values(), key=lambda r: (r["_ts"], r["call_id"], -r["utterance"]), reverse=True)
    rows = rows[int(offset):want]
    for r in rows:
        r.pop("_ts", None)
    from assist.store.read import highlight

    for r in rows:
        r["terms"] = terms
        r["snippet"] = highlight(r["text"], terms)
    return rows


def teams(conn) -> list[str]:
    """The teams of the server's members (the 团队 window's choice of team)."""
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT team FROM callassist.members WHERE team <> '' ORDER BY team").fetchall()]


def get_call(conn, call_id: str) -> dict | None:
    """One call in full, in the shape of ``assist.store.read.get_call`` (plus workstation and team)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT c.id, c.started_local AS started_at, c.started_at AS started_ts, c.ended_at, c.duration,"
            " c.status, c.source, c.agent_name, c.agent_id, c.debtor_name, c.phone, c.account, c.notes, c.error,"
            " c.case_json, c.ptp_amount, c.ptp_date, c.ptp_channel, c.workstation, c.revision, c.kind, c.skipped_s,"
            " coalesce(m.team, '') AS team" + _FROM + " WHERE c.id = %s", (call_id,))
        rows = _rows(cur)
        if not rows:
            return None
        call = rows[0]
        call["case"] = call.pop("case_json") or {}
        amount, pdate, channel = call.pop("ptp_amount"), call.pop("ptp_date"), call.pop("ptp_channel")
        call["ptp"] = None if amount is None else {"amount": amount, "date": pdate, "channel": channel}
        call["audio_path"] = None
        call["audio_purged_at"] = None
        cur.execute('SELECT idx AS utterance, start, "end", text, raw_text, stage, t, true AS is_final'
                    " FROM callassist.utterances WHERE call_started = %s AND call_id = %s ORDER BY idx",
                    (call.pop("started_ts"), call_id))
        call["utterances"] = _rows(cur)
        cur.execute("SELECT seq AS id, utterance, rule, severity, evidence, source, message, advice, basis, t,"
                    " retracted, dismissed, dismissed_at FROM callassist.alerts WHERE call_id = %s ORDER BY t, seq",
                    (call_id,))
        call["alerts"] = _rows(cur)
        cur.execute("SELECT stage, text, reason, line_id, t, used, used_at, alternatives"
                    " FROM callassist.suggestions WHERE call_id = %s ORDER BY t, seq", (call_id,))
        call["suggestions"] = _rows(cur)
        cur.execute("SELECT stage, utterance, t FROM callassist.stages WHERE call_id = %s ORDER BY t, seq", (call_id,))
        call["stages"] = _rows(cur)
        cur.execute("SELECT amount, date, channel, t FROM callassist.ptps WHERE call_id = %s ORDER BY t, seq",
                    (call_id,))
        call["ptp_history"] = _rows(cur)
    return call


def export_csv(conn, out: io.TextIOBase, *, bom: bool = True, tz: str = DEFAULT_TZ, ids: list[str] | None = None,
               **filters) -> int:
    """The same 催收记录表 as the local export (assist.store.export.csv_row), for the team's calls: those the
    filters select (oldest first), or exactly ``ids`` (e.g. the calls a search found)."""
    from assist.store.export import CSV_HEADER, csv_row

    if ids is None:
        ids = [c["id"] for c in list_calls(conn, limit=1_000_000, tz=tz, **filters)]
        ids.reverse()
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("工作站", "组") + CSV_HEADER)
    for cid in ids:
        call = get_call(conn, cid)
        if call is not None:
            writer.writerow([call["workstation"], call["team"]] + csv_row(call))
    return len(ids)


# --- figures -------------------------------------------------------------------------------------------------

def team_report(conn, *, by: str = "agent", tz: str = DEFAULT_TZ, **filters) -> dict:
    """Per agent (``by='agent'``) or per week (``by='week'``, Monday-based in ``tz``): calls, talk time, critical
    alerts per 100 calls by rule, promise-to-pay rate, share of calls reaching each stage, checklist gaps
    (call-level rules: 未报工号, 承诺要素不全…) — and the same over all selected calls."""
    if by not in ("agent", "week", "team"):
        raise ReportError("by 应为 agent / week / team")
    where, params = where_clause(filters, tz)
    key = {
        "agent": "CASE WHEN c.agent_id <> '' THEN c.agent_id ELSE c.agent_name END",
        "week": "to_char(date_trunc('week', c.started_at AT TIME ZONE %(tz)s), 'YYYY-MM-DD')",
        "team": "coalesce(m.team, '')",
    }[by]
    base = (f"WITH sel AS (SELECT c.id, c.duration, c.ptp_amount, c.agent_name, {key} AS key"
            + _FROM + (" WHERE " + " AND ".join(where) if where else "") + ")")
    with conn.cursor() as cur:
        cur.execute(base + " SELECT key, max(agent_name) AS agent_name, count(*) AS calls,"
                    " coalesce(sum(duration), 0) AS talk_s, count(ptp_amount) AS ptp_calls FROM sel GROUP BY key"
                    " ORDER BY key", params)
        groups = {r["key"]: r for r in _rows(cur)}
        cur.execute(base + " SELECT sel.key, a.rule, count(*) AS n FROM sel JOIN callassist.alerts a ON a.call_id = sel.id"
                    " WHERE a.severity = 'critical' AND NOT a.retracted AND a.utterance IS NOT NULL"
                    " GROUP BY sel.key, a.rule", params)
        critical = _rows(cur)
        cur.execute(base + " SELECT sel.key, a.rule, count(DISTINCT sel.id) AS n FROM sel"
                    " JOIN callassist.alerts a ON a.call_id = sel.id"
                    " WHERE NOT a.retracted AND a.utterance IS NULL GROUP BY sel.key, a.rule", params)
        gaps = _rows(cur)
        cur.execute(base + " SELECT sel.key, s.stage, count(DISTINCT sel.id) AS n FROM sel"
                    " JOIN callassist.stages s ON s.call_id = sel.id GROUP BY sel.key, s.stage", params)
        stages = _rows(cur)
    rows = []
    total = {"key": "合计", "agent_name": "", "calls": 0, "talk_s": 0.0, "ptp_calls": 0,
             "critical": {}, "gaps": {}, "stages": {}}
    for _k, g in groups.items():
        g.update(critical={}, gaps={}, stages={}, talk_s=float(g["talk_s"]))
    for src, field in ((critical, "critical"), (gaps, "gaps"), (stages, "stages")):
        for r in src:
            name = r.get("rule") or r.get("stage")
            groups[r["key"]][field][name] = int(r["n"])
            total[field][name] = total[field].get(name, 0) + int(r["n"])
    for g in list(groups.values()) + [total]:
        if g is not total:
            total["calls"] += g["calls"]
            total["talk_s"] += g["talk_s"]
            total["ptp_calls"] += g["ptp_calls"]
    for g in list(groups.values()) + [total]:
        n = g["calls"] or 1
        g["ptp_rate"] = round(g["ptp_calls"] / n, 4)
        g["critical_per_100"] = {r: round(100.0 * v / n, 2) for r, v in sorted(g["critical"].items())}
        g["stage_rate"] = {s: round(v / n, 4) for s, v in sorted(g["stages"].items())}
        g["gap_rate"] = {r: round(v / n, 4) for r, v in sorted(g["gaps"].items())}
        g["avg_talk_s"] = round(g["talk_s"] / n, 1)
        rows.append(g)
    rows.sort(key=lambda g: (g is total, str(g["key"])))
    return {"by": by, "tz": tz, "filters": {k: str(v) for k, v in filters.items() if v not in (None, "")},
            "rows": [g for g in rows if g is not total], "total": total}


def report_csv(report: dict) -> str:
    """One line per group: the fixed figures, then a column per rule / stage seen."""
    rows = report["rows"] + [report["total"]]
    rules = sorted({r for g in rows for r in g["critical_per_100"]})
    gaps = sorted({r for g in rows for r in g["gap_rate"]})
    stages = sorted({s for g in rows for s in g["stage_rate"]})
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    label = {"agent": "坐席", "week": "周", "team": "组"}[report["by"]]
    w.writerow([label, "姓名", "通话数", "通话时长(秒)", "平均时长(秒)", "承诺还款率"]
               + [f"严重告警/百通:{r}" for r in rules] + [f"要素缺失率:{r}" for r in gaps]
               + [f"到达阶段:{s}" for s in stages])
    for g in rows:
        w.writerow([g["key"], g["agent_name"], g["calls"], round(g["talk_s"], 1), g["avg_talk_s"], g["ptp_rate"]]
                   + [g["critical_per_100"].get(r, 0) for r in rules] + [g["gap_rate"].get(r, 0) for r in gaps]
                   + [g["stage_rate"].get(s, 0) for s in stages])
    return buf.getvalue()


def report_json(report: dict) -> str:
    def clean(g):
        return {k: v for k, v in g.items() if k not in ("critical", "gaps", "stages")}
    return json.dumps({**report, "rows": [clean(g) for g in report["rows"]], "total": clean(report["total"])},
                      ensure_ascii=False, indent=1)


def month_range(month: str) -> tuple[date, date]:
    """'2026-10' → (first day, last day)."""
    first = date.fromisoformat(month + "-01")
    nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, nxt - timedelta(days=1)
