"""Placeholders render from the case and the promise; unknown values fall back gracefully."""

from __future__ import annotations

import re

import pytest

from assist.case import CaseData
from assist.suggest.render import TemplateError, call_values, format_date, parse_template

_RAW = re.compile(r"[{}\[\]|]")


def test_fallbacks_and_optional_clauses():
    t = parse_template("您好[，{姓名}]，请问是{姓名|机主}本人吗？[欠款{金额}元，]逾期{逾期天数|多日}。")
    full = CaseData(debtor_name="陈建国", amount=3680, overdue_days=35).placeholders()
    assert t.render(full) == "您好，陈建国，请问是陈建国本人吗？欠款3680元，逾期35。"
    assert t.render(CaseData().placeholders()) == "您好，请问是机主本人吗？逾期多日。"
    assert t.placeholders == ("姓名", "姓名", "金额", "逾期天数")


def test_promise_placeholders():
    values = call_values(CaseData().placeholders(), {"amount": 3000.0, "date": "2026-10-16", "channel": "wechat"})
    t = parse_template("跟您确认一下，{日期|约定那天}，通过{渠道|约定的方式}[还{还款金额}元]，对吧？")
    assert t.render(values) == "跟您确认一下，10月16日，通过微信还3000元，对吧？"
    assert t.render(call_values({}, None)) == "跟您确认一下，约定那天，通过约定的方式，对吧？"
    assert format_date("not a date") == "" and format_date(None) == ""
    assert call_values({}, {"amount": 12.5})["还款金额"] == "12.50"


@pytest.mark.parametrize("src", ["{姓名}", "{姓名|您", "您好}", "]", "[{姓名}", "[没有占位]", "{电邮|无}"])
def test_bad_templates(src):
    with pytest.raises(TemplateError):
        parse_template(src)


@pytest.mark.parametrize("with_case", [True, False])
def test_no_library_line_shows_raw_marks_or_holes(library, case, with_case):
    base = (case if with_case else CaseData()).placeholders()
    for ptp in (None, {"amount": 3680, "date": "2026-10-13", "channel": "app"}):
        values = call_values(base, ptp)
        for ln in library.lines:
            text = ln.render(values)
            assert text and not _RAW.search(text), (ln.id, text)
            # A dropped or empty value must not leave doubled punctuation or an orphan 元.
            assert not re.search(r"[，。？、]{2}|^[，。？]|[，。]元", text), (ln.id, text)
            if with_case and ptp:
                assert "刘晓雯" in text or "坐席" not in ln.template.placeholders, (ln.id, text)
