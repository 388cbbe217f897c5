"""CallSession: one call, wired source → streaming ASR → analysis → suggestions → records, publishing events.

Threads (see docs/ARCHITECTURE.md):
- the source's own thread (or the PortAudio callback) calls ``_sink``, which only hands the block to the
  recogniser (its ``feed`` just enqueues);
- the recogniser's thread reports AsrPartial/AsrFinal/AsrHealth through ``_on_asr`` into a bounded queue;
- the pipeline thread (``_run_pipeline``) owns the analyzer and suggester state: every item of the queue is
  handled there, so no lock is needed around CallState; it records to the store and calls the subscribers;
- the ender thread waits for the source to be exhausted (or ``stop()``), finishes the recogniser (drains and
  finalizes the utterance in flight) and queues the end of the call;
- with a wall clock (mic, ``--realtime``) a ticker thread queues a tick each second for time-driven rules.

Clock: ``t`` is wall seconds since ``start()`` when the source is real-time; otherwise seconds of audio
consumed by the recogniser (AsrFinal.audio_t), so the numbers do not depend on the machine's speed; for a
transcript, line k is at t = k (see assist.transcript).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections import Counter
from datetime import datetime
from typing import Any, Callable

import numpy as np

from .case import CaseData
from .config import EngineConfig
from .events import (
    Alert,
    AlertRetracted,
    CallEnded,
    CallStarted,
    DebtorCue,
    DeviceError,
    Event,
    Health,
    Partial,
    PromiseToPay,
    StoreError,
    UtteranceFinal,
)
from .transcript import TranscriptSource

log = logging.getLogger(__name__)

# Queue bound: a few minutes of finals plus partials/health; partials and health are dropped when full
# (they are superseded anyway), finals and commands wait.
_QUEUE_MAX = 512
# In as-fast-as-possible mode the file is read much faster than Whisper can work: keep the recogniser's
# backlog bounded so a long recording does not sit in memory twice.
_MAX_BACKLOG_S = 30.0
# How long the pipeline waits for the store to commit an utterance before it is shown (so what the agent
# saw is on disk); a locked database is reported through StoreError and does not stall the call longer.
_FLUSH_TIMEOUT_S = 2.0
# The record's count of audio the recogniser skipped is rewritten when it has grown by this much.
_SKIPPED_STEP_S = 1.0
# Time-driven rules wait while the agent is mid-sentence (a partial came and its final has not): "no 工号 by
# 30 s" must not fire while the sentence that states it is still being recognised. Without a new partial for
# this long the utterance is taken as over (its final may have been dropped as noise).
_TICK_DEFER_S = 5.0


def new_call_id(started_at: datetime) -> str:
    """Readable and unique: local start time plus a random suffix (20261012-101500-3f9a1c)."""
    return f"{started_at:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"


def local_aware(dt: datetime | None) -> datetime:
    """A timezone-aware datetime: naive values are taken as local time; None is now."""
    if dt is None:
        return datetime.now().astimezone().replace(microsecond=0)
    return dt if dt.tzinfo is not None else dt.astimezone()


_WARM = False                  # the process-wide part (VAD, records-search jieba) is done
_WARM_LOCK = threading.Lock()


def warm_up(config: EngineConfig | None = None) -> None:
    """Do every lazy load of the engine once: per process the VAD's ONNX session and the records search's jieba;
    per resources folder (through its loader, ``assist.resources``) the rule packs, stage and PTP cues, detector,
    the analysis jieba and pinyin tables, the lexicon and the script library.

    Each of these is one long C call (unmarshal, ONNX build) that holds the GIL for 0.1–0.5 s, so left to the
    first call they stall every thread at call start, the GUI's included. The app runs this while the model
    loads; a session runs it (a no-op the second time for the same folder) before it starts.
    """
    global _WARM
    from .resources import open_resources

    config = config or EngineConfig()
    res = open_resources(config.resources_dir)
    with _WARM_LOCK:
        try:
            res.once("warm_up", lambda: _warm_folder(res, config))
            if not _WARM:
                from .asr.vad import SileroVad
                from .store.tokens import index_tokens

                SileroVad()
                index_tokens("您好，逾期还款")
                _WARM = True
        except Exception:
            log.exception("engine warm-up failed (calls will still run, the first one more slowly)")
            return
        # the rule packs' expressions compile after 就绪, off every caller's path (patterns.Pattern.regex: 11 s of
        # start on this PC); a call that starts first compiles the few its words could match
        threading.Thread(target=_compile_patterns, name="callassist-patterns", daemon=True).start()


def _compile_patterns() -> None:
    from .analysis.patterns import compile_pending

    try:
        compile_pending()
    except Exception:
        log.exception("compiling the rule packs' patterns failed (each compiles when first needed)")


def _warm_folder(res, config: EngineConfig) -> bool:
    from .analysis import CallAnalyzer
    from .suggest import Suggester

    CallAnalyzer(started_at=datetime.now().astimezone(), config=config).on_final(
        0, "您好，我是工号一二三四，请问您明天能还款三千元吗？", 0.0, 1.0, 1.0)
    Suggester(resources=res)              # the folder's shared script library: the session's Suggester reuses it
    # The debtor cues (~2 s of pattern compiling on a loaded 2-core machine) and the recogniser's word lists load
    # when a call's session and recogniser are built, as before: here they would delay 就绪 (scripts/bench_ready.py).
    return True


class CallSession:
    def __init__(
        self,
        source,
        *,
        config: EngineConfig,
        case: CaseData | None = None,
        started_at: datetime | None = None,
        store=None,
        model=None,
        call_id: str | None = None,
        kind: str | None = None,
    ):
        """``kind``: what the records call it (assist.store.schema.KINDS) — 'test' for a rehearsal on a
        recording; by default the store tells a live call from an analysed recording by the source."""
        from .analysis import CallAnalyzer
        from .suggest import Suggester

        self.config = config
        self.case = case or CaseData()
        self.started_at = local_aware(started_at)
        self.call_id = call_id or new_call_id(self.started_at)
        self.source = source
        self.kind = kind
        self.store = store if config.record else None
        self._model = model
        self._is_text = isinstance(source, TranscriptSource)
        self.realtime = bool(getattr(source, "realtime", False))

        from .userdict import check_userdict

        check_userdict(config.resources_dir)   # before jieba reads it: `path:line`, not a traceback mid-call
        from .resources import open_resources

        self.resources = open_resources(config.resources_dir)   # every part reads this one folder
        self._analyzer = CallAnalyzer(started_at=self.started_at, case=self.case, config=config)
        self._suggester = Suggester(case=self.case, resources=self.resources)
        warm_up(config)
        self._recognizer = None
        from .analysis.debtor import DebtorTracker

        self._debtor = DebtorTracker(self.started_at.date(), resources=self.resources)
        # a two-party recording (FileSource(debtor_channel=…)) or a second live source feeds the debtor lane
        self._two_party = getattr(source, "debtor_channel", None) is not None

        self._subscribers: list[Callable[[Event], None]] = []
        self._queue: queue.Queue = queue.Queue(maxsize=_QUEUE_MAX)
        self._muted = False
        self._start_lock = threading.Lock()
        self._start_called = False
        self._started = False          # call_started is queued: commands go straight to the pipeline
        self._pending: list[tuple] = []  # commands given before that
        self._stop_requested = threading.Event()
        self._done = threading.Event()
        self._t0 = 0.0                 # monotonic time of start()
        self._clock = 0.0              # last t handed out (pipeline thread)
        self._next_tick = 1.0          # next whole second for on_time in audio-clock mode
        self._partial_t: float | None = None  # t of the last partial of the utterance in flight
        self._fed_samples = 0          # audio handed to the recogniser (source thread)
        self._asr_t = 0.0              # audio seconds the recogniser has consumed (its thread)
        self._skipped_recorded = 0.0   # unrecognised audio last written to the record (pipeline thread)
        self._throttle_off = False     # set when the recogniser stalled: stop pacing the file on it
        self._alert_keys: set[tuple[str, int | None]] = set()
        self._alert_counts: Counter = Counter()
        self._sub_failures: dict[int, int] = {}
        self._threads: list[threading.Thread] = []
        self._audio = None             # CallAudioWriter when the call's audio is kept (EngineConfig.keep_audio)
        self.ended: CallEnded | None = None
        self.error: str | None = None

    # ---- public API ---------------------------------------------------------------------------

    @property
    def state(self):
        """The analyzer's CallState (read it from a subscriber: it changes on the pipeline thread)."""
        return self._analyzer.state

    @property
    def suggester(self):
        """The call's Suggester (the UI searches the script library and pins lines through it)."""
        return self._suggester

    @property
    def muted(self) -> bool:
        return self._muted

    def subscribe(self, callback: Callable[[Event], None]) -> None:
        """``callback(event)`` is called on the pipeline thread for every event, in order."""
        self._subscribers.append(callback)

    def start(self) -> str:
        with self._start_lock:
            if self._start_called:
                raise RuntimeError("a CallSession can be started only once")
            self._start_called = True
        if not self._is_text:
            self._recognizer = self._make_recognizer()
        if self.store is not None:
            try:
                self.store.begin_call(
                    self.call_id,
                    started_at=self.started_at,
                    case=self.case,
                    source=self._source_label(),
                    agent_id=self.case.agent_id,
                    kind=self.kind,
                )
            except Exception:
                if self._recognizer is not None:
                    self._recognizer.close()  # no call to run: do not leave its thread behind
                raise
        self._open_audio()
        warning = getattr(self.source, "warning", None)
        if warning:
            log.info("%s: %s", getattr(self.source, "path", "input"), warning)   # the UI or CLI shows it
            if self.store is not None:
                self.store.note_problem(self.call_id, warning)
        self._t0 = time.monotonic()
        with self._start_lock:
            self._put(("start",))
            for item in self._pending:
                self._put(item)
            self._pending.clear()
            self._started = True
        self._spawn(self._run_pipeline, "call-pipeline")
        if self._is_text:
            self._spawn(self._run_transcript, "call-transcript")
        else:
            self.source.errors = self._on_device_error
            if self._two_party:
                self.source.debtor_sink = self._debtor_sink
            try:
                self.source.start(self._sink)
            except Exception as exc:
                # The call row exists already: end it properly so nothing stays half-open.
                log.exception("audio source failed to start")
                self.error = str(exc)
                self._recognizer.close()
                self._close_audio()
                self._put(("device_error", str(exc)))
                self._put(("end",))
                raise
            self._spawn(self._run_ender, "call-ender")
        if self.realtime:
            self._spawn(self._run_ticker, "call-ticker")
        return self.call_id

    def mute(self, on: bool) -> None:
        """Muted audio is replaced by silence: not transcribed, but the clock and audio positions go on."""
        self._muted = bool(on)

    def pick_objection(self, key: str) -> None:
        """The agent picked an objection (没钱, 要投诉...): the suggester answers with lines for it."""
        from .analysis.state import OBJECTIONS

        if key not in OBJECTIONS:
            raise KeyError(f"unknown objection '{key}'; expected one of {', '.join(OBJECTIONS)}")
        with self._start_lock:
            if not self._started:
                # The UI may hold the session before start() ran: answer right after call_started.
                self._pending.append(("objection", key))
                return
        if not self._done.is_set():
            self._put(("objection", key))

    def confirm_ptp(self, amount: float | None, date: str | None, channel: str | None) -> None:
        """The agent confirmed or corrected the promise to pay in the panel (``date`` ISO, ``channel`` a channel
        id): it becomes the call's promise — published and recorded as a PromiseToPay, and what the end-of-call
        check (ptp_incomplete) and CallEnded see. A promise the agent negotiates later replaces it as usual."""
        from .analysis.state import CHANNELS

        if channel is not None and channel not in CHANNELS:
            raise KeyError(f"unknown channel '{channel}'; expected one of {', '.join(CHANNELS)}")
        item = ("ptp", {"amount": None if amount is None else float(amount), "date": date or None,
                        "channel": channel or None})
        with self._start_lock:
            if not self._started:
                self._pending.append(item)
                return
        if not self._done.is_set():
            self._put(item)

    def use_suggestion(self, line_id: str) -> None:
        """The agent used a suggested line (records which lines help)."""
        if self.store is not None and line_id:
            self.store.mark_suggestion_used(self.call_id, line_id, self._now())

    def dismiss_alert(self, alert_id) -> None:
        """``alert_id``: the Alert event itself, or ``(utterance, rule)``."""
        if isinstance(alert_id, Alert):
            utterance, rule = alert_id.utterance, alert_id.rule
        else:
            utterance, rule = alert_id
        if self.store is not None:
            self.store.dismiss_alert(self.call_id, utterance, rule)

    def store_error(self, message: str) -> None:
        """Give this as the RecordStore's ``on_error``: the UI learns that writes are being retried."""
        with self._start_lock:
            if not self._started:
                self._pending.append(("store_error", message))
                return
        self._put(("store_error", message), block=False)

    def stop(self) -> None:
        """End the call: stop capturing; what was captured is still transcribed, then CallEnded. Returns at
        once; ``wait()`` blocks until CallEnded was published."""
        if self._stop_requested.is_set():
            return
        self._stop_requested.set()
        if not self._started:
            return
        if not self._is_text:
            try:
                self.source.stop()
            except Exception:
                log.exception("stopping the audio source failed")

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    # ---- source side --------------------------------------------------------------------------

    def _make_recognizer(self):
        from .asr import StreamingRecognizer

        # realtime=False gives the recogniser its virtual clock: partials are scheduled as they would be live.
        return StreamingRecognizer(self.config.asr, model=self._model, case=self.case, on_event=self._on_asr,
                                   realtime=self.realtime, resources=self.resources)

    def _source_label(self) -> str:
        """What the records show as the call's source: the analysed file, or 'mic' / 'mic:<device>'."""
        path = getattr(self.source, "path", None)
        if path is not None:
            return str(path)
        device = getattr(self.source, "device_name", None) or getattr(self.source, "device", None)
        # MicSource.device is an InputDevice: its name, never the object's repr ("InputDevice(index=3, …)")
        device = getattr(device, "name", device)
        return f"mic:{device}" if device not in (None, "") else "mic"

    def _sink(self, block: np.ndarray) -> None:
        # Runs on the source's thread (for a microphone: the audio callback) — hand over, never work here.
        n = len(block)
        if self._muted:
            block = np.zeros(n, dtype=np.float32)
        self._fed_samples += n
        self._recognizer.feed(block)
        if self._audio is not None:
            self._audio.agent(block)   # enqueue only: encoding runs on the writer's own thread
        if not self.realtime:
            self._throttle()

    def _debtor_sink(self, block: np.ndarray) -> None:
        # The source's thread, right after the agent block of the same time: hand over only.
        if self._muted:
            block = np.zeros(len(block), dtype=np.float32)
        self._recognizer.feed_debtor(block)
        if self._audio is not None:
            self._audio.debtor(block)

    def _throttle(self) -> None:
        # Fast file mode only: wait while the recogniser is far behind, but never forever (a recogniser that
        # reports nothing must not stall the file).
        if self._throttle_off:
            return
        sr = getattr(self.source, "sample_rate", 16000) or 16000
        last_progress, last_t = time.monotonic(), self._asr_t
        while self._fed_samples / sr - self._asr_t > _MAX_BACKLOG_S and not self._stop_requested.is_set():
            time.sleep(0.02)
            if self._asr_t != last_t:
                last_progress, last_t = time.monotonic(), self._asr_t
            elif time.monotonic() - last_progress > 10.0 or getattr(self._recognizer, "error", None):
                log.warning("the recogniser reports no progress; reading the file without waiting for it")
                self._throttle_off = True
                return

    def _open_audio(self) -> None:
        """Keep the call's audio beside its record when the settings say so (a transcript has none). A folder
        that cannot be written costs the recording, never the call."""
        if self.store is None or not self.config.keep_audio or self._is_text:
            return
        try:
            self._audio = self.store.audio_writer(self.call_id, two_party=self._two_party, on_error=self.store_error)
        except OSError as exc:
            log.warning("call audio not kept: %s", exc.strerror or exc)
            from .store.audio import describe_error

            self.store_error(describe_error(exc, self.store.audio_dir))

    def _close_audio(self) -> None:
        writer, self._audio = self._audio, None
        if writer is None:
            return
        try:
            kept = writer.close()
            self.store.attach_audio(self.call_id, kept)
        except Exception:
            log.exception("finishing the call's audio failed")

    def _on_device_error(self, message: str) -> None:
        self._put(("device_error", message), block=False)

    def _on_asr(self, ev) -> None:
        # Recogniser thread. Finals must never be lost; partials and health may be dropped under load.
        audio_t = float(getattr(ev, "audio_t", 0.0) or 0.0)
        if audio_t > self._asr_t:
            self._asr_t = audio_t
        kind = type(ev).__name__
        self._put(("asr", ev), block=(kind == "AsrFinal"))

    def _run_transcript(self) -> None:
        for line in self.source.lines:
            if self._stop_requested.is_set():
                break
            if self.realtime:
                delay = self._t0 + line.t - time.monotonic()
                if delay > 0 and self._stop_requested.wait(delay):
                    break
            self._put(("text", line))
        if self.realtime and not self._stop_requested.is_set():
            # The last line lasts until k + 1, like the others: the call ends then, not when it was said.
            self._stop_requested.wait(max(0.0, self._t0 + self.source.duration - time.monotonic()))
        self._put(("end",))

    def _run_ender(self) -> None:
        while not self._stop_requested.is_set():
            try:
                if self.source.wait(0.2):
                    break
            except Exception:
                log.exception("waiting for the audio source failed")
                break
        try:
            self.source.stop()
        except Exception:
            log.exception("stopping the audio source failed")
        self._close_audio()   # no more blocks come; linked before the call's end is queued
        try:
            self._recognizer.finish()  # finals of the utterance in flight arrive through _on_asr first
        except Exception:
            log.exception("the recogniser failed while finishing")
        failure = getattr(self._recognizer, "error", None)
        if failure is not None and self.error is None:
            # The call still ends properly; the caller learns that the transcript may be incomplete.
            self.error = f"speech recognition failed: {failure}"
        self._put(("end",))

    def _run_ticker(self) -> None:
        k = 1
        while not self._done.is_set():
            delay = self._t0 + k - time.monotonic()
            if delay > 0 and self._done.wait(delay):
                return
            self._put(("tick",), block=False)
            k += 1

    # ---- pipeline thread ----------------------------------------------------------------------

    def _run_pipeline(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item[0] == "end":
                    self._end()
                    return
                self._handle(item)
            except Exception:
                # One bad item (an analyzer bug on odd text) must not end the call.
                log.exception("pipeline failed on %s", item[0])
        # not reached

    def _handle(self, item: tuple) -> None:
        kind = item[0]
        if kind == "start":
            self._emit([CallStarted(call_id=self.call_id, started_at=self.started_at.isoformat(), t=0.0)])
            self._emit(self._safe(self._analyzer.on_time, 0.0))
            # What to say first, before anyone speaks (after on_time(0), so the suggester sees call_time).
            opening = getattr(self._suggester, "opening", None)
            if opening is not None:
                self._emit(self._safe(opening, self._analyzer.state, 0.0))
        elif kind == "text":
            line = item[1]
            t = self._advance(line.t)
            self._final(line.index, line.text, line.start, line.end, t, line.text)
        elif kind == "asr":
            self._asr_event(item[1])
        elif kind == "tick":
            self._tick(self._advance(None))
        elif kind == "objection":
            t = self._advance(None)
            self._emit(self._safe(self._suggester.objection, item[1], self._analyzer.state, t))
        elif kind == "ptp":
            state = self._analyzer.state
            state.ptp.update(item[1])
            state.covered.update(f"ptp_{slot}" for slot, value in item[1].items() if value is not None)
            self._emit([PromiseToPay(t=self._advance(None), **item[1])])
        elif kind == "device_error":
            self._emit([DeviceError(message=item[1], t=self._advance(None))])
        elif kind == "store_error":
            self._emit([StoreError(message=item[1], t=self._advance(None))])

    def _asr_event(self, ev) -> None:
        kind = type(ev).__name__
        t = self._advance(ev.audio_t)
        if kind == "AsrPartial":
            self._partial_t = t
            events: list[Event] = [Partial(utterance=ev.index, text=ev.text, t=t)]
            events += self._safe(self._analyzer.on_partial, ev.index, ev.text, t)
            self._emit(events)
        elif kind == "AsrFinal" and getattr(ev, "speaker", "agent") == "debtor":
            self._debtor_final(ev.index, ev.text, ev.start, ev.end, t, ev.raw_text)
        elif kind == "AsrFinal":
            self._partial_t = None
            self._final(ev.index, ev.text, ev.start, ev.end, t, ev.raw_text)
            self._tick(t)  # a tick deferred during this utterance runs now, after its final
        elif kind == "AsrHealth":
            dropped = getattr(ev, "dropped_s", 0.0)
            self._emit([Health(rtf=ev.rtf, queue_depth=ev.queue_depth, lag=ev.lag_s, t=t, dropped=dropped)])
            self._note_skipped(dropped)

    def _final(self, index: int, text: str, start: float, end: float, t: float, raw_text: str) -> None:
        try:
            events = list(self._analyzer.on_final(index, text, start, end, t, raw_text=raw_text))
        except Exception:
            # Keep the words even when analysis fails on them: the transcript is the record.
            log.exception("analysis failed on utterance %d", index)
            events = [UtteranceFinal(utterance=index, start=start, end=end, text=text,
                                     stage=self._analyzer.state.stage, t=t, raw_text=raw_text)]
        new_alerts = [e for e in events if isinstance(e, Alert)]
        events += self._safe(self._suggester.after_utterance, self._analyzer.state, text, new_alerts, t)
        self._emit(events, commit=True)

    def _debtor_final(self, index: int, text: str, start: float, end: float, t: float, raw_text: str) -> None:
        """A debtor utterance: shown and recorded with speaker='debtor'; no compliance rules or stage (those are
        the agent's); its objection, wrong party, hardship and promise feed the suggester and the promise card."""
        state = self._analyzer.state
        events: list[Event] = [UtteranceFinal(utterance=index, start=start, end=end, text=text, stage=state.stage,
                                              t=t, raw_text=raw_text, speaker="debtor")]
        try:
            cue = self._debtor.turn(text)
        except Exception:
            log.exception("debtor cue detection failed on utterance %d", index)
            cue = None
        if cue is not None and (cue.objection or cue.wrong_party or cue.hardship):
            events.append(DebtorCue(utterance=index, objection=cue.objection, wrong_party=cue.wrong_party,
                                    hardship=cue.hardship, t=t))
        if cue is not None and cue.objection:
            if cue.objection not in state.objections:
                state.objections.append(cue.objection)
            events += self._safe(self._suggester.objection, cue.objection, state, t)
        if cue is not None and cue.ptp and not cue.wrong_party:
            changed = {k: v for k, v in cue.ptp.items() if state.ptp.get(k) != v}
            if changed:
                state.ptp.update(changed)
                state.covered.update(f"ptp_{slot}" for slot in changed)
                events.append(PromiseToPay(t=t, **state.ptp))
        self._emit(events, commit=True)

    def _note_skipped(self, seconds: float) -> None:
        """Keep the record's count of unrecognised audio current (a call that is killed keeps it too): written
        when it has grown by a second since last written."""
        if self.store is not None and seconds >= self._skipped_recorded + _SKIPPED_STEP_S:
            self._skipped_recorded = seconds
            try:
                self.store.set_skipped(self.call_id, seconds)
            except Exception:
                log.exception("store.set_skipped failed")

    def _end(self) -> None:
        self._partial_t = None  # all audio is in: nothing is in flight any more
        t_end = self._advance(None if self.realtime else self._audio_duration())
        self._emit(self._safe(self._analyzer.finish, t_end))
        ptp = dict(self._analyzer.state.ptp)
        if all(v is None for v in ptp.values()):
            ptp = None
        duration = t_end if (self.realtime or self._is_text) else self._audio_duration()
        # the recogniser has finished: its count is final (its last health report may have been dropped)
        skipped = float(getattr(self._recognizer, "dropped_s", 0.0) or 0.0)
        ended = CallEnded(call_id=self.call_id, duration=round(duration, 3), alerts=dict(self._alert_counts),
                          ptp=ptp, t=t_end, skipped=round(skipped, 3))
        self.ended = ended
        self._emit([ended], commit=True)
        self._done.set()

    # ---- helpers ------------------------------------------------------------------------------

    def _audio_duration(self) -> float:
        if self._is_text:
            return self.source.duration
        sr = getattr(self.source, "sample_rate", 16000) or 16000
        return self._fed_samples / sr

    def _now(self) -> float:
        if self.realtime:
            return time.monotonic() - self._t0 if self._t0 else 0.0
        return self._clock

    def _advance(self, t: float | None) -> float:
        """The call clock for an event produced now; never goes backwards. Also runs time-driven rules when
        the audio clock passes a whole second (the wall clock has its own ticker)."""
        if self.realtime:
            now = time.monotonic() - self._t0
        else:
            now = self._clock if t is None else float(t)
        if now < self._clock:
            now = self._clock
        self._clock = now
        if not self.realtime and now >= self._next_tick:
            self._tick(now)
        return now

    def _tick(self, now: float) -> None:
        """Run the time-driven rules at ``now`` unless an utterance is in flight (see _TICK_DEFER_S)."""
        if self._partial_t is not None and now - self._partial_t < _TICK_DEFER_S:
            return
        if now >= self._next_tick or self.realtime:
            self._next_tick = float(int(now)) + 1.0
        self._emit(self._safe(self._analyzer.on_time, now))

    def _safe(self, fn, *args, **kwargs) -> list[Event]:
        try:
            return list(fn(*args, **kwargs) or [])
        except Exception:
            log.exception("%s failed", getattr(fn, "__qualname__", fn))
            return []

    def _put(self, item: tuple, block: bool = True) -> None:
        try:
            self._queue.put(item, block=block)
        except queue.Full:
            log.warning("pipeline queue full: dropped %s", item[0])

    def _accept(self, ev: Event) -> bool:
        """Contract guard: one alert per (rule, utterance) unless retracted in between; keeps the counts."""
        if isinstance(ev, Alert):
            key = (ev.rule, ev.utterance)
            if key in self._alert_keys:
                log.warning("duplicate alert %s suppressed", key)
                return False
            self._alert_keys.add(key)
            self._alert_counts[ev.rule] += 1
        elif isinstance(ev, AlertRetracted):
            key = (ev.rule, ev.utterance)
            if key in self._alert_keys:
                self._alert_keys.discard(key)
                self._alert_counts[ev.rule] -= 1
                if self._alert_counts[ev.rule] <= 0:
                    del self._alert_counts[ev.rule]
        return True

    def _emit(self, events: list[Event], commit: bool = False) -> None:
        events = [ev for ev in events if self._accept(ev)]
        if not events:
            return
        if self.store is not None:
            for ev in events:
                if not isinstance(ev, (Partial, Health, DeviceError, StoreError)):
                    try:
                        self.store.record(self.call_id, ev)
                    except Exception:
                        log.exception("store.record failed for %s", ev.name)
            if commit or any(isinstance(ev, (Alert, PromiseToPay)) for ev in events):
                # What the agent sees is on disk first: a crash right after loses nothing shown. When it is
                # not, say so before showing it: nothing is shown as recorded that is not.
                # While the database refuses writes (disk full, read-only, locked) they stay queued in memory
                # and are retried; waiting out the timeout on every utterance would only stall the agent.
                try:
                    committed = self.store.flush(_FLUSH_TIMEOUT_S, unless_failing=True)
                except Exception:
                    log.exception("store.flush failed")
                    committed = False
                if not committed:
                    events = [self._unrecorded(events)] + events
        for ev in events:
            for cb in list(self._subscribers):
                try:
                    cb(ev)
                except Exception:
                    # Log the first failure in full, then only now and then: a broken UI must not flood the log.
                    n = self._sub_failures[id(cb)] = self._sub_failures.get(id(cb), 0) + 1
                    if n == 1:
                        log.exception("subscriber %r failed on %s (the call goes on)", cb, ev.name)
                    elif n % 100 == 0:
                        log.warning("subscriber %r has failed %d times", cb, n)

    def _unrecorded(self, events: list[Event]) -> StoreError:
        utt = next((ev.utterance for ev in events if isinstance(ev, UtteranceFinal)), None)
        what = f"第{utt}句" if utt is not None else ("通话结束信息" if any(isinstance(ev, CallEnded) for ev in events)
                                                   else "最新的通话记录")
        return StoreError(message=f"{what}尚未写入通话记录数据库（已暂存内存，恢复后自动补写）", t=events[0].t)

    def _spawn(self, fn, name: str) -> None:
        th = threading.Thread(target=fn, name=name, daemon=True)
        self._threads.append(th)
        th.start()


def run_call(session: CallSession, *, on_event: Callable[[Event], Any] | None = None,
             timeout: float | None = None) -> CallEnded | None:
    """Convenience for scripts/tests: subscribe, start, wait for the end; returns the CallEnded event."""
    if on_event is not None:
        session.subscribe(on_event)
    session.start()
    session.wait(timeout)
    return session.ended
