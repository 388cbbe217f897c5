"""`callassist analyze` on transcripts: every dev call, the event contract, the records, the call clock."""

from __future__ import annotations

import json
from difflib import SequenceMatcher

from assist.labels import rule_name

from .contract import assert_valid, problems
from .helpers import analyze_inprocess, call_rows, dev_call, dev_calls, run_analyze, utterance_texts, write_transcript


def test_every_dev_call_as_text_keeps_the_contract(dev_dir, tmp_path, capsys):
    db = tmp_path / "records.sqlite3"
    for call in dev_calls(dev_dir):
        txt = write_transcript(call, tmp_path)
        status, events, err = analyze_inprocess(capsys, txt, "--db", db, "--started-at", call["started_at"])
        assert status == 0, (call["id"], err)
        assert_valid(events)
        utts = [e for e in events if e["event"] == "utterance"]
        # One utterance per line, in order, each the line's own text (domain correction may touch a word).
        assert len(utts) == len(call["utterances"]), call["id"]
        for u, gt in zip(utts, call["utterances"]):
            assert SequenceMatcher(None, u["text"], gt["text"]).ratio() > 0.8, (call["id"], u["text"], gt["text"])
        # Clock of transcripts: line k at t = k, spanning k..k+1; the call lasts one second per line.
        assert [(u["t"], u["start"], u["end"]) for u in utts] == [(k, k, k + 1) for k in range(len(utts))]
        ended = events[-1]
        assert ended["duration"] == len(call["utterances"])
        # Every final utterance is in the records, the call is completed.
        assert utterance_texts(db, ended["call_id"]) == {u["utterance"]: u["text"] for u in utts}
        assert (ended["call_id"], "completed") in call_rows(db)
        # The promise the agent confirmed is what call_ended reports (where the analyser found it whole).
        if call["ptp"] is None:
            assert ended["ptp"] is None or ended["ptp"]["amount"] is None or ended["ptp"]["date"] is None, call["id"]
    assert len(call_rows(db)) == len(dev_calls(dev_dir))


def test_started_at_drives_call_time(dev_dir, tmp_path, capsys):
    call = dev_call(dev_dir, "d10")
    txt = write_transcript(call, tmp_path)
    late = "2026-10-23T22:25:00+08:00"
    status, events, _ = analyze_inprocess(capsys, txt, "--no-record", "--started-at", late)
    assert status == 0
    late_alerts = [e for e in events if e["event"] == "alert" and e["rule"] == "call_time"]
    assert len(late_alerts) == 1 and late_alerts[0]["utterance"] is None and late_alerts[0]["source"] == "call"
    assert events[-1]["alerts"].get("call_time") == 1
    assert events[0]["started_at"] == late

    status, events, _ = analyze_inprocess(capsys, txt, "--no-record", "--started-at", "2026-10-23T14:25:00+08:00")
    assert status == 0
    assert not [e for e in events if e["event"] == "alert" and e["rule"] == "call_time"]
    assert "call_time" not in events[-1]["alerts"]


def test_naive_started_at_is_local_time(dev_dir, tmp_path, capsys):
    txt = write_transcript(dev_call(dev_dir, "d06"), tmp_path)
    status, events, _ = analyze_inprocess(capsys, txt, "--no-record", "--started-at", "2026-10-29T16:45:00")
    assert status == 0
    started = events[0]["started_at"]
    assert started.startswith("2026-10-29T16:45:00") and len(started) > len("2026-10-29T16:45:00")  # has an offset


def test_no_record_leaves_the_database_untouched(dev_dir, tmp_path, capsys):
    db = tmp_path / "records.sqlite3"
    txt = write_transcript(dev_call(dev_dir, "d06"), tmp_path)
    assert analyze_inprocess(capsys, txt, "--db", db)[0] == 0
    before = db.read_bytes(), call_rows(db)
    status, events, _ = analyze_inprocess(capsys, txt, "--db", db, "--no-record")
    assert status == 0 and events[-1]["event"] == "call_ended"
    assert (db.read_bytes(), call_rows(db)) == before
    # and with no database at all, none is created
    other = tmp_path / "never.sqlite3"
    assert analyze_inprocess(capsys, txt, "--db", other, "--no-record")[0] == 0
    assert not other.exists()


