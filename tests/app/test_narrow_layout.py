"""The narrow side panel fits a 1366x768 screen (420 x 728 px, taskbar off) during a call with several alert
cards: the alert stack and the suggestion scroll inside capped areas instead of growing the window, and the
alternatives fold behind 更多建议."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from assist.case import CaseData

W, H = 420, 728


@pytest.fixture()
def themed_window(qtbot, services, qapp, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from app.live_window import LiveWindow
    from app.theme import apply_theme

    def no_modal(_parent, title, text, *a, **k):   # a modal box would hang an offscreen test
        raise AssertionError(f"message box: {title}: {text}")

    monkeypatch.setattr(QMessageBox, "warning", no_modal)
    monkeypatch.setattr(QMessageBox, "question", no_modal)
    apply_theme(qapp, 14, False)      # the real fonts and paddings decide the sizes
    win = LiveWindow(services)
    win.alerts.sound = False
    qtbot.addWidget(win)
    win.resize(W, H)
    win.show()
    win.setup.case_form.set_case(CaseData(debtor_name="张伟", amount=3680, agent_name="王芳", agent_id="A023"))
    yield win
    if win.running:
        win.running = False
        with qtbot.waitSignal(win.bridge.stopped, timeout=30000):
            win.bridge.stop()
    qapp.setStyleSheet("")


def test_narrow_window_fits_a_laptop_screen_with_alert_cards(qtbot, themed_window, dev_dir):
    from assist.transcript import TranscriptSource

    win = themed_window
    qtbot.wait(100)
    assert win.height() <= H + 1, f"before the call: {win.height()} px, minimum {win.minimumSizeHint().height()}"
    assert win.minimumSizeHint().height() <= H and win.minimumSizeHint().width() <= W   # the pre-call form too
    calls = json.loads((dev_dir / "calls.json").read_text(encoding="utf-8"))
    call = next(c for c in calls if c["id"] == "d07")   # impersonation + threat: two critical cards
    source = TranscriptSource.from_lines([u["text"] for u in call["utterances"]], realtime=True, line_s=0.25)
    with qtbot.waitSignal(win.bridge.started, timeout=30000):
        assert win.start_call(source=source, started_at=datetime.fromisoformat(call["started_at"]))
    qtbot.waitUntil(lambda: len(win.alerts.cards) >= 2 and win.right_box.suggestions.current is not None, timeout=30000)
    qtbot.wait(300)   # deferred height pinning
    assert win.minimumSizeHint().height() <= H - 60 and win.minimumSizeHint().width() <= W   # room for a banner
    parts = {n: (w.isVisible(), w.height()) for n, w in (
        [(n, getattr(win, n)) for n in ("controls", "status_label", "device_banner", "recovery_panel", "case_summary",
                                        "stage_bar", "alerts_area", "right_box", "transcript", "promise")]
        + [(n, getattr(win.right_box, n)) for n in ("suggestions_area", "tabs")])}
    assert win.height() <= H + 1 and win.width() <= W + 1, str(parts)
    # compact cards (headline, 建议改说, 知道了) fit whole in their third of the window
    assert not win.alerts_area.scrolled() and win.alerts_area.height() <= 0.34 * H + 1
    assert win.right_box.suggestions.top.isVisible() and win.right_box.suggestions.top.text_label.text()
    panel = win.right_box.suggestions
    if any(line.text_label.text() for line in panel.alts):
        assert panel.more_button.isVisible() and not any(line.isVisible() for line in panel.alts)
        panel.more_button.click()                                    # 更多建议 unfolds them
        assert any(line.isVisible() for line in panel.alts) and panel.more_button.text() == "收起 ▴"
        assert win.minimumSizeHint().height() <= H                   # the suggestion area scrolls instead
    with qtbot.waitSignal(win.callFinished, timeout=30000):
        win.stop_call()
    # back to the form: the window returns to the agent's height (it may spike while the panels swap)
    qtbot.waitUntil(lambda: win.height() <= H + 1, timeout=3000)
    assert win.minimumSizeHint().height() <= H


THREE_VIOLATIONS = ["您好，我是华信银行工号A023的王芳，请问是张伟先生吗？", "对，是我。",
                    "实话跟你说，我其实是南城区法院执行局的，这案子就在我手上。",
                    "你要再躲着不接电话，我保证让你在你们小区待不下去。",
                    "您甭跟我这儿装糊涂，欠钱不还还这么横，真是个老赖。", "那您看明天能不能先还两千？"]


def in_sight(widget) -> bool:
    """Shown and not clipped by any ancestor (a scroll area's viewport, a too-short panel, the window)."""
    if not widget.isVisible() or widget.height() <= 0 or widget.width() <= 0:
        return False
    w = widget
    while not w.isWindow():
        parent = w.parentWidget()
        rect = widget.rect().translated(widget.mapTo(parent, widget.rect().topLeft()))
        if not parent.rect().contains(rect):
            return False
        w = parent
    return True


@pytest.mark.parametrize("size, tab", [((420, 728), 0), ((440, 820), 1), ((1366, 728), 0)],
                         ids=["420x728", "440x820-checklist", "wide-1366x728"])
def test_three_alerts_headline_advice_and_dismiss_in_sight(qtbot, themed_window, size, tab):
    """Bug 3: at 420x728 (and 440x820 with 必备要素 open) the red cards showed only their long title. Every open
    card's headline, 建议改说 and 知道了, the top suggestion and the newest transcript line must be in sight."""
    from assist.transcript import TranscriptSource

    win = themed_window
    win.resize(*size)
    win.right_box.tabs.setCurrentIndex(tab)
    # the violations, then ordinary talk that keeps the call going while the layout is checked
    lines = THREE_VIOLATIONS + ["您看这个月能先还一部分吗？"] * 40
    source = TranscriptSource.from_lines(lines, realtime=True, line_s=0.3)
    with qtbot.waitSignal(win.bridge.started, timeout=30000):
        assert win.start_call(source=source, started_at=datetime(2026, 11, 20, 10, 0).astimezone())
    qtbot.waitUntil(lambda: len(win.alerts.cards) == 3 and win.right_box.suggestions.current is not None
                    and win.promise.has_promise, timeout=30000)
    if size[0] >= 900:
        win.resize(*size)   # the wide pre-call form needs 754 px (a form above two columns): sized in the call
    qtbot.wait(400)   # deferred height pinning
    assert win.running and win.height() <= size[1] + 1
    assert in_sight(win.promise.summary) and in_sight(win.promise.confirm_button)   # bug 7's promise card

    for key, card in win.alerts.cards.items():
        advice = card.advice_brief if card.brief else card.advice_label
        assert card.title.text() and len(card.title.text()) < 30, card.title.text()   # a headline, not the paragraph
        assert "建议改说" in advice.text()
        for part in (card.title, advice, card.dismiss_button):
            assert in_sight(part), f"{key}: {part.objectName() or part.text()[:12]} cut off"
    assert sum(not c.brief for c in win.alerts.cards.values()) == 1     # the newest opens in full
    top = win.right_box.suggestions.top
    assert in_sight(top.text_label) and top.text_label.text()
    view = win.transcript
    newest = view.visualItemRect(view.item(view.count() - 1))
    assert in_sight(view) and newest.top() >= 0 and newest.bottom() <= view.viewport().height() + 1

    if win.wide:   # wide: the tabs have room beside the transcript, nothing folds
        assert win.right_box.tabs.isVisible() and not win.right_box.unfold_button.isVisible()
        with qtbot.waitSignal(win.callFinished, timeout=30000):
            win.stop_call()
        return
    # the objection buttons folded away while the alerts are open; their number keys still work
    assert not win.right_box.tabs.isVisible() and win.right_box.unfold_button.isVisible()
    with qtbot.waitSignal(win.right_box.objections.picked, timeout=2000) as picked:
        qtbot.keyClick(win, "1")
    assert picked.args[0]
    win.right_box.unfold_button.click()                 # the agent may open them anyway
    assert win.right_box.tabs.isVisible()
    qtbot.wait(200)
    assert win.height() <= size[1] + 1
    with qtbot.waitSignal(win.callFinished, timeout=30000):
        win.stop_call()


def test_dismissing_the_last_alert_unfolds_the_tabs(qtbot, themed_window):
    from assist.transcript import TranscriptSource

    win = themed_window
    source = TranscriptSource.from_lines(THREE_VIOLATIONS[:3] + ["您看这个月能先还一部分吗？"] * 40,
                                         realtime=True, line_s=0.3)
    with qtbot.waitSignal(win.bridge.started, timeout=30000):
        assert win.start_call(source=source, started_at=datetime(2026, 11, 20, 10, 0).astimezone())
    qtbot.waitUntil(lambda: len(win.alerts.cards) >= 1, timeout=30000)
    assert not win.right_box.tabs.isVisible()
    for card in list(win.alerts.cards.values()):
        card.dismiss_button.click()
    assert not win.alerts.cards
    assert win.right_box.tabs.isVisible() and not win.right_box.unfold_button.isVisible()
    with qtbot.waitSignal(win.callFinished, timeout=30000):
        win.stop_call()
