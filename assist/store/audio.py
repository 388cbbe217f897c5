"""Kept call audio (设置 › 保留通话录音): one Ogg/Opus file per call beside the records, written off the audio path.

The session hands every block it gives the recogniser (after mute) to ``CallAudioWriter.agent`` / ``.debtor``
on the source's thread — the PortAudio callback for a microphone — so those only append to a queue; a thread of
the writer's own encodes and writes. Opus because PyAV (already installed for faster-whisper) encodes it offline
and speech at 16 kbit/s costs about 0.1 MB a minute (FLAC: 1 MB+), well inside what a QA lead needs to hear.
A two-party call is one stereo file (left: the agent, right: the debtor), so playback hears both sides in step.

A write that fails (disk full, folder gone) stops the keeping, not the call: ``on_error`` gets one Chinese
message, the file keeps what was written before, and ``close()`` reports the error with the audio.
Files are created 0600 (assist/private.py): they hold the debtor's voice.
"""

from __future__ import annotations

import errno
import logging
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assist import private
from assist.audio.errors import AudioFileError

log = logging.getLogger(__name__)

CODEC, CONTAINER, SUFFIX = "libopus", "ogg", ".ogg"
# bit/s. Measured: mono ≈0.1 MB per minute of call. libopus codes stereo below ~20 kbit/s as mono (both sides
# came back identical), so a two-party file gets 24 kbit/s (≈0.18 MB a minute) and keeps the sides apart.
BITRATE = {1: 16000, 2: 24000}
SAMPLE_RATE = 16000      # what the session's blocks are
# One side of a two-party call may run ahead of the other by this much before the other is taken as silent
# (a live debtor lane that stops delivering must not make the agent's audio pile up in memory).
_MAX_SKEW_S = 2.0
# Blocks waiting for the encoder; reached only if the disk stalls for minutes: then keeping stops, not the call.
_MAX_QUEUED_S = 600.0
_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", -1), errno.EFBIG}
# Every message about kept audio starts so (the live window shows it as is, not as a records-database problem).
PROBLEM = "通话录音未能保存："
_GOES_ON = "；通话和文字记录照常进行"


@dataclass(frozen=True)
class KeptAudio:
    """What ``CallAudioWriter.close()`` wrote: the record links it (RecordStore.attach_audio)."""
    path: Path
    channels: tuple[str, ...]    # ('agent',) or ('agent', 'debtor'): left to right
    seconds: float
    bytes: int
    error: str = ""              # why the file stops early ('' when complete)


def audio_error_message(exc: BaseException, path: Path) -> str:
    if isinstance(exc, OSError) and exc.errno in _DISK_FULL:
        return f"{PROBLEM}磁盘空间不足（{path.parent}），录音从此处起中断{_GOES_ON}"
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return f"{PROBLEM}{reason}（{path}）{_GOES_ON}"


