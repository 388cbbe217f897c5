"""固定 a suggestion during a real (text) call: it stays on top, marked, while new suggestions arrive below it,
the engine's Suggester holds it, and it goes away once the agent says it; 取消固定 and F8 work too."""

from __future__ import annotations

from datetime import datetime

import pytest

from assist.case import CaseData

STARTED = datetime.fromisoformat("2026-11-03T10:05:00+08:00")
CASE = CaseData(debtor_name="张伟", amount=3680, agent_name="王芳", agent_id="A023")


@pytest.fixture()
def window(qtbot, services, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from app.live_window import LiveWindow

    def no_modal(_parent, title, text, *a, **k):   # a modal box would hang an offscreen test
        raise AssertionError(f"message box: {title}: {text}")

    monkeypatch.setattr(QMessageBox, "warning", no_modal)
    monkeypatch.setattr(QMessageBox, "question", no_modal)

    win = LiveWindow(services)
    win.alerts.sound = False
    qtbot.addWidget(win)
    win.show()
    win.setup.case_form.set_case(CASE)
    yield win
    if win.running:   # a failed check must not leave the call running (closing would ask 确定结束…)
        win.running = False
        with qtbot.waitSignal(win.bridge.stopped, timeout=30000):
            win.bridge.stop()
        win.running = False


def _opening():
    """The line the engine will suggest first for this case (public engine API, no guessing of words)."""
    from assist.analysis import CallAnalyzer
    from assist.events import Suggestion
    from assist.suggest import Suggester

    state = CallAnalyzer(started_at=STARTED, case=CASE).state
    return next(e for e in Suggester(case=CASE).opening(state) if isinstance(e, Suggestion))


def test_pinned_line_stays_on_top_until_said(qtbot, window):
    from assist.transcript import TranscriptSource

    first = _opening()
    lines = ["喂，您好。", "嗯，您稍等一下。", first.text]   # the agent says the pinned line third
    source = TranscriptSource.from_lines(lines, realtime=True, line_s=1.5)
    panel = window.right_box.suggestions
    with qtbot.waitSignal(window.bridge.suggestion, timeout=30000, check_params_cb=lambda s: s.line_id == first.line_id):
        assert window.start_call(source=source, started_at=STARTED)
    window.f8.activated.emit()                      # F8: pin the first suggestion
    assert panel.pinned_id == first.line_id and panel.pin_title.isVisible()
    assert panel.pinned.text_label.text() == first.text and panel.pinned.pin_button.text() == "取消固定"
    assert window.bridge.pinned_line_id() == first.line_id          # the engine holds it
    assert panel.top.line_id != first.line_id                        # shown once, above the others

    with qtbot.waitSignal(window.bridge.utterance, timeout=10000, check_params_cb=lambda u: u.text == lines[0]):
        pass
    qtbot.waitUntil(lambda: window.transcript.finals and panel.current is not None, timeout=5000)
    assert panel.pinned_id == first.line_id                          # a new suggestion did not replace it
    qtbot.waitUntil(lambda: panel.pinned_id is None, timeout=15000)  # said → released
    assert not panel.pin_title.isVisible() and window.bridge.pinned_line_id() is None
    assert any(u.text().endswith(first.text) for u in window.transcript.finals.values())
    with qtbot.waitSignal(window.callFinished, timeout=30000):
        window.stop_call()


def test_pin_button_and_unpin(qtbot, window):
    from assist.transcript import TranscriptSource

    source = TranscriptSource.from_lines(["喂，您好。"] * 4, realtime=True, line_s=2.0)
    panel = window.right_box.suggestions
    with qtbot.waitSignal(window.bridge.suggestion, timeout=30000):
        assert window.start_call(source=source, started_at=STARTED)
    assert panel.compact and panel.more_button.isVisible()          # narrow window: alternatives folded
    panel.more_button.click()
    alt = next(line for line in panel.alts if line.isVisible() and line.line_id)
    alt_id, alt_text = alt.line_id, alt.text_label.text()
    alt.pin_button.click()
    assert panel.pinned_id == alt_id and panel.pinned.text_label.text() == alt_text
    assert window.bridge.pinned_line_id() == alt_id
    assert all(line.line_id != alt_id for line in [panel.top, *panel.alts])
    panel.pinned.pin_button.click()                                  # 取消固定
    assert panel.pinned_id is None and not panel.pinned.isVisible()
    assert window.bridge.pinned_line_id() is None
    window.f8.activated.emit()
    assert panel.pinned_id == panel.pinned.line_id and panel.pinned_id
    window.f8.activated.emit()                                       # F8 again unpins
    assert panel.pinned_id is None and window.bridge.pinned_line_id() is None
    with qtbot.waitSignal(window.callFinished, timeout=30000):
        window.stop_call()
