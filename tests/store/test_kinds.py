"""Bug 8: test calls and empty calls (a stray F9) are told apart from real ones, left out of the 催收记录表,
can be marked as tests, and deleted with a record of what was deleted."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest

from assist import events as ev
from assist.case import CaseData
from assist.store import RecordStore
from assist.store.schema import REAL_KINDS

TZ = timezone(timedelta(hours=8))
CASE = CaseData(debtor_name="张伟", phone="13800001111", amount=3680, agent_name="王芳", agent_id="A023")


def _call(store, cid, *, source="mic", kind=None, said=("您好，我是华信银行工号A023的王芳。",), minute=0):
    store.begin_call(cid, started_at=datetime(2026, 11, 20, 10, minute, tzinfo=TZ), case=CASE, source=source,
                     kind=kind)
    for i, text in enumerate(said):
        store.record(cid, ev.UtteranceFinal(utterance=i, start=i * 3.0, end=i * 3.0 + 2, text=text, stage="greet",
                                            t=i * 3.0 + 2.5))
    if said:
        store.record(cid, ev.Alert(rule="threat", severity="critical", utterance=0, evidence="单位", source="final",
                                   t=2.6))
    store.record(cid, ev.CallEnded(call_id=cid, duration=4.0, alerts={}, ptp=None, t=4.0))


@pytest.fixture()
def store(tmp_path):
    with RecordStore(tmp_path / "records.sqlite3") as s:
        _call(s, "live", minute=1)
        _call(s, "rehearsal", source="/home/agent/录音/d01.wav", kind="test", minute=2)
        _call(s, "stray-f9", said=(), minute=3)
        _call(s, "analysed", source="/data/d02.wav", minute=4)
        assert s.flush()
        yield s


def test_kinds_from_source_and_content(store):
    kinds = {c["id"]: c["kind"] for c in store.list_calls()}
    assert kinds == {"live": "call", "rehearsal": "test", "stray-f9": "empty", "analysed": "file"}
    assert {c["id"] for c in store.list_calls(kind=REAL_KINDS)} == {"live", "analysed"}
    assert [h["call_id"] for h in store.search("华信银行", kind=REAL_KINDS)] == ["analysed", "live"]
    with pytest.raises(ValueError):
        store.begin_call("x", started_at=datetime.now(TZ), kind="demo")


def test_export_leaves_out_tests_and_empty_calls(store):
    buf = io.StringIO(newline="")
    assert store.export("csv", buf) == 2
    rows = list(csv.reader(buf.getvalue().splitlines()))
    assert sorted(r[0] for r in rows[1:]) == ["analysed", "live"]
    assert {r[-2] for r in rows[1:]} == {"通话", "录音分析"} and {r[-1] for r in rows[1:]} == {"0.0"}
    assert store.export("json", io.StringIO(), kind=None) == 4          # asked for: everything


def test_mark_as_test_and_delete_is_recorded(store):
    store.set_kind("live", "test")
    assert store.flush()
    assert store.get_call("live")["kind"] == "test"
    store.set_kind("live", "call")
    store.delete_call("rehearsal", reason="培训用的测试通话")
    assert store.flush()
    assert store.get_call("rehearsal") is None
    assert "rehearsal" not in {c["id"] for c in store.list_calls()}
    assert store.search("华信银行", kind="test") == []                   # its transcript went with it
    (gone,) = store.deletions()
    assert gone["call_id"] == "rehearsal" and gone["kind"] == "test" and gone["reason"] == "培训用的测试通话"
    assert gone["agent_id"] == "A023" and gone["debtor_name"] == "张伟" and gone["utterances"] == 1
    assert gone["alerts"] == {"threat": 1} and gone["deleted_at"]
    with pytest.raises(ValueError):
        store.set_kind("live", "demo")


def test_kinds_survive_reopening(tmp_path, store):
    store.close()
    with RecordStore(store.path) as again:
        assert again.get_call("stray-f9")["kind"] == "empty"
        assert len(again.deletions()) == 0
