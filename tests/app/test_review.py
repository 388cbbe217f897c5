"""Review window on a real records database: list, filters, full-text search, detail, notes, export."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta, timezone

import pytest

from assist.case import CaseData
from assist.events import Alert, CallEnded, PromiseToPay, StageChanged, Suggestion, UtteranceFinal

TZ = timezone(timedelta(hours=8))


def _record_call(store, call_id, when, case, lines, alerts=(), ptp=None):
    store.begin_call(call_id, started_at=when, case=case, source="mic", agent_id=case.agent_id)
    for i, (stage, text) in enumerate(lines):
        store.record(call_id, UtteranceFinal(utterance=i, start=i * 4.0, end=i * 4.0 + 3, text=text, stage=stage, t=i * 4.0 + 3))
        store.record(call_id, StageChanged(stage=stage, t=i * 4.0 + 3))
        store.record(call_id, Suggestion(stage=stage, text=f"建议{i}", reason="测试", t=i * 4.0 + 3, line_id=f"l{i}"))
    for a in alerts:
        store.record(call_id, a)
    if ptp:
        store.record(call_id, PromiseToPay(t=20.0, **ptp))
    store.record(call_id, CallEnded(call_id=call_id, duration=30.0, alerts={a.rule: 1 for a in alerts}, ptp=ptp, t=30.0))


@pytest.fixture()
def filled(services):
    store = services.open_store()
    agent = CaseData(debtor_name="张伟", phone="13800001111", amount=3680, agent_name="王芳", agent_id="A023")
    _record_call(store, "c1", datetime(2026, 11, 20, 10, 0, tzinfo=TZ), agent,
                 [("greet", "您好，我是华信银行工号A023的王芳。"), ("plan", "您看能不能先分期还款？")],
                 ptp={"amount": 1000.0, "date": "2026-11-25", "channel": "alipay"})
    other = CaseData(debtor_name="李娜", agent_name="赵强", agent_id="B007")
    threat = Alert(rule="threat", severity="critical", utterance=1, evidence="去你单位", source="final", t=7.0,
                   message="威胁上门到单位", advice="请说明合法的后续流程", basis="催收工作指引")
    _record_call(store, "c2", datetime(2026, 11, 21, 15, 0, tzinfo=TZ), other,
                 [("greet", "喂，李娜是吧。"), ("consequence", "再不还我们就去你单位找你。")], alerts=[threat])
    assert store.flush()
    return services


def test_list_filter_search_and_detail(qtbot, filled):
    from app.review_window import ReviewWindow

    win = ReviewWindow(filled)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.listed, timeout=5000):
        win.refresh()
    assert set(win.call_ids()) == {"c1", "c2"}

    win.filters.rule.setCurrentIndex(win.filters.rule.findData("threat"))   # re-queries by itself
    qtbot.waitUntil(lambda: win.call_ids() == ["c2"], timeout=5000)
    assert "威胁恐吓" in win.table.item(0, 4).text()
    win.filters.rule.setCurrentIndex(0)
    win.filters.ptp.setCurrentIndex(win.filters.ptp.findData(True))
    qtbot.waitUntil(lambda: win.call_ids() == ["c1"], timeout=5000)
    win.filters.ptp.setCurrentIndex(0)

    win.filters.query.setText("分期")
    with qtbot.waitSignal(win.listed, timeout=5000):
        win.filters.query.returnPressed.emit()
    assert win.call_ids() == ["c1"]
    assert "分期" in win.table.item(0, 7).text()

    win.filters.query.setText("")
    with qtbot.waitSignal(win.listed, timeout=5000):
        win.refresh()
    with qtbot.waitSignal(win.detailShown, timeout=5000):
        win.show_call("c2")
    html = win.view.toPlainText()
    assert "再不还我们就去你单位找你" in html
    assert "威胁上门到单位" in html and "建议改说" in html   # the alert is shown in place
    assert "【强调后果】" in html


def test_notes_saved_and_export_csv(qtbot, filled, tmp_path):
    from app.review_window import ReviewWindow

    win = ReviewWindow(filled)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.detailShown, timeout=5000):
        win.show_call("c1")
    win.notes.setPlainText("客户承诺25号还1000，需回访")
    win.save_notes()
    qtbot.waitUntil(lambda: "已保存" in win.status.text(), timeout=5000)
    assert filled.store.get_call("c1")["notes"] == "客户承诺25号还1000，需回访"

    out = tmp_path / "记录.csv"
    win.export("csv", str(out))
    qtbot.waitUntil(lambda: "已导出" in win.status.text(), timeout=10000)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")          # Excel-friendly UTF-8 BOM
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert len(rows) == 3 and any("张伟" in cell for cell in rows[1] + rows[2])


def _row_of(win, call_id):
    return win.call_ids().index(call_id)


def test_search_after_selection_shows_and_annotates_the_match(qtbot, filled):
    """Bug 1: with the newest call (row 0) selected, a search whose single match is another call must show
    that call, and 保存备注 must write into it — never into the call selected before the search."""
    from PySide6.QtCore import Qt

    from app.review_window import ReviewWindow

    win = ReviewWindow(filled)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.listed, timeout=5000):
        win.refresh()
    assert _row_of(win, "c2") == 0
    with qtbot.waitSignal(win.detailShown, timeout=5000) as shown:
        win.table.selectRow(0)
    assert shown.args == ["c2"]

    win.filters.query.setText("分期")
    with qtbot.waitSignal(win.detailShown, timeout=5000) as shown:
        win.filters.query.returnPressed.emit()
    assert win.call_ids() == ["c1"]
    assert shown.args == ["c1"]
    assert "先分期还款" in win.view.toPlainText()

    # clicking the (only) row keeps showing it; a note goes into the call on screen
    rect = win.table.visualItemRect(win.table.item(0, 0))
    qtbot.mouseClick(win.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert win.current["id"] == "c1"
    win.notes.setPlainText("客户同意分期，需回访")
    win.save_notes()
    qtbot.waitUntil(lambda: "已保存" in win.status.text(), timeout=5000)
    assert filled.store.get_call("c1")["notes"] == "客户同意分期，需回访"
    assert not filled.store.get_call("c2")["notes"]


def test_filter_without_the_selected_call_clears_the_detail(qtbot, filled):
    """A filter that leaves no rows must not leave the old call on screen with an active 保存备注."""
    from app.review_window import ReviewWindow

    win = ReviewWindow(filled)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.listed, timeout=5000):
        win.refresh()
    with qtbot.waitSignal(win.detailShown, timeout=5000):
        win.table.selectRow(_row_of(win, "c1"))
    win.filters.query.setText("没有这句话")
    with qtbot.waitSignal(win.listed, timeout=5000):
        win.filters.query.returnPressed.emit()
    assert win.call_ids() == []
    assert win.current is None
    assert "华信银行" not in win.view.toPlainText()
    assert not win.save_notes_button.isEnabled()


def test_test_calls_are_hidden_marked_and_deleted_with_a_record(qtbot, filled, monkeypatch):
    """Bug 8: a 用录音测试 call is not listed or exported as a real call; a real one can be marked as a test;
    only tests may be deleted, after a confirmation, and the deletion is recorded."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QInputDialog

    from app.review_window import ReviewWindow

    store = filled.open_store()
    rehearsal = CaseData(agent_name="王芳", agent_id="A023")
    store.begin_call("t1", started_at=datetime(2026, 11, 22, 9, 0, tzinfo=TZ), case=rehearsal,
                     source="/home/wf/录音/d01.wav", kind="test")
    store.record("t1", UtteranceFinal(utterance=0, start=0, end=2, text="您好，我是华信银行的王芳。", stage="greet", t=2.5))
    store.record("t1", CallEnded(call_id="t1", duration=3.0, alerts={}, ptp=None, t=3.0))
    assert store.flush()

    win = ReviewWindow(filled)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.listed, timeout=5000):
        win.refresh()
    assert set(win.call_ids()) == {"c1", "c2"}                       # the rehearsal is not a call to review
    win.filters.show_tests.setChecked(True)                          # re-queries by itself
    qtbot.waitUntil(lambda: set(win.call_ids()) == {"c1", "c2", "t1"}, timeout=5000)
    row = win.call_ids().index("t1")
    assert win.table.item(row, 2).text() == "录音 d01.wav" and "测试" in win.table.item(row, 6).text()

    # the call on screen (the newest real one, shown first) stays on screen through the re-query
    qtbot.waitUntil(lambda: win.current is not None and win.current["id"] == "c2", timeout=5000)
    assert win.table.selectedItems()[0].data(Qt.ItemDataRole.UserRole) == "c2"
    assert win.mark_test_button.text() == "标为测试" and not win.delete_button.isEnabled()   # real: kept
    win.mark_test_button.click()
    qtbot.waitUntil(lambda: "已标为测试" in win.status.text(), timeout=5000)
    assert store.get_call("c2")["kind"] == "test"
    qtbot.waitUntil(lambda: win.current is not None and win.current["id"] == "c2"
                    and win.delete_button.isEnabled(), timeout=5000)

    asked = []
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (asked.append(a[2]), ("", False))[1])
    win.delete_button.click()                                          # the agent backs out
    assert asked and "无法恢复" in asked[0] and store.get_call("c2") is not None
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("练习时误拨", True))
    win.delete_button.click()
    qtbot.waitUntil(lambda: "已删除" in win.status.text(), timeout=5000)
    assert store.get_call("c2") is None
    qtbot.waitUntil(lambda: "c2" not in win.call_ids(), timeout=5000)
    (gone,) = store.deletions()
    assert (gone["call_id"], gone["reason"], gone["alerts"]) == ("c2", "练习时误拨", {"threat": 1})

    # the 催收记录表 from the review window never holds the test call
    out = filled.store.path.with_name("export.csv")
    win.export("csv", str(out))
    qtbot.waitUntil(lambda: "已导出" in win.status.text(), timeout=10000)
    rows = list(csv.reader(out.read_bytes().decode("utf-8-sig").splitlines()))
    assert [r[0] for r in rows[1:]] == ["c1"]


