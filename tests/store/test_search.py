"""Chinese full-text search and the call filters, over the sixteen dev calls."""

from __future__ import annotations

import pytest

from assist.store import FilterError
from assist.store.tokens import index_tokens, match_expression


def _utts(dev_calls, predicate):
    return {(c["id"], i) for c in dev_calls for i, u in enumerate(c["utterances"]) if predicate(u["text"])}


def _hits(store, query, **kw):
    return {(h["call_id"], h["utterance"]) for h in store.search(query, limit=500, **kw)}


def test_tokens_are_jieba_search_mode_with_both_number_spellings():
    toks = index_tokens("您的信用卡已经逾期三十五天，欠款三千六百八十元。").split()
    assert {"信用", "信用卡", "逾期", "欠款", "35", "3680"} <= set(toks)
    assert "，" not in toks and "。" not in toks
    assert match_expression("，。！") is None
    assert match_expression("还五") is None  # lone characters: substring match only
    assert match_expression("征信 3680") == '("征信") AND ("3680")'


@pytest.mark.parametrize("word", ["征信", "罚息", "分期", "支付宝", "对公账户", "官方App", "黑名单", "客服热线"])
def test_word_search_finds_exactly_the_utterances_containing_it(filled, dev_calls, word):
    expected = _utts(dev_calls, lambda t: word.lower() in t.lower())
    assert expected, word
    assert _hits(filled, word) == expected


def test_spans_jieba_splits_differently_are_still_found(filled, dev_calls):
    # '还五' and '十二天' cut across jieba words; the substring top-up finds them.
    for span in ("还五", "十二天", "款"):
        assert _hits(filled, span) == _utts(dev_calls, lambda t, s=span: s in t), span


def test_numbers_match_in_either_spelling(filled):
    spoken = _hits(filled, "三千六百八十")
    assert ("d01", 3) in spoken and ("d01", 5) in spoken
    assert _hits(filled, "3680") == spoken


def test_traditional_and_full_width_queries(filled, dev_calls):
    assert _hits(filled, "徵信") == _utts(dev_calls, lambda t: "征信" in t)
    assert _hits(filled, "ＡＰＰ") == _utts(dev_calls, lambda t: "app" in t.lower())


def test_every_term_must_match_in_one_utterance(filled, dev_calls):
    both = _hits(filled, "征信 罚息")
    assert both == _utts(dev_calls, lambda t: "征信" in t and "罚息" in t)
    assert both  # d15 has one
    assert _hits(filled, "征信 老赖") == set()


def test_hits_carry_call_context_and_highlight(filled):
    hit = filled.search("老赖")[0]
    assert hit["call_id"] == "d08" and hit["debtor_name"] == "债务人08"
    assert hit["started_at"] == "2026-10-16T19:30:00+08:00"
    assert "【老赖】" in hit["snippet"]
    assert hit["stage"] and hit["start"] is not None


def test_most_recently_recorded_first_and_paging(filled, dev_calls):
    hits = filled.search("逾期", limit=5)
    assert len(hits) == 5
    order = [c["id"] for c in dev_calls]  # the order the calls were recorded in
    got = [(order.index(h["call_id"]), h["utterance"]) for h in filled.search("逾期", limit=500)]
    assert got == sorted(got, reverse=True)
    page2 = filled.search("逾期", limit=5, offset=5)
    assert not {(h["call_id"], h["utterance"]) for h in hits} & {(h["call_id"], h["utterance"]) for h in page2}


def test_search_filters(filled):
    assert {h["call_id"] for h in filled.search("逾期", since="2026-11-01", limit=500)} == {
        "d11", "d12", "d13", "d14", "d15", "d16"}
    assert {h["call_id"] for h in filled.search("逾期", until="2026-10-13", limit=500)} == {"d01", "d07"}
    assert {h["call_id"] for h in filled.search("还", rule="threat", limit=500)} <= {"d07", "d13"}
    assert {h["call_id"] for h in filled.search("", rule="threat")} == {"d07", "d13"}
    assert {h["call_id"] for h in filled.search("", ptp=False)} == {"d05", "d06", "d13"}
    assert {h["call_id"] for h in filled.search("逾期", agent="8001", limit=500)} <= {"d01", "d04", "d07", "d10", "d13", "d16"}


def test_list_calls_filters(filled, dev_calls):
    everything = filled.list_calls()
    assert len(everything) == 16
    assert [c["started_at"] for c in everything] == sorted((c["started_at"] for c in everything), reverse=True)
    assert {c["id"] for c in filled.list_calls(rule="call_time")} == {"d10", "d15"}
    support = {c["id"] for c in dev_calls if any(u["stage"] == "support" for u in c["utterances"])}
    assert {c["id"] for c in filled.list_calls(stage="support")} == support
    assert {c["id"] for c in filled.list_calls(ptp=True)} == {c["id"] for c in dev_calls if c["ptp"]}
    assert {c["id"] for c in filled.list_calls(agent="坐席1")} == {c["id"] for c in dev_calls if int(c["id"][1:]) % 3 == 1}
    assert [c["id"] for c in filled.list_calls(debtor="13800000005")] == ["d05"]
    assert len(filled.list_calls(limit=3)) == 3
    d10 = [c for c in everything if c["id"] == "d10"][0]
    assert d10["alerts"] == {"call_time": 1, "third_party": 1, "unauthorized_promise": 1}
    assert d10["utterances"] == 8 and d10["status"] == "completed"


def test_date_filters_use_the_calls_local_date_and_accept_datetimes(filled):
    from datetime import datetime, timedelta, timezone

    # d10 started 22:25 +08:00 on 10-23 = 14:25 UTC: by its own local date it is a 10-23 call.
    assert "d10" in {c["id"] for c in filled.list_calls(since="2026-10-23", until="2026-10-23")}
    utc = timezone.utc
    got = {c["id"] for c in filled.list_calls(since=datetime(2026, 10, 23, 14, 0, tzinfo=utc),
                                                until=datetime(2026, 10, 23, 15, 0, tzinfo=utc))}
    assert got == {"d10"}
    assert {c["id"] for c in filled.list_calls(since="2026-10-23T22:00:00+08:00",
                                                 until=datetime(2026, 10, 24, tzinfo=timezone(timedelta(hours=8))))} == {"d10"}


def test_bad_filters_are_clear_errors(filled):
    with pytest.raises(FilterError, match="YYYY-MM-DD"):
        filled.list_calls(since="2026-13-45")
    with pytest.raises(FilterError, match="unknown filter"):
        filled.search("逾期", colour="red")


def test_sounds_like_finds_homophones_the_correction_missed(store):
    from datetime import datetime

    from assist import events as ev

    store.begin_call("h1", started_at=datetime(2026, 10, 1, 10, 0).astimezone())
    heard = ["您的贷款已经预期三十天了。", "我的公号是八零二六。", "请尽快海款。", "您的预期收益是多少？"]
    for i, text in enumerate(heard):
        store.record("h1", ev.UtteranceFinal(utterance=i, start=i, end=i + 1, text=text, stage="greet", t=i + 1))
    assert store.flush(10)
    assert store.search("逾期") == [] and store.search("工号") == []
    assert [h["utterance"] for h in store.search("逾期", sounds_like=True)] == [3, 0]  # the price: 预期收益 too
    assert [h["utterance"] for h in store.search("工号", sounds_like=True)] == [1]
    assert [h["utterance"] for h in store.search("还款", sounds_like=True)] == [2]
    assert [h["utterance"] for h in store.search("逾期 三十", sounds_like=True)] == [0]
