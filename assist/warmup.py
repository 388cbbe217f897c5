"""``warm_up(config)``: every one-off, GIL-holding load of the engine, once per process and per resources folder.

Per process the VAD's ONNX session and the records search's jieba; per resources folder (through its loader,
``assist.resources``) the rule packs, stage and PTP cues, detector, the analysis jieba and pinyin tables, the
lexicon and the script library. Each is one long C call (unmarshal, ONNX build) that holds the GIL for 0.1–0.5 s,
so left to the first call they stall every thread at call start, the GUI's included. The app runs this while the
model loads; a ``CallSession`` runs it (a no-op the second time for the same folder) before it starts.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from .config import EngineConfig

log = logging.getLogger(__name__)

_WARM = False                  # the process-wide part (VAD, records-search jieba) is done
_WARM_LOCK = threading.Lock()


def warm_up(config: EngineConfig | None = None) -> None:
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
    # the rule packs' expressions compile after 就绪, off every caller's path (patterns.Pattern.regex has the
    # measurement); a call that starts first compiles the few its words could match
    from .analysis.patterns import has_pending

    if has_pending():
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
    # The debtor cues and the recogniser's word lists load when a call's session and recogniser are built, as
    # before: here they would delay 就绪 (bench/ready.py).
    return True
