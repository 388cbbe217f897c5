"""QSettings ⇄ AppPrefs ⇄ EngineConfig, and the settings dialog editing them."""

from __future__ import annotations

from datetime import time
from pathlib import Path

from app.settings import AppPrefs, load_prefs, open_settings, save_prefs


def test_round_trip_through_ini_and_into_engine_config(tmp_path):
    qs = open_settings(tmp_path / "s.ini")
    prefs = AppPrefs(input_device="USB Headset", model_dir=str(tmp_path / "m"), call_start="09:00", call_end="20:30",
                     alert_sound=False, font_size=18, high_contrast=True, always_on_top=True, keep_audio=True,
                     audio_retention_days=7, db_path=str(tmp_path / "r.sqlite3"), agent_name="王芳", agent_id="A023")
    save_prefs(prefs, qs)
    again = load_prefs(open_settings(tmp_path / "s.ini"))   # a fresh QSettings reads the file back
    assert again == prefs
    cfg = again.engine_config()
    assert cfg.call_hours.start == time(9, 0) and cfg.call_hours.end == time(20, 30)
    assert not cfg.call_hours.allows(time(20, 45))
    assert cfg.asr.model_dir == Path(tmp_path / "m")
    assert cfg.db_path == Path(tmp_path / "r.sqlite3")
    assert cfg.keep_audio and cfg.audio_retention_days == 7   # the device is the call's source (MicSource), not the engine's


def test_defaults_and_broken_values_fall_back(tmp_path):
    path = tmp_path / "bad.ini"
    path.write_text("[General]\nfont_size=abc\ncall_start=25:99\naudio_retention_days=0\n", encoding="utf-8")
    prefs = load_prefs(open_settings(path))
    assert prefs.font_size == AppPrefs().font_size
    assert prefs.call_start == "08:00"
    assert prefs.audio_retention_days == 1


def test_validate_reports_in_chinese():
    assert AppPrefs(call_start="22:00", call_end="08:00").validate() == ["允许拨打时段的开始时间必须早于结束时间"]
    assert any("字号" in p for p in AppPrefs(font_size=99).validate())


def test_settings_dialog_edits_and_refuses_bad_hours(qtbot, tmp_path):
    from PySide6.QtCore import QTime

    from app.settings_dialog import SettingsDialog

    dialog = SettingsDialog(AppPrefs(db_path=str(tmp_path / "r.sqlite3")), devices=["Mic A", "Mic B"])
    qtbot.addWidget(dialog)
    dialog.device.setCurrentIndex(dialog.device.findData("Mic B"))
    dialog.font_size.setValue(20)
    dialog.call_start.setTime(QTime(21, 0))
    dialog.call_end.setTime(QTime(9, 0))
    dialog.accept()
    assert dialog.result() == 0 and "开始时间" in dialog.error.text()   # refused, dialog stays open
    dialog.call_end.setTime(QTime(21, 30))
    dialog.accept()
    assert dialog.result() == 1
    assert (dialog.prefs.input_device, dialog.prefs.font_size, dialog.prefs.call_start) == ("Mic B", 20, "21:00")


def test_services_update_prefs_persists(services, tmp_path):
    from dataclasses import replace

    services.update_prefs(replace(services.prefs, font_size=22, agent_id="Z9"))
    assert load_prefs(services.settings).font_size == 22
    assert services.config.call_hours.start == time(8, 0)


def _contrast(widget) -> float:
    """Contrast ratio (WCAG) between the most common colour of the rendered widget (its background) and the
    colour farthest from it (its text)."""
    from collections import Counter

    img = widget.grab().toImage()

    def lum(rgb):
        def ch(c):
            c /= 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b = rgb
        return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b)

    pixels = Counter()
    for y in range(2, img.height() - 2):
        for x in range(2, img.width() - 2):
            c = img.pixelColor(x, y)
            pixels[(c.red(), c.green(), c.blue())] += 1
    background = pixels.most_common(1)[0][0]
    lb = lum(background)
    text = max(pixels, key=lambda p: abs(lum(p) - lb))
    hi, lo = max(lb, lum(text)), min(lb, lum(text))
    return (hi + 0.05) / (lo + 0.05)


def test_high_contrast_number_boxes_are_readable(qtbot, qapp, tmp_path):
    """Bug 6: with 高对比度 on, the number and time boxes in 设置 were white text on white."""
    from PySide6.QtWidgets import QAbstractSpinBox, QLineEdit

    from app.settings_dialog import SettingsDialog
    from app.theme import apply_theme

    apply_theme(qapp, 14, True)
    try:
        dialog = SettingsDialog(AppPrefs(db_path=str(tmp_path / "r.sqlite3")), devices=["Mic A"])
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.wait(50)
        boxes = dialog.findChildren(QAbstractSpinBox)
        assert {dialog.font_size, dialog.retention, dialog.call_start, dialog.call_end} <= set(boxes)
        for box in boxes:
            assert _contrast(box) >= 7, f"{type(box).__name__} unreadable in high contrast"
        for edit in dialog.findChildren(QLineEdit):
            if edit.isVisible():
                assert _contrast(edit) >= 7
    finally:
        apply_theme(qapp, 14, False)
        qapp.setStyleSheet("")
