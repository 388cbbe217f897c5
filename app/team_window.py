"""The 团队 window: a supervisor's view of every workstation's calls on the team server.

- 通话: the review window's filters plus team, full-text search over the server's index, any call with its
  alerts in place (the same rendering as 记录), export of the same 催收记录表.
- 统计: per agent / week / team — calls, talk time, critical alerts per 100 calls by rule, promise-to-pay
  rate, stages reached, checklist gaps — as a table and charts (pyqtgraph).

Every server read runs on a worker thread (run_async); the window only shows results. What the login sees is
decided by the server (row-level security): a supervisor the team, a workstation login its own calls.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from assist.labels import format_clock, format_ptp, rule_name, stage_name
from assist.team import config as team_config

from .call_report import STATUS_NAMES, call_html
from .widgets.call_filters import CallFilters
from .workers import run_async

log = logging.getLogger(__name__)

CALL_COLUMNS = ["开始时间", "坐席", "组", "工作站", "债务人", "时长", "告警", "还款承诺", "状态"]
MAX_ROWS = 500     # calls listed
MAX_HITS = 500     # search hits read (the newest); more are shown as "500+"
DEFAULT_DAYS = 30  # the date filter starts on: a team's year is millions of utterances, a month is what is asked


def connect(cfg: team_config.TeamConfig | None = None):
    """A read connection to the team server with the configured login (raises with a Chinese message)."""
    import psycopg

    from assist.team.sync import server_error_message

    cfg = cfg or team_config.load()
    if not cfg.configured:
        raise RuntimeError("未配置团队服务器：请管理员运行 callassist team configure")
    try:
        return psycopg.connect(**cfg.conninfo(team_config.load_password(cfg.user)), autocommit=True)
    except psycopg.Error as exc:
        raise RuntimeError(server_error_message(exc)) from exc


class TeamWindow(QMainWindow):
    def __init__(self, parent: QWidget | None = None, *, config: team_config.TeamConfig | None = None):
        super().__init__(parent)
        self.config = config
        self.setWindowTitle("团队 — 催收通话助手")
        self.rows: list[dict] = []
        self.report: dict | None = None
        self.current: dict | None = None
        self._generation = 0
        tabs = QTabWidget()
        self.tabs = tabs

        # --- calls ---
        calls = QWidget()
        cl = QVBoxLayout(calls)
        self.filters = CallFilters()
        cl.addWidget(self.filters)
        extra = QHBoxLayout()
        self.team = QComboBox()  # the teams the server's members list has, filled at each refresh
        self.team.addItem("全部组", "")
        self.team.setMinimumContentsLength(8)
        extra.addWidget(QLabel("组"))
        extra.addWidget(self.team)
        extra.addStretch(1)
        cl.addLayout(extra)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.table = QTableWidget(0, len(CALL_COLUMNS))
        self.table.setHorizontalHeaderLabels(CALL_COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        split.addWidget(self.table)
        self.view = QTextBrowser()
        split.addWidget(self.view)
        split.setSizes([620, 480])
        cl.addWidget(split, 1)
        tabs.addTab(calls, "通话")

        # --- figures ---
        figs = QWidget()
        fl = QVBoxLayout(figs)
        top = QHBoxLayout()
        self.by = QComboBox()
        for label, key in (("按坐席", "agent"), ("按周", "week"), ("按组", "team")):
            self.by.addItem(label, key)
        top.addWidget(self.by)
        top.addStretch(1)
        fl.addLayout(top)
        self.figures = QTableWidget(0, 0)
        self.figures.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.figures.verticalHeader().hide()
        fl.addWidget(self.figures, 1)
        self.charts = self._make_charts()
        if self.charts is not None:
            fl.addWidget(self.charts, 1)
        tabs.addTab(figs, "统计")

        page = QWidget()
        root = QVBoxLayout(page)
        root.addWidget(tabs, 1)
        bottom = QHBoxLayout()
        self.status = QLabel()
        self.status.setObjectName("muted")
        self.status.setWordWrap(True)
        self.export_button = QPushButton("导出催收记录表 CSV…")
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.export_button)
        root.addLayout(bottom)
        self.setCentralWidget(page)
        self.resize(1200, 760)

        # Starts on the last DEFAULT_DAYS (the person can untick it): the server reads only those months.
        self.filters.use_since.setChecked(True)
        self.filters.since.setDate(QDate.currentDate().addDays(-DEFAULT_DAYS))
        self.filters.changed.connect(self.refresh)
        self.team.currentIndexChanged.connect(lambda _i: self.refresh())
        self.by.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table.itemSelectionChanged.connect(self._selected)
        self.export_button.clicked.connect(self.choose_export)

    def _make_charts(self):
        try:
            import pyqtgraph as pg
        except Exception as exc:  # the table still shows every figure
            log.warning("charts unavailable: %s", exc)
            return None
        pg.setConfigOptions(antialias=True, background="w", foreground="k")
        w = pg.GraphicsLayoutWidget()
        self.alert_plot = w.addPlot(title="严重告警 / 百通")
        self.ptp_plot = w.addPlot(title="承诺还款率 %")
        return w

    # --- queries ----------------------------------------------------------------------------------
    def current_filters(self) -> dict:
        f = self.filters.filters()
        if self.team.currentData():
            f["team"] = self.team.currentData()
        return f

    def refresh(self) -> None:
        """Reload the calls (or search hits) and the figures with the current filters, off the GUI thread."""
        self._generation += 1
        generation = self._generation
        filters, query, by, cfg = self.current_filters(), self.filters.text_query(), self.by.currentData(), self.config
        self.status.setText("正在查询团队服务器…")

        def load():
            from assist.team import report

            with connect(cfg) as conn:
                if query:
                    # One more than shown: whether there are more hits than the window lists (显示 "500+").
                    hits = report.search(conn, query, limit=MAX_HITS + 1, **filters)
                    more = len(hits) > MAX_HITS
                    ids = list(dict.fromkeys(h["call_id"] for h in hits[:MAX_HITS]))
                    calls = {c["id"]: c for c in report.list_calls(conn, limit=len(ids), ids=ids, **filters)}
                    rows = [calls[i] for i in ids if i in calls]
                else:
                    rows = report.list_calls(conn, limit=MAX_ROWS + 1, **filters)
                    more = len(rows) > MAX_ROWS
                    rows, hits = rows[:MAX_ROWS], None
                rep = report.team_report(conn, by=by, **filters)
                teams = report.teams(conn)
            return rows, rep, (None if hits is None else len(hits[:MAX_HITS])), more, teams

        run_async(load, on_done=lambda r: self._loaded(r, generation),
                  on_error=lambda m: self._failed(m, generation))

    def _failed(self, message: str, generation: int | None = None) -> None:
        if generation is not None and generation != self._generation:
            return
        self.status.setText(f"无法读取团队数据：{message}")

    def _loaded(self, result, generation: int) -> None:
        if generation != self._generation:
            return  # a newer query is on its way
        self.rows, self.report, hits, more, teams = result
        self._set_teams(teams)
        self._fill_calls()
        self._fill_figures()
        total = self.report["total"]
        plus = "+" if more else ""
        if hits is None:
            shown = f"{len(self.rows)}{plus} 通通话" + ("（只列出最新的）" if more else "")
        else:
            shown = f"命中 {hits}{plus} 句，{len(self.rows)} 通通话" + ("（只列出最新的命中）" if more else "")
        self.status.setText(f"{shown}；统计范围 {total['calls']} 通，承诺还款率 {total['ptp_rate']:.0%}")

    def _set_teams(self, teams: list[str]) -> None:
        """The team choices as the server has them now; the chosen one stays (no new query from this)."""
        have = [self.team.itemData(i) for i in range(1, self.team.count())]
        if have == teams:
            return
        chosen = self.team.currentData()
        self.team.blockSignals(True)
        try:
            while self.team.count() > 1:
                self.team.removeItem(1)
            for t in teams:
                self.team.addItem(t, t)
            if chosen and chosen not in teams:
                self.team.addItem(chosen, chosen)
            self.team.setCurrentIndex(max(0, self.team.findData(chosen)))
        finally:
            self.team.blockSignals(False)

    def _fill_calls(self) -> None:
        self.table.setRowCount(len(self.rows))
        for r, c in enumerate(self.rows):
            alerts = "、".join(f"{rule_name(k)}×{v}" for k, v in sorted(c["alerts"].items())) or "—"
            cells = [c["started_at"][:16].replace("T", " "), f"{c['agent_name']} {c['agent_id']}".strip(), c["team"],
                     c["workstation"], c["debtor_name"], format_clock(c["duration"] or 0), alerts,
                     format_ptp(c["ptp"]), STATUS_NAMES.get(c["status"], c["status"])]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, c["id"])
                self.table.setItem(r, col, item)

    def _fill_figures(self) -> None:
        rep = self.report
        groups = rep["rows"] + [rep["total"]]
        rules = sorted({r for g in groups for r in g["critical_per_100"]})
        gaps = sorted({r for g in groups for r in g["gap_rate"]})
        stages = sorted({s for g in groups for s in g["stage_rate"]})
        label = {"agent": "坐席", "week": "周（周一）", "team": "组"}[rep["by"]]
        headers = [label, "姓名", "通话", "通话时长", "承诺还款率"] + [f"{rule_name(r)}/百通" for r in rules] \
            + [f"缺：{rule_name(r)}" for r in gaps] + [f"到达：{stage_name(s)}" for s in stages]
        self.figures.setColumnCount(len(headers))
        self.figures.setHorizontalHeaderLabels(headers)
        self.figures.setRowCount(len(groups))
        for r, g in enumerate(groups):
            cells = [str(g["key"] or "—"), g.get("agent_name") or "", str(g["calls"]), format_clock(g["talk_s"]),
                     f"{g['ptp_rate']:.0%}"] + [f"{g['critical_per_100'].get(x, 0):.1f}" for x in rules] \
                + [f"{g['gap_rate'].get(x, 0):.0%}" for x in gaps] + [f"{g['stage_rate'].get(x, 0):.0%}" for x in stages]
            for col, text in enumerate(cells):
                self.figures.setItem(r, col, QTableWidgetItem(text))
        self.figures.resizeColumnsToContents()
        if self.charts is not None:
            self._draw(rep["rows"])

    def _draw(self, groups: list[dict]) -> None:
        import pyqtgraph as pg

        xs = list(range(len(groups)))
        ticks = [[(i, str(g["key"] or "—")) for i, g in enumerate(groups)]]
        for plot, values, colour in (
            (self.alert_plot, [sum(g["critical_per_100"].values()) for g in groups], "#c62828"),
            (self.ptp_plot, [100.0 * g["ptp_rate"] for g in groups], "#2e7d32"),
        ):
            plot.clear()
            if groups:
                plot.addItem(pg.BarGraphItem(x=xs, height=values, width=0.6, brush=colour))
            plot.getAxis("bottom").setTicks(ticks)

    # --- one call ---------------------------------------------------------------------------------
    def _selected(self) -> None:
        items = self.table.selectedItems()
        if items:
            self.show_call(items[0].data(Qt.ItemDataRole.UserRole))

    def show_call(self, call_id: str) -> None:
        cfg = self.config

        def load():
            from assist.team import report

            with connect(cfg) as conn:
                return report.get_call(conn, call_id)

        run_async(load, on_done=self._show_detail, on_error=self._failed)

    def _show_detail(self, call: dict | None) -> None:
        self.current = call
        if call is None:
            self.view.setHtml("<p>这通电话在服务器上已不存在或无权查看</p>")
            return
        self.view.setHtml(f"<p style='color:#8a8f98;'>工作站 {call['workstation']} · 组 {call['team'] or '—'}"
                          f" · 版本 {call['revision']}</p>" + call_html(call))

    # --- export -----------------------------------------------------------------------------------
    def choose_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "导出团队催收记录表", "团队催收记录表.csv", "CSV (*.csv)")
        if path:
            self.export(path)

    def export(self, path: str) -> None:
        filters, cfg = self.current_filters(), self.config
        # After a search: the calls it found; otherwise every call the filters select (not only the newest shown).
        ids = [c["id"] for c in reversed(self.rows)] if self.filters.text_query() else None

        def write():
            import os
            import tempfile

            from assist.team import report

            with connect(cfg) as conn:
                fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".", suffix=".part",
                                           dir=os.path.dirname(os.path.abspath(path)))
                try:
                    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                        n = report.export_csv(conn, fh, ids=ids, **filters)
                    os.replace(tmp, path)
                except BaseException:
                    os.unlink(tmp)
                    raise
            return n

        self.status.setText("正在导出…")
        run_async(write, on_done=lambda n: self.status.setText(f"已导出 {n} 通通话到 {path}"),
                  on_error=lambda m: self.status.setText(f"导出失败：{m}"))
