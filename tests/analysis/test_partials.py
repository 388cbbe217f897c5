"""Early alerts on partial text: shown when stable, confirmed by the final without repeating, else retracted."""

from __future__ import annotations

from datetime import datetime

from assist.analysis import CallAnalyzer
from assist.events import Alert, AlertRetracted


def analyzer():
    a = CallAnalyzer(started_at=datetime(2026, 10, 13, 13, 10))
    a.on_time(0.0)
    return a


def test_partial_alert_then_final_confirms_once():
    a = analyzer()
    ev = a.on_partial(0, "你再不还我保证让你在你们小区待不下去", 1.0)
    assert [e.rule for e in ev if isinstance(e, Alert)] == []   # evidence at the very tail: wait
    ev = a.on_partial(0, "你再不还我保证让你在你们小区待不下去，你自己", 1.5)
    early = [e for e in ev if isinstance(e, Alert)]
    assert [(e.rule, e.source, e.utterance) for e in early] == [("threat", "partial", 0)]
    ev = a.on_final(0, "你再不还，我保证让你在你们小区待不下去，你自己想想。", 0.0, 3.0, 3.2)
    assert not [e for e in ev if isinstance(e, Alert) and e.rule == "threat"]  # not emitted twice
    assert not [e for e in ev if isinstance(e, AlertRetracted)]
    assert [al.rule for al in a.state.alerts if al.utterance == 0] == ["threat"]


def test_hit_seen_in_two_partials_is_stable():
    a = analyzer()
    assert not [e for e in a.on_partial(0, "你就是个老赖", 1.0) if isinstance(e, Alert)]
    ev = a.on_partial(0, "你就是个老赖", 1.3)
    assert [e.rule for e in ev if isinstance(e, Alert)] == ["insult"]


def test_unconfirmed_partial_alert_is_retracted():
    a = analyzer()
    # the detector believes a bare 我们会联系您的家人 at 0.51 only (below the finals' bar): the partial here says
    # what is meant
    ev = a.on_partial(1, "我们会联系您的家人，让他们帮你还", 1.0) + a.on_partial(1, "我们会联系您的家人，让他们帮你还", 1.4)
    assert [e.rule for e in ev if isinstance(e, Alert)] == ["third_party"]
    ev = a.on_final(1, "我们不会联系您的家人，只跟您本人沟通。", 0.0, 2.0, 2.1)
    assert [(e.rule, e.utterance) for e in ev if isinstance(e, AlertRetracted)] == [("third_party", 1)]
    assert [al for al in a.state.alerts if al.utterance == 1] == []


def test_negated_partial_never_fires():
    a = analyzer()
    for text in ("我们不会联系您的家人", "我们不会联系您的家人，也不会", "我们不会联系您的家人，也不会去您单位"):
        assert not [e for e in a.on_partial(0, text, 1.0) if isinstance(e, Alert)]


def test_final_event_order():
    a = analyzer()
    ev = a.on_final(0, "你已经上了黑名单，那就明天在App上还两千元。", 0.0, 2.0, 2.0)
    names = [e.name for e in ev]
    assert names[0] == "utterance"
    assert names.index("alert") < names.index("ptp")
