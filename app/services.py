"""AppServices: what the windows share — preferences, the Whisper model (loaded once, off the GUI thread)
and the records database. Status changes arrive as signals on the GUI thread."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace

from PySide6.QtCore import QObject, QTimer, Signal

from assist.config import EngineConfig

from .qt_compat import emit, emitter
from .settings import AppPrefs, load_prefs, open_settings, save_prefs
from .workers import run_async

log = logging.getLogger(__name__)

# Kept recordings older than the retention days go at start-up (when the records open) and then once a day.
PURGE_EVERY_MS = 24 * 3600 * 1000
MODEL_FIX = "请运行 callassist model fetch（或在程序目录执行 make model）下载并校验识别模型"


class AppServices(QObject):
    modelChanged = Signal(str, str)    # state (loading/ready/missing), Chinese message
    prefsChanged = Signal(object)      # AppPrefs
    storeError = Signal(str)           # the records DB is locked/full (writes are retried)
    audioPurged = Signal(int)          # kept recordings deleted by the retention purge

    def __init__(self, prefs: AppPrefs | None = None, *, settings=None, parent: QObject | None = None):
        super().__init__(parent)
        self.settings = settings if settings is not None else open_settings()
        self.prefs = prefs or load_prefs(self.settings)
        self.model = None
        self.model_state = "missing"
        self.model_message = ""
        self.store = None
        self.store_message = ""
        self._model_dir_loaded = None
        self._store_lock = threading.Lock()
        self._purge_timer = QTimer(self)
        self._purge_timer.setInterval(PURGE_EVERY_MS)
        self._purge_timer.timeout.connect(self.purge_audio_async)
        self._purge_timer.start()

    # --- configuration ------------------------------------------------------------------------------
    @property
    def config(self) -> EngineConfig:
        return self.prefs.engine_config()

    def update_prefs(self, prefs: AppPrefs) -> None:
        old = self.prefs
        self.prefs = prefs
        save_prefs(prefs, self.settings)
        if prefs.model_dir != old.model_dir:
            self.load_model()
        if prefs.db_path != old.db_path:
            self.close_store()
            self.open_store()
        emit(self.prefsChanged, prefs)

    def remember_agent(self, name: str, agent_id: str) -> None:
        if (name, agent_id) != (self.prefs.agent_name, self.prefs.agent_id):
            self.prefs = replace(self.prefs, agent_name=name, agent_id=agent_id)
            save_prefs(self.prefs, self.settings)

    # --- model -----------------------------------------------------------------------------------------
    def load_model(self) -> None:
        """Load the configured model on a worker; `modelChanged` reports loading → ready / missing."""
        cfg = self.config
        self.model = None
        self._set_model("loading", "正在加载模型…")

        def load():
            from assist.model import load_whisper

            model = load_whisper(cfg.asr.model_dir, cfg.asr)
            self.warm_engine()
            return model

        def done(model):
            self.model = model
            self._model_dir_loaded = cfg.asr.model_dir
            self._set_model("ready", f"就绪（模型：{cfg.asr.model_dir.name}）")

        def failed(message: str):
            log.warning("model not loaded: %s", message)
            self._set_model("missing", f"未能加载识别模型：{MODEL_FIX}。详情：{message}")

        run_async(load, on_done=done, on_error=failed)

    def warm_engine(self) -> None:
        """Do the engine's one-off loads now (jieba, pinyin tables, rule packs, VAD), on this worker, so that
        the first call's start does not hog the GIL and stall the window."""
        from assist.session import warm_up

        warm_up(self.config)

    def open_store_async(self) -> None:
        run_async(self.open_store)

    def _set_model(self, state: str, message: str) -> None:
        self.model_state, self.model_message = state, message
        emit(self.modelChanged, state, message)

    # --- records ---------------------------------------------------------------------------------------
    def open_store(self):
        """Open (and migrate) the records DB; on failure the live assist still works, unrecorded."""
        with self._store_lock:
            return self._open_store_locked()

    def _open_store_locked(self):
        if self.store is not None:
            return self.store
        try:
            from assist import private
            from assist.store import RecordStore

            path = self.config.db_path
            private.make_dir(path.parent)   # the store makes the database itself 0600
            self.store = RecordStore(path, on_error=emitter(self.storeError))
            self.store_message = ""
            self.purge_audio_async()
        except Exception as exc:
            log.exception("records database not opened")
            self.store = None
            self.store_message = f"无法打开通话记录数据库：{exc}"
        return self.store

    def purge_audio(self) -> int:
        """Delete kept recordings older than the retention days (records stay). Blocks on the writer thread:
        run through purge_audio_async. Runs whether or not audio is kept now (files kept before still age)."""
        store = self.store
        if store is None:
            return 0
        days = self.config.audio_retention_days
        removed = store.purge_audio(days)
        if removed:
            log.info("deleted %d kept recordings older than %d days", removed, days)
        return removed

    def purge_audio_async(self) -> None:
        run_async(self.purge_audio, on_done=emitter(self.audioPurged),
                  on_error=lambda m: log.warning("purging old recordings failed: %s", m))

    def close_store(self) -> None:
        if self.store is not None:
            try:
                self.store.close()
            except Exception:
                log.exception("closing the records database failed")
            self.store = None
