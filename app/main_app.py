"""MainApp: owns the shared services and the windows (live window first, review and settings on demand)."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QDialog

from .global_hotkey import GlobalHotkey
from .live_window import LiveWindow
from .screen_fit import fit_on_screen
from .services import AppServices
from .settings_dialog import SettingsDialog
from .team_sync import TeamSync
from .theme import apply_theme
from .workers import run_async, wait_all


class MainApp(QObject):
    def __init__(self, services: AppServices | None = None, *, load_model: bool = True):
        super().__init__()
        self.services = services or AppServices()
        apply_theme(QApplication.instance(), self.services.prefs.font_size, self.services.prefs.high_contrast)
        self.live = LiveWindow(self.services)
        self.review = None
        self.live.reviewRequested.connect(self.show_review)
        self.live.settingsRequested.connect(self.show_settings)
        self.live.callFinished.connect(self._call_finished)
        self.services.prefsChanged.connect(
            lambda p: apply_theme(QApplication.instance(), p.font_size, p.high_contrast))
        if load_model:
            self.services.load_model()   # also warms the engine up
        # Team records: the sync worker starts once the records database is open (and migrated).
        self.team = None
        self.team_sync = TeamSync(self)
        self.team_sync.statusChanged.connect(self.live.sync_status.set_status)
        self.live.sync_status.clicked.connect(self.show_team)
        run_async(self.services.open_store, on_done=self._store_opened)
        self.services.prefsChanged.connect(self._restart_team_sync)
        self.hotkey = GlobalHotkey(QApplication.instance(), self)
        self.hotkey.pressed.connect(self.live.toggle_call)
        QApplication.instance().aboutToQuit.connect(self.shutdown)

    def _store_opened(self, store) -> None:
        if store is not None:
            self.team_sync.start(store.path)

    def _restart_team_sync(self, _prefs=None) -> None:
        """Another records database chosen in 设置: sync that one."""
        worker = self.team_sync.worker
        store = self.services.store
        if store is not None and (worker is None or worker.db_path != store.path):
            self.team_sync.start(store.path)

    def shutdown(self) -> None:
        """Quitting: end a running call properly (its record completed, not 'interrupted'), then close the DB."""
        session = self.live.bridge.session
        if session is not None and self.live.running:
            session.stop()
            session.wait(30)
        self.live.setup.stop_preview(wait=True)
        self.hotkey.release()
        wait_all(10000)
        self.team_sync.stop()
        self.services.close_store()

    def show(self) -> None:
        self.live.show()

    def show_review(self):
        if self.review is None:
            from .review_window import ReviewWindow

            self.review = ReviewWindow(self.services)
            fit_on_screen(self.review, near=self.live)
        self.review.show()
        self.review.raise_()
        self.review.refresh()
        return self.review

    def show_settings(self) -> None:
        names = [self.live.setup.devices.itemData(i) for i in range(self.live.setup.devices.count())]
        dialog = SettingsDialog(self.services.prefs, self.live, devices=[n for n in names if n])
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.services.update_prefs(dialog.prefs)

    def show_team(self):
        if self.team is None:
            from .team_window import TeamWindow

            self.team = TeamWindow()
        self.team.show()
        self.team.raise_()
        self.team.refresh()
        return self.team

    def _call_finished(self, _call_id: str) -> None:
        self.team_sync.poke()
        if self.review is not None and self.review.isVisible():
            self.review.refresh()
