"""Bug 7 in the window: the promise card shows the date's weekday and what to check, and the agent confirms or
corrects the promise before the call ends; the corrected promise is the one recorded."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from PySide6.QtCore import QDate

from assist.events import PromiseToPay

TZ = timezone(timedelta(hours=8))


def test_card_flags_confirms_and_corrects(qtbot):
    from app.widgets.promise_card import PromiseCard

    card = PromiseCard()
    qtbot.addWidget(card)
    card.show()
    card.reset(today=date(2026, 10, 14), debt=3680, in_call=True)
    assert card.summary.text() == "还款承诺：无" and card.edit_button.text() == "填写"
    card.set_promise(PromiseToPay(amount=2000, date="2026-10-13", channel=None, t=5.0))
    assert card.summary.text() == "还款承诺：2000元·10月13日周二·渠道未定"
    assert card.warning_label.isVisible() and "日期已过" in card.warning_label.text()
    assert card.state_label.text() == "待确认" and card.confirm_button.isVisible()

    card.edit_button.click()
    assert card.editor.isVisible() and card.amount_edit.value() == 2000
    card.amount_edit.setValue(2500)
    card.date_edit.setDate(QDate(2026, 10, 16))
    card.channel_edit.setCurrentIndex(card.channel_edit.findData("alipay"))
    with qtbot.waitSignal(card.confirmed, timeout=1000) as sig:
        card.save_button.click()
    assert sig.args[0] == {"amount": 2500.0, "date": "2026-10-16", "channel": "alipay"}
    assert not card.editor.isVisible() and not card.warning_label.isVisible()
    assert card.state_label.text() == "已确认 ✓" and not card.confirm_button.isVisible()
    card.set_promise(PromiseToPay(amount=2500, date="2026-10-16", channel="alipay", t=9.0))   # the echo
    assert card.is_confirmed
    card.set_promise(PromiseToPay(amount=5000, date="2026-12-30", channel="alipay", t=20.0))  # talked again
    assert card.state_label.text() == "待确认"
    assert "高于欠款总额" in card.warning_label.text() and "77 天后" in card.warning_label.text()
    with qtbot.waitSignal(card.confirmed, timeout=1000) as sig:
        card.confirm_button.click()
    assert sig.args[0]["amount"] == 5000
    card.set_in_call(False)
    assert not card.edit_button.isVisible() and not card.confirm_button.isVisible()


def test_corrected_promise_is_recorded(qtbot, services):
    from app.live_window import LiveWindow
    from assist.case import CaseData
    from assist.transcript import TranscriptSource

    win = LiveWindow(services)
    qtbot.addWidget(win)
    win.alerts.sound = False
    win.show()
    win.setup.case_form.set_case(CaseData(debtor_name="张伟", amount=3680, agent_name="王芳", agent_id="A023"))
    lines = ["您好，我是华信银行工号A023的王芳，请问是张伟先生吗？", "您的欠款三千六百八十元已经逾期四十五天了。",
             "那您看明天能不能先还两千？"] + ["好的，您稍等。"] * 8
    source = TranscriptSource.from_lines(lines, realtime=True, line_s=0.5)
    with qtbot.waitSignal(win.bridge.started, timeout=30000) as started:
        assert win.start_call(source=source, started_at=datetime(2026, 10, 14, 14, 30, tzinfo=TZ))
    call_id = started.args[0]
    qtbot.waitUntil(lambda: win.promise.has_promise, timeout=10000)
    assert "10月15日周四" in win.promise.summary.text() and win.promise.confirm_button.isVisible()
    win.promise.edit_button.click()
    win.promise.amount_edit.setValue(2500)
    win.promise.channel_edit.setCurrentIndex(win.promise.channel_edit.findData("wechat"))
    win.promise.save_button.click()
    with qtbot.waitSignal(win.callFinished, timeout=30000):
        win.stop_call()
    assert win.bridge.session.ended.ptp == {"amount": 2500.0, "date": "2026-10-15", "channel": "wechat"}   # CallEnded
    assert services.store.flush()
    assert services.store.get_call(call_id)["ptp"] == {"amount": 2500.0, "date": "2026-10-15", "channel": "wechat"}
