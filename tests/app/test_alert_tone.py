"""The critical-alert tone: generated samples (pitch, level, no click), played for real into a PulseAudio
virtual output and heard back through its monitor; silent (logged) without an output device; the window
plays it at the configured volume only when the setting is on."""

from __future__ import annotations

import logging
import time
from dataclasses import replace

import numpy as np
import pytest

from assist.audio.tone import MAX_AMPLITUDE, NOTES_HZ, TONE_RATE, TonePlayer, make_tone


def _peak_hz(x: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    return float(np.fft.rfftfreq(x.size, 1 / rate)[np.argmax(spectrum)])


def test_tone_is_short_soft_and_pitched():
    loud, quiet = make_tone(1.0), make_tone(0.25)
    assert loud.dtype == np.float32 and 0.15 < loud.size / TONE_RATE < 0.4
    assert np.max(np.abs(loud)) == pytest.approx(MAX_AMPLITUDE, rel=0.02)
    assert np.max(np.abs(quiet)) == pytest.approx(MAX_AMPLITUDE * 0.25, rel=0.02)
    assert abs(loud[0]) < 1e-3 and abs(loud[-1]) < 1e-3          # faded: no click at either end
    half = loud.size // 2
    assert _peak_hz(loud[: half - 800], TONE_RATE) == pytest.approx(NOTES_HZ[0], abs=15)
    assert _peak_hz(loud[half + 800:], TONE_RATE) == pytest.approx(NOTES_HZ[1], abs=15)
    assert not np.any(make_tone(0.0)) and np.max(np.abs(make_tone(7))) <= MAX_AMPLITUDE + 1e-6


@pytest.mark.pulse
def test_tone_plays_on_the_default_output(pulse):
    from assist.audio import MicSource

    blocks = []
    mic = MicSource(None)                        # the virtual sink's monitor: what the headset would play
    mic.start(blocks.append)
    try:
        deadline = time.monotonic() + 8
        while sum(b.size for b in blocks) < 1600 and time.monotonic() < deadline:
            time.sleep(0.02)
        mark = len(blocks)
        player = TonePlayer()
        assert player.play(0.8) is True
        assert player.play(0.8) is False         # one at a time: a burst of alerts is one tone
        assert player.wait_idle(10) and player.played == 1, player.last_error
        time.sleep(0.5)
    finally:
        mic.stop()
    heard = np.concatenate(blocks[mark:])
    assert np.max(np.abs(heard)) > 0.1, "the tone did not reach the output"
    loud = heard[np.abs(heard) > 0.05]
    assert 0.05 < loud.size / 16000 < 0.5


def test_no_output_device_is_silent_and_logged(caplog, monkeypatch):
    monkeypatch.setenv("PULSE_SERVER", "unix:/nonexistent/native")
    player = TonePlayer(device="no such output device")
    with caplog.at_level(logging.WARNING, logger="assist.audio.tone"):
        assert player.play(0.5)
        assert player.wait_idle(10)
    assert player.played == 0 and player.failures == 1
    assert "alert tone not played" in caplog.text


def test_window_plays_tone_for_critical_alerts_at_the_set_volume(qtbot, services):
    from app.live_window import LiveWindow
    from assist.events import Alert

    win = LiveWindow(services)
    qtbot.addWidget(win)
    played = []
    win.tone.play = lambda volume: played.append(volume) or True    # not the device: what the window asks
    services.update_prefs(replace(services.prefs, alert_sound=True, alert_volume=30))
    alert = Alert(rule="threat", severity="critical", evidence="x", message="m", advice="a", utterance=1,
                  source="final", t=1.0)
    win.alerts.add_alert(alert)
    assert played == [pytest.approx(0.3)]
    services.update_prefs(replace(services.prefs, alert_sound=False))
    win.alerts.add_alert(replace(alert, utterance=2))
    assert played == [pytest.approx(0.3)]
