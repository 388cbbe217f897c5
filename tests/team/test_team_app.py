"""The app side against the test server: the agent's sync indicator, the sync started with the records
database and poked at a call's end, and the 团队 window (list, search, a call with alerts, figures, export)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import psycopg  # noqa: E402
import pytest  # noqa: E402

from assist import paths  # noqa: E402
from assist.team import config, report  # noqa: E402
from assist.team.sync import SyncWorker  # noqa: E402
from tests.store.conftest import feed_call  # noqa: E402

from .conftest import PASSWORDS  # noqa: E402
from .helpers import fill, server_counts  # noqa: E402


@pytest.fixture
def services(qtbot, tmp_path, monkeypatch):
    from app.services import AppServices
    from app.settings import open_settings

    monkeypatch.setenv("CALLASSIST_NO_KEYRING", "1")
    svc = AppServices(settings=open_settings(tmp_path / "settings.ini"))
    yield svc
    svc.close_store()


def _use(team_config, login):
    cfg = team_config(login)
    config.save(cfg)
    config.store_password(login, PASSWORDS[login])
    return cfg


def test_the_live_window_shows_the_sync_and_a_finished_call_reaches_the_server(qtbot, services, team_db, team_config,
                                                                              dev_calls):
    from app.main_app import MainApp
    from app.workers import wait_all

    _use(team_config, "ws_a")
    fill(paths.default_db_path(), dev_calls[:2])
    main = MainApp(services, load_model=False)
    qtbot.addWidget(main.live)
    try:
        main.live.show()
        qtbot.waitUntil(lambda: main.live.sync_status.text() == "团队同步：已同步", timeout=20000)
        assert main.live.sync_status.isVisible()
        assert set(server_counts(team_db)) == {"d01", "d02"}
        store = services.open_store()
        feed_call(store, dev_calls[2])
        assert store.flush(10)
        main.live.callFinished.emit("d03")   # the hook at a call's end pokes the worker
        qtbot.waitUntil(lambda: "d03" in server_counts(team_db), timeout=5000)  # well before its 30 s poll
        qtbot.waitUntil(lambda: main.live.sync_status.text() == "团队同步：已同步", timeout=5000)
    finally:
        main.shutdown()
        wait_all(5000)


def test_an_unreachable_server_is_shown_and_no_server_hides_the_indicator(qtbot, tmp_path, dev_calls, pg_cluster):
    from app.team_sync import TeamSync
    from app.widgets.sync_indicator import SyncIndicator

    db = fill(tmp_path / "r.sqlite3", dev_calls[:3])
    indicator = SyncIndicator()
    qtbot.addWidget(indicator)
    off = TeamSync(config=config.TeamConfig())
    off.statusChanged.connect(indicator.set_status)
    assert off.start(db) is False and indicator.isHidden()
    from .pgcluster import free_port

    dead = config.TeamConfig(host="127.0.0.1", port=free_port(), dbname="x", user="ws_a", sslmode="require",
                             connect_timeout=2)
    sync = TeamSync(config=dead, backoff_s=(0.1, 0.5))
    sync.statusChanged.connect(indicator.set_status)
    try:
        assert sync.start(db) is True
        qtbot.waitUntil(lambda: indicator.text() == "团队同步：服务器不可达（待同步 3 通）", timeout=15000)
        assert not indicator.isHidden() and "c62828" in indicator.styleSheet()
        assert "服务器不可达" in indicator.toolTip()
    finally:
        sync.stop()


def test_team_window_lists_searches_opens_and_exports(qtbot, tmp_path, team_db, team_config, dev_calls,
                                                      monkeypatch):
    from app.team_window import TeamWindow

    monkeypatch.setenv("CALLASSIST_NO_KEYRING", "1")
    a = fill(tmp_path / "a.sqlite3", dev_calls)
    w = SyncWorker(a, team_config("ws_a"), password=PASSWORDS["ws_a"])
    assert w.sync_once().pending == 0
    w.stop()
    cfg = _use(team_config, "qa_lead")
    from PySide6.QtCore import QDate

    import app.team_window as tw

    win = TeamWindow(config=cfg)
    qtbot.addWidget(win)
    win.show()
    # It opens on the last 30 days (a team's whole year is millions of utterances); the dev calls are older.
    assert win.filters.use_since.isChecked() and win.filters.since.date() == QDate.currentDate().addDays(-30)
    win.filters.use_since.setChecked(False)
    # More calls than it lists: the newest, and the count says so.
    monkeypatch.setattr(tw, "MAX_ROWS", 10)
    win.refresh()
    qtbot.waitUntil(lambda: "10+ 通通话" in win.status.text(), timeout=15000)
    assert win.table.rowCount() == 10 and win.rows[0]["started_at"] > win.rows[-1]["started_at"]
    monkeypatch.setattr(tw, "MAX_ROWS", 500)
    win.refresh()
    qtbot.waitUntil(lambda: win.table.rowCount() == len(dev_calls), timeout=15000)
    # The team choice lists the server's teams; choosing one queries again with it.
    assert [win.team.itemText(i) for i in range(win.team.count())] == ["全部组", "一组"]
    win.team.setCurrentIndex(1)
    assert win.current_filters()["team"] == "一组"
    qtbot.waitUntil(lambda: "正在查询" not in win.status.text(), timeout=15000)
    assert win.table.rowCount() == len(dev_calls) and {c["team"] for c in win.rows} == {"一组"}
    assert win.figures.rowCount() >= 2 and win.figures.item(win.figures.rowCount() - 1, 0).text() == "合计"
    assert "通话" in win.status.text()
    # A call with a critical alert opens with the alert in place.
    row = next(i for i, c in enumerate(win.rows) if c["alerts"])
    win.table.selectRow(row)
    qtbot.waitUntil(lambda: win.current is not None and win.current["id"] == win.rows[row]["id"], timeout=10000)
    assert "ws_a" in win.view.toPlainText() and "通话文字" in win.view.toPlainText()
    # Full-text search narrows the list to the calls that contain the words.
    win.filters.query.setText("征信")
    win.refresh()
    qtbot.waitUntil(lambda: 0 < win.table.rowCount() < len(dev_calls), timeout=15000)
    assert "命中" in win.status.text() and "+" not in win.status.text()
    with psycopg.connect(**cfg.conninfo(PASSWORDS["qa_lead"])) as conn:
        expected = list(dict.fromkeys(h["call_id"] for h in report.search(conn, "征信", limit=1000)))
    assert [c["id"] for c in win.rows] == expected
    # The team's 催收记录表.
    out = tmp_path / "team.csv"
    win.export(str(out))
    qtbot.waitUntil(lambda: "已导出" in win.status.text() or "失败" in win.status.text(), timeout=15000)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("\ufeff工作站,组,通话ID") and text.count("ws_a,一组,") == win.table.rowCount()
    # By week.
    win.by.setCurrentIndex(1)
    qtbot.waitUntil(lambda: win.figures.horizontalHeaderItem(0).text().startswith("周"), timeout=15000)


def test_team_window_says_why_it_cannot_connect(qtbot, monkeypatch):
    from app.team_window import TeamWindow

    win = TeamWindow(config=config.TeamConfig())
    qtbot.addWidget(win)
    win.refresh()
    qtbot.waitUntil(lambda: "未配置团队服务器" in win.status.text(), timeout=5000)
