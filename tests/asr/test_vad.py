"""The frame-by-frame Silero VAD and the segmenter (no Whisper)."""

from __future__ import annotations

import numpy as np

from assist.asr.vad import FRAME, Segmenter, SileroVad, SpeechEnd, SpeechStart


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
