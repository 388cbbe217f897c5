"""The transcript follows the call in the narrow window (440x820): the newest line stays in sight while
alert cards and suggestions take room above it, unless the agent has scrolled up to read."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from assist.case import CaseData

W, H = 440, 820


@pytest.fixture()
def window(qtbot, services, qapp):
    from app.live_window import LiveWindow
    from app.theme import apply_theme

    apply_theme(qapp, 14, False)
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


def _newest_in_sight(view) -> bool:
    item = view.item(view.count() - 1)
    rect = view.visualItemRect(item)
    return rect.height() > 0 and rect.top() >= 0 and rect.bottom() <= view.viewport().height() + 1


def test_transcript_keeps_the_newest_line_in_sight(qtbot, window, dev_dir):
    from assist.events import Partial
    from assist.transcript import TranscriptSource

    win = window
    calls = {c["id"]: c for c in json.loads((dev_dir / "calls.json").read_text(encoding="utf-8"))}
    # a few minutes of talk with alerts (d07: impersonation and threats) that push the transcript down
    lines = [u["text"] for cid in ("d01", "d07", "d02") for u in calls[cid]["utterances"]]
    source = TranscriptSource.from_lines(lines, realtime=True, line_s=0.12)
    missed = []

    def check(_event):
        qtbot.wait(20)     # let the layout settle as the event loop would before the agent looks
        if not _newest_in_sight(win.transcript):
            missed.append(win.transcript.count())

    win.bridge.utterance.connect(check)
    cards_seen = []
    win.bridge.utterance.connect(lambda _e: cards_seen.append(len(win.alerts.cards)))
    with qtbot.waitSignal(win.bridge.started, timeout=30000):
        assert win.start_call(source=source, started_at=datetime.fromisoformat(calls["d07"]["started_at"]))
    with qtbot.waitSignal(win.callFinished, timeout=60000):   # the transcript's end ends the call
        pass
    assert len(win.transcript.finals) == len(lines)
    assert max(cards_seen) >= 2, "alert cards must take room above the transcript for this test to mean anything"
    assert not missed, f"newest line out of sight after lines {missed}"

    # the agent scrolls up to read: a new partial line does not pull the view away from what they read
    view = win.transcript
    view.verticalScrollBar().triggerAction(view.verticalScrollBar().SliderAction.SliderToMinimum)
    view.add_partial(Partial(utterance=len(lines), text="您好，请问是张伟先生吗？" * 3, t=99.0))
    qtbot.wait(50)
    assert view.verticalScrollBar().value() == 0 and not _newest_in_sight(view)
    # back at the bottom, it follows again
    view.verticalScrollBar().triggerAction(view.verticalScrollBar().SliderAction.SliderToMaximum)
    view.add_partial(Partial(utterance=len(lines), text="您好，请问是张伟先生吗？" * 6, t=99.5))
    qtbot.wait(50)
    assert _newest_in_sight(view)
