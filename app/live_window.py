"""LiveWindow: the window beside the softphone during a call.

Compact by default (a narrow side panel: suggestion and alerts on top, transcript below); wider than
WIDE_AT pixels it puts the transcript and the assist side by side. Everything engine-related arrives
through the SessionBridge on the GUI thread; starting/stopping a call runs on workers.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLabel, QMainWindow, QMessageBox, QVBoxLayout, QWidget

from assist.audio.tone import TonePlayer
from assist.case import CaseDataError
from assist.labels import format_clock, rule_name

from .bridge import SessionBridge
from .device_recovery import DeviceRecovery
from .qt_compat import emit
from .services import AppServices
from .settings import FONT_MAX, FONT_MIN
from .theme import repolish
from .widgets.alert_banner import AlertBanner
from .widgets.assist_column import AssistColumn
from .widgets.call_controls import CallControls
from .widgets.call_setup import CallSetup
from .widgets.device_recovery_panel import DeviceRecoveryPanel
from .widgets.health_indicator import HealthIndicator
from .widgets.promise_card import PromiseCard
from .widgets.scroll_cap import ScrollCap
from .widgets.stage_bar import StageBar
from .widgets.sync_indicator import SyncIndicator
from .widgets.transcript_view import TranscriptView

log = logging.getLogger(__name__)

WIDE_AT = 900


class LiveWindow(QMainWindow):
    callFinished = Signal(str)        # call id, after CallEnded
    reviewRequested = Signal()
    settingsRequested = Signal()

    def __init__(self, services: AppServices, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self.bridge = SessionBridge(self)
        self.running = False
        self.starting = False
        self.call_started_at: float | None = None
        self._agent_height = 0
        self._call_date, self._call_debt = None, None   # the call's local date and the case's debt (promise checks)
        self._idle_suggester = None   # library search before the first call (a call searches with its own)
        self.setWindowTitle(self.tr("催收通话助手"))
        self._build()
        self._wire()
        self.resize(440, 820)
        self.apply_prefs(services.prefs)
        self._refresh_status()

    # --- layout ---------------------------------------------------------------------------------------
    def _build(self) -> None:
        page = QWidget()
        page.setObjectName("page")
        root = QVBoxLayout(page)
        root.setContentsMargins(8, 6, 8, 8)
        root.setSpacing(6)

        self.controls = CallControls()
        root.addWidget(self.controls)

        status_row = QHBoxLayout()
        self.status_label = QLabel()
        self.status_label.setObjectName("statusLine")   # coloured by its state (app/theme.py)
        self.status_label.setWordWrap(True)
        self.health = HealthIndicator()
        status_row.addWidget(self.status_label, 1)
        status_row.addWidget(self.health)
        self.sync_status = SyncIndicator()   # 团队同步：已同步 / 待同步 N 通 / 服务器不可达 (hidden when off)
        status_row.addWidget(self.sync_status)
        root.addLayout(status_row)
        self.device_banner = QLabel()
        self.device_banner.setObjectName("banner")
        self.device_banner.setWordWrap(True)
        self.device_banner.hide()
        root.addWidget(self.device_banner)
        self.recovery_panel = DeviceRecoveryPanel()
        root.addWidget(self.recovery_panel)
        self.recovery = DeviceRecovery(self)
        self.tone = TonePlayer()          # the critical-alert tone, on its own thread
        self.alert_volume = 0.4

        self.setup = CallSetup()
        self.case_summary = QLabel()
        self.case_summary.setObjectName("muted")
        self.case_summary.hide()
        root.addWidget(self.setup)
        root.addWidget(self.case_summary)

        self.stage_bar = StageBar()
        root.addWidget(self.stage_bar)
        self.alerts = AlertBanner()
        self.alerts_area = ScrollCap(self.alerts, share=0.22, floor=64)   # several cards scroll instead of growing the window
        root.addWidget(self.alerts_area)

        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.wide = None
        self.transcript = TranscriptView()
        left = QVBoxLayout()
        left.addWidget(self.transcript, 1)
        self.promise = PromiseCard()
        left.addWidget(self.promise)
        self.left_box = QWidget()
        self.left_box.setLayout(left)
        left.setContentsMargins(0, 0, 0, 0)

        self.right_box = AssistColumn()
        self.transcript.setMinimumHeight(90)
        root.addLayout(self.body, 1)
        self._set_wide(False)

        self.setCentralWidget(page)

    def _wire(self) -> None:
        b = self.bridge
        b.partial.connect(self.transcript.add_partial)
        b.utterance.connect(self.transcript.add_final)
        b.utterance.connect(self.alerts.confirm)
        b.stageChanged.connect(lambda e: self.stage_bar.set_stage(e.stage))
        b.utterance.connect(lambda e: self.stage_bar.set_stage(e.stage))
        b.alert.connect(self._on_alert)
        b.alertRetracted.connect(self.alerts.retract)
        b.alertRetracted.connect(self.transcript.unmark_alert)
        b.suggestion.connect(self.right_box.suggestions.set_suggestion)
        b.suggestion.connect(self._check_pin)
        self.right_box.suggestions.pinChanged.connect(self.bridge.pin_suggestion)
        b.suggestion.connect(lambda _e: QTimer.singleShot(0, self, self._relayout))
        b.alert.connect(lambda _e: QTimer.singleShot(0, self, self._relayout))
        b.checklist.connect(self.right_box.checklist.set_checklist)
        b.ptp.connect(self.promise.set_promise)
        self.promise.confirmed.connect(lambda p: self.bridge.confirm_ptp(p["amount"], p["date"], p["channel"]))
        b.health.connect(self.health.set_health)
        b.deviceError.connect(self._on_device_error)
        self.recovery.attach(self.recovery_panel)
        self.recovery.resumed.connect(self._on_device_resumed)
        b.storeError.connect(lambda e: self._show_store_problem(e.message))
        b.callEnded.connect(self._on_call_ended)
        b.started.connect(self._on_started)
        b.failed.connect(self._on_failed)
        self.services.storeError.connect(self._show_store_problem)
        self.services.modelChanged.connect(lambda *_: self._refresh_status())
        self.services.prefsChanged.connect(self.apply_prefs)
        self.alerts.dismissed.connect(self.bridge.dismiss_alert)
        self.alerts.countChanged.connect(lambda n: self.right_box.set_alerts_open(n > 0))
        self.right_box.foldChanged.connect(lambda _on: self._fit_alerts())
        self.right_box.suggestions.used.connect(self.bridge.mark_suggestion_used)
        self.right_box.objections.picked.connect(self.bridge.pick_objection)
        self.setup.micStatus.connect(lambda *_: self._refresh_status())
        self.setup.fileChosen.connect(self.start_file_call)
        self.setup.case_form.nextCase.connect(self._clear_last_call)
        self.controls.start_button.clicked.connect(self.toggle_call)
        self.controls.mute_button.toggled.connect(self._mute)
        self.controls.top_check.toggled.connect(self.set_always_on_top)
        self.controls.top_check.toggled.connect(
            lambda on: self.services.update_prefs(replace(self.services.prefs, always_on_top=bool(on)))
            if self.services.prefs.always_on_top != bool(on) else None)
        self.controls.review_button.clicked.connect(self.reviewRequested)
        self.controls.settings_button.clicked.connect(self.settingsRequested)
        # F9 in every window of the app (the review window too); from other programs see app/global_hotkey.py
        self.f9 = QShortcut(QKeySequence("F9"), self, context=Qt.ShortcutContext.ApplicationShortcut)
        self.f9.activated.connect(self.toggle_call)
        self.f8 = QShortcut(QKeySequence("F8"), self, context=Qt.ShortcutContext.WindowShortcut)
        self.f8.activated.connect(self.right_box.suggestions.pin_top)
        self.bigger = QShortcut(QKeySequence.StandardKey.ZoomIn, self, context=Qt.ShortcutContext.WindowShortcut)
        self.bigger.activated.connect(lambda: self.change_font_size(+2))
        self.smaller = QShortcut(QKeySequence.StandardKey.ZoomOut, self, context=Qt.ShortcutContext.WindowShortcut)
        self.smaller.activated.connect(lambda: self.change_font_size(-2))
        self.clock = QTimer(self)
        self.clock.setInterval(250)
        self.clock.timeout.connect(self._tick)
        self.right_box.library.set_search(self._search_library)

    # --- prefs and layout -------------------------------------------------------------------------------
    def apply_prefs(self, prefs) -> None:
        self.alerts.sound = bool(prefs.alert_sound)
        self.alert_volume = max(0, min(100, int(prefs.alert_volume))) / 100
        self.alerts.play_sound = lambda: self.tone.play(self.alert_volume)
        self.setup.preferred_device = prefs.input_device
        self.setup.case_form.fill_agent(prefs.agent_name, prefs.agent_id)
        if self.controls.top_check.isChecked() != prefs.always_on_top:
            self.controls.top_check.setChecked(prefs.always_on_top)

    def change_font_size(self, delta: int) -> None:
        """Ctrl+= / Ctrl+-: bigger or smaller type everywhere (saved like the settings dialog's font size)."""
        size = min(FONT_MAX, max(FONT_MIN, self.services.prefs.font_size + delta))
        if size != self.services.prefs.font_size:
            self.services.update_prefs(replace(self.services.prefs, font_size=size))

    def set_always_on_top(self, on: bool) -> None:
        visible = self.isVisible()
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, on)
        if visible:
            self.show()   # changing window flags hides the window

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        wide = self.width() >= WIDE_AT
        if wide != self.wide:
            self._set_wide(wide)
        self.alerts_area.set_window_height(self.height())
        self.right_box.set_window_height(self.height())

    def _set_wide(self, wide: bool) -> None:
        """Narrow: assist on top, transcript below. Wide: transcript left, assist right."""
        self.wide = wide
        self.body.removeWidget(self.left_box)
        self.body.removeWidget(self.right_box)
        if wide:
            self.body.setDirection(QBoxLayout.Direction.LeftToRight)
            self.body.addWidget(self.left_box, 3)
            self.body.addWidget(self.right_box, 2)
        else:
            self.body.setDirection(QBoxLayout.Direction.TopToBottom)
            self.body.addWidget(self.right_box, 0)
            self.body.addWidget(self.left_box, 1)
        self.alerts.max_cards = 4 if wide else 3   # a narrow panel keeps the newest three (all are recorded)
        self.alerts.set_compact(not wide)
        self.right_box.set_wide(wide)
        self._fit_alerts()

    def _fit_alerts(self) -> None:
        """Narrow with the tabs folded: three compact cards (about 230 px at 14 px type) stay whole above the
        suggestion — the stack may take a third of the window and is not squeezed below most of that. Narrow
        with the tabs open (the agent unfolded them) the stack gives way and scrolls, so the window still
        fits a 768 px screen. Wide, the stack spans the window above both columns: up to 40 %, held at 215 px
        (three compact cards) — else the columns' preferred heights squeezed it to one card."""
        if self.wide:
            share, floor = 0.4, 215
        else:
            share, floor = (0.34, 240) if self.right_box.folded else (0.22, 64)
        self.alerts_area.share, self.alerts_area.floor = share, floor
        self.alerts_area.set_window_height(self.height())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self.running and self.setup.devices.count() == 0:
            self.setup.scan_devices()

    # --- status -----------------------------------------------------------------------------------------
    def _refresh_status(self) -> None:
        s = self.services
        if self.running:
            text = self.tr("已静音 — 识别暂停") if self.controls.mute_button.isChecked() else self.tr("通话中")
            state = "running"
        elif s.model_state == "loading":
            text, state = self.tr("正在加载模型…"), "busy"
        elif s.model_state != "ready":
            text, state = s.model_message or self.tr("未找到识别模型：请运行 callassist model fetch"), "error"
        elif not self.setup.mic_ok:
            text, state = self.tr("未检测到麦克风（可先用“用录音测试…”）"), "error"
        else:
            text, state = self.tr("就绪"), "ready"
        self._set_status(text, state)
        self.controls.start_button.setEnabled(not self.starting and (self.running or s.model_state == "ready"))

    def _set_status(self, text: str, state: str | None) -> None:
        """The status line; ``state`` (app/theme.py STATUS) picks its colour, None the plain text colour."""
        self.status_label.setText(text)
        if self.status_label.property("state") != state:   # repolish only on change (costly)
            self.status_label.setProperty("state", state)
            repolish(self.status_label)

    def _relayout(self) -> None:
        # Wrapped text changed height: make the column layouts re-read their children's minimum sizes.
        for w in (self.right_box.suggestions, self.right_box.suggestions_area, self.right_box, self.alerts, self.alerts_area,
                  self.centralWidget()):
            w.updateGeometry()

    def _on_device_error(self, event) -> None:
        if getattr(event, "side", "agent") == "debtor":
            # the second source: the agent's microphone is fine, so no recovery panel and the health goes on
            self._show_device_banner(event.message)
            return
        source = getattr(self.bridge.session, "source", None)
        self.health.pause()   # no audio now: the recogniser is not falling behind
        if self.running and DeviceRecovery.can_recover(source):
            self.device_banner.hide()
            self.recovery_panel.show_failure(event.message)
            self.recovery.begin(source)
        else:
            self._show_device_banner(self.tr("麦克风出现问题：{message}（通话继续，已识别的内容都已保存）")
                                     .format(message=event.message))

    def _on_device_resumed(self, name: str) -> None:
        self.recovery_panel.hide()
        self._show_device_banner(self.tr("已切换到麦克风：{name}，通话继续识别。").format(name=name))
        QTimer.singleShot(6000, self, lambda: self.recovery_panel.isHidden() and self.device_banner.hide())

    def _show_store_problem(self, message: str) -> None:
        from assist.store.audio import PROBLEM

        # the kept recording's messages say what they are about; the others are the records database's
        self._show_device_banner(message if message.startswith(PROBLEM)
                                 else self.tr("通话记录暂未写入：{message}").format(message=message))

    def _show_device_banner(self, text: str) -> None:
        self.device_banner.setText(text)
        self.device_banner.show()

    # --- call lifecycle ---------------------------------------------------------------------------------
    def toggle_call(self) -> None:
        if self.running:
            self.stop_call()
        elif not self.starting:
            self.start_call()

    def confirm_outside_hours(self, when: datetime) -> bool:
        hours = self.services.config.call_hours
        answer = QMessageBox.warning(
            self, self.tr("不在允许的催收时段"),
            self.tr("现在是 {now}，不在允许的催收时段（{start}–{end}）内。\n"
                    "此时拨打催收电话违反规定，并会被记录为“非允许时段催收”。\n\n仍要开始吗？").format(
                now=f"{when:%H:%M}", start=f"{hours.start:%H:%M}", end=f"{hours.end:%H:%M}"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def start_file_call(self, path: str, *, realtime: bool = True) -> None:
        """Demo/training: a recording plays the microphone's part (paced like a live call)."""
        def open_file():
            from assist.audio import FileSource

            return FileSource(path, realtime=realtime)

        # a rehearsal, not a call with a debtor: the records keep it apart (left out of the 催收记录表)
        self.start_call(source_factory=open_file, kind="test")

    def start_call(self, *, source=None, source_factory=None, started_at: datetime | None = None,
                   kind: str | None = None) -> bool:
        """Start a call on the microphone (or the given source / source factory). False when the agent backed
        out or the case data is invalid. Opening the device or file, the records DB and building the session
        all happen on a worker; `bridge.started` or `bridge.failed` follows."""
        if self.running or self.starting:
            return False
        when = started_at or datetime.now().astimezone()
        config = self.services.config
        if not config.call_hours.allows(when.time()) and not self.confirm_outside_hours(when):
            return False
        try:
            case = self.setup.case_form.case()
        except CaseDataError as exc:
            self.setup.case_form.show_error(str(exc))
            return False
        self.services.remember_agent(case.agent_name, case.agent_id)
        services = self.services
        model = services.model
        device = self.setup.device_name()
        debtor_spec = services.prefs.debtor_source
        preview = self.setup.take_preview()

        def factory():
            from assist.session import CallSession

            if preview is not None:
                preview.stop()   # free the device before the call opens it
            store = services.open_store() if config.record else None   # normally open since start-up
            src = source if source is not None else (source_factory() if source_factory else None)
            debtor, debtor_problem = None, None
            if src is None:
                from assist.audio import DeviceError, MicSource
                from assist.audio.second import open_second_source

                src = MicSource(device)
                try:   # what the agent hears (设置 › 对方声音来源); without it the call goes on, agent alone
                    debtor = open_second_source(debtor_spec)
                except DeviceError as exc:
                    debtor_problem = self.tr("对方声音来源不可用：{message}。本次通话只识别坐席一方。").format(message=exc)
            session = CallSession(src, config=config, case=case, started_at=started_at, store=store, model=model,
                                  kind=kind, debtor_source=debtor)
            if debtor_problem:
                session.debtor_unavailable(debtor_problem)
            return session

        self._agent_height = self.height()
        self._call_date, self._call_debt = when.date(), case.amount
        self._reset_view()
        self.starting = True
        self.controls.set_phase("starting")
        self._refresh_status()
        self.bridge.start(factory)
        return True

    def stop_call(self) -> None:
        if not self.running:
            return
        self.controls.start_button.setEnabled(False)
        self.controls.set_phase("stopping")
        self.bridge.stop()

    def _on_started(self, call_id: str) -> None:
        self._restore_height()
        self.starting = False
        self.running = True
        self.call_started_at = time.monotonic()
        self.clock.start()
        self.setup.hide()
        self.case_summary.setText(self.setup.case_form.summary())
        self.case_summary.show()
        self.right_box.set_in_call(True)
        self.controls.set_phase("running")
        self._refresh_status()
        warning = getattr(getattr(self.bridge.session, "source", None), "warning", None)
        if warning:   # a cut recording plays as far as it goes: the agent is told (the record keeps it too)
            self._show_device_banner(self.tr("录音文件有问题：{warning}").format(warning=warning))

    def _on_failed(self, message: str) -> None:
        was_running = self.running
        self.starting = False
        self._set_idle()
        QMessageBox.warning(self, self.tr("通话出错") if was_running else self.tr("无法开始通话"), message)

    def _on_call_ended(self, ended) -> None:
        alerts = sum(ended.alerts.values()) if ended.alerts else 0
        rules = "、".join(rule_name(r) for r in ended.alerts) if ended.alerts else self.tr("无")
        skipped = math.ceil(ended.skipped) if getattr(ended, "skipped", 0) >= 0.05 else 0
        text = self.tr("通话已结束：时长 {duration}，告警 {alerts} 条（{rules}）").format(
            duration=format_clock(ended.duration), alerts=alerts, rules=rules)
        if skipped:
            text += self.tr("；电脑太忙，{seconds} 秒语音未识别").format(seconds=skipped)
        self._set_status(text, None)
        self._set_idle(keep_status=True)
        emit(self.callFinished, ended.call_id)

    def _restore_height(self) -> None:
        """Form and call view swap at call start/end, and the first events can arrive while both are laid out:
        the minimum spikes and Qt grows the window. Once settled, go back to the height the agent had."""
        height = self._agent_height or self.height()
        QTimer.singleShot(150, self, lambda: self.resize(self.width(), max(height, self.minimumSizeHint().height())))

    def _set_idle(self, keep_status: bool = False) -> None:
        self._restore_height()
        self.running = False
        self.recovery.cancel()
        self.recovery_panel.hide()
        self.promise.set_in_call(False)   # the call's promise stays in view, no longer editable
        self.clock.stop()
        self.right_box.set_in_call(False)
        self.setup.show()
        self.case_summary.hide()
        self.controls.set_phase("idle")
        if keep_status:
            self.controls.start_button.setEnabled(self.services.model_state == "ready")
        else:
            self._refresh_status()
        self.health.reset()
        # Back to the pre-call form: the finished call's alerts and suggestions live on in the status line
        # and the review window; keeping them would make the narrow window taller than a screen.
        self.alerts.clear()
        self.right_box.suggestions.reset()
        self.setup.meter.set_level_db(None)
        if self.setup.isVisible() and self.setup.device_name():
            self.setup.start_preview(self.setup.device_name())

    def _clear_last_call(self) -> None:
        """The next case was pasted (or the form cleared for it): the finished call's transcript, stages and
        promise go (they are in 记录)."""
        if self.running or self.starting:
            return
        self.transcript.reset_call()
        self.stage_bar.reset()
        self.right_box.checklist.reset()
        self.promise.reset()
        self._refresh_status()

    def _reset_view(self) -> None:
        self.transcript.reset_call()
        self.alerts.clear()
        self.stage_bar.reset()
        self.right_box.suggestions.reset()
        self.right_box.checklist.reset()
        self.promise.reset(today=self._call_date, debt=self._call_debt, in_call=True)
        self.device_banner.hide()
        self.recovery_panel.hide()
        self.controls.timer_label.setText("00:00")

    def _mute(self, on: bool) -> None:
        self.bridge.mute(on)
        self._refresh_status()

    def _check_pin(self, _event) -> None:
        # The Suggester lets go of a pinned line once the agent has said it: the panel follows.
        if self.right_box.suggestions.pinned_id and self.bridge.pinned_line_id() != self.right_box.suggestions.pinned_id:
            self.right_box.suggestions.release_pin()

    def _on_alert(self, alert) -> None:
        self.alerts.add_alert(alert)
        self.transcript.mark_alert(alert)

    def _tick(self) -> None:
        if self.call_started_at is not None:
            self.controls.show_elapsed(time.monotonic() - self.call_started_at)
        if self.running:
            self.health.tick()
        session = self.bridge.session
        level = getattr(getattr(session, "source", None), "level", None)
        if isinstance(level, (int, float)):
            self.setup.meter.set_level_db(level)

    # --- library ----------------------------------------------------------------------------------------
    def _search_library(self, query: str):
        """Library lines rendered with the case data (名字、金额 filled in, never raw braces): in a call the
        call's own Suggester with its case; otherwise the form's case, through the last call's Suggester (or,
        before the first call, one made for the window once)."""
        suggester = getattr(self.bridge.session, "suggester", None)
        if self.running and suggester is not None:
            return suggester.search(query)
        try:
            case = self.setup.case_form.case()
        except CaseDataError:
            case = None
        if suggester is None:
            if self._idle_suggester is None:
                from assist.suggest import Suggester

                self._idle_suggester = Suggester()
            suggester = self._idle_suggester
        return suggester.search(query, case=case)

    def closeEvent(self, event) -> None:
        if self.running:
            answer = QMessageBox.question(self, self.tr("通话进行中"), self.tr("通话还在进行，确定结束通话并退出吗？"))
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
            self.bridge.stop()
        self.setup.stop_preview(wait=True)   # never leave a device open behind a closed window
        super().closeEvent(event)
