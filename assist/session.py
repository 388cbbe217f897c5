"""CallSession: one call, wired source → streaming ASR → analysis → suggestions → records, publishing events.

Threads (see docs/ARCHITECTURE.md):
- the source's own thread (or the PortAudio callback) calls ``_sink``, which only hands the block to the
  recogniser (its ``feed`` just enqueues);
- the recogniser's thread reports AsrPartial/AsrFinal/AsrHealth through ``_on_asr`` into a bounded queue of
  typed messages (``call_messages``);
- the pipeline thread (``_run_pipeline``) owns the analyser and suggester state: every message is handled
  there, so no lock is needed around CallState; it records (``CallRecorder``) and publishes (``Subscribers``).
  With a wall clock (mic, ``--realtime``) its wait for the next message times out at each whole second of the
  call, for the time-driven rules;
- the ender thread waits for the source to be exhausted (or ``stop()``), finishes the recogniser (drains and
  finalizes the utterance in flight) and queues the end of the call. It cannot be a timeout of the pipeline:
  finishing waits for the recogniser, whose finals wait for room in the pipeline's queue.

Clock (``assist.clock.CallClock``, the only one of the call; the recogniser schedules on its wall clock): ``t``
is wall seconds since ``start()`` when the source is real-time; otherwise seconds of audio consumed by the
recogniser (AsrFinal.audio_t), so the numbers do not depend on the machine's speed; for a transcript, line k is
at t = k (see assist.transcript).

Duplicate alerts are the analyser's to prevent (one per rule and utterance unless retracted); the call's alert
counts are read from its state.
"""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime

import numpy as np

from .asr.core import AsrFinal, AsrHealth, AsrPartial
from .call_messages import (
    ConfirmPromise,
    DeviceFailed,
    End,
    Message,
    PickObjection,
    Recognized,
    Start,
    StoreFailed,
    TextLine,
)
from .call_record import CallRecorder
from .case import CaseData
from .clock import CallClock
from .config import EngineConfig
from .events import (
    Alert,
    CallEnded,
    CallStarted,
    DebtorCue,
    DeviceFailure,
    Event,
    Health,
    Partial,
    PromiseToPay,
    StoreError,
    UtteranceFinal,
)
from .pacing import FilePacer
from .subscribers import Subscribers
from .transcript import TranscriptSource
from .warmup import warm_up

__all__ = ["CallSession", "local_aware", "new_call_id", "warm_up"]

log = logging.getLogger(__name__)

