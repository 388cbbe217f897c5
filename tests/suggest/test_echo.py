"""Objection echoes and third-party cues in the agent's own words (the app never hears the debtor)."""

from __future__ import annotations

import pytest

from assist.analysis.state import OBJECTIONS
from assist.suggest import echo

ECHOES = {
    "no_money": "您说最近手头紧，实在拿不出钱是吧",
    "forgot": "您是说忘了还款日期了，对吗？",
    "not_mine": "您是说这笔钱不是您本人借的，对吗？",
    "already_paid": "您说上周已经还了是吗",
    "unemployed": "听您说最近失业了，是吗？",
    "sick": "您刚才说家里老人住院了，对吧？",
    "complaint": "您说要投诉我们，是吗？",
    "want_waiver": "您的意思是希望能减免一部分利息，对吗？",
    "family_pay": "您是说让您家人还，对吧？",
    "later": "您说过几天再说，是吧？",
    "scam": "您是觉得我们是骗子，是吗？",
}


def test_echo_cases_cover_every_objection():
    assert set(ECHOES) == set(OBJECTIONS)


@pytest.mark.parametrize("key", list(ECHOES))
def test_each_objection_is_heard_in_an_echo(key):
    assert key in echo.heard_objections(ECHOES[key])


@pytest.mark.parametrize("key", list(ECHOES))
def test_echoes_survive_asr_style_text(key):
    # No punctuation and traditional characters, as a recogniser may give them.
    import opencc

    text = opencc.OpenCC("s2t").convert(ECHOES[key])
    for p in "，。？、":
        text = text.replace(p, "")
    assert key in echo.heard_objections(text)


@pytest.mark.parametrize("text", [
    "请问是什么原因没能按时还款呢？",
    "是忘记还款了，还是资金上有什么困难呢？",       # the agent's own question, not the debtor's answer
    "您对处理结果不满意的话，也可以向金融监管部门投诉。",
    "减免需要申请，以审核结果为准。",
    "",
])
def test_the_agents_own_words_are_not_objections(text):
    assert echo.heard_objections(text) == []


@pytest.mark.parametrize("text, expected", [
    ("噢，您是他母亲是吧，不好意思打扰您了。", True),
    ("您是他爱人吧", True),
    ("他现在不在家是吗", True),
    ("您不是机主本人对吧", True),
    ("请问您是陈建国先生本人吗？", False),
    ("您是说这笔钱不是您本人借的，对吗？", False),
])
def test_third_party_on_the_line(text, expected):
    assert echo.wrong_party(text) is expected
