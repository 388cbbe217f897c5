"""The review window plays a call's kept recording (a real Opus file) with the transcript following along: the
highlighted utterance follows the position, a click on an utterance's time plays from there; and the app purges
recordings older than the retention days when the records open (offscreen, real widgets, real SQLite)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from assist.events import CallEnded, UtteranceFinal
from tests.audio.signals import read_wav

SR = 16000
LINES = ["您好，我是华信银行的王芳。", "请问是张伟先生吗？", "您的账单已经逾期了。", "今天能先还一部分吗？", "好的，谢谢您。"]


def _speech(dev_dir, seconds):
    x, _rate = read_wav(dev_dir / "d02.wav")   # 16 kHz mono
    return x[: int(seconds * SR)]


def _call_with_audio(store, dev_dir, call_id, started, seconds=20.0):
    store.begin_call(call_id, started_at=started, source="mic")
    for i, text in enumerate(LINES):   # utterance i from 4i to 4i + 3 s
        store.record(call_id, UtteranceFinal(utterance=i, start=i * 4.0, end=i * 4.0 + 3, text=text, stage="greet",
                                             t=i * 4.0 + 3))
    store.record(call_id, CallEnded(call_id=call_id, duration=seconds, alerts={}, ptp=None, t=seconds))
    writer = store.audio_writer(call_id)
    x = _speech(dev_dir, seconds)
    for i in range(0, len(x), 800):
        writer.agent(x[i:i + 800])
    kept = writer.close()
    store.attach_audio(call_id, kept)
    assert store.flush()
    return kept


@pytest.fixture()
def review(qtbot, services, dev_dir):
    from app.review_window import ReviewWindow

    _call_with_audio(services.open_store(), dev_dir, "c1", datetime.now().astimezone())
    win = ReviewWindow(services)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    with qtbot.waitSignal(win.player.loaded, timeout=15000):
        win.refresh()
    return win


def test_highlight_follows_the_position_and_a_click_seeks(qtbot, review):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    win = review
    assert win.player.playback.duration_s == pytest.approx(20.0, abs=0.02)
    assert win.player.play_button.isVisible() and win.player.time_label.text() == "00:00 / 00:20"
    for pos, expected in ((0.0, 0), (5.0, 1), (13.9, 3), (2.0, 0), (19.5, 4)):
        win.player.seek(pos)
        assert win.playing == expected, pos
        # the one highlighted paragraph is that utterance
        html = win.view.toHtml()
        assert html.count("#fff59d") == 1
        assert LINES[expected] in html.split("#fff59d", 1)[1].split("</p>", 1)[0]

    # a real click on the time of the third utterance (▶00:08) moves the recording there
    cursor = win.view.document().find("00:08")
    assert not cursor.isNull()
    cursor.setPosition(cursor.selectionStart() + 1)
    rect = win.view.cursorRect(cursor)
    with qtbot.waitSignal(win.following, timeout=3000):
        QTest.mouseClick(win.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert win.player.position_s == pytest.approx(8.0, abs=0.3)
    assert win.playing == 2
    win.player.stop()


def test_playing_moves_the_highlight(qtbot, review, pulse):
    win = review
    win.player.seek(3.5)
    assert win.playing == 0
    win.player.toggle()
    assert win.player.playback.playing, win.player.message.text()
    qtbot.waitUntil(lambda: win.playing == 1, timeout=5000)       # 4 s: the second utterance starts
    # the highlight follows the position the player reported; read again a moment later it may sit a block
    # behind that report (3.98 s seen under load 8), never before the first utterance's end
    assert win.player.position_s >= 3.9
    win.player.pause()
    assert not win.player.playback.playing


def test_a_call_without_audio_says_so(qtbot, services):
    from app.review_window import ReviewWindow

    store = services.open_store()
    store.begin_call("c0", started_at=datetime.now().astimezone(), source="mic")
    store.record("c0", UtteranceFinal(utterance=0, start=0, end=1, text="您好", stage="greet", t=1))
    store.record("c0", CallEnded(call_id="c0", duration=2.0, alerts={}, ptp=None, t=2.0))
    assert store.flush()
    win = ReviewWindow(services)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.detailShown, timeout=5000):
        win.refresh()
    assert "保留通话录音" in win.player.message.text()
    assert win.player.playback is None and not win.player.play_button.isVisibleTo(win)
    assert "seek:" not in win.view.toHtml()


def test_recordings_past_the_retention_days_go_when_the_records_open(qtbot, services, dev_dir, tmp_path):
    from dataclasses import replace

    from app.services import AppServices
    from app.settings import open_settings

    store = services.open_store()
    old = _call_with_audio(store, dev_dir, "old", datetime.now().astimezone() - timedelta(days=9), seconds=3.0)
    new = _call_with_audio(store, dev_dir, "new", datetime.now().astimezone() - timedelta(days=2), seconds=3.0)
    services.update_prefs(replace(services.prefs, audio_retention_days=30))
    assert services.purge_audio() == 0                  # 30 days: both stay
    services.close_store()

    again = AppServices(settings=open_settings(tmp_path / "settings.ini"))   # the next start-up
    again.update_prefs(replace(again.prefs, audio_retention_days=7))
    with qtbot.waitSignal(again.audioPurged, timeout=10000) as purged:
        again.open_store()
    assert purged.args == [1]
    assert not old.path.exists() and new.path.exists()
    assert again.store.get_call("old")["utterances"]    # the record stays
    assert again._purge_timer.isActive() and again._purge_timer.interval() == 24 * 3600 * 1000
    again.close_store()