def test_recording_test_is_recorded_as_a_test(qtbot, services, monkeypatch):
    from app.live_window import LiveWindow

    win = LiveWindow(services)
    qtbot.addWidget(win)
    seen = {}
    monkeypatch.setattr(win, "start_call", lambda **kw: seen.update(kw) or True)
    win.setup.fileChosen.emit("/tmp/d01.wav")          # 用录音测试…
    assert seen["kind"] == "test" and callable(seen["source_factory"])


def test_skipped_audio_shows_in_the_list_and_the_call(qtbot, filled):
    """Bug 9: the seconds the recogniser skipped on a busy PC are visible after the call."""
    from app.review_window import ReviewWindow

    filled.store.set_skipped("c1", 4.2)
    assert filled.store.flush()
    win = ReviewWindow(filled)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.listed, timeout=5000):
        win.refresh()
    assert "未识别 5 秒" in win.table.item(win.call_ids().index("c1"), 6).text()
    assert "未识别" not in win.table.item(win.call_ids().index("c2"), 6).text()
    with qtbot.waitSignal(win.detailShown, timeout=5000):
        win.show_call("c1")
    assert "有 5 秒语音没有识别" in win.view.toPlainText()


def test_review_window_opens_wholly_on_the_screen(qtbot, services):
    """Issue 12: the review window opened partly off-screen (its 1100x700 beside the side panel)."""
    from app.main_app import MainApp

    main = MainApp(services, load_model=False)
    qtbot.addWidget(main.live)
    free = main.live.screen().availableGeometry()
    main.live.resize(420, min(728, free.height() - 40))
    main.live.move(free.right() - 420, free.top())          # the side panel at the screen's right edge
    main.live.show()
    review = main.show_review()
    qtbot.addWidget(review)
    assert free.contains(review.geometry()), (free, review.geometry())
    assert review.width() <= 1100 and review.height() <= 700
