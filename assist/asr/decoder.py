"""One Whisper decode of one utterance, straight through CTranslate2 (no timestamps, no VAD, no fallback loop).

faster-whisper's ``transcribe()`` always pads to a 30 s window. CTranslate2's Whisper encoder accepts fewer mel
frames, so a 5 s utterance is encoded in a window of ``max(min_frames, frames + tail_frames)`` (10 ms frames):
the encoder cost falls roughly with the window while quality holds (measured in bench/asr.py); the
trailing silence in the window matters for quality, which is why it is padded rather than cut at the speech end.

The window is rounded up to whole ``WINDOW_STEP_FRAMES``: oneDNN (under CTranslate2's encoder convolutions)
compiles and caches a primitive and its scratchpad for every distinct input shape, and never frees them, so a
window per utterance length grew the process ~1.2 MB per new length (+300 MB over 240 random-length decodes;
flat at +0 MB with the rounding; a long shift of real calls has every length). At most 21 shapes remain.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..text.normalize import to_simplified
from .guards import compression_ratio

SAMPLE_RATE = 16000
HOP = 160                      # samples per mel frame
FULL_FRAMES = 3000             # Whisper's 30 s window
PROMPT_MAX_TOKENS = 150
WINDOW_STEP_FRAMES = 100       # 1 s: bounds the distinct encoder shapes (see the module docstring)


@dataclass(frozen=True)
class DecodeResult:
    text: str                  # simplified Chinese, as Whisper punctuated it
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    audio_s: float
    compute_s: float
    tokens: int


class WhisperDecoder:
    def __init__(self, model, *, language: str = "zh", min_frames: int = 1000, tail_frames: int = 400):
        from faster_whisper.tokenizer import Tokenizer

        self.model = model
        self.language = language
        self.min_frames = min_frames
        self.tail_frames = tail_frames
        self.tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe",
                                   language=language)
        self._fe = model.feature_extractor
        # Decoding options passed to CTranslate2's generate() on top of the fixed ones below (length_penalty,
        # repetition_penalty, no_repeat_ngram_size, suppress_blank...); bench/asr.py --opt sets them.
        self.generate_options: dict = {}
        tk = self.tokenizer
        # faster-whisper's default suppress set (-1 = non-speech symbols) plus the special tokens
        self._suppress = sorted(set(tk.non_speech_tokens) | {tk.transcribe, tk.translate, tk.sot, tk.sot_prev,
                                                              tk.sot_lm, tk.no_speech})

    def encode_prompt(self, text: str, max_tokens: int = PROMPT_MAX_TOKENS) -> list[int]:
        if not text.strip():
            return []
        toks = self.tokenizer.encode(" " + text.strip())
        return toks[-max_tokens:]   # keep the end: it is nearest to the audio

    def window_frames(self, n_samples: int) -> int:
        frames = max(self.min_frames, n_samples // HOP + 1 + self.tail_frames)
        frames = -(-frames // WINDOW_STEP_FRAMES) * WINDOW_STEP_FRAMES
        return int(min(FULL_FRAMES, frames))

    def decode(self, audio: np.ndarray, *, prompt_tokens: list[int] = (), beam_size: int = 1) -> DecodeResult:
        import ctranslate2

        t0 = time.perf_counter()
        audio = np.asarray(audio, dtype=np.float32)
        if audio.size > FULL_FRAMES * HOP:
            audio = audio[: FULL_FRAMES * HOP]   # the segmenter never gives more than 30 s; be safe anyway
        audio_s = audio.size / SAMPLE_RATE
        frames = self.window_frames(audio.size)
        # pad with real (digital) silence before computing the log-mel, as Whisper's own 30 s padding does
        feats = self._fe(audio, padding=frames * HOP)[:, :frames]
        feats = np.ascontiguousarray(feats[None].astype(np.float32))
        tk = self.tokenizer
        prompt = ([tk.sot_prev] + list(prompt_tokens) if prompt_tokens else []) + list(tk.sot_sequence) + [tk.no_timestamps]
        # ~1 token per character, fast speech ~6 characters/s: a cap well above that bounds repetition loops.
        # CTranslate2 counts the prompt in max_length.
        max_len = len(prompt) + int(min(200, 12 + audio_s * 10))
        max_len = min(448, max_len)
        opts = dict(beam_size=beam_size, max_length=max_len, return_scores=True, return_no_speech_prob=True,
                    suppress_blank=True, suppress_tokens=self._suppress)
        opts.update(self.generate_options)
        res = self.model.model.generate(ctranslate2.StorageView.from_array(feats), [prompt], **opts)[0]
        ids = [t for t in res.sequences_ids[0] if t < tk.eot]
        text = to_simplified(tk.decode(ids)).strip()
        score = float(res.scores[0]) if res.scores else 0.0
        return DecodeResult(
            text=text,
            avg_logprob=score,
            no_speech_prob=float(res.no_speech_prob),
            compression_ratio=compression_ratio(text),
            audio_s=audio_s,
            compute_s=time.perf_counter() - t0,
            tokens=len(ids),
        )
