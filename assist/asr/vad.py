"""Silero VAD run frame by frame with its recurrent state carried across calls, and the utterance segmenter.

faster-whisper ships the Silero v6 ONNX model; its own ``get_speech_timestamps`` works on a whole file, so we
drive the ONNX session ourselves: 512-sample frames (32 ms at 16 kHz), each prefixed with the last 64 samples of
the previous frame (the model's context), LSTM state ``h``/``c`` fed back every frame.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

SAMPLE_RATE = 16000
FRAME = 512            # samples per VAD frame (Silero v6 at 16 kHz)
CONTEXT = 64           # samples of left context the model expects in front of each frame
FRAME_S = FRAME / SAMPLE_RATE
_EMPTY = np.zeros(0, dtype=np.float32)


def vad_model_path() -> str:
    from faster_whisper.utils import get_assets_path

    return os.path.join(get_assets_path(), "silero_vad_v6.onnx")


@lru_cache(maxsize=1)
def _session():
    import onnxruntime

    opts = onnxruntime.SessionOptions()
    # The VAD is tiny; one thread keeps it from competing with Whisper for the cores.
    opts.inter_op_num_threads = 1
    opts.intra_op_num_threads = 1
    opts.log_severity_level = 4
    return onnxruntime.InferenceSession(vad_model_path(), providers=["CPUExecutionProvider"], sess_options=opts)


class SileroVad:
    """Speech probability per 512-sample frame; keeps the LSTM state and context between calls."""

    def __init__(self) -> None:
        self._sess = _session()
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._ctx = np.zeros(CONTEXT, dtype=np.float32)

    def __call__(self, frame: np.ndarray) -> float:
        if frame.shape != (FRAME,):
            raise ValueError(f"VAD frame must hold {FRAME} samples, got {frame.shape}")
        x = np.concatenate([self._ctx, frame]).astype(np.float32, copy=False)[None, :]
        out, self._h, self._c = self._sess.run(None, {"input": x, "h": self._h, "c": self._c})
        self._ctx = frame[-CONTEXT:].copy()
        return float(np.asarray(out).reshape(-1)[0])


# ---------------------------------------------------------------------------------------------------------
# Segmenter events


@dataclass(frozen=True)
class SpeechStart:
    index: int
    start: float          # audio seconds (already includes the leading pad)


@dataclass(frozen=True)
class SpeechPause:
    """Silence has lasted ``spec_silence_s``: the utterance may be over (a speculative final can start)."""

    index: int
    audio: np.ndarray     # the utterance so far (speech + the silence seen)
    lead: np.ndarray = field(default_factory=lambda: _EMPTY)   # audio just before it (see Segmenter lead_s)


@dataclass(frozen=True)
class SpeechResume:
    """Speech came back after a ``SpeechPause`` in the same utterance: drop any speculative result."""

    index: int


@dataclass(frozen=True)
class SpeechEnd:
    index: int
    start: float
    end: float            # audio seconds of the end of the returned audio (speech end + pad)
    audio: np.ndarray
    cut: bool = False     # True when a long monologue was cut at its quietest point, not ended by silence
    lead: np.ndarray = field(default_factory=lambda: _EMPTY)   # audio just before ``start`` (Segmenter lead_s)


class Segmenter:
    """Turns a stream of float32 16 kHz blocks into utterances.

    Start: a frame with probability >= ``threshold``. End: ``min_silence_s`` of frames below ``threshold - 0.15``
    (hysteresis, as Silero's own segmenter does); the returned audio keeps ``pad_s`` of silence on both sides.
    The end wait can be changed for the utterance in progress (``set_end_silence``: the recogniser holds longer
    when the words so far look unfinished); it is clamped to ``max_silence_s`` and goes back to
    ``min_silence_s`` at the next utterance.
    Too-short blips (< ``min_speech_s`` of speech frames) are dropped. An utterance that reaches ``max_s`` is cut
    at its quietest stretch and the rest starts the next utterance. Only the utterance in progress and a
    ``pad_s`` pre-roll are kept, so memory stays flat however long the call.

    ``lead_s``: up to this much more audio from before the utterance (before its pad) comes with its
    ``SpeechPause`` / ``SpeechEnd`` as ``lead``, outside ``audio`` and the timestamps: the finals are decoded with it
    (Whisper reads an utterance's first syllable better with some context before it; bench/asr.py --sweep pre=).
    """

    def __init__(
        self,
        *,
        threshold: float = 0.5,
        min_silence_s: float = 0.5,
        pad_s: float = 0.2,
        max_s: float = 20.0,
        min_speech_s: float = 0.25,
        spec_silence_s: float = 0.2,
        max_silence_s: float | None = None,
        vad: SileroVad | None = None,
        lead_s: float = 0.0,
    ) -> None:
        self.vad = vad or SileroVad()
        self.threshold = threshold
        self.neg_threshold = max(0.05, threshold - 0.15)
        self.min_silence_frames = max(1, round(min_silence_s / FRAME_S))
        self.max_silence_frames = max(self.min_silence_frames,
                                      round((max_silence_s or min_silence_s) / FRAME_S))
        self._end_frames = self.min_silence_frames       # end wait of the utterance in progress
        self.pad_frames = max(0, round(pad_s / FRAME_S))
        self.lead_frames = max(0, round(lead_s / FRAME_S))
        self._lead: list[np.ndarray] = []               # the current utterance's lead frames
        self.max_frames = max(8, round(max_s / FRAME_S))
        self.min_speech_frames = max(1, round(min_speech_s / FRAME_S))
        self.spec_frames = max(1, round(spec_silence_s / FRAME_S))
        self._pending = np.zeros(0, dtype=np.float32)   # samples not yet making a whole frame
        self._frame_no = 0                              # frames consumed so far (audio clock)
        self._preroll: list[np.ndarray] = []            # last lead_frames + pad_frames frames while idle
        self._frames: list[np.ndarray] = []             # current utterance
        self._probs: list[float] = []
        self._start_frame = 0
        self._speech_frames = 0
        self._silence_run = 0
        self._paused = False
        self.index = 0                                  # index of the next/current utterance
        self.in_speech = False

    def _lead_audio(self) -> np.ndarray:
        return np.concatenate(self._lead) if self._lead else _EMPTY

    # -- clock ---------------------------------------------------------------------------------------------
    @property
    def audio_t(self) -> float:
        return self._frame_no * FRAME_S

    def current_audio(self) -> np.ndarray:
        """The utterance in progress (for partials); empty when idle."""
        return np.concatenate(self._frames) if self._frames else np.zeros(0, dtype=np.float32)

    @property
    def silence_run(self) -> int:
        """Frames of silence at the end of the utterance in progress (0 = the last frame was speech)."""
        return self._silence_run if self.in_speech else 0

    @property
    def end_silence_s(self) -> float:
        """Silence that will end the utterance in progress."""
        return self._end_frames * FRAME_S

    def set_end_silence(self, seconds: float) -> None:
        """Change the end wait of the utterance in progress (clamped to [min_silence_s, max_silence_s]).

        If the silence seen already reaches the new wait, the utterance ends with the next silent frame."""
        frames = round(seconds / FRAME_S)
        self._end_frames = min(self.max_silence_frames, max(self.min_silence_frames, frames))

    @property
    def current_start(self) -> float:
        return self._start_frame * FRAME_S

    # -- feeding -------------------------------------------------------------------------------------------
    def push(self, block: np.ndarray) -> list:
        block = np.asarray(block, dtype=np.float32).reshape(-1)
        data = np.concatenate([self._pending, block]) if self._pending.size else block
        n = data.size // FRAME
        events: list = []
        for i in range(n):
            events.extend(self._frame(data[i * FRAME:(i + 1) * FRAME]))
        self._pending = data[n * FRAME:].copy()
        return events

    def flush(self) -> list:
        """End of audio: close the utterance in progress (pending tail samples padded to a frame)."""
        events: list = []
        if self._pending.size:
            frame = np.zeros(FRAME, dtype=np.float32)
            frame[: self._pending.size] = self._pending
            self._pending = np.zeros(0, dtype=np.float32)
            events.extend(self._frame(frame))
        if self.in_speech:
            events.extend(self._close(len(self._frames), cut=False))
        return events

    def skip(self, samples: int) -> int:
        """``samples`` of audio were lost before reaching us: abandon the utterance in flight (its end is gone)
        and move the clock on so later timestamps stay true. Returns the samples of the abandoned utterance."""
        abandoned = sum(f.size for f in self._frames) if self.in_speech else 0
        total = self._pending.size + samples
        self._frame_no += total // FRAME
        # keep the sub-frame remainder as silence so frame boundaries stay where the sample count says
        self._pending = np.zeros(total % FRAME, dtype=np.float32)
        self.in_speech = False
        self._frames, self._probs, self._preroll, self._lead = [], [], [], []
        self._speech_frames = self._silence_run = 0
        self._paused = False
        self.vad.reset()
        return abandoned

    # -- state machine -------------------------------------------------------------------------------------
    def _frame(self, frame: np.ndarray) -> list:
        p = self.vad(frame)
        self._frame_no += 1
        events: list = []
        if not self.in_speech:
            if p >= self.threshold:
                self.in_speech = True
                pad = len(self._preroll) - min(len(self._preroll), self.pad_frames)
                self._lead, self._frames = self._preroll[:pad], self._preroll[pad:] + [frame]
                self._probs = [0.0] * (len(self._frames) - 1) + [p]
                self._preroll = []
                self._start_frame = self._frame_no - len(self._frames)
                self._speech_frames = 1
                self._silence_run = 0
                self._paused = False
                self._end_frames = self.min_silence_frames
                events.append(SpeechStart(self.index, self.current_start))
            else:
                self._preroll.append(frame)
                if len(self._preroll) > self.pad_frames + self.lead_frames:
                    self._preroll.pop(0)
            return events

        self._frames.append(frame)
        self._probs.append(p)
        if p >= self.threshold or (p >= self.neg_threshold and self._silence_run == 0):
            # speech (or still above the hysteresis floor right after speech)
            self._speech_frames += 1
            if self._paused:
                self._paused = False
                events.append(SpeechResume(self.index))
            self._silence_run = 0
        else:
            self._silence_run += 1
            if self._silence_run == self.spec_frames and not self._paused:
                self._paused = True
                events.append(SpeechPause(self.index, np.concatenate(self._frames), self._lead_audio()))
            if self._silence_run >= self._end_frames:
                # keep pad_frames of the silence, give the rest back to the pre-roll
                keep = len(self._frames) - self._silence_run + self.pad_frames
                events.extend(self._close(keep, cut=False))
                return events
        if len(self._frames) >= self.max_frames:
            events.extend(self._cut())
        return events

    def _close(self, keep: int, *, cut: bool) -> list:
        frames = self._frames[:keep]
        rest = self._frames[keep:]
        start = self._start_frame * FRAME_S
        end = (self._start_frame + len(frames)) * FRAME_S
        speech = self._speech_frames
        self.in_speech = False
        self._frames, self._probs = [], []
        keep_pre = self.pad_frames + self.lead_frames
        self._preroll = rest[-keep_pre:] if keep_pre else []
        lead, self._lead = self._lead_audio(), []
        self._paused = False
        self._silence_run = 0
        if speech < self.min_speech_frames and not cut:
            return []  # a click or a breath: not an utterance (the index is not used up)
        ev = SpeechEnd(self.index, start, end, np.concatenate(frames), cut=cut, lead=lead)
        self.index += 1
        return [ev]

    def _cut(self) -> list:
        """Cut a monologue at the quietest stretch of its second half (smoothed speech probability)."""
        probs = np.asarray(self._probs, dtype=np.float32)
        k = 5  # ~160 ms smoothing: one quiet frame inside a word is not a pause
        smooth = np.convolve(probs, np.ones(k, dtype=np.float32) / k, mode="same")
        lo = len(probs) // 2
        hi = len(probs) - k
        cut_at = lo + int(np.argmin(smooth[lo:hi])) if hi > lo else len(probs) - 1
        frames, probs_l = self._frames, self._probs
        start_frame = self._start_frame
        self._frames, self._probs = frames[:cut_at], probs_l[:cut_at]
        events = self._close(cut_at, cut=True)
        # the remainder starts the next utterance straight away
        rest, rest_p = frames[cut_at:], probs_l[cut_at:]
        self.in_speech = True
        self._frames, self._probs = list(rest), list(rest_p)
        self._start_frame = start_frame + cut_at
        self._speech_frames = sum(1 for x in rest_p if x >= self.threshold)
        self._silence_run = 0
        self._preroll = []
        self._lead = frames[max(0, cut_at - self.lead_frames):cut_at]   # the end of the part before the cut
        self._end_frames = self.min_silence_frames
        events.append(SpeechStart(self.index, self.current_start))
        return events
