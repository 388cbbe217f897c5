"""The detector gives the same verdicts on a dev call's written text and on what the real recogniser hears of its
audio: the calls with utterance-rule violations, through ``callassist analyze`` (real Whisper, real WAV)."""

from __future__ import annotations

import pytest

from .helpers import analyze_inprocess, dev_call, write_transcript

CALL_RULES = {"call_time", "missing_agent_id", "ptp_incomplete"}
# four calls cover seven of the eight utterance rules (d07 impersonation+threat, d09 privacy+third_party,
# d12 insult+improper_payment, d13 privacy+deception+threat); all sixteen take ~5 minutes, too long for CI
CALLS = ("d07", "d09", "d12", "d13")


def _rules(events: list[dict]) -> set[str]:
    return {e["rule"] for e in events if e["event"] == "alert" and e["rule"] not in CALL_RULES}


@pytest.mark.model
@pytest.mark.parametrize("call_id", CALLS)
def test_same_utterance_rules_from_text_and_from_audio(call_id, dev_dir, model_dir, tmp_path, capsys):
    call = dev_call(dev_dir, call_id)
    gold = {r for u in call["utterances"] for r in u["rules"] if r not in CALL_RULES}
    common = ("--no-record", "--started-at", call["started_at"])
    status, text_events, err = analyze_inprocess(capsys, write_transcript(call, tmp_path), *common)
    assert status == 0, err
    status, audio_events, err = analyze_inprocess(capsys, dev_dir / call["audio"], *common)
    assert status == 0, err
    assert _rules(text_events) == gold
    assert _rules(audio_events) == gold
