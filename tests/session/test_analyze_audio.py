"""`callassist analyze` on real dev audio through the real Whisper model (short calls only: this is slow)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from difflib import SequenceMatcher

import pytest

from assist import paths
from assist.text.normalize import numerals_to_digits, strip_punct

from .contract import assert_valid
from .helpers import analyze_inprocess, call_rows, dev_call, utterance_texts

pytestmark = pytest.mark.model


def _norm(text: str) -> str:
    return numerals_to_digits(strip_punct(text))


def test_dev_wav_through_the_real_model(dev_dir, model_dir, tmp_path, capsys):
    call = dev_call(dev_dir, "d06")
    db = tmp_path / "records.sqlite3"
    status, events, err = analyze_inprocess(capsys, dev_dir / "d06.wav", "--db", db, "--partials",
                                            "--started-at", call["started_at"])
    assert status == 0, err
    assert_valid(events, partials=True)
    utts = [e for e in events if e["event"] == "utterance"]
    truth = call["utterances"]
    assert len(truth) - 2 <= len(utts) <= len(truth) + 3, [u["text"] for u in utts]
    # Fast mode runs on the audio clock: an utterance is produced after its end was consumed, never later
    # than the end of the file; the call lasts as long as the audio.
    for u in utts:
        assert u["end"] - 0.05 <= u["t"] <= call["duration"] + 0.5, u
    ended = events[-1]
    assert abs(ended["duration"] - call["duration"]) < 0.5
    # Every spoken utterance of the manifest overlaps a recognised one, and the words are mostly right.
    for gt in truth:
        assert any(u["start"] < gt["end"] and u["end"] > gt["start"] for u in utts), gt
    said = _norm("".join(u["text"] for u in utts))
    ref = _norm("".join(u["text"] for u in truth))
    assert SequenceMatcher(None, said, ref).ratio() > 0.7, said
    # The wrong-person call is clean: the agent explicitly declines to tell the mother about the debt.
    assert not [e for e in events if e["event"] == "alert" and e["rule"] in ("third_party", "threat", "insult")]
    assert utterance_texts(db, ended["call_id"]) == {u["utterance"]: u["text"] for u in utts}
    assert call_rows(db) == [(ended["call_id"], "completed")]


def test_sigkill_mid_call_keeps_what_was_shown(dev_dir, model_dir, tmp_path):
    """Kill -9 during a --realtime call: the next open marks it interrupted and every utterance printed before
    the kill is in the database (at most the one in flight may be missing)."""
    from assist.store import RecordStore

    from .contract import parse_stream

    db = tmp_path / "records.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-m", "assist.cli.main", "analyze", str(dev_dir / "d06.wav"), "--realtime", "--json",
         "--db", str(db)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, encoding="utf-8",
        cwd=paths.PROJECT_ROOT, env=dict(os.environ),
    )
    lines: list[str] = []
    deadline = time.monotonic() + 45
    try:
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if sum('"event": "utterance"' in ln for ln in lines) >= 2:
                break
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(10)
    events = parse_stream("".join(lines))
    printed = [e for e in events if e["event"] == "utterance"]
    assert len(printed) >= 2, "the call did not get to two utterances within 45 s"
    call_id = events[0]["call_id"]
    assert not any(e["event"] == "call_ended" for e in events)

    store = RecordStore(db)  # opening after a crash marks the call interrupted (the writer's first job)
    try:
        assert store.flush()
        status = dict(call_rows(db))[call_id]
    finally:
        store.close()
    assert status == "interrupted"
    kept = utterance_texts(db, call_id)
    for u in printed[:-1]:
        assert kept.get(u["utterance"]) == u["text"], (u, kept)
    assert set(kept) <= set(range(len(printed) + 1))
