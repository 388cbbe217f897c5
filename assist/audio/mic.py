"""MicSource: live capture from a PortAudio input device, resampled to 16 kHz mono.

Threads: PortAudio's callback only copies each block into a queue (and counts overflows); the "audio-drain"
thread takes blocks off the queue, mixes them down, resamples, measures the level, calls the sink, and
watches the device's health. Only the drain thread ever calls the sink.

Device failure (unplugged headset, sound server gone): noticed when PortAudio ends the stream by itself
(finished callback / ``stream.active`` False) or when no block arrives for ``watchdog_s`` while running.
Then everything captured so far is delivered, the stream is closed, and ``errors`` is called once with
"麦克风已断开：<name>（…）". The source stays started (``wait()`` stays False) so the call goes on:
resume with ``switch_device(dev)`` on the same MicSource — the sink sees one continuous stream, and the
time the device was dead is filled with silence so audio positions keep matching the call's wall clock.
(Creating a new MicSource on the same sink also works, but then the caller owns gap and ordering.)
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

import numpy as np

from . import devices as _dev
from . import own_sound
from .base import SAMPLE_RATE, Delivery
from .devices import InputDevice, find_input_device
from .errors import DeviceError
from .resample import StreamResampler, to_mono

log = logging.getLogger(__name__)

# Rates tried after 16 kHz and the device's own default, in order.
_FALLBACK_RATES = (48000, 44100, 32000, 22050, 8000)
# Some sound servers take ~2 s to deliver the first block of a new stream; the watchdog waits this long for it.
_START_GRACE_S = 3.0
# Queue bound (seconds of audio) if the drain thread falls behind; beyond it blocks are dropped and counted.
_MAX_QUEUED_S = 30.0


class MicSource(Delivery):
    """Capture from ``device`` (None: the system default input; int: PortAudio index; str: name or part of
    it; or an ``InputDevice``). Opens at 16 kHz when the device accepts it, else at the device's rate
    (``samplerate`` forces a device rate). Raises ``DeviceError`` when the device is missing or refuses
    every format; ``start()`` raises it when the stream cannot be opened."""

    sample_rate = SAMPLE_RATE
    realtime = True

    def __init__(self, device: str | int | InputDevice | None = None, *, block_s: float = 0.05,
                 samplerate: int | None = None, watchdog_s: float = 1.0, fill_gaps: bool = True,
                 second: bool = False):
        """``second=True``: the call's second source (a USB line adapter carrying the debtor): a full queue
        drops its *oldest* block (the newest audio is what the debtor lane needs; the agent's microphone keeps
        dropping the newest, as before), sounds of ours (``own_sound``) are silenced, and failures read
        “对方声音来源已断开”."""
        if block_s <= 0:
            raise ValueError(f"block_s must be positive, got {block_s}")
        self.block_s = float(block_s)
        self.watchdog_s = float(watchdog_s)
        self.fill_gaps = fill_gaps
        self.second = second
        self.errors: Callable[[str], None] | None = None
        self._forced_rate = samplerate
        self.device, self.device_rate, self.device_channels = self._choose(device)

        self.overflows = 0  # blocks PortAudio flagged input_overflow (audio lost before we got it)
        self.dropped_blocks = 0  # blocks dropped because the drain thread fell behind
        self.failure: str | None = None  # message of the last device failure, None while healthy
        self._q: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.RLock()  # stream open/close/switch vs the drain thread's failure handling
        self._stream = None
        self._stream_gen = 0  # gen of self._stream
        self._gen = 0  # bumped for every stream opened; blocks carry it so the drain knows where a stream ends
        self._gen_info: dict[int, tuple[InputDevice, int]] = {}
        self._gen_finished: set[int] = set()  # streams PortAudio ended by itself
        self._expected_close: set[int] = set()
        self._stream_started_at = 0.0
        self._started = False
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        # drain-thread state
        self._t_origin: float | None = None  # monotonic time of audio position 0
        self._last_block_at = 0.0

    # --- the AudioSource contract -------------------------------------------------------------------------
    def start(self, sink: Callable[[np.ndarray], None]) -> None:
        with self._lock:
            if self._started:
                raise RuntimeError("MicSource.start() can only be called once")
            self._open(self.device, self.device_rate, self.device_channels)  # DeviceError → not started
            self._started = True
            self._thread = threading.Thread(target=self._drain, args=(sink,), name="audio-drain", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop capturing; everything already captured is delivered before this returns. Idempotent."""
        with self._lock:
            if not self._started:
                self._stopped.set()
                return
            self._close_stream()
            self._stopping.set()
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join()

    def wait(self, timeout: float | None = None) -> bool:
        """True once stopped. A failed device does not end the source (see ``switch_device``)."""
        return self._stopped.wait(timeout)

    # --- device changes -----------------------------------------------------------------------------------
    def switch_device(self, device: str | int | InputDevice | None = None, *, samplerate: int | None = None) -> None:
        """Continue capturing into the same sink from another device, or from the same one once it is back
        (None: the default input). Works after a failure or while healthy. The old stream is closed first
        (a device may not allow two streams); if the new one cannot be opened this raises DeviceError and
        the source is left without a device (``failure`` says so) until the next successful call."""
        with self._lock:
            if not self._started or self._stopping.is_set():
                raise RuntimeError("switch_device() needs a started, not stopped, MicSource")
            self._close_stream()
            try:
                new, rate, channels = self._choose(device, samplerate)
                self._open(new, rate, channels)
            except DeviceError as e:
                self.failure = str(e)
                raise
            self.device, self.device_rate, self.device_channels = new, rate, channels
            self.failure = None

    # --- internals: opening ---------------------------------------------------------------------------------
    def _choose(self, device, samplerate: int | None = None) -> tuple[InputDevice, int, int]:
        try:
            return self._choose_once(device, samplerate)
        except DeviceError:
            # PortAudio's device list is fixed at initialisation: a headset plugged in (or a sound server
            # restarted) since then is unknown or stale. Re-enumerate once, if no stream would be killed by it.
            if not _dev.rescan_devices():
                raise
        return self._choose_once(device, samplerate)

    def _choose_once(self, device, samplerate: int | None) -> tuple[InputDevice, int, int]:
        dev = find_input_device(device)
        sd = _dev.sd()
        forced = samplerate or self._forced_rate
        rates = [forced] if forced else [SAMPLE_RATE, int(round(dev.default_samplerate)), *_FALLBACK_RATES]
        rates = [r for i, r in enumerate(rates) if r and r not in rates[:i]]
        chans = [c for c in (1, 2, dev.channels) if c <= dev.channels]
        chans = [c for i, c in enumerate(chans) if c not in chans[:i]]
        last = None
        for rate in rates:
            for ch in chans:
                try:
                    sd.check_input_settings(device=dev.index, channels=ch, dtype="float32", samplerate=rate)
                    return dev, rate, ch
                except Exception as e:  # PortAudioError / ValueError: format refused
                    last = e
        raise DeviceError(f"无法使用麦克风：{dev.name}（设备无法打开，或不支持任何可用的录音格式：{_why(last)}）", dev.index)

    def _open(self, dev: InputDevice, rate: int, channels: int) -> None:
        sd = _dev.sd()
        self._gen += 1
        gen = self._gen  # never reused, so a late finished-callback of an old stream cannot hit a new one
        q = self._q
        max_queued = max(8, int(_MAX_QUEUED_S / self.block_s))

        second = self.second

        def callback(indata, frames, time_info, status):  # PortAudio thread: copy and count, nothing else
            if status.input_overflow:
                self.overflows += 1
            if q.qsize() >= max_queued:
                self.dropped_blocks += 1
                if not second:
                    return
                try:
                    q.get_nowait()           # the second source keeps the newest audio
                except queue.Empty:
                    pass
            # the capture time of the block's end, for own_sound's gate (monotonic, like the tone player's)
            q.put((gen, indata.copy(), time.monotonic()))

        def finished():  # PortAudio ended the stream; unexpected unless we closed it
            if gen not in self._expected_close:
                self._gen_finished.add(gen)

        try:
            stream = sd.InputStream(device=dev.index, samplerate=rate, channels=channels, dtype="float32",
                                    blocksize=max(1, int(round(self.block_s * rate))), callback=callback,
                                    finished_callback=finished)
        except Exception as e:
            raise DeviceError(f"无法打开麦克风：{dev.name}（{_why(e)}）", dev.index) from e
        _dev._stream_opened()
        self._gen_info[gen] = (dev, rate)
        self._stream_started_at = time.monotonic()
        try:
            stream.start()
        except Exception as e:
            self._expected_close.add(gen)
            _close_quietly(stream, abort=True)
            raise DeviceError(f"无法启动麦克风：{dev.name}（{_why(e)}）", dev.index) from e
        self._stream, self._stream_gen = stream, gen

    def _close_stream(self, abort: bool = False) -> None:
        """Close the current stream (its queued blocks are still delivered by the drain thread)."""
        stream, self._stream = self._stream, None
        if stream is not None:
            self._expected_close.add(self._stream_gen)
            _close_quietly(stream, abort=abort)

    # --- internals: the drain thread --------------------------------------------------------------------------
    def _drain(self, sink: Callable[[np.ndarray], None]) -> None:
        self._sink = sink
        self._gen_now = 0
        self._resampler: StreamResampler | None = None
        try:
            while True:
                try:
                    item = self._q.get(timeout=0.05)
                except queue.Empty:
                    item = None
                if item is not None:
                    self._take(*item)
                    continue
                if self._stopping.is_set():
                    break
                failure = self._check_health()
                if failure:
                    # The stream is closed: deliver what it captured before telling anyone it failed.
                    self._drain_queue()
                    self._end_segment()
                    log.warning("input device failed: %s", failure)
                    self._report(failure)
            self._drain_queue()
            self._end_segment()
        except Exception as e:
            log.exception("audio drain failed")
            with self._lock:
                self._close_stream()
            self._report(f"音频处理出错，录音已停止（{_why(e)}）")
        finally:
            self._stopped.set()

    def _drain_queue(self) -> None:
        while True:
            try:
                item = self._q.get_nowait()
            except queue.Empty:
                return
            self._take(*item)

    def _take(self, gen: int, data: np.ndarray, stamp: float) -> None:
        now = time.monotonic()
        self._last_block_at = now
        if gen != self._gen_now:  # first block of a new stream
            self._end_segment()
            _, rate = self._gen_info[gen]
            self._resampler = StreamResampler(rate, SAMPLE_RATE)
            block_dur = data.shape[0] / rate
            if self._t_origin is None:
                self._t_origin = now - block_dur
            elif self.fill_gaps:  # silence for the time no device was delivering
                gap = int((now - block_dur - self._t_origin) * SAMPLE_RATE) - self._delivered
                if gap > SAMPLE_RATE // 4:
                    self._deliver(np.zeros(gap, dtype=np.float32))
            self._gen_now = gen
        if self.second:
            data, _ = own_sound.gate(data, stamp, self._gen_info[gen][1])
        self._deliver(self._resampler.process(to_mono(data)))

    def _end_segment(self) -> None:
        """The current stream ended: emit the resampler's held-back tail."""
        if self._resampler is not None:
            self._deliver(self._resampler.flush())
            self._resampler = None

    def _deliver(self, y: np.ndarray) -> None:
        n = SAMPLE_RATE // 10  # long stretches (gap filler, a backlog) go out in 0.1 s blocks
        parts = [y] if y.size <= 4 * n else [y[i:i + n] for i in range(0, y.size, n)]
        for part in parts:
            if part.size:
                self._hand_over(self._sink, part)

    def _check_health(self) -> str | None:
        """Failure message if the current stream died (and close it), else None."""
        with self._lock:
            stream, gen = self._stream, self._stream_gen
            if stream is None or self._stopping.is_set():
                return None
            reason = None
            if gen in self._gen_finished or not stream.active:
                reason = "设备已停止工作"
            else:
                now = time.monotonic()
                grace = max(_START_GRACE_S, self.watchdog_s)
                if self._last_block_at < self._stream_started_at:  # nothing yet from this stream
                    if now - self._stream_started_at > grace:
                        reason = f"{grace:g} 秒内没有收到任何声音数据"
                elif now - self._last_block_at > self.watchdog_s:
                    reason = f"超过 {self.watchdog_s:g} 秒没有收到声音数据"
            if reason is None:
                return None
            self._close_stream(abort=True)
            if self.second:
                self.failure = (f"对方声音来源已断开：{self.device.name}（{reason}）。通话继续，只识别坐席一方；"
                                f"请检查线路输入设备后在下一通电话重试。")
            else:
                self.failure = f"麦克风已断开：{self.device.name}（{reason}）。已录到的声音已保留，请重新连接或选择其他麦克风。"
            return self.failure

    def _report(self, message: str) -> None:
        if self.errors is not None:
            try:
                self.errors(message)
            except Exception:
                log.exception("errors callback failed")


def _close_quietly(stream, abort: bool = False) -> None:
    try:
        stream.abort() if abort else stream.stop()
    except Exception:
        pass
    try:
        stream.close()
    except Exception:
        pass
    _dev._stream_closed()


def _why(e: BaseException) -> str:
    return (str(e) or type(e).__name__).splitlines()[0]
