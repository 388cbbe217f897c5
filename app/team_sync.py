"""TeamSync: the app's handle on the team-sync worker (assist/team/sync.py).

The worker is a plain thread of its own: a slow or dead server costs neither the live call nor the GUI
anything. Its status comes back through ``statusChanged`` (queued onto the GUI thread). Nothing runs when no
team server is configured (team.ini, `callassist team configure`).
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from assist.team import config as team_config
from assist.team.sync import OFF, SyncStatus, SyncWorker, local_status

from .qt_compat import emit, emitter

log = logging.getLogger(__name__)


class TeamSync(QObject):
    statusChanged = Signal(object)   # SyncStatus

    def __init__(self, parent: QObject | None = None, *, config: team_config.TeamConfig | None = None,
                 poll_s: float = 30.0, backoff_s: tuple[float, float] = (2.0, 300.0)):
        super().__init__(parent)
        self.config = config
        self.poll_s = poll_s
        self.backoff_s = backoff_s
        self.worker: SyncWorker | None = None
        self.status = SyncStatus(OFF)

    def start(self, db_path: str | Path) -> bool:
        """Start syncing ``db_path`` (an opened, migrated records database). False: no server configured."""
        self.stop()
        cfg = self.config or team_config.load()
        if not cfg.configured:
            self._set(SyncStatus(OFF))
            return False
        try:  # what the database already knows, before the worker's first pass
            conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True)
            try:
                self._set(local_status(conn))
            finally:
                conn.close()
        except sqlite3.Error:
            pass
        self.worker = SyncWorker(db_path, cfg, on_status=emitter(self.statusChanged), poll_s=self.poll_s,
                                 backoff_s=self.backoff_s)
        self.statusChanged.connect(self._remember)
        self.worker.start()
        log.info("team sync to %s started", cfg.address())
        return True

    def _remember(self, status: SyncStatus) -> None:
        self.status = status

    def _set(self, status: SyncStatus) -> None:
        self.status = status
        emit(self.statusChanged, status)

    def poke(self) -> None:
        """A call just ended: sync now rather than at the next poll."""
        if self.worker is not None:
            self.worker.poke()

    def stop(self) -> None:
        if self.worker is not None:
            worker, self.worker = self.worker, None
            try:
                self.statusChanged.disconnect(self._remember)
            except (RuntimeError, TypeError):
                pass
            worker.stop(timeout=5.0)
