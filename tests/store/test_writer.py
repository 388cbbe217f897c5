"""The write side: what each event leaves in the database, and nothing lost when the database is locked,
full, or still unwritable when the store closes."""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime, timedelta, timezone

import pytest

from assist import events as ev
from assist.case import CaseData
from assist.store import RecordStore

from .conftest import feed_call, wait_for

START = datetime(2026, 10, 12, 10, 15, tzinfo=timezone(timedelta(hours=8)))


def test_dev_call_is_recorded_in_full(store, dev_calls):
    call = next(c for c in dev_calls if c["id"] == "d07")
    feed_call(store, call)
    assert store.flush(10)
    got = store.get_call("d07")
    assert got["status"] == "completed"
    assert got["started_at"] == "2026-10-13T13:10:00+08:00"
    assert got["ended_at"] == "2026-10-13T13:11:00+08:00"
    assert got["duration"] == 60.0
    assert got["agent_id"] == "8001" and got["debtor_name"] == "债务人07"
    assert got["case"]["account"] == "6222020200000000007"
    assert [u["text"] for u in got["utterances"]] == [u["text"] for u in call["utterances"]]
    assert [u["stage"] for u in got["utterances"]] == [u["stage"] for u in call["utterances"]]
    expected_rules = sorted(r for u in call["utterances"] for r in u["rules"])
    assert sorted(a["rule"] for a in got["alerts"]) == expected_rules
    assert got["ptp"] == {"amount": 2000.0, "date": "2026-10-15", "channel": "app"}
    assert got["stages"][0]["stage"] == "greet" and got["stages"][0]["utterance"] == 0
    assert len(got["suggestions"]) == len(call["utterances"])


def test_review_actions_and_partials(store):
    store.begin_call("c1", started_at=START, case=CaseData(agent_id="8026"), source="mic")
    store.record("c1", ev.Partial(utterance=0, text="您好我是", t=1.0))           # not kept by default
    store.record("c1", ev.Alert(rule="threat", severity="critical", utterance=0, evidence="上门", source="partial",
                                t=1.1, message="威胁", advice="请改口", basis="第68条"))
    store.record("c1", ev.AlertRetracted(rule="threat", utterance=0, t=2.0))
    store.record("c1", ev.UtteranceFinal(utterance=0, start=0.2, end=1.9, text="您好，我是华信银行的刘晓雯。",
                                         stage="greet", t=2.0, raw_text="您好，我是华信银行的刘晓雯。"))
    store.record("c1", ev.Alert(rule="insult", severity="critical", utterance=0, evidence="老赖", source="final", t=2.1))
    store.record("c1", ev.Suggestion(stage="greet", text="请问是陈先生本人吗？", reason="核身", t=2.2,
                                     line_id="greet.identity", alternatives=("alt-1", {"line_id": "greet.x"})))
    store.record("c1", ev.Health(rtf=0.3, queue_depth=0, lag=0.1, t=2.2))      # ignored
    store.dismiss_alert("c1", 0, "insult")
    store.mark_suggestion_used("c1", "greet.identity", 3.0)
    store.mark_suggestion_used("c1", "support.extension", 4.0)               # never suggested: still kept
    store.set_notes("c1", "客户情绪激动，已安抚")
    store.record("c1", ev.PromiseToPay(amount=3680, date=None, channel=None, t=5.0))
    store.record("c1", ev.PromiseToPay(amount=None, date="2026-10-13", channel="app", t=6.0))
    assert store.flush(10)
    got = store.get_call("c1")
    assert got["status"] == "active"
    assert [u["text"] for u in got["utterances"]] == ["您好，我是华信银行的刘晓雯。"]
    threat, insult = got["alerts"]
    assert threat["retracted"] and not threat["dismissed"] and threat["advice"] == "请改口" and threat["basis"] == "第68条"
    assert insult["dismissed"] and insult["dismissed_at"] and not insult["retracted"]
    used = {s["line_id"]: s for s in got["suggestions"]}
    assert used["greet.identity"]["used"] and used["greet.identity"]["used_at"] == 3.0
    assert used["greet.identity"]["alternatives"] == ["alt-1", {"line_id": "greet.x"}]
    assert used["support.extension"]["used"]
    assert got["notes"] == "客户情绪激动，已安抚"
    assert got["ptp"] == {"amount": 3680.0, "date": "2026-10-13", "channel": "app"}  # slots merged
    assert len(got["ptp_history"]) == 2
    assert store.list_calls()[0]["alerts"] == {"insult": 1}


