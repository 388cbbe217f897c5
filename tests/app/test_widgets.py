"""Each widget on its own, fed with constructed engine events."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from assist.events import Alert, AlertRetracted, Checklist, Health, Partial, Suggestion, UtteranceFinal


def _alert(rule="threat", utt=1, severity="critical", source="final", **kw):
    return Alert(rule=rule, severity=severity, utterance=utt, evidence="不还就去你单位", source=source, t=3.0,
                 message=kw.get("message", "威胁要去客户单位"), advice=kw.get("advice", "请说明合法的后续流程"),
                 basis=kw.get("basis", ""))


def test_stage_bar_highlights_current_and_visited(qtbot):
    from app.widgets.stage_bar import StageBar

    bar = StageBar()
    qtbot.addWidget(bar)
    bar.set_stage("greet")
    bar.set_stage("plan")
    assert bar.steps["plan"].property("state") == "current"
    assert bar.steps["greet"].property("state") == "done"
    assert bar.steps["close"].property("state") == "todo"
    bar.set_stage("no_such_stage")   # unknown ids are ignored, never crash
    assert bar.current == "plan"


def test_transcript_partial_then_final_and_alert_highlight(qtbot):
    from app.widgets.transcript_view import ALERT_BG, TranscriptView

    view = TranscriptView()
    qtbot.addWidget(view)
    view.add_partial(Partial(utterance=0, text="您好我是", t=0.5))
    assert view.count() == 1 and view.texts()[0].startswith("…")
    view.add_final(UtteranceFinal(utterance=0, start=0.2, end=2.0, text="您好，我是华信银行的工号1234。", stage="greet", t=2.1))
    assert view.count() == 1
    assert "【建立联系】" in view.texts()[0] and "工号1234" in view.texts()[0]
    view.add_final(UtteranceFinal(utterance=1, start=3.0, end=5.0, text="不还就去你单位", stage="consequence", t=5.1))
    view.mark_alert(_alert(utt=1))
    assert view.finals[1].background().color() == ALERT_BG["critical"]
    view.unmark_alert(AlertRetracted(rule="threat", utterance=1, t=5.2))
    assert view.severity_of(1) is None


def test_alert_banner_shows_explains_dismisses_and_retracts(qtbot):
    from app.widgets.alert_banner import AlertBanner

    banner = AlertBanner()
    qtbot.addWidget(banner)
    banner.show()
    banner.sound = False
    partial = _alert(source="partial")
    banner.add_alert(partial)
    card = banner.cards[("threat", 1)]
    assert card.title.text() == "⚠ 威胁恐吓：“不还就去你单位”"     # a short headline …
    assert "威胁要去客户单位" in card.message_label.text()           # … the long text below it
    assert "建议改说" in card.advice_label.text()
    assert "依据" in card.basis_label.text()           # basis falls back to the taxonomy's regulation
    assert card.property("severity") == "critical"
    banner.add_alert(_alert(source="final"))           # the final confirms: same card, not a second one
    assert len(banner.cards) == 1
    banner.retract(AlertRetracted(rule="threat", utterance=1, t=4.0))
    assert not banner.cards and not banner.isVisible()

    banner.add_alert(_alert(rule="insult", utt=2))
    with qtbot.waitSignal(banner.dismissed, timeout=1000) as sig:
        banner.cards[("insult", 2)].dismiss_button.click()
    assert sig.args[0].rule == "insult"
    assert not banner.cards


def test_partial_alert_loses_its_pending_mark_when_the_final_keeps_it(qtbot):
    """识别中，待确认 stayed on a card after the final text: the engine does not send a confirmed alert again."""
    from app.widgets.alert_banner import AlertBanner

    banner = AlertBanner()
    qtbot.addWidget(banner)
    banner.sound = False
    for compact in (False, True):
        banner.set_compact(compact)
        banner.add_alert(_alert(source="partial"))
        card = banner.cards[("threat", 1)]
        assert "待确认" in card.rule_label.text() and not card.rule_label.isHidden()
        banner.confirm(UtteranceFinal(utterance=2, start=0, end=1, text="别的话", stage="greet", t=4.0))
        assert "待确认" in card.rule_label.text()          # another utterance's final confirms nothing
        banner.confirm(UtteranceFinal(utterance=1, start=0, end=1, text="不还就去你单位", stage="consequence", t=4.0))
        assert "待确认" not in card.rule_label.text() and card.alert.source == "final"
        assert card.rule_label.isHidden() == compact        # compact: only the pending mark had a line
        assert card.message_label.isHidden() == compact
        banner.clear()


def test_compact_cards_one_opens_in_full(qtbot):
    from app.widgets.alert_banner import AlertBanner

    banner = AlertBanner(max_cards=3)
    qtbot.addWidget(banner)
    banner.sound = False
    banner.set_compact(True)
    banner.show()
    for utt, rule in enumerate(("threat", "insult", "deception")):
        banner.add_alert(_alert(rule=rule, utt=utt))
    cards = banner.cards
    assert [c.brief for c in cards.values()] == [True, True, False]   # the newest in full
    assert all(c.message_label.isHidden() and c.basis_label.isHidden() for c in cards.values())
    assert "威胁要去客户单位" in cards[("threat", 0)].toolTip()       # the long text is still there
    qtbot.mouseClick(cards[("threat", 0)], Qt.MouseButton.LeftButton)  # a click opens an older one
    assert [c.brief for c in cards.values()] == [False, True, True]
    cards[("threat", 0)].dismiss_button.click()
    assert [c.brief for c in banner.cards.values()] == [True, False]   # the newest left opens
    banner.set_compact(False)   # wide: the long text only for a card on its own, 建议改说 on every card
    assert all(c.advice_label.isHidden() != c.advice_brief.isHidden() for c in banner.cards.values())
    assert all(c.message_label.isHidden() for c in banner.cards.values())
    banner.cards[("insult", 1)].dismiss_button.click()
    (alone,) = banner.cards.values()
    assert not alone.message_label.isHidden() and not alone.basis_label.isHidden()


def test_critical_alert_beeps_only_when_sound_on(qtbot):
    from app.widgets.alert_banner import AlertBanner

    banner = AlertBanner()
    qtbot.addWidget(banner)
    banner.sound = True
    banner.add_alert(_alert(rule="threat", utt=1))
    banner.add_alert(_alert(rule="ptp_incomplete", utt=None, severity="info"))
    assert banner.beeps == 1
    banner.sound = False
    banner.add_alert(_alert(rule="insult", utt=3))
    assert banner.beeps == 1


def test_suggestion_panel_copies_and_marks_used(qtbot):
    from app.widgets.suggestion_panel import SuggestionPanel

    panel = SuggestionPanel()
    qtbot.addWidget(panel)
    s = Suggestion(stage="plan", text="请问您今天能先还多少？", reason="还未确认还款金额", t=4.0, line_id="plan.03",
                   alternatives=({"text": "可以先还一部分", "reason": "部分还款", "line_id": "plan.05"},
                                 ("我们可以申请分期", "客户困难", "support.01")))
    panel.set_suggestion(s)
    assert panel.top.text_label.text() == "请问您今天能先还多少？"
    assert "还未确认还款金额" in panel.top.reason_label.text()
    assert [a.text_label.text() for a in panel.alts] == ["可以先还一部分", "我们可以申请分期"]
    panel.top.copy_button.click()
    assert QApplication.clipboard().text() == "请问您今天能先还多少？"
    with qtbot.waitSignal(panel.used, timeout=1000) as sig:
        panel.alts[1].used_button.click()
    assert sig.args == ["support.01"]


def test_objection_pad_buttons_and_number_keys(qtbot):
    from PySide6.QtCore import Qt

    from app.widgets.objection_pad import ObjectionPad
    from assist.analysis.state import OBJECTIONS

    pad = ObjectionPad()
    qtbot.addWidget(pad)
    with qtbot.waitActive(pad):
        pad.show()
        pad.activateWindow()
    assert set(pad.buttons) == set(OBJECTIONS)
    picked = []
    pad.picked.connect(picked.append)
    pad.buttons["no_money"].click()
    assert picked == []                 # inactive outside a call
    pad.set_active(True)
    pad.buttons["scam"].click()
    qtbot.keyClick(pad, Qt.Key.Key_2)   # the number key picks the second objection
    assert picked[0] == "scam"
    assert picked[1] == list(OBJECTIONS)[1]


def test_checklist_view_lists_missing(qtbot):
    from app.widgets.checklist_view import ChecklistView

    view = ChecklistView()
    qtbot.addWidget(view)
    view.set_checklist(Checklist(done=("agent_id", "identity"), missing=("ptp_channel", "readback"), t=1.0))
    assert view.items["agent_id"].text().startswith("✓")
    assert view.items["ptp_channel"].text().startswith("○")
    assert "何地还" in view.summary.text() and "复述" in view.summary.text()


def test_health_indicator_counts_up_while_reports_are_overdue(qtbot):
    """Bug 4: green 延迟 1.3 秒 stayed 16 s while the recogniser was stuck, then jumped to 19.2 s."""
    from app.widgets.health_indicator import HealthIndicator

    h = HealthIndicator()
    qtbot.addWidget(h)
    now = [100.0]
    h.clock = lambda: now[0]
    h.set_health(Health(rtf=0.4, queue_depth=1, lag=1.3, t=30.0))
    now[0] += 1.0
    h.tick()                                   # a report every second is normal: nothing to add yet
    assert h.text() == "● 延迟 1.3 秒" and h.level == "ok"
    now[0] += 2.0
    h.tick()
    assert h.text() == "● 延迟 4.3 秒" and h.level == "behind"
    now[0] += 13.0
    h.tick()
    assert h.text() == "● 延迟 17.3 秒" and "16 秒没有新的识别结果" in h.toolTip()
    h.set_health(Health(rtf=1.2, queue_depth=30, lag=19.2, t=46.0))    # the report that finally came
    assert h.text() == "● 延迟 19.2 秒"
    h.pause()                                  # microphone lost: no audio, nothing is overdue
    now[0] += 30.0
    h.tick()
    assert h.text() == "● 延迟 19.2 秒"


def test_health_indicator_levels(qtbot):
    from app.widgets.health_indicator import HealthIndicator

    h = HealthIndicator()
    qtbot.addWidget(h)
    h.set_health(Health(rtf=0.3, queue_depth=0, lag=0.4, t=1.0))
    assert h.level == "ok" and "0.4" in h.text()
    h.set_health(Health(rtf=1.4, queue_depth=5, lag=7.5, t=1.0))
    assert h.level == "behind"
    assert "跳过" not in h.text()
    # the recogniser shed load: the agent is told how much was skipped, also once it has caught up
    h.set_health(Health(rtf=2.5, queue_depth=40, lag=12.0, t=60.0, dropped=9.2))
    assert h.level == "behind" and "识别跟不上" in h.text() and "已跳过 10 秒" in h.text()
    h.set_health(Health(rtf=1.1, queue_depth=0, lag=0.3, t=70.0, dropped=9.2))
    assert h.level == "ok" and "已跳过 10 秒" in h.text() and "未识别" in h.toolTip()


def test_case_form_paste_and_validation(qtbot):
    from app.widgets.case_form import CaseForm
    from assist.case import CaseDataError

    form = CaseForm()
    qtbot.addWidget(form)
    form.edits["agent_id"].setText("A0231")
    assert form.apply_text("客户姓名：张伟\n欠款金额：3,680.50元\n逾期天数：45天\n手机号：13800001111")
    case = form.case()
    assert (case.debtor_name, case.amount, case.overdue_days, case.phone) == ("张伟", 3680.5, 45, "13800001111")
    assert case.agent_id == "A0231"          # pasted text without an agent keeps the agent's own 工号
    assert form.apply_text('{"debtor_name": "李娜", "amount": 1200, "agent_id": "B7"}')
    assert form.case().agent_id == "B7"
    assert not form.apply_text("{broken json")
    assert "JSON" in form.error.text()
    # issue 12: one unknown or Chinese key refused the whole case, in English
    assert form.apply_text('{"姓名": "王强", "欠款金额": "2,500元", "逾期天数": "30天", "备注": "老客户", "agent_id": "C9"}')
    case = form.case()
    assert (case.debtor_name, case.amount, case.overdue_days, case.agent_id) == ("王强", 2500, 30, "C9")
    assert form.error.isVisibleTo(form) and "备注" in form.error.text()     # said, not refused
    assert not form.apply_text('{"备注": "老客户"}') and "没有识别出任何字段" in form.error.text()
    form.edits["amount"].setText("三千")
    try:
        form.case()
    except CaseDataError as exc:
        assert "欠款金额" in str(exc)
    else:
        raise AssertionError("a non-numeric amount must be refused")


def test_level_meter_maps_dbfs(qtbot):
    from app.widgets.level_meter import LevelMeter

    m = LevelMeter()
    qtbot.addWidget(m)
    m.set_level_db(-30.0)
    assert abs(m.fraction - 0.5) < 0.01
    m.set_level_db(-120.0)
    assert m.fraction == 0.0
    m.set_level_db(float("nan"))
    assert m.fraction == 0.0


def test_call_source_is_named_for_people():
    """Issue 12: 来源 showed program text (mic:InputDevice(index=3, …)) instead of the microphone's name."""
    from types import SimpleNamespace

    from app.call_report import source_text
    from assist.config import EngineConfig
    from assist.session import CallSession

    assert source_text("mic:USB Headset") == "麦克风：USB Headset"
    assert source_text("mic") == "麦克风（系统默认）"
    assert source_text("C:\\\\录音\\\\d01.wav") == "录音文件：d01.wav" == source_text("/home/a/d01.wav")
    mic = SimpleNamespace(device=SimpleNamespace(index=3, name="USB Headset"), realtime=True, sample_rate=16000)
    session = CallSession(mic, config=EngineConfig(record=False))
    assert session._source_label() == "mic:USB Headset"


