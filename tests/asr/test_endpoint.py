"""End-of-utterance words: the resource list, the unfinished-ending rule, the policy's bounds (no Whisper)."""

from __future__ import annotations

import pytest

from assist.asr.endpoint import EndpointPolicy, load_unfinished_words, looks_unfinished
from assist.resources import ResourceError


def test_shipped_list_loads_and_holds_connectives():
    words = load_unfinished_words()
    assert {"如果", "然后", "因为", "但是", "还有", "您的", "我们的", "跟", "把"} <= set(words)
    # words that end everyday sentences must not be there (好的 / 是的 / 他不在 / 对)
    assert not {"的", "了", "吗", "吧", "呢", "在", "对"} & set(words)


@pytest.mark.parametrize("text,unfinished", [
    ("跟您确认一下，", True),          # comma: Whisper saw a clause boundary
    ("那就这样、", True),
    ("如果", True),                    # no punctuation: the last word decides
    ("逾期的款项您的", True),
    ("我们这边然后 ", True),           # trailing space ignored
    ("您看…", True),                   # an ellipsis: trailing off
    ("還有", True),                    # traditional characters as Whisper sometimes writes them
    ("好的", False),
    ("好的。", False),
    ("您看三千块可以吗？", False),
    ("逾期三十天", False),
    ("", False),
    ("   ", False),
])
def test_looks_unfinished_with_and_without_punctuation(text, unfinished):
    assert looks_unfinished(text) is unfinished


@pytest.mark.parametrize("line,message", [
    ("abc", "not a word of 1-4 Chinese characters"),
    ("然后，", "not a word of 1-4 Chinese characters"),
    ("一二三四五", "not a word of 1-4 Chinese characters"),
    ("如果\n如果", "already listed on line 2"),
])
def test_broken_list_points_to_file_and_line(tmp_path, line, message):
    p = tmp_path / "unfinished_endings.txt"
    p.write_text("# comment\n" + line + "\n", encoding="utf-8")
    with pytest.raises(ResourceError) as err:
        load_unfinished_words(p)
    assert str(err.value).startswith(f"{p}:") and message in str(err.value)


def test_missing_list_is_a_resource_error(tmp_path):
    with pytest.raises(ResourceError, match="missing"):
        load_unfinished_words(tmp_path / "nope.txt")


def test_policy_waits_min_or_max_never_beyond():
    pol = EndpointPolicy(min_s=0.6, max_s=1.0)
    assert pol.hold_s("工号八零二六。") == 0.6
    assert pol.hold_s("工号八零二六") == 0.6
    assert pol.hold_s("请您跟") == 1.0
    assert pol.hold_s("如果，然后，因为，") == 1.0
    with pytest.raises(ValueError):
        EndpointPolicy(min_s=1.0, max_s=0.5)
