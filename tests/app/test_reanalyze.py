"""Review window: re-analyse a recorded file through the real pipeline (Whisper) on a worker; the new call
appears in the list and opens with its transcript."""

from __future__ import annotations

import pytest


@pytest.mark.model
def test_reanalyze_real_clip_appears_in_list(qtbot, ready_services, shared_dir):
    from app.review_window import ReviewWindow

    services = ready_services
    win = ReviewWindow(services)
    qtbot.addWidget(win)
    progress = []
    win.progress.valueChanged.connect(progress.append)
    with qtbot.waitSignal(win.reanalyzed, timeout=180000) as done:
        win.reanalyze(str(shared_dir / "data" / "real" / "aishell-BAC009S0724W0121.wav"))
    call_id = done.args[0]
    qtbot.waitUntil(lambda: call_id in win.call_ids(), timeout=10000)
    qtbot.waitUntil(lambda: win.current is not None and win.current["id"] == call_id, timeout=10000)
    text = win.view.toPlainText()
    assert "协会" in text                          # Whisper's words, shown in the call's transcript
    assert progress and win.progress.isHidden() and win.reanalyze_button.isEnabled()


def test_reanalyze_bad_file_reports_clearly(qtbot, services, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from app.review_window import ReviewWindow

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    bad = tmp_path / "not-audio.wav"
    bad.write_bytes(b"this is not a wav file at all" * 10)
    win = ReviewWindow(services)
    qtbot.addWidget(win)
    win.reanalyze(str(bad))
    qtbot.waitUntil(lambda: bool(shown), timeout=30000)
    assert "not-audio.wav" in shown[0]
    assert "分析失败" in win.status.text() and win.reanalyze_button.isEnabled()
    assert services.store.list_calls() == []       # nothing half-written
