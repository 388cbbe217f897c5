"""The 催收记录表 export: CSV that Excel opens (BOM, CRLF, quoting) and JSON that round-trips."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

from assist import events as ev
from assist.case import CaseData
from assist.store.export import CSV_HEADER


def _read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM: Excel would show mojibake"
    text = raw[3:].decode("utf-8")
    return raw, list(csv.reader(io.StringIO(text, newline="")))


def test_csv_export_opens_in_excel(filled, dev_calls, tmp_path):
    out = tmp_path / "out" / "催收记录.csv"
    assert filled.export("csv", out) == 16
    raw, rows = _read_csv(out)
    assert tuple(rows[0]) == CSV_HEADER
    assert len(rows) == 17
    # Rows end in CRLF; newlines inside a cell (the transcript) are quoted, not row breaks.
    assert raw.count(b"\r\n") >= 17
    by_id = {r[0]: dict(zip(CSV_HEADER, r)) for r in rows[1:]}
    d01 = by_id["d01"]
    assert d01["通话时间"] == "2026-10-12T10:15:00+08:00"
    assert d01["债务人"] == "债务人01" and d01["工号"] == "8001" and d01["时长(秒)"] == "60.0"
    assert d01["账号"] == "\t6222020200000000001"  # kept as text: Excel would round a 19-digit number
    assert d01["承诺还款金额"] == "3680" and d01["承诺还款日期"] == "2026-10-13" and d01["还款渠道"] == "官方App"
    lines = d01["通话文本"].split("\n")
    assert len(lines) == len(dev_calls[0]["utterances"])
    assert lines[0] == "[00:00] " + dev_calls[0]["utterances"][0]["text"]
    assert d01["经过阶段"].startswith("建立联系 → 确认欠款事实")
    assert by_id["d07"]["告警"].count("\n") == 1 and "威胁恐吓（严重）" in by_id["d07"]["告警"]
    assert by_id["d05"]["承诺还款金额"] == ""
    # Oldest first, like a register.
    assert [r[1] for r in rows[1:]] == sorted(r[1] for r in rows[1:])


def test_csv_cells_cannot_become_formulas(store, tmp_path):
    tz = timezone(timedelta(hours=8))
    store.begin_call("c1", started_at=datetime(2026, 10, 1, 9, 0, tzinfo=tz),
                     case=CaseData(debtor_name="=HYPERLINK(\"http://x\")", phone="01012345678", agent_id="8026"))
    store.record("c1", ev.UtteranceFinal(utterance=0, start=0, end=1, text='他说"好的"，逗号,也在', stage="greet", t=1))
    store.set_notes("c1", "+1 已复核")
    assert store.flush(10)
    out = tmp_path / "x.csv"
    store.export("csv", out)
    _, rows = _read_csv(out)
    row = dict(zip(CSV_HEADER, rows[1]))
    assert row["债务人"] == "'=HYPERLINK(\"http://x\")"
    assert row["备注"] == "'+1 已复核"
    assert row["电话"] == "\t01012345678"  # leading zero kept
    assert row["通话文本"] == '[00:00] 他说"好的"，逗号,也在'
    assert row["状态"] == "进行中"


def test_json_export_round_trips_and_since_filters(filled, tmp_path):
    out = tmp_path / "all.json"
    assert filled.export("json", out, since="2026-11-01") == 6
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [c["id"] for c in data] == ["d11", "d12", "d13", "d14", "d15", "d16"]
    d16 = data[-1]
    assert d16["ptp"] == {"amount": 2000.0, "date": "2026-12-11", "channel": None}
    assert d16["utterances"][0]["text"].startswith("您好，这里是信和消费金融")
    assert {"alerts", "suggestions", "stages", "ptp_history", "case", "notes"} <= set(d16)


def test_export_of_an_empty_database_and_a_stream(store):
    buf = io.StringIO()
    assert store.export("json", buf) == 0
    assert json.loads(buf.getvalue()) == []
    buf = io.StringIO(newline="")
    assert store.export("csv", buf) == 0
    assert buf.getvalue() == ",".join(CSV_HEADER) + "\r\n"


def test_csv_speaks_chinese_and_uses_the_views_clock(store, tmp_path):
    """Issue 12: English rule ids, 已忽略 for an alert the agent acknowledged, and a line's time rounded up
    (00:06 in the CSV, 00:05 on screen)."""
    from assist.labels import format_clock

    tz = timezone(timedelta(hours=8))
    store.begin_call("c1", started_at=datetime(2026, 10, 1, 9, 0, tzinfo=tz), case=CaseData(agent_id="8026"))
    store.record("c1", ev.UtteranceFinal(utterance=0, start=5.7, end=8, text="再不还就去你单位", stage="consequence",
                                         t=8.2))
    store.record("c1", ev.Alert(rule="threat", severity="critical", utterance=0, evidence="去你单位", source="final",
                                t=8.3))
    store.dismiss_alert("c1", 0, "threat")
    assert store.flush(10)
    out = tmp_path / "x.csv"
    store.export("csv", out)
    _, rows = _read_csv(out)
    row = dict(zip(CSV_HEADER, rows[1]))
    assert row["告警"] == "[00:08] 威胁恐吓（严重）：去你单位（坐席已确认）"
    assert row["通话文本"] == f"[{format_clock(5.7)}] 再不还就去你单位" == "[00:05] 再不还就去你单位"


def test_speaker_is_kept_searched_and_exported(store, tmp_path):
    """Two-party calls (schema v7): each utterance keeps its speaker; search hits, get_call, JSON and CSV say it."""
    tz = timezone(timedelta(hours=8))
    store.begin_call("c2", started_at=datetime(2026, 11, 11, 14, 5, tzinfo=tz), case=CaseData(agent_id="6032"))
    store.record("c2", ev.UtteranceFinal(utterance=0, start=0.5, end=3.0, text="您好，请问您什么时候能还款？",
                                         stage="willingness", t=3.2))
    store.record("c2", ev.UtteranceFinal(utterance=1, start=3.5, end=6.0, text="这个月工资还没发呢，还款再说吧。",
                                         stage="willingness", t=6.3, speaker="debtor"))
    assert store.flush(10)
    speakers = {u["utterance"]: u["speaker"] for u in store.get_call("c2")["utterances"]}
    assert speakers == {0: "agent", 1: "debtor"}
    hits = {h["utterance"]: h["speaker"] for h in store.search("还款")}
    assert hits == {0: "agent", 1: "debtor"}
    assert [h["speaker"] for h in store.search("工资")] == ["debtor"]
    out = tmp_path / "x.json"
    store.export("json", out)
    assert [u["speaker"] for u in json.loads(out.read_text(encoding="utf-8"))[0]["utterances"]] == ["agent", "debtor"]
    store.export("csv", tmp_path / "x.csv")
    _, rows = _read_csv(tmp_path / "x.csv")
    lines = dict(zip(CSV_HEADER, rows[1]))["通话文本"].split("\n")
    assert lines[0].endswith("] 您好，请问您什么时候能还款？") and "对方：这个月工资还没发呢" in lines[1]
