"""`callassist` without a display explains the CLI instead of crashing; with offscreen it builds the app."""

from __future__ import annotations

import os
import subprocess
import sys


def test_no_display_prints_guidance_and_exits_2(tmp_path):
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "CALLASSIST_CONFIG_DIR": str(tmp_path / "c"),
           "CALLASSIST_DATA_DIR": str(tmp_path / "d"), "CALLASSIST_LOG_DIR": str(tmp_path / "l")}
    proc = subprocess.run([sys.executable, "-m", "assist.cli.main"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2
    assert "callassist analyze" in proc.stderr
    assert "图形界面" in proc.stderr and "No graphical display" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_has_display_rules():
    from app.launch import has_display

    assert not has_display({}, "linux")
    assert has_display({"DISPLAY": ":0"}, "linux")
    assert has_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert has_display({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not has_display({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert has_display({}, "win32")


def test_missing_model_window_opens_and_says_how_to_fetch(qtbot, tmp_path, services):
    from dataclasses import replace

    from app.main_app import MainApp

    services.prefs = replace(services.prefs, model_dir=str(tmp_path / "no-model"))
    main = MainApp(services)
    qtbot.addWidget(main.live)
    main.show()
    qtbot.waitUntil(lambda: services.model_state == "missing", timeout=10000)
    assert "callassist model fetch" in main.live.status_label.text()
    assert not main.live.controls.start_button.isEnabled()