def test_every_symbol_in_the_ui_is_in_the_font(qtbot):
    """Issue 12: the 📌 of 已固定 drew an empty box — no UI string may use a glyph the CJK font lacks."""
    import re

    from PySide6.QtGui import QFont, QFontMetrics

    from app.theme import pick_font_family
    from assist import paths

    metrics = QFontMetrics(QFont(pick_font_family()))
    text = "".join(p.read_text(encoding="utf-8") for p in (paths.PROJECT_ROOT / "app").rglob("*.py"))
    symbols = set(re.findall(r"[\u2190-\u2bff\U0001f000-\U0001faff]", text))
    assert "★" in symbols                                  # the scan finds the UI's symbols
    missing = sorted(s for s in symbols if not metrics.inFontUcs4(ord(s)))
    assert not missing, f"not in {pick_font_family()}: {missing}"


def test_case_form_has_creditor_and_own_company(qtbot):
    from app.widgets.case_form import CaseForm

    form = CaseForm()
    qtbot.addWidget(form)
    assert form.apply_text("客户姓名：张伟\n委托方：华信银行\n所属机构：聚信服务\n工号：A023")
    case = form.case()
    assert (case.creditor, case.institution) == ("华信银行", "聚信服务")
    assert form.edits["creditor"].placeholderText() and form.edits["institution"].placeholderText()


