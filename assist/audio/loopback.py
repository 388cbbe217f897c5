"""LoopbackSource: what the agent hears — the monitor of an output device (Linux, PulseAudio/PipeWire) or the
WASAPI loopback of a speaker/headset (Windows) — as float32 mono 16 kHz blocks, for the debtor lane.

Why the ``soundcard`` library (docs/ARCHITECTURE.md, "The second source"): PortAudio (sounddevice) reaches
PulseAudio only through ALSA's single "pulse"/"default" device, which records the *default source*; a monitor is
reachable only by making it the default (PULSE_SOURCE or set-default-source), which would move the agent's
microphone too. ``pulsectl`` controls the server but does not record; ``pasimple`` records a named source but
is a small 0.0.x wrapper with no Windows side. ``soundcard`` (BSD, cffi over libpulse / WASAPI / CoreAudio,
maintained, ships its own PyInstaller hook) records any Pulse source by name, monitors included, and on
Windows opens a speaker's WASAPI loopback through the same API (``get_microphone(speaker_id,
include_loopback=True)``), so one code path serves both.

Its quirks, handled here: it connects to the sound server when imported (an ``AssertionError`` without one, so
it is imported lazily, on a worker, and any failure becomes a Chinese ``DeviceError``); its Linux connection is
one module-level object that never reconnects (a restarted PipeWire, the tests' fresh server), so a dead one is
replaced before use; ``record()`` blocks, so it runs on a capture thread of its own, which does nothing but
stamp the block's time and append it to a bounded queue (the equivalent of a PortAudio callback).

Threads: "loopback-capture" (record → queue; when the queue is full the *oldest* block is dropped and counted,
so a stalled drain never grows memory and what is kept is the newest audio) and "loopback-drain" (our own
sounds silenced, mono, resample, level, the sink; the watchdog). A source that dies (sink unplugged, server
gone) reports once through ``errors`` and delivers nothing more; the call goes on with the agent's side alone.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import own_sound
from .base import SAMPLE_RATE, Delivery
from .errors import DeviceError
from .resample import StreamResampler, to_mono

log = logging.getLogger(__name__)

MAX_QUEUED_S = 10.0      # capture queue bound: the drain only resamples, so this is reached only by a frozen process
_OPEN_TIMEOUT_S = 5.0
_START_GRACE_S = 3.0     # a new stream's first block may take a while on a busy sound server
# PulseAudio (14+) and PipeWire do not end a stream whose device goes away: they move it to the fallback
# device, and capture goes on from another output's monitor without an error. So the drain looks every few
# seconds whether the chosen output still exists, to tell the agent (the audio that goes on is kept: the
# softphone's playback moved to that same fallback output).
_PRESENCE_EVERY_S = 2.0
# Linux: PulseAudio converts to the rate we ask for on the server, for free. WASAPI loopback in shared mode
# delivers the mix format (48 kHz on nearly every PC); soundcard converts, but we resample ourselves there.
CAPTURE_RATE = SAMPLE_RATE if sys.platform.startswith("linux") else 48000

_sc_lock = threading.Lock()


@dataclass(frozen=True)
class LoopbackDevice:
    id: str          # the backend's id: a Pulse source name (…monitor) or a Windows endpoint id
    name: str        # what the picker shows
    is_default: bool  # the monitor/loopback of the system's default output

    def label(self) -> str:
        return self.name + (" [默认输出]" if self.is_default else "")


def soundcard():
    """The soundcard module, connected to a live sound server; DeviceError (Chinese) when it cannot be."""
    with _sc_lock:
        try:
            import soundcard as sc
        except Exception as e:  # no libpulse, no server (AssertionError at import), unsupported platform
            raise DeviceError(f"无法使用扬声器输出的监听：未能连接系统声音服务（{_why(e)}）") from e
        if sys.platform.startswith("linux"):
            _reconnect_if_dead(sc)
        return sc


def _reconnect_if_dead(sc) -> None:
    # soundcard keeps one libpulse context for the process, made at import and never re-made: after the sound
    # server restarts every call on it fails. Replace it (its documented module global) when it is not READY.
    pa = sc.pulseaudio
    pulse = pa._pulse
    try:
        ready = pulse._pa_context_get_state(pulse.context) == pa._pa.PA_CONTEXT_READY
    except Exception:
        ready = False
    if ready:
        return
    try:
        pa._pulse = pa._PulseAudio()
    except Exception as e:
        raise DeviceError(f"无法使用扬声器输出的监听：系统声音服务没有响应（{_why(e)}）") from e


def list_loopback_devices() -> list[LoopbackDevice]:
    """Every output that can be listened to (monitor sources / loopback endpoints), the default output's first."""
    sc = soundcard()
    try:
        default_id = _default_loopback_id(sc)
        mics = [m for m in sc.all_microphones(include_loopback=True) if m.isloopback]
        out = [LoopbackDevice(id=str(m.id), name=str(m.name), is_default=str(m.id) == default_id) for m in mics]
    except DeviceError:
        raise
    except Exception as e:
        raise DeviceError(f"无法列出扬声器输出：{_why(e)}") from e
    return sorted(out, key=lambda d: not d.is_default)


