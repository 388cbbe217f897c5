"""``warm_up(config)``: every one-off, GIL-holding load of the engine, once per process.

The jieba dictionaries (analysis and records search), pinyin tables, rule packs, the script library and the
VAD's ONNX session are each one long C call (unmarshal, ONNX build) that holds the GIL for 0.1–0.5 s, so left to
the first call they stall every thread at call start, the GUI's included. The app runs this while the model
loads; a ``CallSession`` runs it (a no-op the second time) before it starts.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from .config import EngineConfig

log = logging.getLogger(__name__)

_WARM = False
_WARM_LOCK = threading.Lock()


def warm_up(config: EngineConfig | None = None) -> None:
    global _WARM
    with _WARM_LOCK:
        if _WARM:
            return
        _WARM = True
        config = config or EngineConfig()
        try:
            from .analysis import CallAnalyzer
            from .asr.vad import SileroVad
            from .store.tokens import index_tokens
            from .suggest import Suggester

            CallAnalyzer(started_at=datetime.now().astimezone(), config=config).on_final(
                0, "您好，我是工号一二三四，请问您明天能还款三千元吗？", 0.0, 1.0, 1.0)
            Suggester()
            SileroVad()
            index_tokens("您好，逾期还款")
        except Exception:
            log.exception("engine warm-up failed (calls will still run, the first one more slowly)")