class CallAudioWriter:
    """Encodes one call's audio on its own thread. ``agent``/``debtor`` never block (safe in an audio callback)."""

    def __init__(self, path: str | Path, *, two_party: bool = False, sample_rate: int = SAMPLE_RATE,
                 on_error: Callable[[str], None] | None = None):
        self.path = Path(path)
        self.channels = ("agent", "debtor") if two_party else ("agent",)
        self.sample_rate = int(sample_rate)
        self._on_error = on_error
        self._queue: queue.Queue = queue.Queue(maxsize=max(16, int(_MAX_QUEUED_S / 0.05)))
        self._failed = threading.Event()
        self.error = ""
        self._frames = 0
        self._pending = [np.zeros(0, np.float32) for _ in self.channels]
        private.make_dir(self.path.parent)
        # Opened here, on the caller's thread, so a folder that cannot be written fails the start clearly.
        self._file = open(private.open_fd(self.path, os.O_WRONLY | os.O_TRUNC), "wb")
        self._thread = threading.Thread(target=self._run, name="call-audio-writer", daemon=True)
        self._thread.start()

    # --- source thread -----------------------------------------------------------------------------------
    def agent(self, block: np.ndarray) -> None:
        self._offer(0, block)

    def debtor(self, block: np.ndarray) -> None:
        if len(self.channels) > 1:
            self._offer(1, block)

    def _offer(self, lane: int, block: np.ndarray) -> None:
        if self._failed.is_set():
            return
        try:
            self._queue.put_nowait((lane, np.array(block, dtype=np.float32, copy=True)))
        except queue.Full:
            self._fail(f"{PROBLEM}写入跟不上（磁盘太慢），录音从此处起中断{_GOES_ON}")

    # --- writer thread -----------------------------------------------------------------------------------
    def _run(self) -> None:
        import av

        container = stream = None
        try:
            container = av.open(self._file, "w", format=CONTAINER)
            layout = "stereo" if len(self.channels) > 1 else "mono"
            # 60 ms Opus frames: a third of the packets of the default 20 ms, so the review player decodes a
            # call faster (the per-frame cost dominates) and the file is ~2 % smaller; latency is irrelevant here
            stream = container.add_stream(CODEC, rate=self.sample_rate, layout=layout,
                                          options={"frame_duration": "60"})
            stream.bit_rate = BITRATE[len(self.channels)]
            while True:
                item = self._queue.get()
                if item is None:
                    self._write(container, stream, flush=True)
                    for packet in stream.encode(None):
                        container.mux(packet)
                    break
                if self._failed.is_set():
                    continue   # drain what is queued, write nothing more
                lane, block = item
                self._pending[lane] = np.concatenate((self._pending[lane], block))
                self._write(container, stream)
        except Exception as exc:   # disk full, folder removed: the call goes on without its audio
            self._fail(audio_error_message(exc, self.path), exc)
            while self._queue.get() is not None:   # let close() finish
                pass
        finally:
            try:
                if container is not None:
                    container.close()
            except Exception as exc:
                if not self.error:
                    self._fail(audio_error_message(exc, self.path), exc)
            try:
                self._file.close()
            except OSError as exc:
                if not self.error:
                    self._fail(audio_error_message(exc, self.path), exc)

    def _write(self, container, stream, *, flush: bool = False) -> None:
        import av

        sizes = [len(p) for p in self._pending]
        n = min(sizes)
        longest = max(sizes)
        if flush or longest - n > _MAX_SKEW_S * self.sample_rate:
            n = longest   # the other side is silent for the rest (or has fallen behind for good)
        if n == 0:
            return
        planes = np.zeros((len(self.channels), n), np.float32)
        for lane, pending in enumerate(self._pending):
            take = min(n, len(pending))
            planes[lane, :take] = pending[:take]
            self._pending[lane] = pending[take:]
        frame = av.AudioFrame.from_ndarray(planes, format="fltp", layout="stereo" if len(self.channels) > 1 else "mono")
        frame.sample_rate = self.sample_rate
        self._frames += n
        for packet in stream.encode(frame):
            container.mux(packet)

    def _fail(self, message: str, exc: BaseException | None = None) -> None:
        if self._failed.is_set():
            return
        self._failed.set()
        self.error = message
        log.warning("call audio stopped: %s", exc or message)   # the path only: no debtor data in the log
        if self._on_error is not None:
            try:
                self._on_error(message)
            except Exception:
                log.exception("call audio on_error callback failed")

    @property
    def held_s(self) -> float:
        """Audio taken in but held back waiting for the other side (bounded by the allowed skew)."""
        return max(len(p) for p in self._pending) / self.sample_rate

    # --- end of call ---------------------------------------------------------------------------------------
    def close(self, timeout: float = 30.0) -> KeptAudio:
        """Encode what is queued, finish the file and say what it holds (call once, after the last block)."""
        self._queue.put(None)   # unbounded wait is fine: the writer drains the queue even after a failure
        self._thread.join(timeout)
        if self._thread.is_alive() and not self.error:
            self._fail(f"{PROBLEM}未能及时写完（磁盘太慢），文件可能不完整")
        try:
            size = self.path.stat().st_size
        except OSError:
            size = 0
        return KeptAudio(self.path, self.channels, round(self._frames / self.sample_rate, 3), size, self.error)


def _planes(frame, channels: int) -> np.ndarray:
    """A decoded frame as float32 (channels, samples), whatever its sample format (planar or interleaved)."""
    a = frame.to_ndarray()
    if not frame.format.is_planar:
        a = a.reshape(-1, channels).T
    if a.dtype.kind == "i":
        a = a.astype(np.float32) / float(np.iinfo(a.dtype).max)
    return a.astype(np.float32, copy=False)


def decode(path: str | Path, *, rate: int = SAMPLE_RATE) -> np.ndarray:
    """A kept recording as float32 samples, shape (frames, channels), resampled to ``rate`` (playback, export,
    tests). Raises AudioFileError with a Chinese message when the file is missing or not audio."""
    import av

    path = Path(path)
    if not path.is_file():
        raise AudioFileError(path, "录音文件不存在（可能已按保留天数清理）")
    try:
        with av.open(str(path)) as container:
            stream = container.streams.audio[0]
            channels = stream.codec_context.channels or 1
            parts = [_planes(frame, channels) for frame in container.decode(stream)]
            decoded_rate = stream.codec_context.sample_rate or rate
    except (av.error.FFmpegError, IndexError) as exc:
        raise AudioFileError(path, f"无法读取录音文件（{exc}）") from exc
    if not parts:
        return np.zeros((0, channels), np.float32)
    samples = np.concatenate(parts, axis=1)
    if decoded_rate != rate:
        if decoded_rate % rate == 0:
            # Opus always decodes at 48 kHz; what we wrote came from 16 kHz audio, so nothing lies above 8 kHz
            # and keeping every third sample is the resampling (PyAV's resampler frame by frame: 3× the time)
            samples = samples[:, :: decoded_rate // rate]
        else:
            from assist.audio import resample

            samples = np.stack([resample(ch, decoded_rate, rate) for ch in samples])
    return samples.T.astype(np.float32, copy=False)

