"""The live window on a real microphone: a private PulseAudio server's virtual mic (tests/pulse.py)
hears a real Mandarin clip; the level meter moves before the call, and during the call Whisper's words show
up in the transcript and in the record. Needs pulseaudio, pulseaudio-utils, libasound2-plugins (CI has them)."""

from __future__ import annotations

from datetime import datetime

import pytest


@pytest.mark.model
@pytest.mark.pulse
def test_microphone_call_through_the_live_window(qtbot, ready_services, pulse, shared_dir):
    from app.live_window import LiveWindow

    services = ready_services
    clip = shared_dir / "data" / "real" / "aishell-BAC009S0724W0121.wav"
    win = LiveWindow(services)
    win.alerts.sound = False
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.setup.mic_ok and win.setup.preview is not None, timeout=20000)
    assert win.status_label.text() == "就绪"

    player = pulse.play(clip)                      # the meter follows the mic before any call
    qtbot.waitUntil(lambda: win.setup.meter.db > -45, timeout=15000)
    player.wait(30)

    with qtbot.waitSignal(win.bridge.started, timeout=30000):
        assert win.start_call(started_at=datetime.fromisoformat("2026-11-03T10:05:00+08:00"))
    player = pulse.play(clip)
    with qtbot.waitSignal(win.bridge.utterance, timeout=60000, check_params_cb=lambda u: "协会" in u.text):
        pass
    player.wait(30)
    with qtbot.waitSignal(win.callFinished, timeout=60000) as ended:
        win.stop_call()
    assert any("协会" in item.text() for item in win.transcript.finals.values())
    services.store.flush()
    call = services.store.get_call(ended.args[0])
    assert call["source"].startswith("mic") and call["status"] == "completed"
    assert any("协会" in u["text"] for u in call["utterances"])
    # back to idle the meter previews the mic again; close it before the sound server goes away
    qtbot.waitUntil(lambda: win.setup.preview is not None, timeout=20000)
    win.setup.take_preview().stop()
