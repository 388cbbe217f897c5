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
    qtbot.waitUntil(lambda: len(win.alerts.cards) >= 2 and win.suggestions.current is not None, timeout=30000)
    qtbot.wait(300)   # deferred height pinning
    assert win.minimumSizeHint().height() <= H - 60 and win.minimumSizeHint().width() <= W   # room for a banner
    parts = {n: (getattr(win, n).isVisible(), getattr(win, n).height()) for n in
             ("controls", "status_label", "device_banner", "recovery_panel", "case_summary", "stage_bar",
              "alerts_area", "right_box", "suggestions_area", "tabs", "transcript", "ptp_label")}
    assert win.height() <= H + 1 and win.width() <= W + 1, str(parts)
    assert win.alerts.minimumHeight() > win.alerts_area.height()     # more card text than room: it scrolls
    assert win.alerts_area.scrolled() and win.alerts_area.height() <= 0.22 * H + 1
    assert win.suggestions.top.isVisible() and win.suggestions.top.text_label.text()
    panel = win.suggestions
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
