"""CallSession as the app uses it: subscribers, objections, dismissals, mute, stop mid-call."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime

import pytest

from assist.config import EngineConfig
from assist.events import CONTRACT_EVENTS, Alert, CallEnded, Suggestion, UtteranceFinal
from assist.session import CallSession
from assist.transcript import TranscriptSource

from .contract import assert_valid
from .helpers import dev_call


def _contract(events) -> list[dict]:
    return [e.to_dict() for e in events if e.name in CONTRACT_EVENTS]


def _texts(dev_dir, call_id):
    return [u["text"] for u in dev_call(dev_dir, call_id)["utterances"]]


@pytest.mark.logs_errors("assist.subscribers")  # each failure is logged, and the call goes on
def test_a_failing_subscriber_does_not_stop_the_call(dev_dir, tmp_path):
    source = TranscriptSource.from_lines(_texts(dev_dir, "d07"))
    session = CallSession(source, config=EngineConfig(record=False),
                          started_at=datetime.fromisoformat("2026-10-13T13:10:00+08:00"))
    seen = []
    calls = {"n": 0}

    def broken(ev):
        calls["n"] += 1
        raise RuntimeError("the UI fell over")

    session.subscribe(broken)
    session.subscribe(seen.append)
    session.start()
    assert session.wait(60)
    assert isinstance(seen[-1], CallEnded) and calls["n"] == len(seen)
    assert_valid(_contract(seen), partials=True)
    assert sum(isinstance(e, UtteranceFinal) for e in seen) == len(source.lines)
    # d07: the agent claims to be from the court and threatens the debtor.
    rules = {e.rule for e in seen if isinstance(e, Alert)}
    assert {"impersonation", "threat"} <= rules
    assert seen[-1].alerts == {r: sum(1 for e in seen if isinstance(e, Alert) and e.rule == r) for r in rules}


def test_pick_objection_answers_between_utterances(dev_dir):
    # Paced transcript (a line a second) so the pick lands while the call is running.
    source = TranscriptSource.from_lines(_texts(dev_dir, "d01")[:4], realtime=True, line_s=1.0)
    session = CallSession(source, config=EngineConfig(record=False))
    events, first = [], threading.Event()

    def on(ev):
        events.append(ev)
        if isinstance(ev, UtteranceFinal):
            first.set()

    session.subscribe(on)
    session.pick_objection("forgot")  # the UI may hold the session before start(): answered right after it
    session.start()
    assert first.wait(10)
    n_before = len(events)
    session.pick_objection("no_money")
    assert session.wait(20)
    assert_valid(_contract(events), partials=True)
    later = events[n_before:]
    # The suggester answered the objection with one of its lines, as the top suggestion.
    answers = {ln.id for ln in session.suggester.library.objection_lines("no_money")}
    assert answers
    assert [e for e in later if isinstance(e, Suggestion) and e.line_id in answers], later
    with pytest.raises(KeyError):
        session.pick_objection("no_such_objection")
    # The early pick was answered before anyone spoke, after call_started.
    early = {ln.id for ln in session.suggester.library.objection_lines("forgot")}
    first_utt = next(i for i, e in enumerate(events) if isinstance(e, UtteranceFinal))
    assert events[0].name == "call_started"
    assert [e for e in events[:first_utt] if isinstance(e, Suggestion) and e.line_id in early]
    # A paced transcript runs on the wall clock and lasts until its last line is over (4 lines → 4 s).
    assert 4.0 <= events[-1].duration < 15


def test_dismiss_alert_reaches_the_records(dev_dir, tmp_path):
    from assist.store import RecordStore

    db = tmp_path / "r.sqlite3"
    store = RecordStore(db)
    source = TranscriptSource.from_lines(_texts(dev_dir, "d08"))
    session = CallSession(source, config=EngineConfig(record=True, db_path=db), store=store,
                          started_at=datetime.fromisoformat("2026-10-16T19:30:00+08:00"))
    events = []
    session.subscribe(events.append)
    session.start()
    assert session.wait(60)
    insult = next(e for e in events if isinstance(e, Alert) and e.rule == "insult")
    session.dismiss_alert(insult)
    assert store.flush()
    store.close()
    con = sqlite3.connect(db)
    try:
        cols = [r[1] for r in con.execute("PRAGMA table_info(alerts)")]
        flag = next(c for c in cols if "dismiss" in c)
        rows = con.execute(f"SELECT rule, {flag} FROM alerts WHERE call_id = ?", (session.call_id,)).fetchall()
    finally:
        con.close()
    assert any(r == "insult" and v for r, v in rows)
    assert all(not v for r, v in rows if r != "insult")


@pytest.mark.model
def test_muted_audio_is_not_transcribed_but_the_clock_runs(dev_dir, model_dir):
    from assist.audio import FileSource
    from assist.model import load_whisper

    cfg = EngineConfig(record=False)
    session = CallSession(FileSource(dev_dir / "d06.wav"), config=cfg, model=load_whisper(model_dir, cfg.asr))
    events = []
    session.subscribe(events.append)
    session.mute(True)
    session.start()
    assert session.wait(120)
    assert not [e for e in events if isinstance(e, UtteranceFinal)]
    assert abs(events[-1].duration - dev_call(dev_dir, "d06")["duration"]) < 0.5
    assert_valid(_contract(events), partials=True)


@pytest.mark.model
def test_stop_mid_call_finalizes_and_ends(dev_dir, model_dir):
    from assist.audio import FileSource
    from assist.model import load_whisper

    cfg = EngineConfig(record=False)
    session = CallSession(FileSource(dev_dir / "d06.wav", realtime=True), config=cfg,
                          model=load_whisper(model_dir, cfg.asr))
    events, first = [], threading.Event()

    def on(ev):
        events.append(ev)
        if isinstance(ev, UtteranceFinal):
            first.set()

    session.subscribe(on)
    session.start()
    assert first.wait(40), "no utterance within 40 s of a real-time call"
    session.stop()
    assert session.wait(30)
    ended = events[-1]
    assert isinstance(ended, CallEnded)
    assert ended.duration < 30  # stopped early, on the wall clock
    assert_valid(_contract(events), partials=True)
    # Real-time: an utterance is published after it was spoken (wall clock >= its end in the audio).
    for u in (e for e in events if isinstance(e, UtteranceFinal)):
        assert u.t >= u.end - 0.2


def _head_of_wav(src, dst, seconds: float):
    import wave

    with wave.open(str(src), "rb") as r:
        params = r.getparams()
        frames = r.readframes(int(seconds * r.getframerate()))
    with wave.open(str(dst), "wb") as w:
        w.setparams(params)
        w.writeframes(frames)
    return dst


@pytest.mark.model
def test_time_rules_wait_for_the_sentence_in_flight(dev_dir, model_dir, tmp_path, monkeypatch):
    """The agent states the 工号 in a sentence spoken from 0.9 s to 6.5 s. With the deadline at 4 s, the
    missing_agent_id check must wait for that sentence's final instead of firing mid-sentence."""
    import assist.session as session_mod
    from assist.audio import FileSource
    from assist.model import load_whisper

    wav = _head_of_wav(dev_dir / "d01.wav", tmp_path / "d01_head.wav", 9.0)
    cfg = EngineConfig(record=False, missing_agent_id_after_s=4.0)
    model = load_whisper(model_dir, cfg.asr)

    def run():
        session = CallSession(FileSource(wav), config=cfg, model=model,
                              started_at=datetime.fromisoformat("2026-10-12T10:15:00+08:00"))
        events = []
        session.subscribe(events.append)
        session.start()
        assert session.wait(120)
        assert_valid(_contract(events), partials=True)
        return events

    events = run()
    assert any(isinstance(e, UtteranceFinal) and "工号" in e.text for e in events), events
    assert not [e for e in events if isinstance(e, Alert) and e.rule == "missing_agent_id"]
    # The same call without the wait fires mid-sentence: the test tells the two apart.
    monkeypatch.setattr(session_mod, "_TICK_DEFER_S", 0.0)
    events = run()
    early = [e for e in events if isinstance(e, Alert) and e.rule == "missing_agent_id"]
    assert early and early[0].t < 6.5


