"""ReviewWindow: for QA leads and agents after the call — find calls, read one with its alerts in place,
edit notes, export the 催收记录表, re-analyse a recorded call file. All DB work runs on workers."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from assist.events import CallEnded, UtteranceFinal
from assist.labels import format_clock, format_ptp, rule_name
from assist.store.ops import call_kind
from assist.store.schema import REAL_KINDS

from .call_report import STATUS_NAMES, call_html, call_title, kind_note, skipped_seconds, utterance_at
from .qt_compat import emit
from .services import AppServices
from .widgets.audio_player import AudioPlayer
from .widgets.call_filters import CallFilters
from .workers import run_async

log = logging.getLogger(__name__)

COLUMNS = ["开始时间", "坐席", "债务人", "时长", "告警", "还款承诺", "状态", "匹配内容"]
MAX_ROWS = 500   # the table shows the newest calls; filters and search narrow down the rest
AUDIO_FILTER = "录音文件 (*.wav *.flac *.mp3 *.m4a *.ogg);;所有文件 (*)"


def _reanalyze(path: str, *, config, store, model, progress) -> tuple[str, str | None]:
    """Run one recorded call through the live pipeline (fast mode) into the records; returns its call id and
    the recording's warning (truncated file), if any."""
    from assist.audio import FileSource
    from assist.session import CallSession

    source = FileSource(path)
    total = getattr(source, "duration_s", None) or 0.0
    # The recording's modification time is the best guess of when the call happened (call_time rule).
    started_at = datetime.fromtimestamp(Path(path).stat().st_mtime).astimezone()
    session = CallSession(source, config=config, store=store, model=model, started_at=started_at)

    def on_event(event):
        if isinstance(event, (UtteranceFinal, CallEnded)):
            progress((float(getattr(event, "end", event.t)), total))

    session.subscribe(on_event)
    session.start()
    session.wait()
    if store is not None:
        store.flush()
    # a cut recording was analysed as far as it goes: said with the result, not passed off as a whole call
    return session.call_id, getattr(source, "warning", None)


