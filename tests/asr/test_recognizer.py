"""StreamingRecognizer with the real Whisper base model on real audio (short slices to stay fast)."""

from __future__ import annotations

import re
import threading

import numpy as np
import pytest

from assist.asr import AsrFinal, AsrHealth, AsrPartial, StreamingRecognizer
from assist.asr.decoder import WhisperDecoder
from assist.asr.guards import judge
from assist.case import CaseData
from assist.config import AsrConfig
from assist.text.normalize import edit_distance, for_scoring, to_simplified

pytestmark = pytest.mark.model


def run(model, audio, *, realtime=False, block=1600, cfg=None, **kw):
    events = []
    rec = StreamingRecognizer(cfg or AsrConfig(), model=model, on_event=events.append, realtime=realtime, **kw)
    for i in range(0, len(audio), block):
        rec.feed(audio[i:i + block])
    rec.finish()
    assert rec.error is None
    return events


def finals(events):
    return [e for e in events if isinstance(e, AsrFinal)]


def test_dev_slice_segments_and_transcribes(whisper, dev_dir, load_wav, manifest):
    utts = manifest["d01"]["utterances"][:3]
    audio = load_wav(dev_dir / "d01.wav")[: int((utts[-1]["end"] + 1.5) * 16000)]
    case = CaseData(debtor_name="陈建国", institution="华信银行", agent_name="刘晓雯", agent_id="8026")
    evs = run(whisper, audio, case=case)
    fs = finals(evs)
    assert [f.index for f in fs] == [0, 1, 2]                    # one final per spoken utterance, none merged
    for f, u in zip(fs, utts):
        assert abs(f.start - u["start"]) < 0.4 and abs(f.end - u["end"]) < 0.5
        assert f.text == to_simplified(f.text) and f.raw_text == to_simplified(f.raw_text)
        assert f.end <= f.audio_t and f.compute_s > 0
    assert "工号" in fs[0].text and "本人" in fs[1].text and "录音" in fs[2].text
    assert "刘晓雯" in fs[0].text                                # case data restores the agent's name
    health = [e for e in evs if isinstance(e, AsrHealth)]
    assert health and 0 < health[-1].rtf < 2 and health[-1].queue_depth == 0


def test_silence_and_noise_produce_no_text(whisper):
    rng = np.random.default_rng(1)
    silence = np.zeros(16000 * 4, np.float32)
    noise = (rng.standard_normal(16000 * 6) * 0.003).astype(np.float32)
    evs = run(whisper, np.concatenate([silence, noise, silence]))
    assert not [e for e in evs if isinstance(e, (AsrFinal, AsrPartial))]
    # and if such audio ever reaches Whisper, the guards drop what it invents
    dec = WhisperDecoder(whisper)
    for audio in (silence[:16000 * 2], noise[:16000 * 3]):
        r = dec.decode(audio)
        assert judge(r.text, audio_s=r.audio_s, avg_logprob=r.avg_logprob, no_speech_prob=r.no_speech_prob).text == ""


