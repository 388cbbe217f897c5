"""Speaker turns of a mono mix (agent + debtor on one channel): a simple, measured method, for recordings only.

A recording of both parties on one channel is split into the two lanes a stereo file gives: the agent's and the
debtor's. Method (the whole file at once: it is a recording, not a live stream):

1. the Silero VAD cuts the mix into speech segments with a short end-of-speech wait (``MIN_SILENCE_S``), so a
   reply that follows the other party's line within half a second is still its own segment;
2. each segment is described by its mean log spectrum in 24 mel-spaced bands (the line's telephone band against
   the headset's full band, the two voices' timbre) and the share of its energy above 3.4 kHz;
3. two-means on the z-scored descriptions (started from the two most different segments);
4. the cluster of the call's first segment is the agent's (the agent places the call and speaks first); when the
   first segment is very short (a 喂 of the debtor picking up), the cluster with more speech is, as agents talk
   most of a collection call.

``split_mix(mix)`` returns ``(agent, debtor, turns)``: two arrays of the mix's length, each holding the mix in
that speaker's segments and silence elsewhere, and the (start, end, speaker) list. Overlapping speech goes to the
segment's cluster as a whole. How well it works on the dialogues' mono mixes is printed by
``bench/eval_mono_split.py`` (docs/ARCHITECTURE.md has the figures).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SR = 16000
MIN_SILENCE_S = 0.3
PAD_S = 0.1
_N_FFT = 512
_HOP = 160
_BANDS = 24
_FIRST_MIN_S = 1.0      # a first segment shorter than this does not decide who the agent is


@dataclass(frozen=True)
class Turn:
    start: float
    end: float
    speaker: str        # "agent" | "debtor"


def _segments(mix: np.ndarray) -> list[tuple[int, int]]:
    from ..asr.vad import Segmenter, SpeechEnd

    seg = Segmenter(min_silence_s=MIN_SILENCE_S, pad_s=PAD_S, max_s=15.0, min_speech_s=0.25)
    out = []
    step = SR // 10
    events = []
    for i in range(0, mix.size, step):
        events += seg.push(mix[i:i + step])
    events += seg.flush()
    for ev in events:
        if isinstance(ev, SpeechEnd):
            a, b = int(round(ev.start * SR)), int(round(ev.end * SR))
            if b - a > SR // 10:
                out.append((max(0, a), min(mix.size, b)))
    return out


def _mel_matrix() -> np.ndarray:
    freqs = np.fft.rfftfreq(_N_FFT, 1 / SR)
    mel = 2595 * np.log10(1 + freqs / 700)
    edges = np.linspace(mel[1], mel[-1], _BANDS + 2)
    m = np.zeros((_BANDS, freqs.size))
    for k in range(_BANDS):
        lo, mid, hi = edges[k], edges[k + 1], edges[k + 2]
        m[k] = np.clip(np.minimum((mel - lo) / (mid - lo), (hi - mel) / (hi - mid)), 0, None)
    return m


_MEL = None


def _describe(audio: np.ndarray) -> np.ndarray:
    global _MEL
    if _MEL is None:
        _MEL = _mel_matrix()
    n = 1 + max(0, audio.size - _N_FFT) // _HOP
    idx = np.arange(_N_FFT)[None, :] + _HOP * np.arange(n)[:, None]
    frames = np.pad(audio, (0, max(0, _N_FFT - audio.size)))[np.minimum(idx, max(audio.size, _N_FFT) - 1)]
    power = np.abs(np.fft.rfft(frames * np.hanning(_N_FFT), axis=1)) ** 2
    energy = power.sum(axis=1)
    voiced = energy > np.percentile(energy, 50)       # the louder half: speech, not the pauses inside
    p = power[voiced] if voiced.any() else power
    bands = np.log(p @ _MEL.T + 1e-10).mean(axis=0)
    freqs = np.fft.rfftfreq(_N_FFT, 1 / SR)
    high = np.log((p[:, freqs > 3400].sum() + 1e-10) / (p.sum() + 1e-10))
    return np.concatenate([bands - bands.mean(), [high]])


def _two_means(x: np.ndarray) -> np.ndarray:
    d = ((x[:, None, :] - x[None, :, :]) ** 2).sum(-1)
    i, j = np.unravel_index(np.argmax(d), d.shape)
    centres = x[[i, j]].copy()
    labels = np.zeros(len(x), dtype=int)
    for _ in range(50):
        new = ((x[:, None, :] - centres[None]) ** 2).sum(-1).argmin(1)
        if (new == labels).all() and _ > 0:
            break
        labels = new
        for k in (0, 1):
            if (labels == k).any():
                centres[k] = x[labels == k].mean(0)
    return labels


def speaker_turns(mix: np.ndarray) -> list[Turn]:
    """The mix's speech segments with the speaker each is taken to be."""
    mix = np.asarray(mix, dtype=np.float32).reshape(-1)
    segs = _segments(mix)
    if not segs:
        return []
    if len(segs) == 1:
        return [Turn(segs[0][0] / SR, segs[0][1] / SR, "agent")]
    x = np.stack([_describe(mix[a:b]) for a, b in segs])
    x = (x - x.mean(0)) / (x.std(0) + 1e-6)
    labels = _two_means(x)
    lengths = np.array([b - a for a, b in segs])
    if lengths[0] >= _FIRST_MIN_S * SR:
        agent = labels[0]
    else:
        agent = int(lengths[labels == 1].sum() > lengths[labels == 0].sum())
    return [Turn(a / SR, b / SR, "agent" if lab == agent else "debtor") for (a, b), lab in zip(segs, labels)]


def split_mix(mix: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[Turn]]:
    """(agent, debtor, turns): the mix split into the two lanes by ``speaker_turns``."""
    mix = np.asarray(mix, dtype=np.float32).reshape(-1)
    turns = speaker_turns(mix)
    agent = np.zeros_like(mix)
    debtor = np.zeros_like(mix)
    for t in turns:
        a, b = int(t.start * SR), int(t.end * SR)
        (agent if t.speaker == "agent" else debtor)[a:b] = mix[a:b]
    return agent, debtor, turns
