"""The scoring form: both spellings of a number, both character sets and any punctuation compare equal."""

import pytest

from assist.text.normalize import for_scoring


@pytest.mark.parametrize("a, b", [
    ("欠款三千六百八十元。", "欠款3680元"),
    ("工号八零二六", "工号：8026"),
    ("十月十三号还款", "10月13号，還款"),
    ("利息百分之五", "利息5%"),
    ("零点五个点", "0.5个点"),
    ("您的還款已經逾期！", "您的还款已经逾期"),
])
def test_equal_forms(a, b):
    assert for_scoring(a) == for_scoring(b)


def test_different_text_stays_different():
    assert for_scoring("还款三千") != for_scoring("还款三百")
    assert for_scoring("逾期") != for_scoring("预期")


def test_cer_counts_edits_in_the_scoring_form():
    from assist.text.normalize import cer, edit_distance

    assert edit_distance("逾期三天", "预期三天") == 1 and edit_distance("", "还款") == 2
    assert cer("欠款三千元。", "欠款3000元") == 0.0                # spelling of numbers and punctuation are free
    assert cer("您的还款已经逾期", "您的海款已经预期") == 2 / 8