class ReviewWindow(QMainWindow):
    listed = Signal(int)          # rows shown (tests, status)
    detailShown = Signal(str)     # call id
    reanalyzed = Signal(str)      # call id
    following = Signal(object)    # the utterance the recording is at (None before the first)

    def __init__(self, services: AppServices, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self.setWindowTitle(self.tr("通话记录 — 催收通话助手"))
        self.rows: list[dict] = []
        self.current: dict | None = None
        self._pending_select: str | None = None
        self._generation = 0
        self._detail_generation = 0
        self._chosen: str | None = None   # the call the detail pane shows or is loading
        self._notice = ""                 # what the last change did, shown with the refreshed list
        page = QWidget()
        page.setObjectName("page")
        root = QVBoxLayout(page)
        self.filters = CallFilters()
        root.addWidget(self.filters)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        for col in (4, 5):   # long text: fixed, user-resizable width; full text in the tooltip
            self.table.horizontalHeader().setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(col, 200)
        split.addWidget(self.table)
        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(0, 0, 0, 0)
        # the kept recording: plays with the transcript following along; a click on a time plays from there
        self.player = AudioPlayer()
        dl.addWidget(self.player)
        self.view = QTextBrowser()
        self.view.setOpenLinks(False)
        dl.addWidget(self.view, 1)
        self.playing: int | None = None   # the highlighted utterance
        dl.addWidget(QLabel(self.tr("备注")))
        self.notes = QPlainTextEdit()
        self.notes.setMaximumHeight(90)
        self.notes.setPlaceholderText(self.tr("给这通电话写备注（质检意见、后续跟进…）"))
        dl.addWidget(self.notes)
        actions = QHBoxLayout()
        self.save_notes_button = QPushButton(self.tr("保存备注"))
        self.mark_test_button = QPushButton(self.tr("标为测试"))
        self.mark_test_button.setToolTip(self.tr("测试通话不出现在列表（除非勾选“显示测试和空通话”）和催收记录表里"))
        self.delete_button = QPushButton(self.tr("删除…"))
        self.delete_button.setToolTip(self.tr("只能删除测试通话和空通话；会留下删除记录"))
        actions.addWidget(self.save_notes_button, 1)
        actions.addWidget(self.mark_test_button)
        actions.addWidget(self.delete_button)
        dl.addLayout(actions)
        split.addWidget(detail)
        split.setSizes([520, 560])
        root.addWidget(split, 1)
        bottom = QHBoxLayout()
        self.status = QLabel()
        self.status.setObjectName("muted")
        self.progress = QProgressBar()
        self.progress.hide()
        self.export_csv_button = QPushButton(self.tr("导出催收记录表 CSV…"))
        self.export_json_button = QPushButton(self.tr("导出 JSON…"))
        self.reanalyze_button = QPushButton(self.tr("重新分析录音…"))
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.progress)
        for b in (self.reanalyze_button, self.export_csv_button, self.export_json_button):
            bottom.addWidget(b)
        root.addLayout(bottom)
        self.setCentralWidget(page)
        self.resize(1100, 700)
        self._set_detail_enabled(False)   # no call chosen yet

        self.filters.changed.connect(self.refresh)
        self.table.itemSelectionChanged.connect(self._selected)
        self.save_notes_button.clicked.connect(self.save_notes)
        self.mark_test_button.clicked.connect(self.toggle_test)
        self.delete_button.clicked.connect(self.choose_delete)
        self.export_csv_button.clicked.connect(lambda: self.choose_export("csv"))
        self.export_json_button.clicked.connect(lambda: self.choose_export("json"))
        self.reanalyze_button.clicked.connect(self.choose_reanalyze)
        self.player.positionChanged.connect(self._follow)
        self.view.anchorClicked.connect(self._link)

    # --- list -----------------------------------------------------------------------------------------
    def refresh(self) -> None:
        store = self.services.open_store()
        if store is None:
            self.status.setText(self.services.store_message)
            return
        filters, query = self.filters.filters(), self.filters.text_query()

        def load():
            store.wait_opened(5.0)   # a crash's leftovers (interrupted calls, rescued writes) show at once
            if not query:
                return store.list_calls(limit=MAX_ROWS, **filters), {}
            hits = store.search(query, limit=MAX_ROWS, **filters)
            snippets: dict[str, str] = {}
            for h in hits:
                snippets.setdefault(h["call_id"], h.get("snippet") or h.get("text", ""))
            calls = {c["id"]: c for c in store.list_calls(**filters)} if snippets else {}
            return [calls[i] for i in snippets if i in calls], snippets

        self.status.setText("正在查询…")
        # Queries can overlap (filters changed quickly): only the latest one's answer is shown.
        self._generation += 1
        gen = self._generation
        run_async(load, on_done=lambda result: self._show_rows(result, gen),
                  on_error=lambda m: self.status.setText(f"查询失败：{m}"))

    def _show_rows(self, result, generation: int | None = None) -> None:
        if generation is not None and generation != self._generation:
            return
        rows, snippets = result
        self.rows = rows
        self.table.setRowCount(len(rows))
        for r, call in enumerate(rows):
            alerts = call.get("alerts") or {}
            values = [
                (call.get("started_at") or "")[:16].replace("T", " "),
                " ".join(x for x in (call.get("agent_name"), call.get("agent_id")) if x),
                call_title(call),
                format_clock(call.get("duration") or 0),
                "、".join(f"{rule_name(k)}×{v}" for k, v in alerts.items()) or self.tr("无"),
                format_ptp(call.get("ptp")),
                STATUS_NAMES.get(call.get("status"), call.get("status") or "") + kind_note(call)
                + (f" · 未识别 {skipped_seconds(call)} 秒" if skipped_seconds(call) else ""),
                snippets.get(call["id"], ""),
            ]
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setToolTip(v)
                item.setData(Qt.ItemDataRole.UserRole, call["id"])
                if c == 4 and alerts:
                    item.setForeground(Qt.GlobalColor.red)
                self.table.setItem(r, c, item)
        more = "（仅显示最近 500 通，请用筛选缩小范围）" if len(rows) >= MAX_ROWS else ""
        notice, self._notice = self._notice, ""
        self.status.setText((f"{notice} · " if notice else "") + f"共 {len(rows)} 通电话"
                            + ("（全文搜索）" if snippets else "") + more)
        emit(self.listed, len(rows))
        self._select_after_listing()

    def _select_after_listing(self) -> None:
        """Keep the detail pane on a call of the list: the one just re-analysed, else the one on screen if it
        is still listed, else the first row. Repopulating rows in place leaves Qt's selection on a row index
        whose call has changed without any selection signal, so the detail pane would keep an old call (and
        保存备注 write into it): the selection is always cleared and set anew here."""
        ids = self.call_ids()
        target = next((i for i in (self._pending_select, self._chosen) if i in ids), ids[0] if ids else None)
        self._pending_select = None
        blocked = self.table.blockSignals(True)
        self.table.clearSelection()
        if target is not None:
            self.table.selectRow(ids.index(target))
        self.table.blockSignals(blocked)
        if target is None:
            self._clear_detail()
        else:
            self.show_call(target)

    def _selected(self) -> None:
        items = self.table.selectedItems()
        if items:
            self.show_call(items[0].data(Qt.ItemDataRole.UserRole))

    def call_ids(self) -> list[str]:
        return [c["id"] for c in self.rows]

    # --- detail ----------------------------------------------------------------------------------------
    def show_call(self, call_id: str) -> None:
        store = self.services.open_store()
        if store is None:
            return
        # Until this call's record arrives nothing may be saved into the call shown before it.
        self._chosen = call_id
        self._set_detail_enabled(False)
        self._detail_generation += 1
        gen = self._detail_generation
        run_async(store.get_call, call_id, on_done=lambda call: self._show_detail(call, gen),
                  on_error=lambda m: self.status.setText(f"读取通话失败：{m}"))

    def _show_detail(self, call: dict | None, generation: int | None = None) -> None:
        if generation is not None and generation != self._detail_generation:
            return   # the agent has moved on to another call meanwhile
        if call is None:
            self._clear_detail()
            self.view.setHtml(self.tr("<p>这通电话的记录不存在。</p>"))
            return
        self.current = call
        self.playing = None
        self.view.setHtml(call_html(call))
        self.player.load_call(call)
        self.notes.setPlainText(call.get("notes") or "")
        self._set_detail_enabled(True)
        emit(self.detailShown, call["id"])

    # --- playback following along ---------------------------------------------------------------------------
    def _follow(self, position: float) -> None:
        """Highlight the utterance the recording is at and keep it in view (re-rendered only when it changes)."""
        if self.current is None:
            return
        at = utterance_at(self.current, position)
        if at == self.playing:
            return
        self.playing = at
        bar = self.view.verticalScrollBar()
        top = bar.value()
        self.view.setHtml(call_html(self.current, playing=at))
        bar.setValue(top)   # setHtml scrolls to the top: stay, then bring the utterance into view
        if at is not None:
            self.view.scrollToAnchor(f"u{at}")
        emit(self.following, at)

    def _link(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith("seek:"):
            try:
                seconds = float(text[5:])
            except ValueError:
                return
            self.player.seek(seconds)
            if self.player.playback is not None and not self.player.playback.playing:
                self.player.toggle()

    def closeEvent(self, event) -> None:
        self.player.stop()   # never keep the output device open behind a closed window
        super().closeEvent(event)

    def _clear_detail(self) -> None:
        self._detail_generation += 1   # an answer still on its way is for a call no longer listed
        self._chosen = None
        self.player.show_none("")
        self.view.clear()
        self.notes.clear()
        self._set_detail_enabled(False)

    def _set_detail_enabled(self, on: bool) -> None:
        if not on:
            self.current = None
        self.notes.setEnabled(on)
        self.save_notes_button.setEnabled(on)
        real = on and self.current.get("kind", "call") in REAL_KINDS
        self.mark_test_button.setEnabled(on)
        self.mark_test_button.setText(self.tr("标为测试") if real or not on else self.tr("标为真实通话"))
        # A real call is evidence of what was said: only a test or an empty call may be deleted.
        self.delete_button.setEnabled(on and not real)

    # --- test calls ----------------------------------------------------------------------------------------
    def toggle_test(self) -> None:
        store = self.services.open_store()
        if self.current is None or store is None:
            return
        call = self.current
        kind = "test" if call.get("kind", "call") in REAL_KINDS else call_kind(call.get("source") or "")
        self._write(lambda: store.set_kind(call["id"], kind),
                    self.tr("已标为测试") if kind == "test" else self.tr("已标为真实通话"))

    def choose_delete(self) -> None:
        if self.current is None:
            return
        reason, ok = QInputDialog.getText(
            self, self.tr("删除通话"),
            self.tr("删除后这通电话的内容无法恢复，只留下一条删除记录（时间、坐席、债务人、告警、原因）。\n删除原因："),
            text=self.tr("测试通话"))
        if ok:
            self.delete(reason.strip() or self.tr("测试通话"))

    def delete(self, reason: str) -> None:
        store = self.services.open_store()
        if self.current is None or store is None or self.current.get("kind", "call") in REAL_KINDS:
            return
        call_id = self.current["id"]
        self._write(lambda: store.delete_call(call_id, reason), self.tr("已删除（删除记录已保存）"))

    def _write(self, job, done_text: str) -> None:
        store = self.services.open_store()

        def run():
            job()
            if not store.flush():
                raise RuntimeError("数据库忙，稍后写入")

        def done(_r):
            self._notice = done_text   # said again with the new list's count
            self.refresh()

        run_async(run, on_done=done, on_error=lambda m: self.status.setText(f"保存失败：{m}"))

    def save_notes(self) -> None:
        store = self.services.open_store()
        if self.current is None or store is None:
            return
        call_id, text = self.current["id"], self.notes.toPlainText()

        def save():
            store.set_notes(call_id, text)
            if not store.flush():
                raise RuntimeError("数据库忙，备注稍后写入")

        run_async(save, on_done=lambda _r: self.status.setText("备注已保存"),
                  on_error=lambda m: self.status.setText(f"备注保存失败：{m}"))

    # --- export ----------------------------------------------------------------------------------------
    def choose_export(self, fmt: str) -> None:
        name = f"催收记录表-{datetime.now():%Y%m%d}.{fmt}"
        path, _ = QFileDialog.getSaveFileName(self, self.tr("导出催收记录表"), name,
                                              "CSV (*.csv)" if fmt == "csv" else "JSON (*.json)")
        if path:
            self.export(fmt, path)

    def export(self, fmt: str, path: str) -> None:
        store = self.services.open_store()
        if store is None:
            return
        filters = self.filters.filters()
        self.status.setText(self.tr("正在导出…"))
        run_async(store.export, fmt, path, **filters,
                  on_done=lambda n: self.status.setText(f"已导出 {n} 通电话到 {path}"),
                  on_error=lambda m: self.status.setText(f"导出失败：{m}"))

    # --- re-analysis -----------------------------------------------------------------------------------
    def choose_reanalyze(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择要重新分析的录音"), "", AUDIO_FILTER)
        if path:
            self.reanalyze(path)

    def reanalyze(self, path: str) -> None:
        store = self.services.open_store()
        self.reanalyze_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status.setText(f"正在分析 {Path(path).name}…")
        run_async(_reanalyze, path, config=self.services.config, store=store, model=self.services.model,
                  with_progress=True, on_progress=self._progress, on_done=self._reanalyzed,
                  on_error=self._reanalyze_failed)

    def _progress(self, value) -> None:
        done, total = value
        if total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * min(1.0, done / total)))
        self.status.setText(f"正在分析… 已处理 {format_clock(done)}" + (f" / {format_clock(total)}" if total else ""))

    def _reanalyzed(self, result) -> None:
        call_id, warning = result
        self.progress.hide()
        self.reanalyze_button.setEnabled(True)
        if warning:
            self._notice = self.tr("警告：{warning}").format(warning=warning)   # shown with the refreshed list
        self._pending_select = call_id
        self.refresh()
        emit(self.reanalyzed, call_id)
        if warning:   # last: the list and the call (its report says it too) are already behind the box
            QMessageBox.warning(self, self.tr("录音文件不完整"), warning)

    def _reanalyze_failed(self, message: str) -> None:
        self.progress.hide()
        self.reanalyze_button.setEnabled(True)
        self.status.setText(f"分析失败：{message}")
        QMessageBox.warning(self, self.tr("无法分析录音"), message)