def test_store_trouble_reaches_the_subscribers(dev_dir):
    from assist.events import StoreError

    source = TranscriptSource.from_lines(_texts(dev_dir, "d06"), realtime=True, line_s=0.3)
    session = CallSession(source, config=EngineConfig(record=False))
    events, first = [], threading.Event()

    def on(ev):
        events.append(ev)
        if isinstance(ev, UtteranceFinal):
            first.set()

    session.subscribe(on)
    session.store_error("数据库被锁定，正在重试")  # e.g. during begin_call, before the call is running
    session.start()
    assert first.wait(10)
    session.store_error("磁盘已满，正在重试")
    assert session.wait(20)
    errors = [e for e in events if isinstance(e, StoreError)]
    assert [e.message for e in errors] == ["数据库被锁定，正在重试", "磁盘已满，正在重试"]
    assert events[0].name == "call_started" and isinstance(events[-1], CallEnded)
    assert_valid(_contract(events), partials=True)


def test_agent_confirmed_promise_is_the_calls_promise(tmp_path):
    """Bug 7: the agent corrects the promise in the panel before the call ends; the record, CallEnded and the
    end-of-call check use the corrected one."""
    from assist.events import PromiseToPay
    from assist.store import RecordStore

    db = tmp_path / "r.sqlite3"
    store = RecordStore(db)
    lines = ["您好，我是华信银行工号A023的王芳，请问是张伟先生吗？", "您的欠款三千六百八十元已经逾期四十五天了。",
             "那您看明天能不能先还两千？", "好的，那就这样。", "感谢您的配合，再见。"]
    source = TranscriptSource.from_lines(lines, realtime=True, line_s=0.5)
    session = CallSession(source, config=EngineConfig(record=True, db_path=db), store=store,
                          started_at=datetime.fromisoformat("2026-10-14T14:30:00+08:00"))
    events, proposed = [], threading.Event()

    def on(ev):
        events.append(ev)
        if isinstance(ev, PromiseToPay):
            proposed.set()

    session.subscribe(on)
    session.start()
    assert proposed.wait(10)
    with pytest.raises(KeyError):
        session.confirm_ptp(2000, "2026-10-15", "no_such_channel")
    session.confirm_ptp(2500, "2026-10-16", "alipay")   # the debtor said 2500 on Friday, by Alipay
    assert session.wait(20)
    ptps = [(e.amount, e.date, e.channel) for e in events if isinstance(e, PromiseToPay)]
    assert ptps[0] == (2000, "2026-10-15", None) and ptps[-1] == (2500, "2026-10-16", "alipay")
    assert events[-1].ptp == {"amount": 2500, "date": "2026-10-16", "channel": "alipay"}
    assert not [e for e in events if isinstance(e, Alert) and e.rule == "ptp_incomplete"]
    assert store.flush()
    assert store.get_call(session.call_id)["ptp"] == {"amount": 2500, "date": "2026-10-16", "channel": "alipay"}
    store.close()


def test_time_rules_run_on_the_wall_clock_between_messages():
    # A paced call where nothing is said for a while: the time-driven check (no 工号 by the deadline) must come
    # from the pipeline's own wait timing out at whole seconds, with no message arriving and no ticker thread.
    source = TranscriptSource.from_lines(["喂，您好。"], realtime=True, line_s=3.5)
    session = CallSession(source, config=EngineConfig(record=False, missing_agent_id_after_s=1.5),
                          started_at=datetime.fromisoformat("2026-10-12T10:15:00+08:00"))
    events = []
    session.subscribe(events.append)
    session.start()
    assert session.wait(30)
    assert [th.name for th in session._threads] == ["call-pipeline", "call-transcript"]
    alert = next(e for e in events if isinstance(e, Alert) and e.rule == "missing_agent_id")
    assert 1.5 <= alert.t < 3.0                                   # at the first whole second past 1.5 s, not at the end
    assert events[-1].t >= 3.5 and events[-1].alerts == {"missing_agent_id": 1}
