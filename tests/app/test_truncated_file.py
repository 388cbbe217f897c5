"""A cut recording analysed in the app is said to be cut: the live window's banner when it plays as the
microphone (用录音测试), the review window's status line, a warning box and the call's report when it is
re-analysed. Real widgets offscreen, the real model, a real WAV cut short."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.model


@pytest.fixture
def cut_wav(tmp_path, dev_dir):
    cut = tmp_path / "cut.wav"
    cut.write_bytes((dev_dir / "d06.wav").read_bytes()[:400_000])   # ~12 s of a 49.9 s call
    return cut


def _window(qtbot, services):
    from app.live_window import LiveWindow

    window = LiveWindow(services)
    window.alerts.sound = False
    window.confirm_outside_hours = lambda when: True   # the tests run at any hour
    qtbot.addWidget(window)
    window.show()
    return window


def test_live_window_warns_when_the_file_played_is_truncated(qtbot, ready_services, cut_wav):
    window = _window(qtbot, ready_services)
    ended = []
    window.callFinished.connect(ended.append)
    assert window.device_banner.isHidden()
    with qtbot.waitSignal(window.bridge.started, timeout=60000):
        window.start_file_call(str(cut_wav), realtime=False)
    assert not window.device_banner.isHidden()
    text = window.device_banner.text()
    assert "录音文件不完整" in text and "49.9" in text, text
    qtbot.waitUntil(lambda: bool(ended), timeout=240000)
    ready_services.store.flush()
    assert "录音文件不完整" in (ready_services.store.get_call(ended[0])["error"] or "")


def test_live_window_says_nothing_for_an_intact_file(qtbot, ready_services, dev_dir):
    window = _window(qtbot, ready_services)
    ended = []
    window.callFinished.connect(ended.append)
    with qtbot.waitSignal(window.bridge.started, timeout=60000):
        window.start_file_call(str(dev_dir / "d06.wav"), realtime=False)
    assert window.device_banner.isHidden()
    window.stop_call()
    qtbot.waitUntil(lambda: bool(ended), timeout=240000)


def test_review_window_reanalysis_of_a_truncated_file_warns(qtbot, ready_services, cut_wav, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from app.review_window import ReviewWindow

    boxes = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: boxes.append(a[1:3]))
    win = ReviewWindow(ready_services)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.reanalyzed, timeout=240000) as done:
        win.reanalyze(str(cut_wav))
    call_id = done.args[0]
    qtbot.waitUntil(lambda: bool(boxes), timeout=10000)
    assert boxes[0][0] == "录音文件不完整" and "49.9" in boxes[0][1]
    qtbot.waitUntil(lambda: win.current is not None and win.current["id"] == call_id, timeout=10000)
    assert "录音文件不完整" in win.view.toPlainText()         # the call's report says it, each time it is opened
    assert "录音文件不完整" in win.status.text()
