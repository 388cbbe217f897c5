"""The 催收记录表: every call with time, number/account, agent, duration, transcript, stages, alerts and the
promise to pay, as CSV for Excel or JSON for other tools."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import IO

from ..labels import CHANNEL_NAMES, KIND_NAMES, SEVERITY_NAMES, STAGE_NAMES, format_clock, rule_name
from ..textsafe import finite
from . import read
from .export_target import check_export_target
from .schema import REAL_KINDS

STATUS_NAMES = {"active": "进行中", "completed": "已完成", "interrupted": "中断", "failed": "失败"}

CSV_HEADER = (
    "通话ID", "通话时间", "结束时间", "时长(秒)", "状态", "坐席", "工号", "债务人", "电话", "账号", "来源",
    "经过阶段", "告警", "承诺还款金额", "承诺还款日期", "还款渠道", "备注", "通话文本", "类型",
    "未识别语音(秒)",   # audio the recogniser skipped on a busy PC: those words are not in 通话文本
)
FORMATS = ("csv", "json")


def _clock(seconds) -> str:
    # the same clock as the live transcript and the review window (whole seconds, not rounded up)
    return "--:--" if seconds is None else format_clock(float(seconds))


def _cell(value) -> str:
    """Text Excel shows as written: no formula execution (=, +, -, @), long digit strings kept whole."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text  # OWASP CSV-injection guard (a leading TAB or CR lets Excel read a formula after it)
    if text.isdigit() and (len(text) >= 12 or (len(text) > 1 and text[0] == "0")):
        return "\t" + text  # account numbers / landlines: else Excel shows 6.22E+18 or drops the leading 0
    return text


def stage_path(call: dict) -> list[str]:
    """The stages the call went through, in order: each utterance's stage and every stage change."""
    marks = [(u["t"] if u["t"] is not None else -1.0, 0, u["stage"]) for u in call["utterances"] if u["stage"]]
    marks += [(s["t"] if s["t"] is not None else -1.0, 1, s["stage"]) for s in call["stages"]]
    path: list[str] = []
    for _, _, stage in sorted(marks, key=lambda m: (m[0], m[1])):
        if not path or path[-1] != stage:
            path.append(stage)
    return path


def csv_row(call: dict) -> list[str]:
    stages = []
    for stage in stage_path(call):
        name = STAGE_NAMES.get(stage, stage)
        if not stages or stages[-1] != name:
            stages.append(name)
    # Chinese names as the review window shows them; 坐席已确认: the agent pressed 知道了 (it was not ignored)
    alerts = [
        f"[{_clock(a['t'])}] {rule_name(a['rule'])}（{SEVERITY_NAMES.get(a['severity'], a['severity'])}）："
        f"{a['evidence']}" + ("（坐席已确认）" if a["dismissed"] else "")
        for a in call["alerts"] if not a["retracted"]
    ]
    # the debtor's lines are marked 对方: (the agent's are unmarked, as before two-party calls)
    transcript = [f"[{_clock(u['start'] if u['start'] is not None else u['t'])}] "
                  + ("对方：" if u.get("speaker") == "debtor" else "") + u["text"]
                  for u in call["utterances"] if u["is_final"]]
    ptp = call["ptp"] or {}
    amount = ptp.get("amount")
    if amount is not None and float(amount).is_integer():
        amount = int(amount)
    duration = call["duration"]
    return [_cell(v) for v in (
        call["id"], call["started_at"], call["ended_at"] or "",
        "" if duration is None else f"{float(duration):.1f}",
        STATUS_NAMES.get(call["status"], call["status"]), call["agent_name"], call["agent_id"], call["debtor_name"],
        call["phone"], call["account"], call["source"], " → ".join(stages), "\n".join(alerts),
        "" if amount is None else amount, ptp.get("date") or "",
        CHANNEL_NAMES.get(ptp.get("channel") or "", ptp.get("channel") or ""), call["notes"], "\n".join(transcript),
        KIND_NAMES.get(call.get("kind") or "call", call.get("kind")),
        f"{float(call.get('skipped_s') or 0):.1f}",
    )]


def export(conn: sqlite3.Connection, fmt: str, out: str | Path | IO[str], since=None, *, db: Path | None = None,
           **filters) -> int:
    """Write the calls (oldest first) to ``out``: a path (written atomically) or an open text stream.

    CSV is UTF-8 with a BOM and CRLF rows so Excel opens Chinese correctly. Returns the number of calls.
    Test and empty calls are left out unless a ``kind`` filter asks for them (``kind=None``: every call).
    A path that is the database ``db``, one of its side files or any SQLite file raises ExportTargetError.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: expected csv or json")
    filters.setdefault("kind", REAL_KINDS)
    ids = [c["id"] for c in read.list_calls(conn, since=since, **filters)]
    ids.reverse()
    if hasattr(out, "write"):
        return _write(conn, fmt, out, ids, bom=False)
    path = check_export_target(out, db)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A half-written file never replaces a good one: write beside it, then rename. mkstemp makes it 0600,
    # kept so: the table holds debtors' names, phones and accounts (share it on purpose, with chmod).
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            n = _write(conn, fmt, fh, ids, bom=True)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return n


def _write(conn, fmt: str, fh: IO[str], ids: list[str], *, bom: bool) -> int:
    if fmt == "csv":
        if bom:
            fh.write("\ufeff")
        writer = csv.writer(fh, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(CSV_HEADER)
        for cid in ids:
            call = read.get_call(conn, cid)
            if call is not None:
                writer.writerow(csv_row(call))
        return len(ids)
    fh.write("[")
    for i, cid in enumerate(ids):
        call = read.get_call(conn, cid)
        # No Infinity/NaN: they are not JSON, and other tools refuse the whole file
        fh.write(("\n" if i == 0 else ",\n") + json.dumps(finite(call), ensure_ascii=False, allow_nan=False))
    fh.write("\n]\n" if ids else "]\n")
    return len(ids)


def to_csv_text(conn: sqlite3.Connection, **filters) -> str:
    buf = io.StringIO(newline="")
    export(conn, "csv", buf, **filters)
    return buf.getvalue()