def test_partials_are_not_records(tmp_path):
    # Only finals are the record (the live view shows partials); a partial queued by mistake writes nothing.
    with RecordStore(tmp_path / "r.sqlite3") as store:
        store.begin_call("c1", started_at=START)
        store.record("c1", ev.Partial(utterance=0, text="您好我", t=0.5))
        store.record("c1", ev.UtteranceFinal(utterance=0, start=0, end=1.5, text="您好，我是华信银行。", stage="greet", t=1.6))
        store.record("c1", ev.Partial(utterance=1, text="请问是", t=2.0))
        assert store.flush(10)
        utts = store.get_call("c1")["utterances"]
    assert [(u["text"], u["is_final"]) for u in utts] == [("您好，我是华信银行。", True)]


def test_fail_and_discard(store):
    store.begin_call("bad", started_at=START)
    store.begin_call("broken", started_at=START)
    store.record("broken", ev.UtteranceFinal(utterance=0, start=0, end=1, text="您好", stage="greet", t=1))
    store.fail_call("broken", "模型加载失败", duration=1.0)
    store.discard_call("bad")
    assert store.flush(10)
    assert store.get_call("bad") is None
    broken = store.get_call("broken")
    assert broken["status"] == "failed" and broken["error"] == "模型加载失败"
    assert [c["id"] for c in store.list_calls(status="failed")] == ["broken"]


def test_record_never_blocks_and_commits_each_event_promptly(store):
    store.begin_call("c1", started_at=START)
    store.record("c1", ev.UtteranceFinal(utterance=0, start=0, end=1, text="您好", stage="greet", t=1))
    assert store.flush(10)
    # Visible to another connection (another process) once flushed: committed, not just queued.
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT text FROM utterances").fetchall() == [("您好",)]


