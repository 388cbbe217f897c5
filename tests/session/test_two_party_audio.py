"""A stereo two-party call (agent left, debtor right) through `callassist analyze` and the real Whisper model:
both sides transcribed on the one recogniser, the debtor's words read for objections, rules on the agent only,
the speaker recorded per utterance. One call only: this is slow."""

from __future__ import annotations

import json
import sqlite3

import pytest

from .contract import assert_valid
from .helpers import analyze_inprocess

pytestmark = pytest.mark.model


def test_stereo_dialogue_hears_the_debtor(shared_dir, model_dir, tmp_path, capsys):
    dialogues = shared_dir / "data" / "dialogues"
    call = next(c for c in json.loads((dialogues / "manifest.json").read_text(encoding="utf-8"))
                if c["id"] == "dlg05")
    db = tmp_path / "records.sqlite3"
    status, events, err = analyze_inprocess(capsys, dialogues / "dlg05.flac", "--db", db,
                                            "--started-at", call["started_at"])
    assert status == 0, err
    assert_valid(events)   # incl.: no utterance rule on a debtor utterance, debtor cues on debtor utterances
    utts = [e for e in events if e["event"] == "utterance"]
    by_speaker = {s: [u for u in utts if u["speaker"] == s] for s in ("agent", "debtor")}
    turns = {s: [t for t in call["turns"] if t["speaker"] == s] for s in ("agent", "debtor")}
    for s in ("agent", "debtor"):
        assert len(turns[s]) - 2 <= len(by_speaker[s]) <= len(turns[s]) + 2, (s, [u["text"] for u in utts])
        # every utterance starts inside a labelled turn of that speaker's own channel (the right channel was read)
        for u in by_speaker[s]:
            assert any(t["start"] - 0.6 <= u["start"] <= t["end"] for t in turns[s]), u
    heard = {e["objection"] for e in events if e["event"] == "debtor"}
    assert {"no_money", "complaint"} <= heard, heard
    # the agent's threat is still caught; the debtor's shouting is never the agent's violation
    alerts = [e for e in events if e["event"] == "alert"]
    assert any(a["rule"] == "threat" for a in alerts)
    debtor_ids = {u["utterance"] for u in by_speaker["debtor"]}
    assert not any(a["utterance"] in debtor_ids for a in alerts)
    # an objection heard is answered at once: a suggestion follows the debtor cue in the same stream position
    i = next(i for i, e in enumerate(events) if e["event"] == "debtor" and e["objection"] == "complaint")
    assert events[i + 1]["event"] == "suggestion", events[i + 1]
    with sqlite3.connect(db) as conn:
        rows = dict(conn.execute("SELECT idx, speaker FROM utterances"))
    assert rows == {u["utterance"]: u["speaker"] for u in utts}


def test_a_mono_mix_split_by_speaker_hears_the_debtor(shared_dir, tmp_path, capsys):
    dialogues = shared_dir / "data" / "dialogues"
    call = next(c for c in json.loads((dialogues / "manifest.json").read_text(encoding="utf-8"))
                if c["id"] == "dlg05")
    status, events, err = analyze_inprocess(capsys, dialogues / call["audio_mono"], "--no-record",
                                            "--separate-speakers", "--started-at", call["started_at"])
    assert status == 0, err
    assert_valid(events)
    utts = [e for e in events if e["event"] == "utterance"]
    debtor_turns = [t for t in call["turns"] if t["speaker"] == "debtor"]
    by_debtor = [u for u in utts if u["speaker"] == "debtor"]
    assert len(by_debtor) >= len(debtor_turns) - 2, [u["text"] for u in utts]
    # most debtor utterances start inside a debtor turn (the split is measured, not perfect)
    inside = [u for u in by_debtor if any(t["start"] - 0.6 <= u["start"] <= t["end"] for t in debtor_turns)]
    assert len(inside) >= 0.8 * len(by_debtor), (by_debtor, debtor_turns)
    heard = {e["objection"] for e in events if e["event"] == "debtor"}
    assert {"no_money", "complaint"} & heard, heard
    assert any(a["rule"] == "threat" for a in events if a["event"] == "alert")


def test_separate_speakers_refuses_a_channel_choice(shared_dir, capsys):
    from .helpers import run_analyze

    mono = shared_dir / "data" / "dialogues" / "dlg05_mono.flac"
    assert run_analyze(mono, "--separate-speakers", "--channel", "0", "--no-record") == 2
    assert "--separate-speakers" in capsys.readouterr().err
    assert run_analyze(mono, "--separate-speakers", "--debtor-channel", "1", "--no-record") == 2
