"""Hallucination and repetition guards on Whisper output (pure functions, no model)."""

from __future__ import annotations

import pytest

from assist.asr.guards import collapse_repeats, drop_phrases, judge, load_phrases
from assist.resources import ResourceError

OK = dict(avg_logprob=-0.3, no_speech_prob=0.05)


def test_normal_sentence_kept():
    v = judge("您好，我是华信银行的刘晓雯。", audio_s=4.0, **OK)
    assert v.text == "您好，我是华信银行的刘晓雯。" and not v.suspect


@pytest.mark.parametrize("text", ["请不吝点赞 订阅 转发 打赏支持明镜与点点栏目", "字幕由Amara.org社区提供", "谢谢观看!",
                                  "中文字幕志愿者"])
def test_known_subtitle_phrases_dropped(text):
    assert judge(text, audio_s=3.0, **OK).text == ""


def test_phrase_clause_removed_rest_kept():
    v = judge("好的，再见。谢谢观看。", audio_s=3.0, **OK)
    assert v.text == "好的，再见。" and v.suspect
    assert drop_phrases("感谢您的配合，再见") == "感谢您的配合，再见"   # 感谢您 is not 感谢观看


def test_no_speech_and_low_confidence_dropped():
    assert judge("嗯", audio_s=1.0, avg_logprob=-1.2, no_speech_prob=0.9).text == ""
    assert judge("这是一个句子", audio_s=2.0, avg_logprob=-2.0, no_speech_prob=0.1).text == ""
    v = judge("这是一个句子", audio_s=2.0, avg_logprob=-1.2, no_speech_prob=0.1)
    assert v.text and v.suspect


def test_repetition_loop_collapsed_and_suspect():
    loop = "我们会依法处理" * 8
    v = judge(loop, audio_s=10.0, **OK)
    assert v.text == "我们会依法处理" and v.suspect
    assert collapse_repeats("啊啊啊啊啊啊啊啊") == "啊"
    assert collapse_repeats("尾号6601") == "尾号6601"     # short legitimate repeats stay


def test_too_many_characters_for_the_audio():
    assert judge("您好我是华信银行信用卡中心的刘晓雯工号八零二六请问您是本人吗", audio_s=0.8, **OK).text == ""
    assert judge("好的", audio_s=0.1, **OK).text == ""


def test_phrase_file_validation(tmp_path):
    p = tmp_path / "h.txt"
    p.write_text("# c\n字幕\n啊\n", encoding="utf-8")
    with pytest.raises(ResourceError, match=r"h\.txt:3: phrase"):
        load_phrases(p)
    assert "字幕" in load_phrases()


def test_partial_keeps_a_low_scored_first_word_but_not_gibberish_or_subtitles():
    # an utterance cut off mid-phrase: Whisper scores 大姐 low and may call it no speech; the VAD heard speech
    low = dict(avg_logprob=-2.0, no_speech_prob=0.7)
    assert judge("大姐", audio_s=1.1, **low).text == ""                      # as a final: dropped
    assert judge("大姐", audio_s=1.1, partial=True, **low).text == "大姐"    # as a partial: shown
    assert judge("大姐", audio_s=1.1, partial=True, avg_logprob=-3.0, no_speech_prob=0.1).text == ""
    assert judge("谢谢观看", audio_s=1.1, partial=True, **OK).text == ""