def test_transcript_shows_the_debtor_quieter_and_keeps_the_agent_partial_last(qtbot):
    from app.widgets.transcript_view import DEBTOR_COLOUR, TranscriptView

    view = TranscriptView()
    qtbot.addWidget(view)
    view.add_final(UtteranceFinal(utterance=0, start=0.2, end=2.0, text="您好，请问是赵女士吗？", stage="greet", t=2.1))
    view.add_partial(Partial(utterance=2, text="那您", t=6.0))
    view.add_final(UtteranceFinal(utterance=1, start=2.5, end=4.0, text="是我。", stage="greet", t=6.1,
                                  speaker="debtor"))
    texts = view.texts()
    assert len(texts) == 3 and texts[1].lstrip().startswith("对方：") and "【" not in texts[1]
    assert texts[2].startswith("…")   # the agent's line in progress is still the last one
    debtor, agent = view.finals[1], view.finals[0]
    assert debtor.foreground().color() == DEBTOR_COLOUR and debtor.font().italic()
    assert agent.foreground().color() != DEBTOR_COLOUR and not agent.font().italic()


def test_call_report_marks_the_debtor_lines():
    from app.call_report import call_html

    call = {"id": "c", "started_at": "2026-11-11T14:05:00+08:00", "status": "completed", "alerts": [],
            "utterances": [
                {"utterance": 0, "start": 0.5, "text": "请问是赵女士吗？", "stage": "greet", "is_final": True,
                 "speaker": "agent"},
                {"utterance": 1, "start": 3.0, "text": "是我。", "stage": "greet", "is_final": True,
                 "speaker": "debtor"}]}
    html = call_html(call)
    agent_line = next(ln for ln in html.splitlines() if "请问是赵女士吗" in ln)
    debtor_line = next(ln for ln in html.splitlines() if "是我。" in ln)
    assert "对方" in debtor_line and "color:#5f6670" in debtor_line and "【" not in debtor_line
    assert "对方" not in agent_line and "【建立联系】" in agent_line