def test_case_file_fills_the_call(dev_dir, tmp_path, capsys):
    call = dev_call(dev_dir, "d01")
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"debtor_name": "陈建国", "amount": 3680, "overdue_days": 35,
                                "agent_name": "刘晓雯", "agent_id": "8026"}, ensure_ascii=False), encoding="utf-8")
    db = tmp_path / "r.sqlite3"
    status, events, _ = analyze_inprocess(capsys, write_transcript(call, tmp_path), "--db", db, "--case", case,
                                          "--started-at", call["started_at"])
    assert status == 0
    assert_valid(events)
    import sqlite3

    con = sqlite3.connect(db)
    row = con.execute("SELECT debtor_name, agent_id FROM calls WHERE id = ?", (events[0]["call_id"],)).fetchone()
    con.close()
    assert row == ("陈建国", "8026")


def test_human_output_is_a_readable_timeline(dev_dir, tmp_path, capsys):
    call = dev_call(dev_dir, "d10")
    txt = write_transcript(call, tmp_path)
    capsys.readouterr()
    assert run_analyze(txt, "--no-record", "--started-at", call["started_at"]) == 0
    out = capsys.readouterr().out
    assert "通话开始" in out and "通话结束" in out
    assert call["utterances"][0]["text"] in out
    assert rule_name("call_time") in out  # the 22:25 start, highlighted as an alert
    assert "{" not in out.splitlines()[0]  # not JSON


def test_validator_catches_broken_streams():
    good = [
        {"event": "call_started", "call_id": "c1", "started_at": "2026-10-12T10:15:00+08:00", "t": 0.0},
        {"event": "utterance", "utterance": 0, "start": 0.0, "end": 1.0, "text": "您好", "stage": "greet", "t": 0.0,
         "speaker": "agent"},
        {"event": "alert", "rule": "threat", "severity": "critical", "utterance": 0, "evidence": "x",
         "source": "final", "t": 0.0},
        {"event": "call_ended", "call_id": "c1", "duration": 1.0, "alerts": {"threat": 1}, "ptp": None, "t": 1.0},
    ]
    assert problems(good) == []
    debtor_utt = {**good[1], "speaker": "debtor"}
    cue = {"event": "debtor", "utterance": 0, "objection": "no_money", "wrong_party": False, "hardship": False,
           "t": 0.0}
    assert problems([good[0], debtor_utt, cue, {**good[3], "alerts": {}}]) == []
    bad_cases = {
        "t backwards": [good[0], {**good[1], "t": 5.0}, {**good[2], "t": 5.0}, {**good[3], "t": 4.0}],
        "index gap": [good[0], {**good[1], "utterance": 1}, good[3]],
        "unknown stage": [good[0], {**good[1], "stage": "chat"}, good[3]],
        "unknown rule": [good[0], good[1], {**good[2], "rule": "rude"}, good[3]],
        "duplicate alert": [good[0], good[1], good[2], good[2], good[3]],
        "not first": [good[1], good[0], good[3]],
        "not last": [good[0], good[3], good[1]],
        "extra field": [good[0], {**good[1], "raw_text": "x"}, good[3]],
        "private partial": [good[0], {"event": "partial", "utterance": 0, "text": "您", "t": 0.0}, good[1], good[3]],
        "bad ptp": [good[0], {"event": "ptp", "amount": 1, "date": "10/13", "channel": "app", "t": 0.5}, good[3]],
        "count mismatch": [good[0], good[1], {**good[3], "alerts": {"threat": 1}}],
        "no speaker": [good[0], {k: v for k, v in good[1].items() if k != "speaker"}, good[3]],
        "unknown speaker": [good[0], {**good[1], "speaker": "customer"}, good[3]],
        "rule on the debtor": [good[0], debtor_utt, good[2], good[3]],
        "cue on the agent": [good[0], good[1], cue, {**good[3], "alerts": {}}],
        "unknown objection": [good[0], debtor_utt, {**cue, "objection": "broke"}, {**good[3], "alerts": {}}],
    }
    for name, stream in bad_cases.items():
        assert problems(stream), name


def test_json_stream_carries_taxonomy_rules_only():
    from assist.cli.analyze import _contract_dict
    from assist.events import Alert, CallEnded

    extra = Alert(rule="debt_before_identity", severity="warning", utterance=None, evidence="欠款",
                  source="call", t=3.0)
    known = Alert(rule="threat", severity="critical", utterance=2, evidence="后悔", source="final", t=3.0)
    assert _contract_dict(extra) is None
    assert _contract_dict(known) == known.to_dict()
    ended = CallEnded(call_id="c", duration=9.0, alerts={"threat": 1, "debt_before_identity": 1}, ptp=None, t=9.0)
    assert _contract_dict(ended)["alerts"] == {"threat": 1}
