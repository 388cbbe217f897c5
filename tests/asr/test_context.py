"""The finals' context (assist/asr/context.py): the previous good finals in the prompt, never a suspect one, and
the guard against the model repeating its prompt.

The core tests drive RecognizerCore over real dev audio (the real Silero VAD) with a decoder that answers by the
utterance it is given and records the prompt of every decode; the last test provokes the echo with the real
Whisper model.
"""

from __future__ import annotations

import numpy as np
import pytest

from assist.asr import AsrFinal, AsrPartial, RecognizerCore
from assist.asr.context import FinalContext, longest_common_run
from assist.asr.decoder import DecodeResult
from assist.config import AsrConfig

SR = 16000
BLOCK = 1600
PAD = AsrConfig().speech_pad_s


def test_context_keeps_the_last_good_finals_only():
    ctx = FinalContext(2, "华信银行 刘晓雯")
    assert ctx.text() == "华信银行 刘晓雯"
    ctx.add("您好，我是刘晓雯。", suspect=False)
    ctx.add("字幕由某某提供", suspect=True)          # flagged by the guards: never context
    ctx.add("", suspect=False)
    ctx.add("请问您是陈建国先生本人吗？", suspect=False)
    ctx.add("本次通话会全程录音。", suspect=False)
    assert ctx.history == ["请问您是陈建国先生本人吗？", "本次通话会全程录音。"]
    assert ctx.text() == "华信银行 刘晓雯 请问您是陈建国先生本人吗？ 本次通话会全程录音。"
    off = FinalContext(0, "华信银行")
    off.add("您好。", suspect=False)
    assert off.history == [] and off.text() == "华信银行"


def test_echo_of_the_context_is_spotted():
    ctx = FinalContext(2)
    ctx.add("请问您是陈建国先生本人吗？麻烦报一下身份证后四位。", suspect=False)
    assert ctx.echoes("请问您是陈建国先生本人吗G")          # the copy Whisper made of it on silence
    assert ctx.echoes("麻烦报一下身份证后四位")              # a piece of it
    assert not ctx.echoes("好的，本次通话会全程录音。")
    assert not ctx.echoes("后四位是多少")                    # a short overlap is not a copy
    assert not FinalContext(2).echoes("请问您是陈建国先生本人吗")   # no history, nothing to echo
    assert longest_common_run("abcdef", "xxcdeyy") == 3 and longest_common_run("", "a") == 0


class PromptDecoder:
    """Answers each decode with ``answer(audio_s, prompt_text)`` and records (audio_s, beam, prompt_text)."""

    def __init__(self, answer):
        self.answer = answer
        self.calls: list[tuple[float, int, str]] = []

    def encode_prompt(self, text: str) -> list[int]:
        return [ord(c) for c in text]

    def decode(self, audio, *, prompt_tokens=(), beam_size=1) -> DecodeResult:
        audio_s = len(audio) / SR
        prompt = "".join(chr(t) for t in prompt_tokens)
        self.calls.append((audio_s, beam_size, prompt))
        text, logprob = self.answer(audio_s, prompt)
        return DecodeResult(text=text, avg_logprob=logprob, no_speech_prob=0.01, compression_ratio=1.0,
                            audio_s=audio_s, compute_s=0.05, tokens=len(text))


@pytest.fixture(scope="module")
def three_utterances(dev_dir, load_wav, manifest):
    """d01's first three utterances with 1.5 s of the call's own silence after the last."""
    utts = manifest["d01"]["utterances"][:3]
    audio = load_wav(dev_dir / "d01.wav")[: int((utts[-1]["end"] + 1.5) * SR)]
    return audio, [u["end"] - u["start"] for u in utts]


def by_length(lengths):
    """The text of the utterance whose length (plus the VAD's pads) the decoded audio matches, else a filler
    (a speculative decode at a pause inside an utterance, or a partial)."""
    def which(audio_s):
        k = int(np.argmin([abs(audio_s - (n + 2 * PAD)) for n in lengths]))
        return k if abs(audio_s - (lengths[k] + 2 * PAD)) < 0.6 else None
    return which


def run(core, audio):
    evs = []
    for i in range(0, len(audio), BLOCK):
        evs += core.push(audio[i:i + BLOCK])
    return evs + core.finish()


