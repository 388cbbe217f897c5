"""``callassist records list|show|search|export|recover|audio|purge-audio``: read the call records database.

Exit status: 0 ok; 1 nothing found (unknown call id); 2 unusable input (missing or corrupt database, bad date).
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import sys
import unicodedata
from pathlib import Path

from assist.textsafe import finite, printable

EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_BAD_INPUT = 2


def add_parser(sub) -> None:
    p = sub.add_parser("records", help="list, show, search and export call records",
                       description="Read the call records database (催收记录).")
    rsub = p.add_subparsers(dest="records_command", metavar="ACTION")
    rsub.required = True

    def common(sp, *, json_flag=True, filters=True):
        sp.add_argument("--db", metavar="PATH", help="records database (default: the app's database)")
        if json_flag:
            sp.add_argument("--json", action="store_true", help="print JSON instead of a table")
        if filters:
            sp.add_argument("--since", metavar="DATE", help="calls on or after DATE (YYYY-MM-DD, the call's local date)")
            sp.add_argument("--until", metavar="DATE", help="calls on or before DATE (YYYY-MM-DD)")
            sp.add_argument("--agent", metavar="ID", help="agent 工号 or name")
            sp.add_argument("--debtor", metavar="X", help="debtor name, phone or account")
            sp.add_argument("--rule", metavar="RULE", help="calls with an alert for this rule id")
            sp.add_argument("--stage", metavar="STAGE", help="calls that reached this stage id")
            ptp = sp.add_mutually_exclusive_group()
            ptp.add_argument("--ptp", dest="ptp", action="store_const", const=True, default=None,
                             help="only calls with a promise to pay")
            ptp.add_argument("--no-ptp", dest="ptp", action="store_const", const=False,
                             help="only calls without a promise to pay")
            sp.add_argument("--status", choices=("active", "completed", "interrupted", "failed"))

    sp = rsub.add_parser("list", help="list calls, newest first")
    common(sp)
    sp.add_argument("--limit", type=int, default=50, metavar="N", help="at most N calls (default 50; 0 = all)")

    sp = rsub.add_parser("show", help="one call in full: transcript, stages, alerts, suggestions, promise")
    sp.add_argument("call_id", metavar="CALL_ID", help="call id (a unique prefix is enough)")
    common(sp, filters=False)

    sp = rsub.add_parser("search", help="full-text search of transcripts (Chinese-aware)")
    sp.add_argument("query", metavar="QUERY", help="words to find; all must occur in one utterance")
    sp.add_argument("--sounds-like", action="store_true",
                    help="also match words that sound the same (逾期 finds 预期: recognition homophones)")
    common(sp)
    sp.add_argument("--limit", type=int, default=50, metavar="N", help="at most N hits (default 50)")

    sp = rsub.add_parser("recover", help="copy what is readable of a damaged database into a new file",
                         description="Copy every readable call of a damaged records database into a new "
                         "database (the damaged file is only read). Then use the new file.")
    sp.add_argument("--db", metavar="PATH", help="the damaged records database (default: the app's database)")
    sp.add_argument("--out", metavar="PATH", required=True, help="the new database to create (must not exist)")

    sp = rsub.add_parser("export", help="export the 催收记录表 as CSV (for Excel) or JSON")
    sp.add_argument("--format", required=True, choices=("csv", "json"), dest="fmt")
    sp.add_argument("--out", metavar="PATH", help="output file (default: stdout); never the records database")
    sp.add_argument("--force", action="store_true", help="overwrite an existing --out file without asking")
    common(sp, json_flag=False)

    sp = rsub.add_parser("audio", help="save the kept recording of one call (Ogg/Opus as kept, or WAV)",
                         description="Save the call's kept recording (设置 → 保留通话录音) to --out: .wav is "
                         "converted (16 kHz; a two-party call is stereo: left the agent, right the debtor), any "
                         "other name gets the Ogg/Opus file as kept.")
    sp.add_argument("call_id", metavar="CALL_ID", help="call id (a unique prefix is enough)")
    sp.add_argument("--out", metavar="PATH", required=True, help="file to write (.wav converts; never the database)")
    sp.add_argument("--force", action="store_true", help="overwrite an existing --out file without asking")
    common(sp, json_flag=False, filters=False)

    sp = rsub.add_parser("purge-audio", help="delete kept recordings older than N days (the records stay)",
                         description="Delete the kept recordings of calls that started more than --days days "
                         "ago; their records, transcripts and alerts stay. The app does this at start-up and "
                         "daily with the retention days of its settings.")
    sp.add_argument("--days", type=int, required=True, metavar="N", help="keep recordings of the last N days (≥ 1)")
    common(sp, json_flag=False, filters=False)


def _filters(args) -> dict:
    keys = ("since", "until", "agent", "debtor", "rule", "stage", "ptp", "status")
    return {k: getattr(args, k) for k in keys if getattr(args, k, None) is not None}


def _err(msg: str) -> None:
    print(f"callassist records: {msg}", file=sys.stderr)


def run(args) -> int:
    from assist import paths
    from assist.store import ExportTargetError, FilterError, RecordStore, RecordStoreError

    db = Path(args.db) if args.db else paths.default_db_path()
    if db.exists() and not db.is_file():
        _err(f"记录数据库路径不是文件: {db} (not a file)")
        return EXIT_BAD_INPUT
    if not db.is_file():
        _err(f"记录数据库不存在: {db} (records database not found; record a call first or pass --db)")
        return EXIT_BAD_INPUT
    if args.records_command == "recover":
        return _recover(db, Path(args.out))
    if args.records_command == "purge-audio" and args.days < 1:
        _err(f"--days 至少为 1 (got {args.days})")
        return EXIT_BAD_INPUT
    errors: list[str] = []
    try:
        store = RecordStore(db, create=False, on_error=errors.append)
    except RecordStoreError as exc:
        _err(str(exc))
        return EXIT_BAD_INPUT
    try:
        # The open queued its recovery (calls of dead writers → interrupted) and the replay of rescue files
        # as the writer's first jobs: let them land before reading, or the first look after a crash lies.
        if not store.wait_opened(10.0):
            _err(f"记录数据库被占用，崩溃恢复尚未完成，以下结果可能不是最新: {db} (database busy)")
        action = args.records_command
        if action == "list":
            return _list(store, args)
        if action == "show":
            return _show(store, args)
        if action == "search":
            return _search(store, args)
        if action == "audio":
            return _audio(store, args)
        if action == "purge-audio":
            n = store.purge_audio(args.days)
            print(f"已删除 {n} 个超过 {args.days} 天的通话录音（通话记录保留）")
            return EXIT_OK
        return _export(store, args)
    except (FilterError, ExportTargetError) as exc:
        _err(str(exc))
        return EXIT_BAD_INPUT
    except sqlite3.DatabaseError as exc:   # damage quick_check did not see at open
        from assist.store.db import db_error_message

        _err(db_error_message(exc, db).replace("，正在重试", ""))
        return EXIT_BAD_INPUT
    except OSError as exc:
        _err(f"无法写入输出文件: {exc}")
        return EXIT_BAD_INPUT
    finally:
        store.close(timeout=5.0)


# --- output helpers ------------------------------------------------------------------------------------------

def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, width: int) -> str:
    text = printable(text)
    out, used = "", 0
    for ch in text:
        w = _width(ch)
        if used + w > width:
            return out[: max(0, len(out) - 1)] + "…" + " " * (width - used)
        out += ch
        used += w
    return out + " " * (width - used)


def _table(headers: list[str], rows: list[list[str]], max_widths: list[int]) -> str:
    widths = [min(mw, max([_width(h)] + [_width(r[i]) for r in rows])) for i, (h, mw) in enumerate(zip(headers, max_widths))]
    lines = ["  ".join(_fit(h, w) for h, w in zip(headers, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_fit(c, w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines)


def _dur(seconds) -> str:
    if seconds is None:
        return "-"
    s = int(round(float(seconds)))
    return f"{s // 60}:{s % 60:02d}"


def _ptp_text(ptp: dict | None) -> str:
    if not ptp:
        return "-"
    amount = ptp.get("amount")
    if amount is not None:
        amount = f"{amount:.0f}" if float(amount).is_integer() else f"{amount:.2f}"
    return " ".join(str(x) for x in (amount, ptp.get("date"), ptp.get("channel")) if x is not None)


def _json_out(obj) -> None:
    # ensure_ascii=False keeps Chinese readable; control characters are escaped by json itself
    print(json.dumps(finite(obj), ensure_ascii=False, indent=1, allow_nan=False))


# --- actions -------------------------------------------------------------------------------------------------

def _list(store, args) -> int:
    calls = store.list_calls(limit=args.limit or None, **_filters(args))
    if args.json:
        _json_out(calls)
        return EXIT_OK
    if not calls:
        print("没有符合条件的通话 (no calls)")
        return EXIT_OK
    from assist.store.export import STATUS_NAMES

    rows = [[c["id"], c["started_at"][:19].replace("T", " "), _dur(c["duration"]),
             STATUS_NAMES.get(c["status"], c["status"]),
             " ".join(x for x in (c["agent_name"], c["agent_id"]) if x) or "-", c["debtor_name"] or "-",
             ", ".join(f"{k}×{v}" for k, v in sorted(c["alerts"].items())) or "-", _ptp_text(c["ptp"])]
            for c in calls]
    print(_table(["ID", "时间", "时长", "状态", "坐席", "债务人", "告警", "承诺还款"], rows,
                 [36, 19, 6, 11, 16, 10, 40, 28]))
    print(f"\n{len(calls)} 通通话")
    _sync_line(store.path)
    return EXIT_OK


def _sync_line(db: Path) -> None:
    """团队同步: 已同步 / 待同步 N 通 / 服务器不可达 — only when a team server is configured."""
    from assist.team.sync import sync_status_line

    line = sync_status_line(db)
    if line:
        print(line)


def _resolve(store, call_id: str):
    call = store.get_call(call_id)
    if call is not None:
        return call, None
    matches = [c["id"] for c in store.list_calls() if c["id"].startswith(call_id)]
    if len(matches) == 1:
        return store.get_call(matches[0]), None
    if len(matches) > 1:
        return None, f"通话ID前缀 {call_id!r} 不唯一: {', '.join(matches[:5])}"
    return None, f"未找到通话: {call_id} (no such call)"


def _show(store, args) -> int:
    call, problem = _resolve(store, args.call_id)
    if call is None:
        _err(problem)
        return EXIT_NOT_FOUND
    if args.json:
        _json_out(call)
        return EXIT_OK
    from assist.store.export import STAGE_NAMES, STATUS_NAMES, stage_path

    out = io.StringIO()

    def w(line: str) -> None:   # every stored value may hold control characters: shown escaped
        out.write(printable(line[:-1], keep_newlines=True) + "\n" if line.endswith("\n") else printable(line))

    w(f"通话 {call['id']}  [{STATUS_NAMES.get(call['status'], call['status'])}]\n")
    w(f"  时间: {call['started_at']}  →  {call['ended_at'] or '-'}   时长 {_dur(call['duration'])}\n")
    w(f"  坐席: {call['agent_name'] or '-'}  工号: {call['agent_id'] or '-'}   来源: {call['source'] or '-'}\n")
    w(f"  债务人: {call['debtor_name'] or '-'}  电话: {call['phone'] or '-'}  账号: {call['account'] or '-'}\n")
    w(f"  阶段: {' → '.join(STAGE_NAMES.get(s, s) for s in stage_path(call)) or '-'}\n")
    w(f"  承诺还款: {_ptp_text(call['ptp'])}\n")
    if call["error"]:
        w(f"  说明: {call['error']}\n")
    if call["notes"]:
        w(f"  备注: {call['notes']}\n")
    audio = call.get("audio")
    if audio and audio.get("purged_at"):
        w(f"  录音: 已按保留天数删除 ({audio['purged_at']})\n")
    elif audio:
        sides = "坐席+对方（左/右声道）" if len(audio["channels"]) > 1 else "坐席"
        w(f"  录音: {audio['path']}  {_dur(audio['seconds'])}  {sides}"
          + (f"  ⚠ {audio['error']}" if audio["error"] else "") + "\n")
    by_utt: dict = {}
    for a in call["alerts"]:
        by_utt.setdefault(a["utterance"], []).append(a)
    w("\n通话文本:\n")
    for u in call["utterances"]:
        start = "--:--" if u["start"] is None else _dur(u["start"]).rjust(5)
        flag = "" if u["is_final"] else " (未完成)"
        w(f"  [{start}] #{u['utterance']} ({u['stage'] or '-'}) {u['text']}{flag}\n")
        for a in by_utt.get(u["utterance"], []):
            w(f"           ⚠ {a['rule']} ({a['severity']}): {a['evidence']}{_alert_flags(a)}\n")
    for a in by_utt.get(None, []):
        w(f"  ⚠ {a['rule']} ({a['severity']}) [通话规则] {a['evidence']}{_alert_flags(a)}\n")
    used = [s for s in call["suggestions"] if s["used"]]
    w(f"\n话术建议: {len(call['suggestions'])} 条，采用 {len(used)} 条\n")
    for s in used:
        w(f"  ✓ [{s['line_id']}] {s['text']}\n")
    print(out.getvalue().rstrip("\n"))
    return EXIT_OK


def _alert_flags(a: dict) -> str:
    flags = []
    if a["retracted"]:
        flags.append("已撤回")
    if a["dismissed"]:
        flags.append("已忽略")
    return f" [{', '.join(flags)}]" if flags else ""


def _search(store, args) -> int:
    hits = store.search(args.query, limit=args.limit, sounds_like=args.sounds_like, **_filters(args))
    if args.json:
        _json_out(hits)
        return EXIT_OK
    if not hits:
        print(f"未找到 “{args.query}” (no matches)")
        return EXIT_OK
    rows = [[h["call_id"], h["started_at"][:16].replace("T", " "), h["debtor_name"] or "-", f"#{h['utterance']}",
             h["snippet"]] for h in hits]
    print(_table(["通话ID", "时间", "债务人", "句", "内容"], rows, [36, 16, 10, 5, 80]))
    print(f"\n{len(hits)} 条结果")
    return EXIT_OK


def _recover(db: Path, out: Path) -> int:
    from assist.store import RecordStoreError
    from assist.store.recover import recover

    try:
        result = recover(db, out)
    except RecordStoreError as exc:
        _err(str(exc))
        return EXIT_BAD_INPUT
    skipped = sum(result.unreadable.values())
    detail = "，".join(f"{t} {n}" for t, n in result.rows.items())
    print(f"已恢复 {result.calls} 通通话到 {out}（{detail}）" + (f"；跳过 {skipped} 处无法读取的数据" if skipped else "")
          + (f"，{result.orphans} 条所属通话已丢失的记录" if result.orphans else ""))
    print(f"请改用新文件：设置 → 记录数据库，或 --db {out}；损坏的文件 {db} 未被改动，可留作备份")
    return EXIT_OK


def _audio(store, args) -> int:
    import numpy as np

    from assist.audio.errors import AudioFileError
    from assist.store.audio import decode
    from assist.store.export_target import check_export_target

    call, problem = _resolve(store, args.call_id)
    if call is None:
        _err(problem)
        return EXIT_NOT_FOUND
    audio = call.get("audio")
    if audio is None or audio.get("purged_at"):
        _err(f"这通电话没有保存录音: {call['id']}" + (f"（已于 {audio['purged_at']} 按保留天数删除）" if audio else
                                              "（保存录音需在设置中勾选“保留通话录音”）") + " (no kept audio)")
        return EXIT_NOT_FOUND
    out = check_export_target(args.out, store.path)
    if out.exists() and not args.force and not _confirm_overwrite(out):
        _err(f"文件已存在，未覆盖: {out} (exists; pass --force to overwrite)")
        return EXIT_BAD_INPUT
    try:
        if out.suffix.lower() == ".wav":
            samples = decode(audio["path"])
            data = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
            raw = _wav_bytes(data, channels=samples.shape[1])
        else:
            raw = Path(audio["path"]).read_bytes()
    except (AudioFileError, OSError) as exc:
        _err(str(exc) if isinstance(exc, AudioFileError) else f"无法读取录音文件: {exc}")
        return EXIT_NOT_FOUND
    from assist.private import open_fd

    with open(open_fd(out, os.O_WRONLY | os.O_TRUNC), "wb") as fh:   # the debtor's voice: 0600
        fh.write(raw)
    print(f"已保存录音到 {out}（{_dur(audio['seconds'])}）", file=sys.stderr)
    return EXIT_OK


def _wav_bytes(pcm: bytes, *, channels: int, rate: int = 16000) -> bytes:
    import wave

    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return buf.getvalue()


def _confirm_overwrite(path: Path) -> bool:
    """Ask on a terminal; a script (no TTY) gets a refusal instead of a silent overwrite."""
    if not (sys.stdin and sys.stdin.isatty()):
        return False
    try:
        answer = input(f"文件已存在: {path}，覆盖吗？[y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes", "是")


def _export(store, args) -> int:
    filters = _filters(args)
    since = filters.pop("since", None)
    if args.out:
        from assist.store.export_target import check_export_target

        out = check_export_target(args.out, store.path)
        if out.exists() and not args.force and not _confirm_overwrite(out):
            _err(f"文件已存在，未覆盖: {out} (exists; pass --force to overwrite)")
            return EXIT_BAD_INPUT
        n = store.export(args.fmt, out, since=since, **filters)
        print(f"已导出 {n} 通通话到 {args.out}", file=sys.stderr)
        return EXIT_OK
    sys.stdout.flush()
    # stdout: UTF-8 whatever the console code page; CSV gets the BOM so a redirected file opens in Excel.
    stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="", write_through=True) \
        if hasattr(sys.stdout, "buffer") else sys.stdout
    try:
        if args.fmt == "csv":
            stream.write("\ufeff")
        store.export(args.fmt, stream, since=since, **filters)
        stream.flush()
    finally:
        if stream is not sys.stdout:
            stream.detach()
    return EXIT_OK
