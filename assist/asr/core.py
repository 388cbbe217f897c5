"""The recogniser's synchronous core: audio in, AsrPartial / AsrFinal / AsrHealth out, no thread of its own.

The caller drives it (as in ufal's whisper_streaming): ``push`` a block of the agent's audio, ``push_debtor`` a
block of the other party's, ``gap`` for audio the caller had to discard, ``finish`` at the end; each produces its
events at once, through ``on_event`` when one is given, else as the call's return value. The Whisper decode is
the ``decoder`` passed in (``WhisperDecoder``, or a fake in tests: anything with ``encode_prompt(text)`` and
``decode(audio, *, prompt_tokens, beam_size) -> DecodeResult``). ``recognizer.StreamingRecognizer`` is the thread
driver a call uses: its queue (``Backlog``) is what this core sees as "waiting" in real time.

Scheduling, on the Silero VAD's segmentation (``Segmenter``):

- final: when the utterance ends (a silence of the wait ``EndpointPolicy`` chose for it: ``min_silence_s`` to
  ``max_silence_s``, see ``endpoint.py``). Finals are never dropped and always go first. They are decoded with
  ``beam_size_final`` and the prompt plus the speaker's last ``final_context`` good finals (``context.py``: never a
  suspect one; a decode that repeats its context is done again without it), and ``final_lead_s`` of the audio
  before the utterance (``Segmenter`` ``lead``).
- speculative final: as soon as ``spec_silence_s`` of silence is seen (and the caller is not behind), the
  utterance is decoded; if the silence holds until the end threshold that result *is* the final (no second
  decode), if speech resumes it is thrown away. This hides most of the decode time inside the end-of-speech wait.
  Its text also decides the wait: words that look unfinished hold the utterance open longer.
- partial: while the agent speaks, the utterance so far is re-decoded (beam ``beam_size_partial``) when caught
  up; the next one is scheduled from the measured decode time so partials take at most ``PARTIAL_SHARE`` of the
  CPU. Partial requests are never queued, so none goes stale.

Clock: live (``realtime=True``) "behind" means audio waiting in the driver's queue and ``clock_t`` is the wall
clock. For as-fast-as-possible file analysis (``realtime=False``) the core keeps a *virtual clock* instead: audio
is taken to arrive at real-time pace and every decode advances the clock by its measured compute time, so
scheduling decisions and ``AsrFinal.clock_t`` are what a live call on this machine would have seen.

Overload (live only; a file analysed as fast as possible is never cut — the file is the buffer): when behind,
partials and speculative decodes stop first (above); up to ``AsrConfig.max_backlog_s`` (30 s) of waiting audio
every utterance is still decoded. Past it the core *skims*: it keeps running the VAD over the waiting audio
(cheap — silence is consumed without any decode) but does not decode the utterances that end meanwhile — whole
utterances only, the oldest waiting — until the wait is down to ``SKIM_TO`` of the bound. Audio the driver
discarded (``gap``) abandons the utterance it cut through (and the one it resumes in); the audio position moves
on, so later timestamps stay true. Everything not transcribed is counted: ``AsrHealth.dropped_s``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from ..case import CaseData
from ..clock import WallClock
from ..config import AsrConfig
from ..resources import open_resources
from .context import FinalContext
from .decoder import DecodeResult
from .endpoint import EndpointPolicy
from .guards import judge
from .prompt import build_prompt, case_terms
from .vad import SAMPLE_RATE, Segmenter, SpeechEnd, SpeechPause, SpeechResume, SpeechStart

log = logging.getLogger(__name__)

SPEC_SILENCE_S = 0.25        # silence after which a speculative final decode starts
FIRST_PARTIAL_S = 0.6        # utterance audio (incl. the leading pad) before the first partial
EMPTY_PARTIAL_RETRY_S = 0.3  # a partial that gave no text is retried after this much more audio
MIN_PARTIAL_GAP_S = 0.6      # at least this much new audio between partials
PARTIAL_SHARE = 0.3          # partial decodes may use ~this share of real time
CAUGHT_UP_S = 0.25           # "not behind": at most this much audio waiting
HEALTH_EVERY_S = 1.0

# Overload policy (live only), as multiples of AsrConfig.max_backlog_s: skim from above 1× down to SKIM_TO;
# the driver's feed discards the oldest audio beyond HARD_LIMIT (memory bound whatever the thread is doing).
SKIM_TO = 0.5
HARD_LIMIT = 2.0
FRAGMENT_TOL_S = 0.1     # an utterance starting this close after a gap began inside the lost audio


@dataclass(frozen=True)
class AsrPartial:
    index: int
    text: str
    audio_t: float
    clock_t: float = 0.0      # recogniser clock when produced (see AsrFinal.clock_t)


@dataclass(frozen=True)
class AsrFinal:
    index: int
    start: float
    end: float
    text: str
    raw_text: str
    audio_t: float
    compute_s: float
    clock_t: float = 0.0      # recogniser clock when produced (wall s since the clock started, or the virtual clock)
    suspect: bool = False     # the guards flagged it (repetition, low confidence...): shown, kept out of prompts
    speaker: str = "agent"    # "agent" (the microphone) or "debtor" (the second source, see push_debtor)


@dataclass(frozen=True)
class AsrHealth:
    rtf: float                # compute ÷ audio, whole call so far
    queue_depth: int          # blocks waiting
    lag_s: float              # audio seconds waiting (real time) or virtual clock − audio position
    audio_t: float
    dropped_s: float = 0.0    # audio seconds not transcribed because the thread could not keep up (live only)


AsrEvent = AsrPartial | AsrFinal | AsrHealth


class Decoder(Protocol):
    def encode_prompt(self, text: str) -> list[int]: ...
    def decode(self, audio: np.ndarray, *, prompt_tokens: list[int] = ..., beam_size: int = ...) -> DecodeResult: ...


class Waiting(Protocol):
    """What the driver holds that this core has not seen yet (``assist.asr.backlog.Backlog``)."""

    queued_s: float
    dropped: int              # samples it discarded, whole call

    def __len__(self) -> int: ...


class _NothingWaiting:
    queued_s = 0.0
    dropped = 0

    def __len__(self) -> int:
        return 0


def make_segmenter(cfg: AsrConfig) -> Segmenter:
    return Segmenter(threshold=cfg.vad_threshold, min_silence_s=cfg.min_silence_s,
                     max_silence_s=cfg.max_silence_s, pad_s=cfg.speech_pad_s, max_s=cfg.max_utterance_s,
                     min_speech_s=cfg.min_utterance_s, spec_silence_s=SPEC_SILENCE_S, lead_s=cfg.final_lead_s)


class RecognizerCore:
    def __init__(
        self,
        cfg: AsrConfig,
        decoder: Decoder,
        *,
        realtime: bool,
        case: CaseData | None = None,
        prompt: str | None = None,
        on_event: Callable[[AsrEvent], None] | None = None,
        waiting: Waiting | None = None,
        clock: WallClock | None = None,
        resources=None,
    ):
        """``resources``: the resources folder (or its ``assist.resources.Resources``) whose lexicon, guards and
        endpoint words are used; None = the folder in use now. ``realtime``: live audio (wall clock, overload
        policy) or a file as fast as possible (virtual clock).
        ``prompt`` overrides the prompt built from resources/lexicon/prompt.txt and the case data. ``waiting``:
        the driver's queue (nothing waits when the caller drives the core itself). ``clock``: the wall clock of
        live scheduling and ``clock_t`` (the session's, so a call has one; default: started by the first push)."""
        self.cfg = cfg
        self.resources = open_resources(resources)
        self._phrases = self.resources.hallucinations()
        self._correct = self.resources.corrector().correct
        self.decoder = decoder
        self.realtime = realtime
        self.on_event = on_event
        self._out: list[AsrEvent] = []
        self._waiting = waiting if waiting is not None else _NothingWaiting()
        self._clock = clock if clock is not None else WallClock()
        self.extra_terms = tuple(dict.fromkeys(case_terms(case)))
        self.prompt_text = build_prompt(case, resources=self.resources) if prompt is None else prompt
        self._prompt_tokens = decoder.encode_prompt(self.prompt_text)   # partials, and finals without context
        # finals: the prompt plus the speaker's last good finals (context.py); one context per speaker, since the
        # debtor's words are no context for the agent's next sentence in the model's eyes (other voice, channel)
        self._context = {sp: FinalContext(cfg.final_context, self.prompt_text) for sp in ("agent", "debtor")}
        self._context_tokens: dict[str, tuple[str, list[int]]] = {}
        self.echoes = 0                        # finals decoded again without context (the context was echoed)
        self.segmenter = make_segmenter(cfg)
        self.endpoint = EndpointPolicy(min_s=cfg.min_silence_s, max_s=cfg.max_silence_s,
                                       words=self.resources.unfinished_words())
        self._skipped = 0                      # samples of utterances not decoded (skimmed or cut by a gap)
        self._skimming = False
        self._resume_t: float | None = None    # stream position where audio resumed after the last gap
        self._audio_n = 0                      # samples consumed
        self.compute_s = 0.0                   # decode time, whole call
        self._vclock = 0.0
        self._next_health = HEALTH_EVERY_S
        self._emitted = 0                      # finals emitted (indexes are consecutive)
        self._spec: tuple[int, DecodeResult, bool] | None = None   # (utterance, result, echoed)
        self._next_partial_len = FIRST_PARTIAL_S
        self._last_partial = ""
        self.closed = False                    # abandoned (the driver's close): no more events
        # Debtor lane (push_debtor): its own VAD, finals only, decoded when the agent is not speaking.
        self._debtor_seg: Segmenter | None = None
        self._debtor_pending: list[SpeechEnd] = []
        self._debtor_n = 0                     # debtor samples consumed
        self._debtor_lost = 0                  # debtor samples never decoded: discarded waiting, or too far behind

    # ---- driving -----------------------------------------------------------------------------------------
    def push(self, block: np.ndarray) -> list[AsrEvent]:
        """The agent's next block (float32 mono 16 kHz)."""
        self._clock.start()
        self._audio_n += block.size
        if not self.realtime:
            self._vclock = max(self._vclock, self.audio_t)
        self._handle(self._shed(self.segmenter.push(block)))
        if not self._in_fragment():
            self._maybe_partial()
        self._maybe_debtor()
        self._health()
        return self._taken()

    def push_debtor(self, block: np.ndarray) -> list[AsrEvent]:
        """The other party's block of the same time (push it right after the agent's). Lower priority: its
        utterances are segmented by a VAD of their own and decoded (beam of finals, no partials, no speculative
        decode) only while the agent is not speaking and nothing waits, or at ``finish``. Their finals carry
        ``speaker="debtor"`` and share the index sequence with the agent's."""
        if self._debtor_seg is None:
            self._debtor_seg = make_segmenter(self.cfg)
        self._debtor_n += block.size
        self._debtor_events(self._debtor_seg.push(block))
        self._maybe_debtor()
        return self._taken()

    def debtor_gap(self, samples: int) -> list[AsrEvent]:
        """The driver discarded ``samples`` of the debtor's audio unheard (its bound, live only)."""
        if self._debtor_seg is None:
            self._debtor_seg = make_segmenter(self.cfg)
        self._debtor_lost += samples + self._debtor_seg.skip(samples)
        self._debtor_n += samples
        return self._taken()

    @property
    def debtor_dropped_s(self) -> float:
        """Debtor audio seconds not transcribed because the machine could not keep up (live only), whole call."""
        return self._debtor_lost / SAMPLE_RATE

    def gap(self, samples: int) -> list[AsrEvent]:
        """The driver discarded ``samples`` unheard: drop the utterance they cut through, keep the clock true."""
        self._skipped += self.segmenter.skip(samples)
        self._spec = None
        self._audio_n += samples
        self._resume_t = self.audio_t
        self._health(force=True)
        return self._taken()

    def finish(self) -> list[AsrEvent]:
        """End of audio: finalize the utterance in flight and the debtor's waiting ones, a last health report."""
        self._handle(self._shed(self.segmenter.flush()))
        if self._debtor_seg is not None:
            self._debtor_events(self._debtor_seg.flush())
        while self._debtor_pending and not self.closed:
            self._debtor_final(self._debtor_pending.pop(0))
        self._health(force=True)
        return self._taken()

    @property
    def audio_t(self) -> float:
        return self._audio_n / SAMPLE_RATE

    @property
    def dropped_s(self) -> float:
        """Audio seconds not transcribed because the recogniser could not keep up (live only), whole call."""
        return (self._waiting.dropped + self._skipped) / SAMPLE_RATE

    # ---- events ------------------------------------------------------------------------------------------
    def _emit(self, ev: AsrEvent) -> None:
        if self.on_event is not None:
            self.on_event(ev)       # at once: a final must not wait for the partial decode after it
        else:
            self._out.append(ev)

    def _taken(self) -> list[AsrEvent]:
        out, self._out = self._out, []
        return out

    # ---- clock -------------------------------------------------------------------------------------------
    def _now(self) -> float:
        return self._clock.now() if self.realtime else self._vclock

    def _lag(self) -> float:
        if self.realtime:
            return self._waiting.queued_s
        return max(0.0, self._vclock - self.audio_t)

    def _caught_up(self) -> bool:
        return self._lag() <= CAUGHT_UP_S

    # ---- debtor lane (lower priority) ------------------------------------------------------------------
    def _debtor_events(self, events) -> None:
        for ev in events:
            if isinstance(ev, SpeechEnd) and ev.audio.size:
                if self._skim():
                    self._skipped += ev.audio.size   # too far behind: the agent's side comes first
                else:
                    self._debtor_pending.append(ev)
        # Live, the debtor's finals wait for the agent's silences: an agent who never pauses on a busy PC must
        # not grow this list for ever. Past max_backlog_s of waiting utterances the oldest go, counted (the
        # newest are what the suggestions need).
        limit = self.cfg.max_backlog_s
        if self.realtime and limit:
            waiting = sum(e.audio.size for e in self._debtor_pending)
            while len(self._debtor_pending) > 1 and waiting > limit * SAMPLE_RATE:
                old = self._debtor_pending.pop(0)
                waiting -= old.audio.size
                self._debtor_lost += old.audio.size
                log.debug("debtor utterance %.2f-%.2f dropped undecoded (backlog)", old.start, old.end)

    def _maybe_debtor(self) -> None:
        """Decode one waiting debtor utterance if the agent is silent and nothing of the agent's is waiting."""
        if not self._debtor_pending or self.segmenter.in_speech or not self._caught_up():
            return
        self._debtor_final(self._debtor_pending.pop(0))

    def _debtor_final(self, ev: SpeechEnd) -> None:
        self._final(ev, *self._decode_final(ev.audio, "debtor", ev.lead), speaker="debtor")

    # ---- overload (live only; see the module docstring) -------------------------------------------------------
    def _skim(self) -> bool:
        """True while too far behind to decode: utterances ending now are skipped."""
        limit = self.cfg.max_backlog_s
        if not self.realtime or not limit:
            return False
        lag = self._lag()
        if not self._skimming and lag > limit:
            self._skimming = True
            log.warning("recogniser %.1f s behind: skipping utterances until it is back within %.1f s",
                        lag, SKIM_TO * limit)
        elif self._skimming and lag <= SKIM_TO * limit:
            self._skimming = False
            log.warning("recogniser caught up; %.1f s of audio skipped so far", self.dropped_s)
            self._health(force=True)
        return self._skimming

    def _shed(self, events: list) -> list:
        """Leave out the finals not worth decoding: all while skimming, and the fragment right after a gap."""
        skim = self._skim()
        kept = []
        for ev in events:
            if isinstance(ev, SpeechEnd) and (skim or self._is_fragment(ev.start)):
                self._skipped += ev.audio.size
                log.debug("skipped utterance %.2f-%.2f undecoded (behind)", ev.start, ev.end)
            elif isinstance(ev, SpeechPause) and self._in_fragment():
                continue     # no speculative decode of a fragment that will be skipped anyway
            else:
                kept.append(ev)
        return kept

    def _is_fragment(self, start: float) -> bool:
        # audio resumed after a gap in the middle of speech: the utterance's beginning is lost
        return self._resume_t is not None and start <= self._resume_t + FRAGMENT_TOL_S

    def _in_fragment(self) -> bool:
        return self.segmenter.in_speech and self._is_fragment(self.segmenter.current_start)

    # ---- the agent's utterances -----------------------------------------------------------------------------
    def _handle(self, events) -> None:
        for ev in events:
            if self.closed:
                return
            seg = self.segmenter
            if isinstance(ev, SpeechStart):
                self._spec = None
                self._next_partial_len = FIRST_PARTIAL_S
                self._last_partial = ""
            elif isinstance(ev, SpeechPause):
                # Worth it only if we are less behind than the rest of the end-of-speech wait: further behind,
                # the audio that decides the end is already queued and the plain final comes just as soon.
                if self._lag() < seg.end_silence_s - SPEC_SILENCE_S and ev.audio.size:
                    res, echoed = self._decode_final(ev.audio, "agent", ev.lead)
                    self._spec = (ev.index, res, echoed)
                    # words that cannot end a sentence: hold the utterance open longer
                    seg.set_end_silence(self.endpoint.hold_s(res.text))
            elif isinstance(ev, SpeechResume):
                spec, self._spec = self._spec, None
                seg.set_end_silence(self.endpoint.min_s)   # the next pause decides afresh
                if spec is not None and spec[0] == ev.index:
                    self._spec_partial(spec[1])
            elif isinstance(ev, SpeechEnd):
                if self._spec is not None and self._spec[0] == ev.index and not ev.cut:
                    _, res, echoed = self._spec  # the silence held: the speculative decode is the final
                else:
                    res, echoed = self._decode_final(ev.audio, "agent", ev.lead)
                self._spec = None
                self._final(ev, res, echoed)

    def _decode(self, audio: np.ndarray, beam: int, prompt_tokens: list[int] | None = None) -> DecodeResult:
        res = self.decoder.decode(audio, prompt_tokens=self._prompt_tokens if prompt_tokens is None
                                  else prompt_tokens, beam_size=beam)
        self.compute_s += res.compute_s
        if not self.realtime:
            self._vclock += res.compute_s
        return res

    def _final_tokens(self, speaker: str) -> list[int]:
        text = self._context[speaker].text()
        cached = self._context_tokens.get(speaker)
        if cached is None or cached[0] != text:      # encode once per context, not per decode
            cached = self._context_tokens[speaker] = (text, self.decoder.encode_prompt(text))
        return cached[1]

    def _decode_final(self, audio: np.ndarray, speaker: str, lead: np.ndarray | None = None
                      ) -> tuple[DecodeResult, bool]:
        """The final decode (beam of finals, prompt + the speaker's context, the ``final_lead_s`` of audio before
        the utterance in front of it). If the text repeats the context, the utterance is decoded again without
        it and that result is kept (``True``: it stays out of the context; see context.py)."""
        if lead is not None and lead.size:
            audio = np.concatenate([lead, audio])
        ctx = self._context[speaker]
        res = self._decode(audio, self.cfg.beam_size_final, self._final_tokens(speaker))
        if not ctx.history or not ctx.echoes(res.text):
            return res, False
        self.echoes += 1
        log.debug("a final echoed its context; decoded again without it")
        again = self._decode(audio, self.cfg.beam_size_final)
        # both decodes were spent on this final
        return replace(again, compute_s=res.compute_s + again.compute_s), True

    def _final(self, ev: SpeechEnd, res: DecodeResult, echoed: bool = False, speaker: str = "agent") -> None:
        v = judge(res.text, audio_s=res.audio_s, avg_logprob=res.avg_logprob, no_speech_prob=res.no_speech_prob,
                  phrases=self._phrases)
        if not v.text:
            log.debug("dropped %s utterance %.2f-%.2f (%s)", speaker, ev.start, ev.end, v.reason)
            return
        final = AsrFinal(index=self._emitted, start=round(ev.start, 3), end=round(ev.end, 3),
                         text=self._correct(v.text, self.extra_terms), raw_text=v.text, audio_t=self.audio_t,
                         compute_s=res.compute_s, clock_t=self._now(), suspect=v.suspect, speaker=speaker)
        self._emitted += 1
        # only a final the guards let through unflagged, and not a re-decode after an echo, is context
        self._context[speaker].add(final.text, suspect=v.suspect or echoed)
        self._emit(final)

    def _partial_verdict(self, res: DecodeResult):
        return judge(res.text, audio_s=res.audio_s, avg_logprob=res.avg_logprob, no_speech_prob=res.no_speech_prob,
                     phrases=self._phrases, partial=True)

    def _spec_partial(self, res: DecodeResult) -> None:
        """The agent paused and went on: the speculative decode is the utterance so far, a partial for free."""
        if not self.cfg.partials:
            return
        v = self._partial_verdict(res)
        if not v.text:
            return
        cur_len = self.audio_t - self.segmenter.current_start
        # the regular schedule goes on from here, as if this had been a partial decode
        self._next_partial_len = max(self._next_partial_len, cur_len + MIN_PARTIAL_GAP_S)
        self._emit_partial(v.text)

    def _maybe_partial(self) -> None:
        seg = self.segmenter
        if not (self.cfg.partials and seg.in_speech) or self.closed or seg.silence_run > 0:
            return   # not while the agent pauses: the utterance may be ending and its final must not wait
        cur_len = (self.audio_t - seg.current_start)
        if cur_len < self._next_partial_len or not self._caught_up():
            return
        res = self._decode(seg.current_audio(), self.cfg.beam_size_partial)
        v = self._partial_verdict(res)
        if not v.text:
            # nothing usable yet (too little speech): try again soon rather than after a full budget gap
            log.debug("empty partial at %.2f s of utterance (%s): %r", cur_len, v.reason, res.text)
            self._next_partial_len = cur_len + EMPTY_PARTIAL_RETRY_S
            return
        self._next_partial_len = cur_len + max(MIN_PARTIAL_GAP_S, res.compute_s / PARTIAL_SHARE)
        self._emit_partial(v.text)

    def _emit_partial(self, raw: str) -> None:
        text = self._correct(raw, self.extra_terms)
        if text != self._last_partial:
            self._last_partial = text
            self._emit(AsrPartial(index=self._emitted, text=text, audio_t=self.audio_t, clock_t=self._now()))

    def _health(self, force: bool = False) -> None:
        if not force and self.audio_t < self._next_health:
            return
        self._next_health = self.audio_t + HEALTH_EVERY_S
        rtf = self.compute_s / self.audio_t if self.audio_t > 0 else 0.0
        self._emit(AsrHealth(rtf=round(rtf, 3), queue_depth=len(self._waiting), lag_s=round(self._lag(), 3),
                             audio_t=self.audio_t, dropped_s=round(self.dropped_s, 3)))
