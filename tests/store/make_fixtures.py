"""Build the old-version records databases the upgrade tests start from.

    .venv/bin/python tests/store/make_fixtures.py        # rewrites tests/store/fixtures/records_v{1..4}.sqlite3

Each fixture is made by applying the migrations up to that version (never edited once released) and writing
rows with the SQL the code of that version wrote, including a call left ``active`` by a killed process.
``build(version, path)`` is also used by a test to check the committed files match this script.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from assist.store import schema  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
OLD_VERSIONS = tuple(range(1, schema.SCHEMA_VERSION))

CALLS = [
    # id, started_at, started_ts, status, agent_name, agent_id, debtor, phone, account, duration, ptp
    ("old-done", "2026-09-01T10:00:00+08:00", 1788228000.0, "completed", "刘晓雯", "8026", "陈建国",
     "13800138000", "6222020200012345678", 61.5, (3680.0, "2026-09-02", "app")),
    ("old-killed", "2026-09-02T15:30:00+08:00", 1788334200.0, "active", "王磊", "1107", "赵丽",
     "13900139000", "6217000011112222", None, None),
]
UTTERANCES = {
    "old-done": [
        ("您好，我是华信银行信用卡中心的刘晓雯，工号八零二六。", "您好，我是华信银行信用卡中心的刘晓雯，公号八零二六。", "greet"),
        ("您尾号六六零一的信用卡已经逾期三十五天，欠款三千六百八十元。",
         "您尾号六六零一的信用卡已经预期三十五天，欠款三千六百八十元。", "confirm_debt"),
        ("再不还钱我们就上门找你，你别后悔。", "再不还钱我们就上门找你，你别后悔。", "consequence"),
        ("那您明天在官方App上还款三千六百八十元，对吗？", "那您明天在官方App上海款三千六百八十元，对吗？", "plan"),
    ],
    "old-killed": [
        ("您好，我是安信消费金融的王磊，工号一一零七。", "您好，我是安信消费金融的王磊，工号一一零七。", "greet"),
        ("您的借款已经逾期六十天了，请问什么时候能处理？", "您的借款已经逾期六十天了，请问什么时候能处理？", "confirm_debt"),
    ],
}


def v2_tokens(text: str, raw_text: str) -> str:
    """The tokens v2/v3 wrote: jieba search-mode words of both number spellings (no bigrams, no pinyin)."""
    import jieba

    from assist.text.normalize import numerals_to_digits, to_simplified

    seen: dict[str, None] = {}
    for source in (text, raw_text):
        base = to_simplified(source).lower()
        for form in dict.fromkeys((base, numerals_to_digits(base))):
            for tok in jieba.cut_for_search(form):
                tok = "".join(ch for ch in tok if ch.isalnum())
                if tok:
                    seen.setdefault(tok, None)
    return " ".join(seen)


def build(version: int, path: Path) -> Path:
    if path.exists():
        path.unlink()
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA page_size = 1024")  # small files in git
    schema.apply_migrations(conn, upto=version)
    conn.execute("BEGIN")
    for cid, started, ts, status, agent, agent_id, debtor, phone, account, duration, ptp in CALLS:
        case = (f'{{"debtor_name": "{debtor}", "account": "{account}", "phone": "{phone}", "amount": 3680.0, '
                f'"overdue_days": 35, "institution": "", "agent_name": "{agent}", "agent_id": "{agent_id}"}}')
        amount, date, channel = ptp or (None, None, None)
        conn.execute(
            "INSERT INTO calls (id, started_at, started_ts, ended_at, duration, status, source, agent_name, agent_id,"
            " case_json, debtor_name, phone, account, ptp_amount, ptp_date, ptp_channel)"
            " VALUES (?, ?, ?, ?, ?, ?, 'mic', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (cid, started, ts, None if duration is None else started.replace("10:00:00", "10:01:01"), duration,
             status, agent, agent_id, case, debtor, phone, account, amount, date, channel),
        )
        for i, (text, raw, stage) in enumerate(UTTERANCES[cid]):
            cols = 'call_id, idx, text, raw_text, start, "end", stage, is_final, t'
            values = [cid, i, text, raw, i * 6.0, i * 6.0 + 4.0, stage, 1, i * 6.0 + 4.5]
            if version >= 2:  # v2/v3 writers stored the jieba tokens with the row, v4 ones today's tokens
                from assist.store.tokens import index_tokens

                cols += ", tokens"
                values.append(index_tokens(text, raw) if version >= 4 else v2_tokens(text, raw))
            conn.execute(f"INSERT INTO utterances ({cols}) VALUES ({', '.join('?' * len(values))})", values)
    conn.execute(
        "INSERT INTO alerts (call_id, utterance, rule, severity, evidence, source, message, t)"
        " VALUES ('old-done', 2, 'threat', 'critical', '上门找你', 'final', '威胁上门', 16.5)"
    )
    conn.execute(
        "INSERT INTO alerts (call_id, utterance, rule, severity, evidence, source, t, retracted)"
        " VALUES ('old-done', 1, 'deception', 'critical', '逾期', 'partial', 9.0, 1)"
    )
    conn.execute("INSERT INTO stages (call_id, stage, utterance, t) VALUES ('old-done', 'confirm_debt', 1, 10.5)")
    conn.execute("INSERT INTO stages (call_id, stage, utterance, t) VALUES ('old-done', 'plan', 3, 22.5)")
    conn.execute("INSERT INTO ptps (call_id, amount, date, channel, t) VALUES ('old-done', 3680, '2026-09-02', 'app', 22.6)")
    conn.execute(
        "INSERT INTO suggestions (call_id, stage, text, reason, line_id, t)"
        " VALUES ('old-done', 'plan', '跟您确认一下：明天还款三千六百八十元。', '复述承诺', 'plan.readback', 22.7)"
    )
    if version >= 3:  # v3 writers stamped their calls with their lock token; this one's process is gone
        conn.execute("UPDATE calls SET owner = '0badc0de0badc0de' WHERE id = 'old-killed'")
    if version >= 2:
        conn.execute("UPDATE alerts SET dismissed = 1, dismissed_at = '2026-09-01T10:00:20+08:00' WHERE rule = 'threat'")
        conn.execute("UPDATE suggestions SET used = 1, used_at = 24.0")
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
    conn.execute("VACUUM")
    conn.close()
    return path


def main() -> None:
    FIXTURES.mkdir(exist_ok=True)
    for version in OLD_VERSIONS:
        print(build(version, FIXTURES / f"records_v{version}.sqlite3"))


if __name__ == "__main__":
    main()
