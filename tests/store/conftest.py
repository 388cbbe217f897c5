"""Helpers for the records tests: replay the dev calls (real Chinese collection-call text) as engine events."""

from __future__ import annotations

import json
import shutil
import time
from datetime import datetime

import pytest

from assist import events as ev
from assist.case import CaseData
from assist.store import RecordStore


def case_for(call: dict) -> CaseData:
    n = int(call["id"][1:])
    return CaseData(debtor_name=f"债务人{n:02d}", account=f"62220202000{n:08d}", phone=f"138{n:08d}",
                    amount=(call["ptp"] or {}).get("amount"), agent_name=f"坐席{n % 3}", agent_id=f"80{n % 3:02d}")


def feed_call(store: RecordStore, call: dict, *, end: bool = True, upto: int | None = None) -> str:
    """Record one dev call as a session would: utterances, stage changes, alerts, a suggestion, the promise."""
    cid = call["id"]
    store.begin_call(cid, started_at=datetime.fromisoformat(call["started_at"]), case=case_for(call),
                     source=f"{cid}.wav")
    stage = None
    utts = call["utterances"][:upto]
    for i, u in enumerate(utts):
        t0 = i * 6.0
        store.record(cid, ev.UtteranceFinal(utterance=i, start=t0, end=t0 + 4.0, text=u["text"], stage=u["stage"],
                                            t=t0 + 4.5, raw_text=u["text"]))
        if u["stage"] != stage:
            stage = u["stage"]
            store.record(cid, ev.StageChanged(stage=stage, t=t0 + 4.5))
        for rule in u["rules"]:
            utt = None if rule in ("call_time", "missing_agent_id", "ptp_incomplete") else i
            store.record(cid, ev.Alert(rule=rule, severity="critical", utterance=utt, evidence=u["text"][:6],
                                       source="final" if utt is not None else "call", t=t0 + 4.6,
                                       message=f"{rule} 提示"))
        store.record(cid, ev.Suggestion(stage=stage, text=f"下一句{i}", reason="测试", t=t0 + 4.7,
                                        line_id=f"{stage}.{i}"))
    if end:
        if call["ptp"]:
            store.record(cid, ev.PromiseToPay(t=len(utts) * 6.0, **call["ptp"]))
        store.record(cid, ev.CallEnded(call_id=cid, duration=len(utts) * 6.0, alerts={}, ptp=call["ptp"],
                                       t=len(utts) * 6.0))
    return cid


@pytest.fixture(scope="session")
def dev_calls(dev_dir) -> list[dict]:
    return json.loads((dev_dir / "calls.json").read_text(encoding="utf-8"))


@pytest.fixture
def errors() -> list[str]:
    return []


@pytest.fixture
def store(tmp_path, errors):
    s = RecordStore(tmp_path / "records.sqlite3", on_error=errors.append, busy_timeout_s=0.2, backoff_s=(0.02, 0.2))
    yield s
    s.close()


@pytest.fixture(scope="session")
def filled_db(tmp_path_factory, dev_calls):
    """A database holding all sixteen dev calls, completed (built once; tests get a copy)."""
    path = tmp_path_factory.mktemp("filled") / "records.sqlite3"
    with RecordStore(path) as s:
        for call in dev_calls:
            feed_call(s, call)
        assert s.flush(30)
    assert not path.with_name(path.name + "-wal").exists() or path.with_name(path.name + "-wal").stat().st_size == 0
    return path


@pytest.fixture
def filled(tmp_path, filled_db, errors):
    path = tmp_path / "records.sqlite3"
    shutil.copy(filled_db, path)
    s = RecordStore(path, on_error=errors.append, busy_timeout_s=0.2, backoff_s=(0.02, 0.2))
    yield s
    s.close()


def wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()
