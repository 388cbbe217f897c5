"""The bridge hands engine events from engine threads to the GUI thread, in order, as typed signals."""

from __future__ import annotations

import threading

from assist.events import Alert, CallStarted, Health, Partial, StageChanged, UtteranceFinal


def test_events_from_a_worker_thread_arrive_on_the_gui_thread_in_order(qtbot):
    from app.bridge import SessionBridge

    bridge = SessionBridge()
    gui = threading.get_ident()
    seen, threads = [], []

    def record(event):
        seen.append(event)
        threads.append(threading.get_ident() == gui)

    bridge.anyEvent.connect(record)
    stages = []
    bridge.stageChanged.connect(lambda e: stages.append(e.stage))
    events = [CallStarted(call_id="c9", started_at="2026-11-29T10:00:00+08:00")]
    for i in range(200):
        events.append(Partial(utterance=i, text=f"第{i}句", t=i + 0.5))
        events.append(UtteranceFinal(utterance=i, start=i, end=i + 1, text=f"第{i}句", stage="greet", t=i + 1))
    events += [StageChanged(stage="plan", t=201.0), Health(rtf=0.5, queue_depth=0, lag=0.2, t=201.0),
               Alert(rule="threat", severity="critical", utterance=3, evidence="x", source="final", t=202.0)]
    engine = threading.Thread(target=lambda: [bridge.publish(e) for e in events])
    with qtbot.waitSignal(bridge.alert, timeout=5000):
        engine.start()
    engine.join()
    assert seen == events                # nothing lost, nothing reordered
    assert all(threads)                  # every slot ran on the GUI thread
    assert stages == ["plan"] and bridge.call_id == "c9" and bridge.last_t == 202.0
