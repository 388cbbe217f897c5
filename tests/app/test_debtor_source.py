"""设置 › 对方声音来源: the picker lists none / the output monitors / second input devices of a real PulseAudio
server (tests/pulse.py), its level meter follows what plays into the chosen output, a saved choice that is
gone stays visible with a Chinese message, the choice is saved; and a live call whose chosen source is missing
says so in the banner and goes on with the agent alone."""

from __future__ import annotations

import wave
from datetime import datetime

import numpy as np
import pytest

from app.settings import AppPrefs, load_prefs, open_settings, save_prefs

pytestmark = pytest.mark.pulse

SOFTPHONE = "softphone_out"


def _softphone(pulse) -> str:
    pulse.modules.append(pulse.pactl("load-module", "module-null-sink", f"sink_name={SOFTPHONE}"))
    return f"monitor:{SOFTPHONE}.monitor"


def _tone_wav(path, seconds=4.0, rate=16000):
    t = np.arange(int(seconds * rate)) / rate
    a = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(a.tobytes())
    return path


def test_the_picker_lists_choices_and_its_meter_follows_the_output(qtbot, pulse, tmp_path):
    from app.widgets.debtor_source import DebtorSourcePicker

    spec = _softphone(pulse)
    picker = DebtorSourcePicker(spec)
    qtbot.addWidget(picker)
    with qtbot.waitSignal(picker.listed, timeout=15000):
        picker.show()
    labels = [picker.choice.itemText(i) for i in range(picker.choice.count())]
    specs = [picker.choice.itemData(i) for i in range(picker.choice.count())]
    assert labels[0] == "无（只识别坐席）" and "monitor" in specs and spec in specs
    assert any(s.startswith("input:") for s in specs)              # PortAudio's inputs: a line adapter would be here
    assert any(label.startswith("扬声器输出的监听") for label in labels)
    assert picker.selected() == spec and not picker.message.isVisible()
    qtbot.waitUntil(lambda: picker.preview is not None, timeout=15000)
    assert picker.meter.db <= -59                                   # silence before anything plays
    player = pulse.play(_tone_wav(tmp_path / "tone.wav"), sink=SOFTPHONE)
    qtbot.waitUntil(lambda: picker.meter.db > -30, timeout=10000)
    player.wait(30)
    picker.choice.setCurrentIndex(0)                                 # 无: no preview, meter at rest
    assert picker.selected() == "" and picker.preview is None and picker.meter.db <= -59
    picker.hide()


def test_a_saved_choice_that_is_gone_stays_and_says_so(qtbot, pulse):
    from app.widgets.debtor_source import DebtorSourcePicker

    picker = DebtorSourcePicker("monitor:usb_headset.monitor")
    qtbot.addWidget(picker)
    with qtbot.waitSignal(picker.listed, timeout=15000):
        picker.show()
    assert picker.selected() == "monitor:usb_headset.monitor"       # not silently replaced by another device
    assert "（未连接）" in picker.choice.currentText()
    qtbot.waitUntil(lambda: "找不到扬声器输出" in picker.message.text(), timeout=15000)
    assert picker.message.isVisible() and picker.preview is None
    picker.hide()


def test_the_settings_dialog_saves_the_choice(qtbot, pulse, tmp_path):
    from app.settings_dialog import SettingsDialog

    spec = _softphone(pulse)
    dialog = SettingsDialog(AppPrefs(db_path=str(tmp_path / "r.sqlite3")))
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.debtor_source.listed, timeout=15000):
        dialog.show()
    dialog.debtor_source.choice.setCurrentIndex(dialog.debtor_source.choice.findData(spec))
    dialog.accept()
    assert dialog.result() == 1 and dialog.prefs.debtor_source == spec
    qs = open_settings(tmp_path / "s.ini")
    save_prefs(dialog.prefs, qs)
    assert load_prefs(open_settings(tmp_path / "s.ini")).debtor_source == spec


def test_settings_without_the_key_or_with_nonsense_read_as_none(tmp_path):
    qs = open_settings(tmp_path / "old.ini")
    qs.setValue("input_device", "USB Headset")                      # a file from before the key existed
    qs.sync()
    assert load_prefs(open_settings(tmp_path / "old.ini")).debtor_source == ""
    qs.setValue("debtor_source", "speaker:whatever")
    qs.sync()
    prefs = load_prefs(open_settings(tmp_path / "old.ini"))
    assert prefs.debtor_source == "" and prefs.input_device == "USB Headset"
    assert any("对方声音来源" in p for p in AppPrefs(debtor_source="speaker:x").validate())


@pytest.mark.model
def test_a_call_whose_debtor_source_is_missing_goes_on_with_the_agent(qtbot, ready_services, pulse, shared_dir):
    from dataclasses import replace

    from app.live_window import LiveWindow

    services = ready_services
    services.update_prefs(replace(services.prefs, debtor_source="monitor:unplugged_headset.monitor"))
    clip = shared_dir / "data" / "real" / "aishell-BAC009S0724W0121.wav"
    win = LiveWindow(services)
    win.alerts.sound = False
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.setup.mic_ok and win.setup.preview is not None, timeout=20000)
    with qtbot.waitSignal(win.bridge.started, timeout=30000):
        assert win.start_call(started_at=datetime.fromisoformat("2026-11-03T10:05:00+08:00"))
    qtbot.waitUntil(lambda: win.device_banner.isVisible(), timeout=10000)
    text = win.device_banner.text()
    assert text.startswith("对方声音来源不可用：") and "只识别坐席一方" in text, text
    assert not win.recovery_panel.isVisible()                       # the agent's microphone is fine
    player = pulse.play(clip)
    with qtbot.waitSignal(win.bridge.utterance, timeout=60000, check_params_cb=lambda u: "协会" in u.text):
        pass
    player.wait(30)
    with qtbot.waitSignal(win.callFinished, timeout=60000):
        win.stop_call()
    qtbot.waitUntil(lambda: win.setup.preview is not None, timeout=20000)
    win.setup.take_preview().stop()
