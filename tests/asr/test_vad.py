"""The frame-by-frame Silero VAD and the segmenter (no Whisper)."""

from __future__ import annotations

import numpy as np

from assist.asr.vad import FRAME, Segmenter, SileroVad, SpeechEnd, SpeechPause, SpeechStart


def _ends(seg: Segmenter, audio: np.ndarray, block: int = 1600) -> list[SpeechEnd]:
    out = []
    for i in range(0, len(audio), block):
        out += [e for e in seg.push(audio[i:i + block]) if isinstance(e, SpeechEnd)]
    return out + [e for e in seg.flush() if isinstance(e, SpeechEnd)]


def test_streaming_vad_matches_whole_file_vad(dev_dir, load_wav):
    from faster_whisper.vad import get_vad_model

    audio = load_wav(dev_dir / "d01.wav")[: 16000 * 12]
    n = len(audio) // FRAME * FRAME
    ref = get_vad_model()(audio[:n].copy()).reshape(-1)
    vad = SileroVad()
    mine = np.array([vad(audio[i:i + FRAME]) for i in range(0, n, FRAME)])
    # state carried correctly across frames (faster-whisper's batch zeroes the tail of its own last frame in
    # place, so that one frame is left out of the comparison)
    assert np.abs(ref[:-1] - mine[:-1]).max() < 1e-3
    assert mine.max() > 0.9 and mine.min() < 0.1


def test_segments_a_dev_call_like_the_manifest(dev_dir, load_wav, manifest):
    call = manifest["d02"]
    ends = _ends(Segmenter(min_silence_s=0.7), load_wav(dev_dir / "d02.wav"), block=800)
    assert len(ends) == len(call["utterances"])
    for e, u in zip(ends, call["utterances"]):
        assert abs(e.start - u["start"]) < 0.4 and abs(e.end - u["end"]) < 0.5, (e.start, e.end, u)


def test_silence_and_low_noise_make_no_utterance():
    rng = np.random.default_rng(0)
    audio = np.concatenate([np.zeros(16000 * 5, np.float32), (rng.standard_normal(16000 * 10) * 0.005).astype(np.float32)])
    seg = Segmenter()
    assert _ends(seg, audio) == []
    assert len(seg._preroll) <= seg.pad_frames and seg._frames == []   # nothing accumulates while idle


def test_long_monologue_is_cut_before_max(dev_dir, load_wav, manifest):
    audio = load_wav(dev_dir / "d01.wav")
    speech = np.concatenate([audio[int(u["start"] * 16000):int(u["end"] * 16000)] for u in manifest["d01"]["utterances"]])
    seg = Segmenter(max_s=20.0, min_silence_s=0.7)
    evs = []
    for i in range(0, len(speech), 1600):
        evs += seg.push(speech[i:i + 1600])
    evs += seg.flush()
    ends = [e for e in evs if isinstance(e, SpeechEnd)]
    starts = [e for e in evs if isinstance(e, SpeechStart)]
    assert len(ends) >= 3 and len(starts) == len(ends)
    assert all(e.end - e.start <= 20.0 + 1e-6 for e in ends)
    assert any(e.cut for e in ends)
    # the pieces tile the audio: nothing lost between a cut and the next utterance
    for a, b in zip(ends, ends[1:]):
        if a.cut:
            assert abs(b.start - a.end) < 0.04
    assert len(seg._frames) == 0


def _speech_pause_speech(dev_dir, load_wav, manifest, pause_s: float) -> tuple[np.ndarray, float]:
    """d01 utterances 0 and 1 with ``pause_s`` of digital silence between them."""
    u = manifest["d01"]["utterances"][0]
    audio = load_wav(dev_dir / "d01.wav")
    a = audio[int((u["start"] - 0.3) * 16000):int(u["end"] * 16000)]
    b = audio[int(manifest["d01"]["utterances"][1]["start"] * 16000):int((manifest["d01"]["utterances"][1]["end"] + 1.5) * 16000)]
    return np.concatenate([a, np.zeros(int(pause_s * 16000), np.float32), b]), len(a) / 16000


def test_end_wait_is_held_when_asked_and_never_beyond_its_maximum(dev_dir, load_wav, manifest):
    audio, _ = _speech_pause_speech(dev_dir, load_wav, manifest, 0.6)   # ~0.75 s of silence in all
    # plain: 0.5 s of silence ends the first sentence
    assert len(_ends(Segmenter(min_silence_s=0.5, max_silence_s=1.0), audio)) == 2

    def run(ask: float):
        seg = Segmenter(min_silence_s=0.5, max_silence_s=1.0)
        ends, closed_at = [], []
        for i in range(0, len(audio), 512):
            for e in seg.push(audio[i:i + 512]):
                if isinstance(e, SpeechPause):
                    seg.set_end_silence(ask)
                    assert seg.end_silence_s <= 1.0 + 1e-9 and seg.end_silence_s >= 0.5 - 1e-9
                if isinstance(e, SpeechEnd):
                    ends.append(e)
                    closed_at.append(seg.audio_t)
        return ends, closed_at

    ends, _ = run(1.0)                     # held to 1.0 s: the ~0.75 s pause does not end it
    assert len(ends) == 1
    ends, closed = run(30.0)               # asking for more is clamped to the maximum
    assert len(ends) == 1
    # at the very end of the audio (1.5 s of trailing speechless tail) the hold closes it within max + a frame
    speech_end = ends[0].end - 0.2
    assert closed[0] - speech_end <= 1.0 + 0.04 + 1e-6
    ends, _ = run(0.0)                     # asking for less is clamped to the minimum: split again
    assert len(ends) == 2


def test_lead_is_the_audio_before_the_utterance_outside_its_timestamps(dev_dir, load_wav):
    audio = load_wav(dev_dir / "d02.wav")[: 16000 * 30]
    plain = _ends(Segmenter(min_silence_s=0.7), audio)
    led = _ends(Segmenter(min_silence_s=0.7, lead_s=0.4), audio)
    # the same utterances, the same audio and times: the lead comes beside them
    assert [(e.start, e.end) for e in led] == [(e.start, e.end) for e in plain] and len(led) >= 3
    assert all(np.array_equal(a.audio, b.audio) for a, b in zip(led, plain))
    assert all(e.lead.size == 0 for e in plain)
    for e in led:
        s0 = round(e.start * 16000)
        n = e.lead.size
        assert 0 < n <= round(0.4 * 16000 / FRAME) * FRAME
        assert np.array_equal(e.lead, audio[s0 - n:s0])             # exactly the samples before the start
    # the first utterance starts 1 s in: its lead is the whole 0.4 s; a speculative pause carries the same lead
    assert led[0].lead.size == round(0.4 * 16000 / FRAME) * FRAME
    seg = Segmenter(min_silence_s=0.7, lead_s=0.4)
    pauses = [e for i in range(0, len(audio), 1600) for e in seg.push(audio[i:i + 1600]) if isinstance(e, SpeechPause)]
    assert pauses and np.array_equal(pauses[0].lead, led[0].lead)
