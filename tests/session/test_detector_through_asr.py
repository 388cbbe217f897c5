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


def _final_verdicts(events: list[dict]) -> dict[int, set[str]]:
    """The detector's verdict on each final the recogniser wrote (what the record keeps)."""
    from assist.analysis import check_text

    return {e["utterance"]: {h.rule for h in check_text(e["text"])[0]} for e in events if e["event"] == "utterance"}


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
    finals = _final_verdicts(audio_events)
    assert set().union(*finals.values()) == gold
    # An early alert rests on a partial, which the recogniser may still rewrite: d13's greeting 郭明是吧 first comes
    # out as 国民事顽,我是华城资产…, which the model reads as impersonation over two partials when the partials
    # fall that way (it depends on decode times, so on the machine's load). At most one such alert a call.
    early_only = [e for e in audio_events if e["event"] == "alert" and e["rule"] not in CALL_RULES
                  and e.get("source") == "partial" and e["rule"] not in finals.get(e["utterance"], set())]
    assert len(early_only) <= 1, early_only
    assert _rules(audio_events) - {e["rule"] for e in early_only} == gold
