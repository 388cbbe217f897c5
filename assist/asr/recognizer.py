"""StreamingRecognizer: the thread driver of ``RecognizerCore`` (``core.py``, the scheduling and its docs).

``feed`` / ``feed_debtor`` only enqueue, on the caller's thread (the audio drain); one inference thread takes
the blocks off the queue (``Backlog``) and pushes them through the core, whose events go to ``on_event`` on that
thread. Live (``realtime=True``) the queue is bounded: ``feed`` never lets more than ``HARD_LIMIT`` ×
``AsrConfig.max_backlog_s`` wait, discarding the oldest audio behind a ``Gap`` marker (the core then abandons the
utterance it cut), so memory stays bounded even while the thread is stuck in one long decode. A file analysed
as fast as possible (``realtime=False``) is never cut: the file is the buffer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import numpy as np

from ..case import CaseData
from ..clock import WallClock
from ..config import AsrConfig
from .backlog import Backlog, Gap, Side
from .core import HARD_LIMIT, AsrEvent, AsrFinal, AsrHealth, AsrPartial, Decoder, RecognizerCore
from .decoder import WhisperDecoder
from .vad import SAMPLE_RATE

__all__ = ["AsrFinal", "AsrHealth", "AsrPartial", "StreamingRecognizer"]

log = logging.getLogger(__name__)

_FINISH = object()
_CLOSE = object()


def _load_model(cfg: AsrConfig):
    from ..model import load_whisper

    return load_whisper(cfg.model_dir, cfg)


class StreamingRecognizer:
    def __init__(
        self,
        cfg: AsrConfig,
        *,
        on_event: Callable[[AsrEvent], None],
        model=None,
        decoder: Decoder | None = None,
        case: CaseData | None = None,
        realtime: bool = True,
        prompt: str | None = None,
        clock: WallClock | None = None,
        resources=None,
    ):
        """``resources``: the resources folder (or its ``assist.resources.Resources``) whose lexicon, guards and
        endpoint words this recogniser uses; None = the folder in use now. ``decoder``: the Whisper decode
        (default: ``WhisperDecoder(model)``, the model loaded from ``cfg.model_dir`` when none is given).
        ``realtime``: live audio (True) or a file fed as fast as possible (False: the core's virtual clock).
        ``clock``: the call's wall clock (default: started by the first feed)."""
        if decoder is None:
            decoder = WhisperDecoder(model if model is not None else _load_model(cfg), language=cfg.language)
        self.cfg = cfg
        self.realtime = realtime
        self._clock = clock if clock is not None else WallClock()
        self._q = Backlog(SAMPLE_RATE)         # bounded by cfg.max_backlog_s while live
        self.core = RecognizerCore(cfg, decoder, realtime=realtime, case=case, prompt=prompt, on_event=on_event,
                                   waiting=self._q, clock=self._clock, resources=resources)
        self._feed_failed = False
        self._closed = False
        self._finished = False
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="asr", daemon=True)
        self._thread.start()

    # ---- public ------------------------------------------------------------------------------------------
    def feed(self, block: np.ndarray) -> None:
        """Enqueue a block. Runs on the audio drain thread: never blocks on inference, never raises."""
        if self._closed or self._finished:
            return
        try:
            self._clock.start()
            arr = np.array(block, dtype=np.float32, copy=True).reshape(-1)
            limit = self.cfg.max_backlog_s
            dropped = self._q.put(arr, limit_s=HARD_LIMIT * limit if (self.realtime and limit) else None)
            if dropped:
                log.debug("live backlog over %.0f s: dropped %.2f s of the oldest audio",
                          HARD_LIMIT * limit, dropped / SAMPLE_RATE)
        except Exception:  # a bad block must not kill the audio thread
            if not self._feed_failed:
                self._feed_failed = True
                log.exception("could not queue an audio block for the recogniser")

    def feed_debtor(self, block: np.ndarray) -> None:
        """Enqueue a block of the other party's audio (same rate and clock as ``feed``; feed each debtor block
        right after the agent block of the same time, or from the second source's own thread when live): see
        ``RecognizerCore.push_debtor``. Live, at most ``HARD_LIMIT`` × ``max_backlog_s`` of it waits: beyond,
        the oldest waiting debtor audio is discarded (counted in ``debtor_dropped_s``). Never blocks, never
        raises."""
        if self._closed or self._finished:
            return
        try:
            limit = self.cfg.max_backlog_s
            self._q.put_side(np.array(block, dtype=np.float32, copy=True).reshape(-1),
                             limit_s=HARD_LIMIT * limit if (self.realtime and limit) else None)
        except Exception:
            if not self._feed_failed:
                self._feed_failed = True
                log.exception("could not queue a debtor audio block for the recogniser")

    def finish(self) -> None:
        """Finalize the utterance in flight, emit everything, stop the thread."""
        if not self._finished and not self._closed:
            self._finished = True
            self._q.put_marker(_FINISH)
        self._thread.join()

    def close(self) -> None:
        """Abandon: no final for the utterance in flight."""
        if not self._closed:
            self._closed = True
            self.core.closed = True
            self._q.put_marker(_CLOSE)
        self._thread.join()

    @property
    def audio_t(self) -> float:
        return self.core.audio_t

    @property
    def dropped_s(self) -> float:
        """Audio seconds not transcribed because the recogniser could not keep up (live only), whole call."""
        return self.core.dropped_s

    @property
    def debtor_dropped_s(self) -> float:
        """Debtor audio seconds discarded or left undecoded because the machine could not keep up (live only)."""
        return self.core.debtor_dropped_s

    @property
    def compute_s(self) -> float:
        """Decode time so far, whole call."""
        return self.core.compute_s

    @property
    def decoder(self) -> Decoder:
        return self.core.decoder

    @property
    def extra_terms(self) -> tuple[str, ...]:
        return self.core.extra_terms

    # ---- thread ------------------------------------------------------------------------------------------
    def _run(self) -> None:
        core = self.core
        try:
            while True:
                item = self._q.get()
                if item is _CLOSE:
                    return
                if item is _FINISH:
                    core.finish()
                    return
                if self._closed:
                    continue
                if isinstance(item, Side):
                    if item.audio is None:
                        core.debtor_gap(item.lost)
                    else:
                        core.push_debtor(item.audio)
                elif isinstance(item, Gap):
                    core.gap(item.samples)
                else:
                    core.push(item)
        except BaseException as exc:  # report, never die silently: the session must still end the call
            self.error = exc
            log.exception("the recogniser thread failed")