# Queue bound: a few minutes of finals plus partials/health; partials and health are dropped when full
# (they are superseded anyway), finals and commands wait.
_QUEUE_MAX = 512
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
        debtor_source=None,
    ):
        """``kind``: what the records call it (assist.store.schema.KINDS) — 'test' for a rehearsal on a
        recording; by default the store tells a live call from an analysed recording by the source.
        ``debtor_source``: a live second source (what the agent hears: ``assist.audio.second``), started right
        after ``source`` and fed into the recogniser's debtor lane from its own thread; if it cannot start, or
        fails later, a ``DeviceError(side="debtor")`` says so and the call goes on with the agent alone."""
        from .analysis import CallAnalyzer
        from .analysis.debtor import DebtorTracker
        from .suggest import Suggester
        from .userdict import check_userdict

        self.config = config
        self.case = case or CaseData()
        self.started_at = local_aware(started_at)
        self.call_id = call_id or new_call_id(self.started_at)
        self.source = source
        self.kind = kind
        self.store = store if config.record else None
        self._recorder = CallRecorder(self.store, self.call_id) if self.store is not None else None
        self._model = model
        self._is_text = isinstance(source, TranscriptSource)
        self.realtime = bool(getattr(source, "realtime", False))
        self._clock = CallClock(self.realtime)

        from .resources import open_resources

        self.resources = open_resources(config.resources_dir)   # every part reads this one folder
        check_userdict(config.resources_dir)   # before jieba reads it: `path:line`, not a traceback mid-call
        self._analyzer = CallAnalyzer(started_at=self.started_at, case=self.case, config=config)
        self._suggester = Suggester(case=self.case, resources=self.resources)
        warm_up(config)
        self._recognizer = None
        self._debtor = DebtorTracker(self.started_at.date(), resources=self.resources)
        # a two-party recording (FileSource(debtor_channel=…)) or a second live source feeds the debtor lane
        self.debtor_source = debtor_source if not self._is_text else None
        self._two_party = (getattr(source, "debtor_channel", None) is not None or self.debtor_source is not None
                           or bool(getattr(source, "split_speakers", False)))
        self._audio = None             # CallAudioWriter when the call's audio is kept (EngineConfig.keep_audio)

        self._subscribers = Subscribers()
        self._queue: queue.Queue[Message] = queue.Queue(maxsize=_QUEUE_MAX)
        self._muted = False
        self._start_lock = threading.Lock()
        self._start_called = False
        self._started = False          # Start is queued: commands go straight to the pipeline
        self._pending: list[Message] = []  # commands given before that
        self._stop_requested = threading.Event()
        self._done = threading.Event()
        self._next_tick = 1.0          # next whole second for the time-driven rules (pipeline thread)
        self._partial_t: float | None = None  # t of the last partial of the utterance in flight
        # audio handed to the recogniser; a file read as fast as possible waits for it (AsrConfig.max_backlog_s)
        self._pacer = FilePacer(config.asr.max_backlog_s,
                                sample_rate=getattr(source, "sample_rate", 16000) or 16000,
                                failed=lambda: getattr(self._recognizer, "error", None) is not None)
        self._threads: list[threading.Thread] = []
        self.ended: CallEnded | None = None
        self.error: str | None = None

    # ---- public API ---------------------------------------------------------------------------

    @property
    def state(self):
        """The analyser's CallState (read it from a subscriber: it changes on the pipeline thread)."""
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
        self._subscribers.add(callback)

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
        self._clock.start()
        with self._start_lock:
            self._put(Start())
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
                self._put(DeviceFailed(str(exc)))
                self._put(End())
                raise
            self._start_debtor_source()
            self._spawn(self._run_ender, "call-ender")
        return self.call_id

    def debtor_unavailable(self, message: str) -> None:
        """The second source chosen for this call could not be opened (the caller tried): say so once the call
        has started, as ``DeviceError(side="debtor")``; the call goes on with the agent's side alone."""
        self._command(DeviceFailed(message, side="debtor"))

    def mute(self, on: bool) -> None:
        """Muted audio is replaced by silence: not transcribed, but the clock and audio positions go on."""
        self._muted = bool(on)

    def pick_objection(self, key: str) -> None:
        """The agent picked an objection (没钱, 要投诉...): the suggester answers with lines for it."""
        from .analysis.state import OBJECTIONS

        if key not in OBJECTIONS:
            raise KeyError(f"unknown objection '{key}'; expected one of {', '.join(OBJECTIONS)}")
        self._command(PickObjection(key))

    def confirm_ptp(self, amount: float | None, date: str | None, channel: str | None) -> None:
        """The agent confirmed or corrected the promise to pay in the panel (``date`` ISO, ``channel`` a channel
        id): it becomes the call's promise — published and recorded as a PromiseToPay, and what the end-of-call
        check (ptp_incomplete) and CallEnded see. A promise the agent negotiates later replaces it as usual."""
        from .analysis.state import CHANNELS

        if channel is not None and channel not in CHANNELS:
            raise KeyError(f"unknown channel '{channel}'; expected one of {', '.join(CHANNELS)}")
        self._command(ConfirmPromise({"amount": None if amount is None else float(amount), "date": date or None,
                                      "channel": channel or None}))

    def use_suggestion(self, line_id: str) -> None:
        """The agent used a suggested line (records which lines help)."""
        if self.store is not None and line_id:
            self.store.mark_suggestion_used(self.call_id, line_id, self._clock.now())

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
                self._pending.append(StoreFailed(message))
                return
        self._put(StoreFailed(message), block=False)

    def stop(self) -> None:
        """End the call: stop capturing; what was captured is still transcribed, then CallEnded. Returns at
        once; ``wait()`` blocks until CallEnded was published."""
        if self._stop_requested.is_set():
            return
        self._stop_requested.set()
        if not self._started:
            return
        if not self._is_text:
            self._stop_sources()

    def _stop_sources(self) -> None:
        """Stop both audio sources; one that fails to stop never keeps the other running."""
        for src in (self.source, self.debtor_source):
            if src is None:
                continue
            try:
                src.stop()
            except Exception:
                log.exception("stopping the audio source failed")

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def _command(self, msg: Message) -> None:
        with self._start_lock:
            if not self._started:
                # The UI may hold the session before start() ran: answer right after call_started.
                self._pending.append(msg)
                return
        if not self._done.is_set():
            self._put(msg)

    # ---- source side --------------------------------------------------------------------------

    def _make_recognizer(self):
        from .asr import StreamingRecognizer

        # realtime=False gives the recogniser its virtual clock: partials are scheduled as they would be live.
        return StreamingRecognizer(self.config.asr, model=self._model, case=self.case, on_event=self._on_asr,
                                   realtime=self.realtime, clock=self._clock.wall, resources=self.resources)

    def _source_label(self) -> str:
        """What the records show as the call's source: the analysed file, or 'mic' / 'mic:<device>'."""
        path = getattr(self.source, "path", None)
        if path is not None:
            return str(path)
        device = getattr(self.source, "device_name", None) or getattr(self.source, "device", None)
        # MicSource.device is an InputDevice: its name, never the object's repr ("InputDevice(index=3, …)")
        device = getattr(device, "name", device)
        return f"mic:{device}" if device not in (None, "") else "mic"

    # The call's audio passes through these two, block by block, on the source's thread (for a microphone: the
    # audio callback): the one place a tap on the call's audio (keeping a recording of it) belongs. Hand over,
    # never work here.
    def _sink(self, block: np.ndarray) -> None:
        n = len(block)
        if self._muted:
            block = np.zeros(n, dtype=np.float32)
        self._pacer.fed += n
        self._recognizer.feed(block)
        if self._audio is not None:
            self._audio.agent(block)   # enqueue only: encoding runs on the writer's own thread
        if not self.realtime:
            self._pacer.wait(self._stop_requested)

    def _debtor_sink(self, block: np.ndarray) -> None:
        # right after the agent block of the same time
        if self._muted:
            block = np.zeros(len(block), dtype=np.float32)
        self._recognizer.feed_debtor(block)
        if self._audio is not None:
            self._audio.debtor(block)

    def _start_debtor_source(self) -> None:
        """Right after the agent's source, so both sides' audio positions start together (within a block)."""
        src = self.debtor_source
        if src is None:
            return
        src.errors = self._on_debtor_error
        try:
            src.start(self._live_debtor_sink)
        except Exception as exc:
            log.warning("second source not started: %s", exc)
            self.debtor_source = None
            self._put(DeviceFailed(f"对方声音来源无法打开：{exc}。本次通话只识别坐席一方。", side="debtor"),
                      block=False)

    def _live_debtor_sink(self, block: np.ndarray) -> None:
        # the second source's own thread; feed_debtor only enqueues (bounded, see StreamingRecognizer)
        if self._pacer.fed == 0:
            # The call's audio positions start at the microphone's first block, which a sound server can take
            # ~2 s to deliver (measured 1.7–2.0 s on PulseAudio) while an output's monitor delivers at once:
            # what the debtor side hears before that would put the debtor's timeline ahead of the agent's (and
            # skew the kept stereo file), so it is left out, as the agent's own audio of that time is.
            return
        if self._muted:
            block = np.zeros(len(block), dtype=np.float32)
        self._recognizer.feed_debtor(block)
        if self._audio is not None:
            self._audio.debtor(block)

    def _on_debtor_error(self, message: str) -> None:
        self._put(DeviceFailed(message, side="debtor"), block=False)

    def _open_audio(self) -> None:
        """Keep the call's audio beside its record when the settings say so (a transcript has none). A folder
        that cannot be written costs the recording, never the call."""
        if self.store is None or not self.config.keep_audio or self._is_text:
            return
        try:
            self._audio = self.store.audio_writer(self.call_id, two_party=self._two_party, on_error=self.store_error)
        except OSError as exc:
            log.warning("call audio not kept: %s", exc.strerror or exc)
            from .store.audio import audio_error_message

            self.store_error(audio_error_message(exc, self.store.audio_dir))

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
        self._put(DeviceFailed(message), block=False)

    def _on_asr(self, ev) -> None:
        # Recogniser thread. Finals must never be lost; partials and health may be dropped under load.
        self._pacer.progress(float(getattr(ev, "audio_t", 0.0) or 0.0))
        self._put(Recognized(ev), block=isinstance(ev, AsrFinal))

    def _run_transcript(self) -> None:
        for line in self.source.lines:
            if self._stop_requested.is_set():
                break
            if self.realtime:
                delay = self._clock.wall.until(line.t)
                if delay > 0 and self._stop_requested.wait(delay):
                    break
            self._put(TextLine(line))
        if self.realtime and not self._stop_requested.is_set():
            # The last line lasts until k + 1, like the others: the call ends then, not when it was said.
            self._stop_requested.wait(max(0.0, self._clock.wall.until(self.source.duration)))
        self._put(End())

    def _run_ender(self) -> None:
        while not self._stop_requested.is_set():
            try:
                if self.source.wait(0.2):
                    break
            except Exception:
                log.exception("waiting for the audio source failed")
                break
        self._stop_sources()
        self._close_audio()   # no more blocks come; linked before the call's end is queued
        try:
            self._recognizer.finish()  # finals of the utterance in flight arrive through _on_asr first
        except Exception:
            log.exception("the recogniser failed while finishing")
        failure = getattr(self._recognizer, "error", None)
        if failure is not None and self.error is None:
            # The call still ends properly; the caller learns that the transcript may be incomplete.
            self.error = f"speech recognition failed: {failure}"
        self._put(End())

    # ---- pipeline thread ----------------------------------------------------------------------

    def _run_pipeline(self) -> None:
        wall_tick = 1  # live: the next whole second of the wall clock at which the time-driven rules run
        while True:
            timeout = None
            if self.realtime:
                timeout = self._clock.wall.until(wall_tick)
                if timeout <= 0:
                    wall_tick = int(self._clock.wall.now()) + 1
                    self._guarded("tick", lambda: self._tick(self._clock.advance()))
                    continue
            try:
                msg = self._queue.get(timeout=timeout)
            except queue.Empty:
                continue
            if isinstance(msg, End):
                self._end()
                return
            self._guarded(type(msg).__name__, lambda msg=msg: self._handle(msg))

    @staticmethod
    def _guarded(what: str, fn) -> None:
        try:
            fn()
        except Exception:
            # One bad item (an analyser bug on odd text) must not end the call.
            log.exception("pipeline failed on %s", what)

    def _handle(self, msg: Message) -> None:
        match msg:
            case Start():
                self._emit([CallStarted(call_id=self.call_id, started_at=self.started_at.isoformat(), t=0.0)])
                self._emit(self._safe(self._analyzer.on_time, 0.0))
                # What to say first, before anyone speaks (after on_time(0), so the suggester sees call_time).
                opening = getattr(self._suggester, "opening", None)
                if opening is not None:
                    self._emit(self._safe(opening, self._analyzer.state, 0.0))
            case TextLine(line):
                t = self._advance(line.t)
                self._final(line.index, line.text, line.start, line.end, t, line.text)
            case Recognized(ev):
                self._recognized(ev)
            case PickObjection(key):
                t = self._advance(None)
                self._emit(self._safe(self._suggester.objection, key, self._analyzer.state, t))
            case ConfirmPromise(slots):
                state = self._analyzer.state
                state.ptp.update(slots)
                state.covered.update(f"ptp_{slot}" for slot, value in slots.items() if value is not None)
                self._emit([PromiseToPay(t=self._advance(None), **slots)])
            case DeviceFailed(message, side):
                self._emit([DeviceFailure(message=message, t=self._advance(None), side=side)])
            case StoreFailed(message):
                self._emit([StoreError(message=message, t=self._advance(None))])

    def _recognized(self, ev) -> None:
        t = self._advance(ev.audio_t)
        if isinstance(ev, AsrPartial):
            self._partial_t = t
            events: list[Event] = [Partial(utterance=ev.index, text=ev.text, t=t)]
            events += self._safe(self._analyzer.on_partial, ev.index, ev.text, t)
            self._emit(events)
        elif isinstance(ev, AsrFinal) and ev.speaker == "debtor":
            self._debtor_final(ev.index, ev.text, ev.start, ev.end, t, ev.raw_text)
        elif isinstance(ev, AsrFinal):
            self._partial_t = None
            self._final(ev.index, ev.text, ev.start, ev.end, t, ev.raw_text)
            self._tick(t)  # a tick deferred during this utterance runs now, after its final
        elif isinstance(ev, AsrHealth):
            self._emit([Health(rtf=ev.rtf, queue_depth=ev.queue_depth, lag=ev.lag_s, t=t, dropped=ev.dropped_s)])
            if self._recorder is not None:
                self._recorder.note_skipped(ev.dropped_s)

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
        lost = float(getattr(self._recognizer, "debtor_dropped_s", 0.0) or 0.0)
        if lost:
            log.warning("the debtor's side: %.1f s not recognised (the PC could not keep up)", lost)
        alerts = dict(Counter(a.rule for a in self._analyzer.state.alerts))   # retracted ones are not there
        ended = CallEnded(call_id=self.call_id, duration=round(duration, 3), alerts=alerts,
                          ptp=ptp, t=t_end, skipped=round(skipped, 3))
        self.ended = ended
        self._emit([ended], commit=True)
        self._done.set()

    # ---- helpers ------------------------------------------------------------------------------

    def _audio_duration(self) -> float:
        if self._is_text:
            return self.source.duration
        return self._pacer.fed_s

    def _advance(self, t: float | None) -> float:
        """The call clock for an event produced now (``CallClock.advance``). Also runs time-driven rules when
        the audio clock passes a whole second (the wall clock has the pipeline's timeout)."""
        now = self._clock.advance(t)
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

    def _put(self, msg: Message, block: bool = True) -> None:
        try:
            self._queue.put(msg, block=block)
        except queue.Full:
            log.warning("pipeline queue full: dropped %s", type(msg).__name__)

    def _emit(self, events: list[Event], commit: bool = False) -> None:
        if not events:
            return
        if self._recorder is not None:
            events = self._recorder.record(events, commit=commit)
        for ev in events:
            self._subscribers.publish(ev)

    def _spawn(self, fn, name: str) -> None:
        th = threading.Thread(target=fn, name=name, daemon=True)
        self._threads.append(th)
        th.start()