def _default_loopback_id(sc) -> str | None:
    try:
        speaker = sc.default_speaker()
    except Exception:
        return None
    if sys.platform.startswith("linux"):
        return f"{speaker.id}.monitor"   # PulseAudio / PipeWire-pulse name every sink's monitor so
    return str(speaker.id)               # WASAPI: the loopback endpoint has the speaker's id


def find_loopback(device: str | LoopbackDevice | None = None) -> LoopbackDevice:
    """None / "": the default output's monitor; else an id, or a name or part of one (case-insensitive)."""
    devices = list_loopback_devices()
    if not devices:
        raise DeviceError("找不到可监听的扬声器输出（系统没有输出设备）")
    if isinstance(device, LoopbackDevice):
        device = device.id
    if not device:
        for d in devices:
            if d.is_default:
                return d
        raise DeviceError("找不到默认扬声器输出的监听（请在设置里选择一个输出设备）")
    for d in devices:
        if d.id == device:
            return d
    want = str(device).casefold()
    for d in devices:
        if want in d.name.casefold() or want in d.id.casefold():
            return d
    names = "、".join(d.name for d in devices)
    raise DeviceError(f"找不到扬声器输出“{device}”（可用：{names}）", device)


class LoopbackSource(Delivery):
    """Capture ``device`` (see ``find_loopback``). Raises DeviceError when it does not exist; ``start()`` raises
    it when the stream cannot be opened. ``dropped_blocks`` counts blocks the full queue pushed out."""

    sample_rate = SAMPLE_RATE
    realtime = True

    def __init__(self, device: str | LoopbackDevice | None = None, *, block_s: float = 0.05,
                 max_queued_s: float = MAX_QUEUED_S, watchdog_s: float = 2.0, gate_own_sound: bool = True):
        if block_s <= 0:
            raise ValueError(f"block_s must be positive, got {block_s}")
        self.block_s = float(block_s)
        self.watchdog_s = float(watchdog_s)
        self.gate_own_sound = gate_own_sound
        self.device = find_loopback(device)
        self.device_name = self.device.name
        self.errors: Callable[[str], None] | None = None
        self.failure: str | None = None
        self.dropped_blocks = 0      # the queue was full: the oldest block went (counted, never waited for)
        self.gated_s = 0.0           # audio silenced because a sound of ours was playing
        self._frames = max(1, int(round(self.block_s * CAPTURE_RATE)))
        self._q: deque = deque()
        self._max_blocks = max(8, int(max_queued_s / self.block_s))
        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._captured_dead = threading.Event()   # the capture thread ended (by failure or stop)
        self._capture_error: str | None = None
        self._started = False
        self._threads: list[threading.Thread] = []

    # --- AudioSource -------------------------------------------------------------------------------------
    def start(self, sink: Callable[[np.ndarray], None]) -> None:
        if self._started:
            raise RuntimeError("LoopbackSource.start() can only be called once")
        opened = threading.Event()
        capture = threading.Thread(target=self._capture, args=(opened,), name="loopback-capture", daemon=True)
        capture.start()
        if not opened.wait(_OPEN_TIMEOUT_S) or self._capture_error is not None:
            self._stopping.set()
            why = self._capture_error or f"{_OPEN_TIMEOUT_S:g} 秒内未能打开"
            raise DeviceError(f"无法打开扬声器输出的监听：{self.device.name}（{why}）", self.device.id)
        self._started = True
        drain = threading.Thread(target=self._drain, args=(sink,), name="loopback-drain", daemon=True)
        self._threads = [capture, drain]
        drain.start()

    def stop(self) -> None:
        """Stop; blocks already captured are delivered before this returns. Idempotent."""
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
        if not self._started:
            self._stopped.set()
            return
        for t in self._threads:
            if t is not threading.current_thread():
                # record() returns within a block while audio flows; a wedged server must not hang the call's end
                t.join(timeout=2.0)
        self._stopped.set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._stopped.wait(timeout)

    # --- capture thread: record, stamp, queue — nothing else ------------------------------------------------
    def _capture(self, opened: threading.Event) -> None:
        try:
            sc = soundcard()
            mic = sc.get_microphone(self.device.id, include_loopback=True)
            with mic.recorder(samplerate=CAPTURE_RATE, blocksize=self._frames) as rec:
                opened.set()
                frames = 0
                while not self._stopping.is_set():
                    data = rec.record(numframes=self._frames)
                    frames += data.shape[0]
                    stamp = time.monotonic()
                    with self._cond:
                        if len(self._q) >= self._max_blocks:
                            self._q.popleft()
                            self.dropped_blocks += 1
                        self._q.append((stamp, frames, data))
                        self._cond.notify()
        except Exception as e:  # RuntimeError('Recording failed…') when the source goes away, DeviceError…
            # soundcard's own words (English) stay in the log; the agent reads what happened
            self._capture_error = "系统声音服务已断开" if opened.is_set() else _why(e)
            log.info("loopback capture of %s ended: %s", self.device.id, _why(e))
            if not opened.is_set():
                log.info("loopback capture could not open %s: %s", self.device.id, self._capture_error)
        finally:
            opened.set()
            self._captured_dead.set()
            with self._cond:
                self._cond.notify_all()

    # --- drain thread ----------------------------------------------------------------------------------------
    def _drain(self, sink: Callable[[np.ndarray], None]) -> None:
        resampler = StreamResampler(CAPTURE_RATE, SAMPLE_RATE) if CAPTURE_RATE != SAMPLE_RATE else None
        last = next_look = time.monotonic()
        got_any = False
        moved = False
        clock = _CaptureClock(CAPTURE_RATE)
        try:
            while True:
                with self._cond:
                    if not self._q and not self._stopping.is_set() and not self._captured_dead.is_set():
                        self._cond.wait(0.1)
                    items = list(self._q)
                    self._q.clear()
                for stamp, frames, data in items:
                    got_any, last = True, time.monotonic()
                    self._deliver(sink, resampler, clock.end_of(stamp, frames), data)
                if not moved and time.monotonic() >= next_look:
                    next_look = time.monotonic() + _PRESENCE_EVERY_S
                    if not self._still_there():
                        moved = True
                        self._report(f"对方声音来源已断开：{self.device.name}（该输出设备已移除，系统已把监听转到其他输出）。"
                                     f"通话继续；如对方的话不再出现，请检查耳机后在下一通电话重试。")
                if items:
                    continue
                if self._stopping.is_set():
                    break
                reason = None
                if self._captured_dead.is_set():
                    reason = self._capture_error or "设备已停止工作"
                elif time.monotonic() - last > (self.watchdog_s if got_any else max(self.watchdog_s, _START_GRACE_S)):
                    reason = f"超过 {self.watchdog_s:g} 秒没有收到声音数据"
                if reason is not None:
                    self._fail(reason)
                    break
            if resampler is not None:
                tail = resampler.flush()
                if tail.size:
                    self._hand_over(sink, tail)
        except Exception as e:
            log.exception("loopback drain failed")
            self._fail(f"音频处理出错（{_why(e)}）")
        finally:
            self._stopping.set()   # the capture thread ends too (a dead source is not reopened mid-call)

    def _deliver(self, sink, resampler, stamp: float, data: np.ndarray) -> None:
        if self.gate_own_sound:
            data, n = own_sound.gate(data, stamp, CAPTURE_RATE)
            self.gated_s += n / CAPTURE_RATE
        y = to_mono(np.asarray(data, dtype=np.float32))
        if resampler is not None:
            y = resampler.process(y)
        if y.size:
            self._hand_over(sink, y)

    def _still_there(self) -> bool:
        try:
            return any(d.id == self.device.id for d in list_loopback_devices())
        except DeviceError:
            return False

    def _fail(self, reason: str) -> None:
        self._report(f"对方声音来源已断开：{self.device.name}（{reason}）。通话继续，只识别坐席一方；"
                     f"请检查输出设备后在下一通电话重试。")

    def _report(self, message: str) -> None:
        self.failure = message
        log.warning("loopback source: %s (%s)", self.device.id, message)
        if self.errors is not None:
            try:
                self.errors(message)
            except Exception:
                log.exception("errors callback failed")


class _CaptureClock:
    """When a block was really captured. The capture thread stamps a block when ``record()`` returns it, which
    on a loaded PC can be long after the sound server captured it (a late stamp would let our tone through the
    gate). A stamp is never early, so ``stamp − frames/rate`` over the recent blocks has its *minimum* at the
    stream's true origin; the last ``WINDOW`` blocks' minimum follows a drift between the sound card's clock
    and ours."""

    WINDOW = 200      # blocks (10 s of 50 ms blocks)

    def __init__(self, rate: int):
        self.rate = rate
        self._mins: deque[tuple[int, float]] = deque()   # (block no, origin candidate), increasing candidates
        self._n = 0

    def end_of(self, stamp: float, frames: int) -> float:
        """The capture time of the end of the block that brought the stream to ``frames`` frames."""
        c = stamp - frames / self.rate
        self._n += 1
        while self._mins and self._mins[-1][1] >= c:
            self._mins.pop()
        self._mins.append((self._n, c))
        while self._mins[0][0] <= self._n - self.WINDOW:
            self._mins.popleft()
        return self._mins[0][1] + frames / self.rate


def _why(e: BaseException) -> str:
    return (str(e) or type(e).__name__).splitlines()[0]
