"""RecognizerCore's scheduling, driven synchronously (no thread) with a stand-in decoder.

The VAD is the real Silero one on real dev audio; only the Whisper decode is replaced, by a decoder whose text
depends on how much audio it was given — so these tests pin the core's own logic (hold, speculative final,
partial schedule, overload skim) independently of Whisper's numerics, which differ between machines (see
test_recognizer.py::test_pause_after_an_unfinished_word_is_held). The real-model tests stay in test_recognizer.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from assist.asr import AsrFinal, AsrHealth, AsrPartial, RecognizerCore
from assist.asr.core import MIN_PARTIAL_GAP_S
from assist.asr.decoder import DecodeResult
from assist.config import AsrConfig

SR = 16000
BLOCK = 1600


class FakeDecoder:
    """``text_for(audio seconds) -> text``; every decode takes ``compute_s`` (as the core's clock sees it)."""

    def __init__(self, text_for, compute_s: float = 0.05):
        self.text_for = text_for
        self.compute_s = compute_s
        self.calls: list[tuple[float, int]] = []   # (audio seconds, beam)

    def encode_prompt(self, text: str) -> list[int]:
        return []

    def decode(self, audio, *, prompt_tokens=(), beam_size=1) -> DecodeResult:
        audio_s = len(audio) / SR
        self.calls.append((audio_s, beam_size))
        text = self.text_for(audio_s)
        return DecodeResult(text=text, avg_logprob=-0.2, no_speech_prob=0.01, compression_ratio=1.0,
                            audio_s=audio_s, compute_s=self.compute_s, tokens=len(text))


class Waiting:
    """The driver's queue as the core sees it; tests set how much audio is waiting."""

    def __init__(self):
        self.queued_s = 0.0
        self.dropped = 0

    def __len__(self):
        return int(self.queued_s * SR / BLOCK)


def drive(core: RecognizerCore, audio: np.ndarray, block: int = BLOCK) -> list:
    events = []
    for i in range(0, len(audio), block):
        events += core.push(audio[i:i + block])
    return events + core.finish()


def finals(events):
    return [e for e in events if isinstance(e, AsrFinal)]


@pytest.fixture(scope="module")
def paused_utterance(dev_dir, load_wav, manifest):
    """d01 utterance 5 with 0.6 s of silence made right after 把 (41.95 s), then 1.5 s of silence."""
    u = manifest["d01"]["utterances"][5]
    audio = load_wav(dev_dir / "d01.wav")
    cut = lambda t0, t1: audio[int(t0 * SR):int(t1 * SR)]   # noqa: E731
    return np.concatenate([cut(u["start"] - 0.3, 41.95), np.zeros(int(0.6 * SR), np.float32),
                           cut(41.95, u["end"] + 0.2), np.zeros(int(1.5 * SR), np.float32)])


def _words_so_far(audio_s: float) -> str:
    # what Whisper reads of that utterance: up to the made pause (~2.4 s with the pad) or all of it
    return "那您看明天能不能把" if audio_s < 4.0 else "那您看明天能不能把三千六百八十元一次性还上？"


def test_unfinished_words_hold_the_utterance_open(paused_utterance):
    # the pause after 把 (0.6 s of silence, ~0.75 s as the VAD sees it) is longer than min_silence_s (0.5 s):
    # only the hold to max_silence_s (1.0 s), decided from the speculative decode's words, keeps it one utterance
    held = drive(RecognizerCore(AsrConfig(min_silence_s=0.5, max_silence_s=1.0, partials=False),
                                FakeDecoder(_words_so_far), realtime=False), paused_utterance)
    assert [f.text for f in finals(held)] == ["那您看明天能不能把三千六百八十元一次性还上？"]
    plain = finals(drive(RecognizerCore(AsrConfig(min_silence_s=0.5, max_silence_s=0.5, partials=False),
                                        FakeDecoder(_words_so_far), realtime=False), paused_utterance))
    assert len(plain) == 2 and plain[0].text == "那您看明天能不能把" and plain[0].end < plain[1].start
    assert [f.index for f in plain] == [0, 1]
    # a finished sentence at the same pause is not held: the plain wait ends it
    done = finals(drive(RecognizerCore(AsrConfig(min_silence_s=0.5, max_silence_s=1.0, partials=False),
                                       FakeDecoder(lambda s: "那您看明天能不能还上。"), realtime=False),
                        paused_utterance))
    assert len(done) == 2


def test_the_speculative_decode_is_the_final_when_the_silence_holds(paused_utterance):
    dec = FakeDecoder(_words_so_far)
    fs = finals(drive(RecognizerCore(AsrConfig(min_silence_s=0.5, max_silence_s=1.0, partials=False), dec,
                                     realtime=False), paused_utterance))
    # one decode at the made pause (held: it is not final) and one at the end, which became the final: no
    # third decode of the same audio after the end-of-speech wait
    assert len(fs) == 1 and len(dec.calls) == 2
    assert fs[0].compute_s == dec.compute_s and fs[0].clock_t >= fs[0].audio_t


def test_events_are_returned_when_no_callback_is_given(paused_utterance):
    core = RecognizerCore(AsrConfig(partials=False), FakeDecoder(_words_so_far), realtime=False)
    pushed = [core.push(paused_utterance[i:i + BLOCK]) for i in range(0, len(paused_utterance), BLOCK)]
    assert all(isinstance(e, AsrHealth) for evs in pushed for e in evs if not isinstance(e, AsrFinal))
    assert sum(isinstance(e, AsrHealth) for evs in pushed for e in evs) >= 5       # about one a second
    end = core.finish()
    assert isinstance(end[-1], AsrHealth)                                          # the last report comes last
    assert core.push(np.zeros(BLOCK, np.float32)) is not end                       # a fresh list each call
    seen = []
    core = RecognizerCore(AsrConfig(partials=False), FakeDecoder(_words_so_far), realtime=False,
                          on_event=seen.append)
    assert drive(core, paused_utterance) == [] and finals(seen)


def test_partials_are_spaced_by_their_decode_time(dev_dir, load_wav, manifest):
    u = manifest["d01"]["utterances"][3]                        # 5.7 s of speech
    audio = load_wav(dev_dir / "d01.wav")[int((u["start"] - 0.5) * SR):int((u["end"] + 1.2) * SR)]
    dec = FakeDecoder(lambda s: "您好，这边是华信银行信用卡中心"[: max(1, int(s * 3))], compute_s=0.3)
    evs = drive(RecognizerCore(AsrConfig(), dec, realtime=False), audio)
    parts = [e for e in evs if isinstance(e, AsrPartial)]
    fs = finals(evs)
    assert len(fs) == 1 and len(parts) >= 3 and all(p.index == 0 for p in parts)
    assert evs.index(parts[-1]) < evs.index(fs[0])
    # partials use at most ~30 % of the time: 0.3 s decodes → one per second of new audio (never under 0.6 s)
    steps = np.diff([p.audio_t for p in parts])
    assert min(steps) >= MIN_PARTIAL_GAP_S - BLOCK / SR and np.median(steps) >= 0.9
    # each partial came from a greedy partial decode, or from a speculative decode (beam of finals) at a pause the
    # agent went on after
    beams = [b for _, b in dec.calls]
    spec_shown = beams.count(AsrConfig().beam_size_final) - len(fs)
    assert beams.count(AsrConfig().beam_size_partial) + spec_shown >= len(parts)
    assert beams.count(AsrConfig().beam_size_partial) >= len(parts) - 1


def test_a_live_core_far_behind_skims_whole_utterances(dev_dir, load_wav, manifest):
    # live, more than max_backlog_s waiting: utterances ending meanwhile are not decoded (counted as dropped)
    # until the wait is back under half the bound; then they are decoded again
    utts = manifest["d01"]["utterances"][:4]
    audio = load_wav(dev_dir / "d01.wav")[: int((utts[-1]["end"] + 1.5) * SR)]
    waiting = Waiting()
    cfg = AsrConfig(max_backlog_s=10.0, partials=False)
    core = RecognizerCore(cfg, FakeDecoder(lambda s: "好的，我这边帮您登记一下。"), realtime=True, waiting=waiting)
    events = []
    for i in range(0, len(audio), BLOCK):
        t = i / SR
        # (an utterance ends ~0.7 s after its speech: the end-of-speech wait)
        waiting.queued_s = 12.0 if t < utts[1]["end"] + 1.2 else (6.0 if t < utts[2]["end"] + 1.2 else 0.0)
        events += core.push(audio[i:i + BLOCK])
    events += core.finish()
    fs = finals(events)
    # utterances 0 and 1 end while skimming; at 6 s waiting (above half the bound) it still skims utterance 2
    assert [round(f.start) for f in fs] == [round(utts[3]["start"] - cfg.speech_pad_s)]
    skipped = sum(u["end"] - u["start"] for u in utts[:3])
    assert core.dropped_s >= skipped and core.dropped_s < skipped + 3 * 1.5
    health = [e for e in events if isinstance(e, AsrHealth)]
    assert health[-1].dropped_s == pytest.approx(core.dropped_s, abs=1e-3)


def test_what_the_guards_drop_gives_no_final(paused_utterance):
    evs = drive(RecognizerCore(AsrConfig(), FakeDecoder(lambda s: ""), realtime=False), paused_utterance)
    assert not [e for e in evs if isinstance(e, (AsrFinal, AsrPartial))]


def test_the_debtor_lane_waits_for_the_agent_to_be_silent(dev_dir, load_wav, manifest):
    # the two parties speak over each other: the debtor's utterance is decoded only once the agent's has
    # ended (finals only, lower priority), and both share one index sequence
    u0, u1 = manifest["d01"]["utterances"][:2]
    audio = load_wav(dev_dir / "d01.wav")
    agent = audio[int((u1["start"] - 0.5) * SR):int((u1["end"] + 1.5) * SR)]
    debtor = np.zeros_like(agent)
    said = audio[int((u0["end"] - 2.0) * SR):int((u0["end"] + 0.2) * SR)]   # starts 0.5 s after the agent
    debtor[int(1.0 * SR):int(1.0 * SR) + said.size] = said
    dec = FakeDecoder(lambda s: "好的，我这边帮您登记一下。")
    core = RecognizerCore(AsrConfig(partials=False), dec, realtime=False)
    evs = []
    for i in range(0, len(agent), BLOCK):
        evs += core.push(agent[i:i + BLOCK])
        evs += core.push_debtor(debtor[i:i + BLOCK])
    evs += core.finish()
    fs = finals(evs)
    assert [(f.index, f.speaker) for f in fs] == [(0, "agent"), (1, "debtor")]
    assert fs[1].end < fs[0].end and fs[1].audio_t >= fs[0].end      # it ended first, it was decoded after


def test_live_the_debtors_waiting_utterances_are_bounded(dev_dir, load_wav, manifest):
    # live and behind (audio waiting, so the debtor lane never gets its turn): the debtor's finished utterances
    # must not pile up for ever; past max_backlog_s the oldest go, counted, and the newest are still decoded
    audio = load_wav(dev_dir / "d01.wav")
    utts = manifest["d01"]["utterances"]
    waiting = Waiting()
    waiting.queued_s = 1.0                      # behind, but well under the skim bound
    cfg = AsrConfig(partials=False, max_backlog_s=6.0)
    core = RecognizerCore(cfg, FakeDecoder(lambda s: "我这个月真的没钱。"), realtime=True, waiting=waiting)
    silence = np.zeros(BLOCK, np.float32)
    evs = []
    for i in range(0, len(audio), BLOCK):
        evs += core.push(silence)
        evs += core.push_debtor(audio[i:i + BLOCK])
        assert len(core._debtor_pending) <= 1 or sum(e.audio.size for e in core._debtor_pending) <= 6.0 * SR
    assert not finals(evs)
    waiting.queued_s = 0.0
    evs = core.finish()
    fs = finals(evs)
    assert fs and all(f.speaker == "debtor" for f in fs)
    assert fs[-1].start > utts[-1]["start"] - 1.0                      # the newest were kept
    spoken = sum(u["end"] - u["start"] for u in utts)
    assert core.debtor_dropped_s > spoken - 6.0 - 3.0                   # what went is counted


def said(utts):
    """The text of the utterance whose length the decoded audio is nearest to (each final differs, so the
    finals' context guard sees no echo)."""
    return lambda s: min(utts, key=lambda u: abs(u["end"] - u["start"] - s))["text"]


class CostlyFinals(FakeDecoder):
    """Beam-search finals cost more than greedy partials: ``final_s`` per decode of beam > 1."""

    def __init__(self, text_for, final_s: float, partial_s: float):
        super().__init__(text_for, partial_s)
        self.final_s = final_s

    def decode(self, audio, *, prompt_tokens=(), beam_size=1) -> DecodeResult:
        res = super().decode(audio, prompt_tokens=prompt_tokens, beam_size=beam_size)
        if beam_size > 1:
            res = DecodeResult(**{**res.__dict__, "compute_s": self.final_s})
        return res


def test_costly_finals_are_decoded_in_the_silence(dev_dir, load_wav, manifest):
    # beam-5 finals at 0.4 s a decode (what they cost here on a loaded 2-core PC) still fit in the end-of-speech
    # wait: each final is its speculative decode (no decode after the wait), so it arrives at the utterance's end
    # plus the wait, not plus the decode
    utts = manifest["d01"]["utterances"][:4]
    audio = load_wav(dev_dir / "d01.wav")[: int((utts[-1]["end"] + 1.5) * SR)]
    cfg = AsrConfig(beam_size_final=5, beam_size_partial=1, final_context=2)
    dec = CostlyFinals(said(utts), final_s=0.4, partial_s=0.15)
    fs = finals(drive(RecognizerCore(cfg, dec, realtime=False), audio))
    assert len(fs) == 4
    beam_decodes = [s for s, b in dec.calls if b == 5]
    for f in fs:
        # the decode that gave the final ran on the audio up to spec_silence_s into the silence, and no later
        # decode of the whole utterance (with the pad) followed it
        whole = [s for s in beam_decodes if abs(s - (f.end - f.start)) < 0.05]
        assert not whole, (f, beam_decodes)
        assert f.clock_t - f.end <= cfg.max_silence_s - cfg.speech_pad_s + 0.1
        assert f.compute_s == dec.final_s
    # partials stay greedy
    assert {b for _, b in dec.calls} == {1, 5}


def test_behind_partials_stop_first_finals_still_come(dev_dir, load_wav, manifest):
    # live with 2 s of audio waiting (behind, far under the skim bound): no partial and no speculative decode is
    # spent, yet every utterance gets its beam-5 final
    utts = manifest["d01"]["utterances"][:4]
    audio = load_wav(dev_dir / "d01.wav")[: int((utts[-1]["end"] + 1.5) * SR)]
    waiting = Waiting()
    waiting.queued_s = 2.0
    cfg = AsrConfig(beam_size_final=5, beam_size_partial=1, final_context=2)
    dec = CostlyFinals(said(utts), final_s=0.4, partial_s=0.15)
    evs = drive(RecognizerCore(cfg, dec, realtime=True, waiting=waiting), audio)
    assert len(finals(evs)) == 4 and not [e for e in evs if isinstance(e, AsrPartial)]
    assert [b for _, b in dec.calls] == [5, 5, 5, 5]     # one decode per utterance: its final