def test_locked_database_is_reported_retried_and_the_write_lands(store, errors):
    store.begin_call("c1", started_at=START)
    assert store.flush(10)
    blocker = sqlite3.connect(store.path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        t0 = time.perf_counter()
        store.record("c1", ev.UtteranceFinal(utterance=0, start=0, end=1, text="您的欠款已经逾期", stage="confirm_debt", t=1))
        assert wait_for(lambda: errors, 10), "on_error was not called while the database was locked"
        for _i in range(1, 20):  # the live call goes on: queuing never waits for the database
            store.record("c1", ev.Alert(rule="threat", severity="critical", utterance=0, evidence="x", source="final", t=1))
        assert time.perf_counter() - t0 < 5.0
        t1 = time.perf_counter()
        store.record("c1", ev.StageChanged(stage="plan", t=2))
        assert time.perf_counter() - t1 < 0.05
        assert "记录数据库被占用，正在重试" in errors[0]
        assert store.pending >= 1
        assert not store.flush(0.3)  # still waiting: nothing was dropped, nothing committed
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert store.flush(10)
    assert store.pending == 0
    got = store.get_call("c1")
    assert [u["text"] for u in got["utterances"]] == ["您的欠款已经逾期"]
    assert len(got["alerts"]) == 19 and got["stages"][0]["stage"] == "plan"


def test_full_disk_is_reported_and_writes_land_when_space_returns(tmp_path, errors):
    conns = []

    def cap(conn):
        conns.append(conn)

    store = RecordStore(tmp_path / "r.sqlite3", on_error=errors.append, on_connect=cap, busy_timeout_s=0.2,
                        backoff_s=(0.02, 0.2))
    try:
        store.begin_call("c1", started_at=START)
        assert store.flush(10)
        writer_conn = conns[0]
        pages = writer_conn.execute("PRAGMA page_count").fetchone()[0]
        writer_conn.execute(f"PRAGMA max_page_count = {pages}")  # the 'disk' is now full
        long_text = "您好，您的信用卡已经逾期三十五天，请尽快还款。" * 200
        for i in range(5):
            store.record("c1", ev.UtteranceFinal(utterance=i, start=i, end=i + 1, text=long_text, stage="greet", t=i + 1))
        assert wait_for(lambda: errors, 10)
        assert "磁盘已满，通话记录暂存内存，稍后重试" in errors[0]
        assert store.pending >= 5
        writer_conn.execute("PRAGMA max_page_count = 1073741823")  # space freed
        assert store.flush(10)
        assert len(store.get_call("c1")["utterances"]) == 5
    finally:
        store.close()


def test_close_while_unwritable_saves_a_rescue_file_that_the_next_open_replays(tmp_path, errors):
    path = tmp_path / "r.sqlite3"
    store = RecordStore(path, on_error=errors.append, busy_timeout_s=0.1, backoff_s=(0.02, 0.1))
    store.begin_call("c1", started_at=START)
    assert store.flush(10)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    store.record("c1", ev.UtteranceFinal(utterance=0, start=0, end=1, text="第一句", stage="greet", t=1))
    store.record("c1", ev.CallEnded(call_id="c1", duration=2.0, alerts={}, ptp=None, t=2.0))
    store.close(timeout=0.5)
    blocker.execute("ROLLBACK")
    blocker.close()
    rescue = list(tmp_path.glob("r.sqlite3.pending-*.jsonl"))
    assert len(rescue) == 1
    assert any("已暂存到" in e for e in errors)

    with RecordStore(path) as again:
        assert again.flush(10)
        got = again.get_call("c1")
        assert [u["text"] for u in got["utterances"]] == ["第一句"]
        assert got["status"] == "completed"
    assert not list(tmp_path.glob("r.sqlite3.pending-*.jsonl"))


@pytest.mark.logs_errors("assist.store.writer")  # the op that can never succeed is logged, then rescued
def test_an_impossible_write_is_reported_and_does_not_block_the_rest(store, errors, tmp_path):
    store.begin_call("c1", started_at=START)
    store.record("ghost", ev.UtteranceFinal(utterance=0, start=0, end=1, text="无主", stage="greet", t=1))
    store.record("c1", ev.UtteranceFinal(utterance=0, start=0, end=1, text="正常", stage="greet", t=1))
    assert store.flush(10)
    assert [u["text"] for u in store.get_call("c1")["utterances"]] == ["正常"]
    assert any("无法写入" in e for e in errors)
    saved = list(tmp_path.glob("records.sqlite3.pending-*.jsonl"))
    assert len(saved) == 1 and "无主" in saved[0].read_text(encoding="utf-8")


def test_closed_store_refuses_writes(tmp_path):
    store = RecordStore(tmp_path / "r.sqlite3")
    store.close()
    with pytest.raises(RuntimeError):
        store.begin_call("c1", started_at=START)


def test_rescue_files_are_replayed_only_once_their_writer_is_gone(tmp_path):
    import json

    path = tmp_path / "r.sqlite3"
    a = RecordStore(path)
    a.begin_call("c1", started_at=START)
    assert a.flush(10)

    def op(idx, text):
        return json.dumps({"op": "utterance", "call_id": "c1", "idx": idx, "text": text, "raw_text": "", "start": 0.0,
                           "end": 1.0, "stage": "greet", "t": 1.0}, ensure_ascii=False) + "\n"

    live_file = a._writer.rescue_path
    live_file.write_text(op(0, "活着的写入者"), encoding="utf-8")
    dead_file = tmp_path / "r.sqlite3.pending-0123dead.jsonl"
    dead_file.write_text(op(1, "已退出的写入者"), encoding="utf-8")

    with RecordStore(path) as b:
        assert b.flush(10)
        assert [u["text"] for u in b.get_call("c1")["utterances"]] == ["已退出的写入者"]
    assert not dead_file.exists() and live_file.exists()
    a.close()
    with RecordStore(path) as c:
        assert c.flush(10)
        assert [u["text"] for u in c.get_call("c1")["utterances"]] == ["活着的写入者", "已退出的写入者"]
    assert not list(tmp_path.glob("r.sqlite3.pending-*"))