def test_a_suspect_final_never_enters_the_prompt(three_utterances):
    audio, lengths = three_utterances
    which = by_length(lengths)
    said = ["您好，我是华信银行的刘晓雯，工号八零二六。", "请问您是陈建国先生本人吗？", "本次通话会全程录音。"]

    def answer(audio_s, prompt):
        k = which(audio_s)
        if k is None:
            return "您好", -0.3
        return said[k], (-1.3 if k == 1 else -0.2)      # utterance 1: low confidence → suspect

    dec = PromptDecoder(answer)
    cfg = AsrConfig(beam_size_final=5, beam_size_partial=1, final_context=2)
    evs = run(RecognizerCore(cfg, dec, realtime=False, prompt="华信银行"), audio)
    fs = [e for e in evs if isinstance(e, AsrFinal)]
    assert [f.raw_text for f in fs] == said and [f.suspect for f in fs] == [False, True, False]
    finals_prompts = {which(s): p for s, b, p in dec.calls if b == 5 and which(s) is not None}
    assert finals_prompts[0] == "华信银行"
    assert finals_prompts[1] == "华信银行 " + fs[0].text           # the corrected text of the good final
    assert finals_prompts[2] == "华信银行 " + fs[0].text           # not the suspect one
    # partials (greedy) keep the plain prompt whatever the context holds
    partial_prompts = {p for s, b, p in dec.calls if b == 1}
    assert partial_prompts == {"华信银行"} and [e for e in evs if isinstance(e, AsrPartial)]


def test_a_final_that_echoes_its_context_is_decoded_again_without_it(three_utterances):
    audio, lengths = three_utterances
    which = by_length(lengths)
    said = ["您好，我是华信银行的刘晓雯，工号八零二六。", "请问您是陈建国先生本人吗？", "本次通话会全程录音。"]

    def answer(audio_s, prompt):
        k = which(audio_s)
        if k == 1 and said[0] in prompt:
            return said[0], -0.3                          # the model copies the prompt instead of listening
        return (said[k] if k is not None else "您好"), -0.2

    dec = PromptDecoder(answer)
    core = RecognizerCore(AsrConfig(final_context=2, partials=False), dec, realtime=False)
    fs = [e for e in run(core, audio) if isinstance(e, AsrFinal)]
    assert [f.raw_text for f in fs] == said and core.echoes >= 1
    # the utterance was decoded with the context, then without it; both decodes are its compute
    u1 = [(b, p) for s, b, p in dec.calls if which(s) == 1]
    beam = AsrConfig().beam_size_final
    assert u1[-2:] == [(beam, fs[0].text), (beam, "")] and fs[1].compute_s == pytest.approx(0.1)
    # the re-decoded final stays out of the context: the third utterance sees the first only
    assert [p for s, b, p in dec.calls if which(s) == 2][-1] == fs[0].text


def test_context_off_gives_the_plain_prompt(three_utterances):
    audio, lengths = three_utterances
    dec = PromptDecoder(lambda s, p: ("您好，我是刘晓雯。", -0.2))
    run(RecognizerCore(AsrConfig(final_context=0, partials=False), dec, realtime=False, prompt="华信银行"), audio)
    assert {p for _, _, p in dec.calls} == {"华信银行"}


@pytest.mark.model
def test_whisper_repeating_its_context_is_caught(whisper):
    # Provoked with the real model: beam 5 over the digital silence the VAD pads utterances with, prompted with
    # the previous finals, writes the previous sentence again (scored -0.9: the confidence guards pass it).
    from assist.asr.decoder import WhisperDecoder
    from assist.asr.guards import judge

    dec = WhisperDecoder(whisper)
    core = RecognizerCore(AsrConfig(beam_size_final=5, final_context=2), dec, realtime=False, prompt="")
    before = "请问您是陈建国先生本人吗？麻烦报一下身份证后四位。"
    core._context["agent"].add("您好，我是华信银行信用卡中心的刘晓雯，工号八零二六。", suspect=False)
    core._context["agent"].add(before, suspect=False)
    silence = np.zeros(2 * SR, np.float32)
    copied = dec.decode(silence, prompt_tokens=dec.encode_prompt(core._context["agent"].text()), beam_size=5)
    v = judge(copied.text, audio_s=copied.audio_s, avg_logprob=copied.avg_logprob,
              no_speech_prob=copied.no_speech_prob)
    assert v.text and core._context["agent"].echoes(v.text), copied      # the copy the guards alone let through
    res, echoed = core._decode_final(silence, "agent")
    assert echoed and core.echoes == 1
    assert longest_common_run(res.text, before) < 6 and res.compute_s > copied.compute_s * 0.5
