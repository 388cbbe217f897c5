"""A whole call through the live window and the real engine: a text call with violations (fast, exercises
alerts/stages/suggestions/records) and a dev WAV through FileSource + the real Whisper model (also measures
how long the GUI thread is ever blocked while the call runs)."""

from __future__ import annotations

import json
import time
from datetime import datetime

import pytest
from PySide6.QtCore import QTimer

from assist.case import CaseData


def _dev_call(dev_dir, call_id):
    calls = json.loads((dev_dir / "calls.json").read_text(encoding="utf-8"))
    return next(c for c in calls if c["id"] == call_id)


@pytest.fixture()
def window(qtbot, services):
    from app.live_window import LiveWindow

    win = LiveWindow(services)
    win.alerts.sound = False
    qtbot.addWidget(win)
    win.show()
    return win


class GapMeter:
    """A 10 ms QTimer on the GUI thread: the largest gap between ticks is how long the thread was blocked."""

    def __init__(self):
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.last = None
        self.max_gap = 0.0

    def _tick(self):
        now = time.perf_counter()
        if self.last is not None:
            self.max_gap = max(self.max_gap, now - self.last)
        self.last = now

    def start(self):
        self.last = None
        self.timer.start()

    def stop(self):
        self.timer.stop()


def test_text_call_with_violations_shows_everything_and_is_recorded(qtbot, window, services, dev_dir):
    from assist.transcript import TranscriptSource

    call = _dev_call(dev_dir, "d07")   # impersonation + threat
    source = TranscriptSource.from_lines([u["text"] for u in call["utterances"]], name="d07.txt")
    window.setup.case_form.set_case(CaseData(debtor_name="张伟", amount=3680, agent_name="王芳", agent_id="A023"))
    seen, shown, acted = [], [], {}
    window.bridge.anyEvent.connect(seen.append)

    def on_alert(alert):   # runs after the window's own handler: what the agent sees right now
        shown.append({a.rule for a in window.alerts.visible_alerts()})
        if alert.severity == "critical" and "dismissed" not in acted:
            acted["dismissed"] = alert
            window.alerts.cards[(alert.rule, alert.utterance)].dismiss_button.click()   # one click

    def on_suggestion(_s):
        if "used" not in acted and window.right_box.suggestions.top.line_id:
            acted["used"] = window.right_box.suggestions.top.line_id
            window.right_box.suggestions.top.used_button.click()

    window.bridge.alert.connect(on_alert)
    window.bridge.suggestion.connect(on_suggestion)
    with qtbot.waitSignal(window.callFinished, timeout=60000) as finished:
        assert window.start_call(source=source, started_at=datetime.fromisoformat(call["started_at"]))
    call_id = finished.args[0]

    n = len(call["utterances"])
    assert len(window.transcript.finals) == n
    assert all("【" in window.transcript.finals[i].text() for i in range(n))
    assert len(window.stage_bar.visited) >= 2
    names = {type(e).__name__ for e in seen}
    assert {"CallStarted", "UtteranceFinal", "Suggestion", "Checklist", "CallEnded"} <= names
    assert any(rules & {"impersonation", "threat"} for rules in shown), (shown, [e for e in seen if type(e).__name__ == "Alert"])
    marked = [i for i in window.transcript.finals if window.transcript.severity_of(i)]
    assert marked                                            # highlighted in place in the transcript
    assert not window.running and window.controls.start_button.text().startswith("开始通话")
    assert "告警" in window.status_label.text()              # the call's summary stays visible

    services.store.flush()
    stored = services.store.get_call(call_id)
    assert len([u for u in stored["utterances"] if u["is_final"]]) == n
    dismissed = acted["dismissed"]
    assert any(a["dismissed"] for a in stored["alerts"] if a["rule"] == dismissed.rule)
    assert any(s["used"] for s in stored["suggestions"] if s["line_id"] == acted["used"])

    from app.review_window import ReviewWindow

    review = ReviewWindow(services)
    qtbot.addWidget(review)
    with qtbot.waitSignal(review.listed, timeout=5000):
        review.refresh()
    assert call_id in review.call_ids()


def test_objection_pick_during_call_gives_a_suggestion(qtbot, window, dev_dir):
    from assist.transcript import TranscriptSource

    call = _dev_call(dev_dir, "d06")
    source = TranscriptSource.from_lines([u["text"] for u in call["utterances"]], realtime=True, line_s=0.3)
    with qtbot.waitSignal(window.bridge.started, timeout=30000):
        window.start_call(source=source, started_at=datetime.fromisoformat(call["started_at"]))
    with qtbot.waitSignal(window.bridge.suggestion, timeout=10000) as sig:
        window.right_box.objections.buttons["unemployed"].click()
    assert sig.args[0].text
    with qtbot.waitSignal(window.callFinished, timeout=30000):
        window.stop_call()


@pytest.mark.model
def test_dev_wav_call_through_whisper_keeps_gui_responsive(qtbot, window, ready_services, dev_dir):
    from assist.audio import FileSource

    call = _dev_call(dev_dir, "d06")
    suggested = []
    window.bridge.suggestion.connect(lambda _s: suggested.append(window.right_box.suggestions.top.text_label.text()))
    gaps = GapMeter()
    gaps.start()
    t0 = time.perf_counter()
    with qtbot.waitSignal(window.callFinished, timeout=240000):
        window.start_call(source_factory=lambda: FileSource(dev_dir / "d06.wav"),
                          started_at=datetime.fromisoformat(call["started_at"]))
    wall = time.perf_counter() - t0
    gaps.stop()
    handling = window.bridge.max_dispatch_cpu_s
    print(f"\nd06 via FileSource fast: {wall:.1f} s wall; GUI timer max gap {gaps.max_gap * 1000:.0f} ms; "
          f"longest GUI handling of one event {window.bridge.max_dispatch_s * 1000:.1f} ms wall, "
          f"{handling * 1000:.1f} ms GUI-thread CPU")
    assert len(window.transcript.finals) >= len(call["utterances"]) - 2
    assert window.stage_bar.visited >= {"greet"}
    assert suggested and all(suggested)                     # the panel showed each suggestion
    # What our code does on the GUI thread per event must stay far below the 50 ms budget. The 10 ms timer's
    # largest gap also counts time the OS gave the (2-core, Whisper-saturated) CPU to other threads and
    # processes (28 ms measured on a quiet machine, once the engine's one-off loads moved to warm_up()); the
    # bound leaves room for a busy CI machine but catches a GIL-hogging load creeping back into call start.
    assert handling < 0.05, f"GUI thread busy {handling * 1000:.0f} ms with one event"
    assert gaps.max_gap < 0.15, f"GUI thread starved/blocked for {gaps.max_gap * 1000:.0f} ms"
