"""FileSource: a recording fed to the pipeline in 16 kHz mono blocks, as fast as possible or at wall-clock pace.

Decoding is incremental (PyAV demux → decode → libswresample to 16 kHz float), so an hour-long file starts
feeding at once and never sits in memory whole. The constructor opens the file and decodes until the first
audio arrives, so a missing, undecodable or empty file fails there, with the file named, before a call starts.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from .base import SAMPLE_RATE, Delivery
from .errors import AudioFileError

log = logging.getLogger(__name__)


class FileSource(Delivery):
    """Feeds ``path`` to a sink. ``channel`` (0-based) picks one channel of a multi-channel file instead of
    averaging them all (e.g. the agent's side of a two-channel call recording).

    ``realtime=True`` paces delivery like a microphone: a block is delivered once the wall clock has reached
    the end of the audio it holds (start + k·block_s for block k, counting from 1), computed from the start
    time rather than by sleeping block_s each time, so there is no drift over a long file.
    """

    sample_rate = SAMPLE_RATE

    def __init__(self, path: str | Path, *, realtime: bool = False, channel: int | None = None,
                 block_s: float = 0.1, debtor_channel: int | None = None, split_speakers: bool = False):
        if block_s <= 0:
            raise ValueError(f"block_s must be positive, got {block_s}")
        self.path = Path(path)
        self.realtime = bool(realtime)
        self.channel = channel
        # Two-party recordings: ``debtor_channel`` is delivered, block for block with the agent's ``channel``,
        # to ``debtor_sink`` (set it before start(); the session does).
        self.debtor_channel = debtor_channel
        self.debtor_sink: Callable[[np.ndarray], None] | None = None
        # A mono mix of both parties: split by speaker turns (assist/audio/separate.py) into the two lanes, then
        # delivered as a two-party file is. The whole file is decoded first (a recording, never live).
        self.split_speakers = bool(split_speakers)
        self.turns: list = []          # the split's (start, end, speaker) turns, once delivery began
        if split_speakers and (channel is not None or debtor_channel is not None):
            raise ValueError("split_speakers splits the mix of all channels: no channel choice with it")
        if debtor_channel is not None and channel is None:
            raise ValueError("debtor_channel needs channel (the agent's channel) too")
        if debtor_channel is not None and debtor_channel == channel:
            raise AudioFileError(Path(path), f"对方声道与坐席声道相同 (debtor channel {debtor_channel} is the "
                                             f"agent's channel)")
        self.block_s = float(block_s)
        self.errors: Callable[[str], None] | None = None
        self._block_n = max(1, int(round(self.block_s * SAMPLE_RATE)))
        self.skipped_frames = 0  # corrupt frames skipped while decoding
        self._stop = threading.Event()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

        if not self.path.exists():
            raise AudioFileError(self.path, "音频文件不存在 (file not found)")
        if not self.path.is_file():
            raise AudioFileError(self.path, "不是音频文件 (not a file)")
        if self.path.stat().st_size == 0:
            raise AudioFileError(self.path, "音频文件为空 (empty file)")
        import av  # PyAV comes with faster-whisper; imported here to keep `import assist.audio` light

        from .wav_header import truncation

        cut = truncation(self.path)
        # Said to the user and kept with the call: else a cut copy passes for a complete, shorter call.
        self.warning: str | None = (
            f"录音文件不完整：文件头声明 {cut[0]:.1f} 秒，实际只有 {cut[1]:.1f} 秒，文件可能被截断 "
            f"(truncated WAV: {cut[1]:.1f} of {cut[0]:.1f} s)" if cut else None)
        self._av = av
        try:
            self._container = av.open(str(self.path), metadata_errors="ignore")
        except Exception as e:  # av.error.FFmpegError subclasses, OSError
            raise AudioFileError(self.path, f"无法解码音频文件 (cannot decode audio: {_why(e)})") from e
        try:
            streams = self._container.streams.audio
            if not streams:
                raise AudioFileError(self.path, "文件中没有音频流 (no audio stream)")
            self._stream = streams[0]
            self.channels = int(self._stream.codec_context.channels or 0)
            self._check_channel(self.channels)
            self.duration_s = _duration(self._container, self._stream)
            self._chunks = self._decode()
            # Decode up to the first audio so that an empty or undecodable file fails here, not mid-call.
            self._pending: list[np.ndarray] = []
            self._pending_n = 0
            for chunk in self._chunks:
                if chunk.size:
                    self._pending.append(chunk)
                    self._pending_n = len(chunk)
                    break
            else:
                if self.skipped_frames:
                    raise AudioFileError(self.path, "无法解码音频文件 (cannot decode audio: every frame is corrupt)")
                raise AudioFileError(self.path, "音频为空，没有任何采样 (empty audio: no samples)")
            if self.split_speakers:
                self._chunks = self._split([*self._pending, *self._chunks])
                self._pending, self._pending_n = [], 0
        except AudioFileError:
            self._close()
            raise
        except Exception as e:
            self._close()
            raise AudioFileError(self.path, f"无法解码音频文件 (cannot decode audio: {_why(e)})") from e

    # --- the AudioSource contract -------------------------------------------------------------------------
    def start(self, sink: Callable[[np.ndarray], None]) -> None:
        with self._lock:
            if self._thread is not None or self._stop.is_set():
                raise RuntimeError("FileSource.start() can only be called once")
            self._thread = threading.Thread(target=self._run, args=(sink,), name="audio-file", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop feeding (the rest of the file is not delivered); returns once the sink will not be called again."""
        self._stop.set()
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join()
        if t is None:
            self._close()
            self._done.set()

    def wait(self, timeout: float | None = None) -> bool:
        """True once the whole file has been delivered (or the source was stopped)."""
        return self._done.wait(timeout)

    # --- internals ------------------------------------------------------------------------------------------
    def _check_channel(self, channels: int) -> None:
        for ch in (self.channel, self.debtor_channel):
            if ch is not None and channels and not 0 <= ch < channels:
                raise AudioFileError(
                    self.path, f"声道 {ch} 不存在，文件只有 {channels} 个声道 "
                               f"(channel {ch} out of range 0..{channels - 1})")

    def _decode(self) -> Iterator[np.ndarray]:
        av = self._av
        # Keep the source's channel layout (so one channel can be picked), convert to planar float at 16 kHz.
        resampler = av.AudioResampler(format="fltp", rate=SAMPLE_RATE)
        for packet in self._container.demux(self._stream):
            try:
                frames = packet.decode()
            except av.error.InvalidDataError:
                self.skipped_frames += 1  # a damaged frame: skip it like ffmpeg does, keep the rest
                continue
            for frame in frames:
                for out in resampler.resample(frame):
                    yield self._mono(out)
        for out in resampler.resample(None):
            yield self._mono(out)

    def _split(self, chunks) -> Iterator[np.ndarray]:
        from .separate import split_mix

        agent, debtor, self.turns = split_mix(np.concatenate(list(chunks)))
        yield np.ascontiguousarray(np.stack([agent, debtor], axis=1), dtype=np.float32)

    def _mono(self, frame) -> np.ndarray:
        a = frame.to_ndarray()  # (channels, samples) for planar float
        if a.ndim == 1:
            a = a[None, :]
        if self.channel is not None:
            self._check_channel(a.shape[0])
            if self.debtor_channel is not None:   # (samples, 2): agent, debtor — sliced together into blocks
                return np.ascontiguousarray(np.stack([a[self.channel], a[self.debtor_channel]], axis=1),
                                            dtype=np.float32)
            return np.ascontiguousarray(a[self.channel], dtype=np.float32)
        return a[0].astype(np.float32) if a.shape[0] == 1 else a.mean(axis=0, dtype=np.float32)

    def _blocks(self) -> Iterator[np.ndarray]:
        n = self._block_n
        pending, have = self._pending, self._pending_n
        self._pending = []
        for chunk in self._chunks:
            if not chunk.size:
                continue
            pending.append(chunk)
            have += len(chunk)
            if have >= n:
                buf = np.concatenate(pending)
                full = (len(buf) // n) * n
                for i in range(0, full, n):
                    yield buf[i:i + n]
                rest = buf[full:]
                pending, have = ([rest] if len(rest) else []), len(rest)
        if have:
            yield np.concatenate(pending)

    def _run(self, sink: Callable[[np.ndarray], None]) -> None:
        t0 = time.monotonic()
        try:
            for block in self._blocks():
                if self._stop.is_set():
                    break
                if self.realtime:
                    due = t0 + (self._delivered + len(block)) / SAMPLE_RATE
                    delay = due - time.monotonic()
                    if delay > 0 and self._stop.wait(delay):
                        break
                if block.ndim == 2:
                    debtor = block[:, 1].copy()
                    self._hand_over(sink, np.ascontiguousarray(block[:, 0]))
                    if self.debtor_sink is not None:
                        self.debtor_sink(debtor)
                else:
                    self._hand_over(sink, block)
        except Exception as e:
            log.exception("feeding %s failed", self.path)
            self._report(f"音频文件读取出错，已停止：{self.path}（{_why(e)}）")
        finally:
            self._close()
            self._done.set()

    def _report(self, message: str) -> None:
        if self.errors is not None:
            try:
                self.errors(message)
            except Exception:
                log.exception("errors callback failed")

    def _close(self) -> None:
        c = getattr(self, "_container", None)
        if c is not None:
            self._container = None
            try:
                c.close()
            except Exception:
                pass


def _why(e: BaseException) -> str:
    # FFmpeg errors repeat the path at the end ("...: '/x.wav'"); the caller names the file once already.
    text = getattr(e, "strerror", None) or str(e) or type(e).__name__
    return str(text).splitlines()[0]


def _duration(container, stream) -> float | None:
    try:
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        if container.duration:
            return container.duration / 1_000_000
    except Exception:
        pass
    return None