def test_encoder_windows_come_in_few_shapes(whisper):
    # every distinct window is a new oneDNN primitive cached for good: utterance lengths must map to few shapes
    dec = WhisperDecoder(whisper)
    lengths = range(1, 16000 * 31, 997)                          # 1 sample .. 31 s, ~500 lengths
    windows = {n: dec.window_frames(n) for n in lengths}
    assert len(set(windows.values())) <= 21
    assert all(w == 3000 or w >= n // 160 + 1 + dec.tail_frames for n, w in windows.items())   # tail kept
    assert max(windows.values()) == 3000 and min(windows.values()) == dec.min_frames


def test_partials_for_a_long_utterance(whisper, dev_dir, load_wav, manifest):
    u = manifest["d01"]["utterances"][3]                        # 5.7 s
    audio = load_wav(dev_dir / "d01.wav")[int((u["start"] - 0.5) * 16000):int((u["end"] + 1.2) * 16000)]
    events = []
    rec = StreamingRecognizer(AsrConfig(), model=whisper, on_event=events.append, realtime=False)
    for i in range(0, len(audio), 1600):
        rec.feed(audio[i:i + 1600])
    rec.finish()
    evs = events
    parts = [e for e in evs if isinstance(e, AsrPartial)]
    fs = finals(evs)
    assert len(fs) == 1 and len(parts) >= 2
    assert all(p.index == 0 for p in parts)
    assert evs.index(parts[-1]) < evs.index(fs[0])               # partials come before the final
    assert parts[0].audio_t < u["end"] - 0.5                    # while the agent is still speaking
    # the first partial is decoded from the audio up to <= 1 s after onset (its clock time adds one decode,
    # which depends on the machine's load, so it is not asserted here; bench/asr.py measures it)
    assert parts[0].audio_t - u["start"] <= 1.0, parts[0]
    assert len(parts[-1].text) > len(parts[0].text) // 2 and re.search(r"[\u4e00-\u9fff]", parts[0].text)


def test_finals_never_dropped_under_load(whisper, dev_dir, load_wav, manifest):
    # A "live" recogniser fed 25 s of audio at once is far behind: it must skip partials, not finals.
    utts = [u for u in manifest["d05"]["utterances"] if u["end"] < 24.0]
    audio = load_wav(dev_dir / "d05.wav")[: 16000 * 25]
    slow = threading.Event()
    seen = []

    def on_event(e):
        seen.append(e)
        if isinstance(e, AsrFinal) and not slow.is_set():
            slow.set()
            threading.Event().wait(0.5)                          # a slow consumer must not lose anything either

    rec = StreamingRecognizer(AsrConfig(), model=whisper, on_event=on_event, realtime=True)
    for i in range(0, len(audio), 800):
        rec.feed(audio[i:i + 800])
    rec.finish()
    fs = finals(seen)
    assert len(fs) == len(utts)
    assert not [e for e in seen if isinstance(e, AsrPartial)]


def test_real_clips_default_decoding_is_simplified_and_close(whisper, shared_dir, load_wav):
    # Default decoding without case data (no prompt, see resources/lexicon/hotwords.txt) on two real, non-collection
    # clips: simplified output and a bounded CER. Measured: 3 errors in 27 characters (11.1%); the aishell clip's
    # 房地产 comes out as 佛地产 without the old 房贷/房产 hotword prompt, which cost ~1 CER point on the calls.
    real = shared_dir / "data" / "real"
    rows = [line.split("\t") for line in (real / "transcripts.tsv").read_text(encoding="utf-8").splitlines()[1:]
            if line.strip()]
    errors = chars = 0
    for name, ref, *_ in rows:
        text = "".join(f.text for f in finals(run(whisper, load_wav(real / name))))
        assert text == to_simplified(text), text
        if name.startswith("aishell"):
            assert "广州" in text and "协会" in text, text
        errors += edit_distance(for_scoring(ref), for_scoring(text))
        chars += len(for_scoring(ref))
    assert errors / chars <= 0.15, (errors, chars)


def test_close_abandons_without_final(whisper, dev_dir, load_wav, manifest):
    u = manifest["d01"]["utterances"][0]
    audio = load_wav(dev_dir / "d01.wav")[: int((u["start"] + 2.0) * 16000)]   # stop mid-utterance
    events = []
    rec = StreamingRecognizer(AsrConfig(partials=False), model=whisper, on_event=events.append, realtime=False)
    rec.feed(audio)
    rec.close()
    assert not finals(events)


def _joined(audio, a0, a1, pause_s, b0, b1):
    """audio[a0:a1] + ``pause_s`` of digital silence + audio[b0:b1] (seconds)."""
    cut = lambda t0, t1: audio[int(t0 * 16000):int(t1 * 16000)]   # noqa: E731
    return np.concatenate([cut(a0, a1), np.zeros(int(pause_s * 16000), np.float32), cut(b0, b1)])


def test_pause_after_an_unfinished_word_is_held(whisper, dev_dir, load_wav, manifest):
    # d01 utterance 5 "那您看明天能不能把三千六百八十元一次性还上？" with a pause made right after 把 (41.95 s: a
    # decode of the audio up to there reads 那您看明天能不能把): ~0.75 s of silence, more than the plain 0.5 s
    u = manifest["d01"]["utterances"][5]
    audio = _joined(load_wav(dev_dir / "d01.wav"), u["start"] - 0.3, 41.95, 0.6, 41.95, u["end"] + 0.2)
    audio = np.concatenate([audio, np.zeros(16000 * 3 // 2, np.float32)])
    resumed_end = u["end"] - u["start"] + 0.3 + 0.6             # where the words after the pause end in `audio`
    held = finals(run(whisper, audio, cfg=AsrConfig(min_silence_s=0.5, max_silence_s=1.0, partials=False)))
    # one utterance running to the end of the words after the pause: the real model's speculative decode read
    # an unfinished ending and held it. What Whisper base then writes for the whole held utterance is not
    # asserted: across the 0.6 s of *digital* silence it sometimes stops after 把, depending on the CPU
    # kernels CTranslate2 picks (ct2 4.8.5 here: AVX2 kernels stop after 把, AVX512 and AVX ones read on to
    # 一次性还上; this machine's default is AVX2). test_core.py pins the hold with a decoder that cannot drift.
    assert len(held) == 1 and "明天" in held[0].text, held
    assert abs(held[0].end - resumed_end) < 0.5, (held, resumed_end)
    # the same audio without the hold: the pause ends an utterance there (so the rule is what kept it whole)
    plain = finals(run(whisper, audio, cfg=AsrConfig(min_silence_s=0.5, max_silence_s=0.5, partials=False)))
    assert len(plain) == 2 and "明天" in plain[0].text and "一次性" in plain[1].text, plain


def test_sentence_end_then_short_gap_is_split(whisper, dev_dir, load_wav, manifest):
    # d01 utterances 0 ("…工号八零二六。") and 1 with only ~0.75 s of silence between them: two utterances
    u0, u1 = manifest["d01"]["utterances"][:2]
    audio = _joined(load_wav(dev_dir / "d01.wav"), u0["start"] - 0.3, u0["end"], 0.6, u1["start"], u1["end"] + 1.2)
    fs = finals(run(whisper, audio, cfg=AsrConfig(partials=False)))
    assert len(fs) == 2, fs
    assert "工号" in fs[0].text and "本人" in fs[1].text
    assert fs[1].start - fs[0].end < 0.5


def test_clause_pause_inside_an_utterance_is_not_split(whisper, dev_dir, load_wav, manifest):
    # d02 utterance 1: "请问是王丽娟女士吗？" 0.6 s pause "跟您核对一下身份证后四位。" is one utterance
    u = manifest["d02"]["utterances"][1]
    audio = load_wav(dev_dir / "d02.wav")[int((u["start"] - 0.3) * 16000):int((u["end"] + 1.2) * 16000)]
    fs = finals(run(whisper, audio, cfg=AsrConfig(partials=False)))
    assert len(fs) == 1 and "身份" in fs[0].text, fs
