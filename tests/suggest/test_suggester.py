"""The Suggester on call states: correction first, objections, flow, no repeats, pins, search, latency."""

from __future__ import annotations

import statistics
import time

import pytest

from assist.analysis.state import CHECKLIST, OBJECTIONS
from assist.events import Alert, Checklist, Suggestion
from assist.suggest import Suggester


def _split(events):
    sugg = [e for e in events if isinstance(e, Suggestion)]
    checks = [e for e in events if isinstance(e, Checklist)]
    assert len(sugg) == 1 and len(checks) == 1, events
    return sugg[0], checks[0]


def _alert(rule, severity="critical"):
    return Alert(rule=rule, severity=severity, utterance=0, evidence="", source="final", t=1.0)


def test_opening_suggests_agent_id_with_case_values(library, case, make_state):
    s = Suggester(case=case, library=library)
    top, check = _split(s.after_utterance(make_state(texts=["喂"]), "喂", [], 1.0))
    assert top.stage == "greet" and top.line_id.startswith("greet.intro.")
    assert "8026" in top.text and "华信银行信用卡中心" in top.text and "{" not in top.text
    assert top.reason and 2 <= len(top.alternatives) <= 2
    assert all(isinstance(a, Suggestion) and a.text and a.reason for a in top.alternatives)
    assert len({top.line_id, *(a.line_id for a in top.alternatives)}) == 3
    assert check.done == () and check.missing == CHECKLIST
    assert top.to_dict().keys() == {"event", "stage", "text", "reason", "t"}


def test_without_case_data_lines_still_read_well(library, make_state):
    s = Suggester(library=library)
    top, _ = _split(s.after_utterance(make_state(covered={"agent_id"}, texts=["您好，我是华信银行的刘晓雯，工号8026"]),
                                      "您好，我是华信银行的刘晓雯，工号8026", [], 1.0))
    assert top.line_id.startswith("greet.identity") and "{" not in top.text


def test_gap_driven_next_line_names_the_missing_element(library, case, make_state):
    s = Suggester(case=case, library=library)
    st = make_state(stage="plan", covered={"agent_id", "identity", "debt_stated", "reason_asked",
                                           "ptp_amount", "ptp_date"},
                    ptp={"amount": 3680, "date": "2026-10-13", "channel": None})
    top, check = _split(s.after_utterance(st, "那您看明天能不能把三千六百八十元一次性还上？", [], 5.0))
    assert top.stage == "plan" and top.line_id.startswith("plan.channel")
    assert "何地还" in top.reason
    assert "ptp_channel" in check.missing and "ptp_date" in check.done


def test_agreed_plan_gets_reminder_then_readback_then_close(library, case, make_state):
    s = Suggester(case=case, library=library)
    done = {"agent_id", "identity", "debt_stated", "reason_asked", "ptp_amount", "ptp_date", "ptp_channel"}
    ptp = {"amount": 3680, "date": "2026-10-13", "channel": "app"}
    top, _ = _split(s.after_utterance(make_state(stage="plan", covered=done, ptp=ptp), "好的，官方App就可以。", [], 6.0))
    assert top.stage == "consequence"
    assert "plan" in [a.stage for a in top.alternatives]
    st = make_state(stage="consequence", covered=done, ptp=ptp)
    st.stage_history = [(0, "plan"), (1, "consequence")]
    top, _ = _split(s.after_utterance(st, "提醒您一下，逾期记录会按规定报送征信。", [], 7.0))
    assert top.line_id.startswith("plan.readback") and "10月13日" in top.text and "3680元" in top.text
    st = make_state(stage="plan", covered=done | {"readback"}, ptp=ptp)
    st.stage_history = [(0, "plan"), (1, "consequence"), (2, "plan")]
    top, _ = _split(s.after_utterance(st, top.text, [], 8.0))
    assert top.stage == "close"


@pytest.mark.parametrize("rule", ["threat", "impersonation", "third_party", "deception", "improper_payment"])
def test_correction_comes_first_after_a_violation(library, case, make_state, rule):
    s = Suggester(case=case, library=library)
    st = make_state(stage="consequence", covered={"agent_id", "identity", "debt_stated"})
    top, _ = _split(s.after_utterance(st, "违规的一句话", [_alert("call_time"), _alert(rule)], 4.0))
    assert top.line_id.startswith(f"correction.{rule}.")
    assert top.reason == library.by_id[top.line_id].reason
    assert not any(a.line_id.startswith("correction.") for a in top.alternatives)
    # Next utterance without an alert: back to the flow.
    top2, _ = _split(s.after_utterance(st, "好的", [], 5.0))
    assert not top2.line_id.startswith("correction.")


def test_most_severe_alert_wins(library, make_state):
    s = Suggester(library=library)
    top, _ = _split(s.after_utterance(make_state(stage="plan"), "x",
                                      [_alert("unauthorized_promise", "warning"), _alert("insult")], 1.0))
    assert top.line_id.startswith("correction.insult.")


def test_no_repeats_of_what_the_agent_said(library, case, make_state):
    s = Suggester(case=case, library=library)
    said = library.by_id["greet.intro.1"].render(case.placeholders())
    top, _ = _split(s.after_utterance(make_state(texts=[said]), said, [], 1.0))
    # analysis missed agent_id (say, an ASR slip): the exact line is still not offered again
    assert top.line_id != "greet.intro.1"
    assert all(a.line_id != "greet.intro.1" for a in top.alternatives)
    seen = set()
    st = make_state(stage="close", covered={"agent_id", "identity", "debt_stated", "closing"})
    for i in range(3):
        top, _ = _split(s.after_utterance(st, "", [], 2.0 + i))
        st.texts.append(top.text)
        assert top.line_id not in seen
        seen.add(top.line_id)


def test_echoed_objection_gets_its_answer(library, case, make_state):
    s = Suggester(case=case, library=library)
    st = make_state(stage="willingness", covered={"agent_id", "identity", "debt_stated"})
    top, _ = _split(s.after_utterance(st, "听您说最近失业了，是吗", [], 5.0))
    assert top.line_id.startswith("objection.unemployed.") and top.stage == "support"
    assert s.objections_heard == ("unemployed",)
    # Asked as the agent's own question, it is not an echo.
    s2 = Suggester(case=case, library=library)
    top, _ = _split(s2.after_utterance(st, "请问您是不是最近失业了导致资金困难", [], 5.0))
    assert s2.objections_heard == () and not top.line_id.startswith("objection.")
    s3 = Suggester(case=case, library=library)
    top, _ = _split(s3.after_utterance(st, "请问是什么原因没能按时还款呢？", [], 5.0))
    assert not top.line_id.startswith("objection.") and s3.objections_heard == ()


def test_objection_from_the_analyzer_state(library, make_state):
    s = Suggester(library=library)
    st = make_state(stage="plan", covered={"agent_id", "identity", "debt_stated"}, objections=["want_waiver"])
    top, _ = _split(s.after_utterance(st, "您是说想要减一点", [], 5.0))
    assert top.line_id.startswith("objection.want_waiver.")
    assert "以审核" in top.text or "权限" in top.text
    # The agent's own lawful words that merely contain an objection keyword are not the debtor's objection.
    s2 = Suggester(library=library)
    st2 = make_state(stage="support", covered={"agent_id", "identity", "debt_stated"}, objections=["complaint"])
    top, _ = _split(s2.after_utterance(st2, "您对处理结果不满意的话，也可以向金融监管部门投诉。", [], 5.0))
    assert not top.line_id.startswith("objection.") and s2.objections_heard == ()


@pytest.mark.parametrize("key", list(OBJECTIONS))
def test_objection_pick(library, case, make_state, key):
    s = Suggester(case=case, library=library)
    st = make_state(stage="willingness", covered={"agent_id", "identity", "debt_stated"})
    top, check = _split(s.objection(key, st, 9.0))
    assert top.line_id.startswith(f"objection.{key}.") and top.t == 9.0
    assert top.alternatives[0].line_id.startswith(f"objection.{key}.")
    assert "{" not in top.text and top.reason
    assert key in s.objections_heard


def test_objection_pick_rejects_unknown_keys(library, make_state):
    with pytest.raises(KeyError, match="unknown objection"):
        Suggester(library=library).objection("bored", make_state(), 1.0)


def test_wrong_party_never_leads_into_the_debt(library, case, make_state):
    s = Suggester(case=case, library=library)
    st = make_state(stage="greet", covered={"agent_id"}, texts=["您好，我是华信银行的刘晓雯，工号8026，请问是陈建国先生吗？"])
    s.after_utterance(st, st.texts[0], [], 1.0)
    st.texts.append("噢，您是他母亲是吧，不好意思打扰您了。")
    top, _ = _split(s.after_utterance(st, st.texts[-1], [], 2.0))
    stages = [top.stage] + [a.stage for a in top.alternatives]
    assert top.line_id.startswith("greet.wrong_party")
    assert set(stages) <= {"greet", "close"}
    st.texts.append(top.text)
    top, _ = _split(s.after_utterance(st, top.text, [], 3.0))
    assert top.line_id.startswith("close.callback")
    assert all(w not in top.text for w in ("欠款", "逾期", "还款"))


def test_pin_and_search(library, case, make_state):
    s = Suggester(case=case, library=library)
    hits = s.search("gh")
    assert hits and "8026" in hits[0].text and "{" not in hits[0].text
    s.pin(hits[0].id)
    assert s.pinned.id == hits[0].id and "8026" in s.pinned.text
    with pytest.raises(KeyError):
        s.pin("greet.nothing.9")
    # Saying the pinned line releases it.
    s.after_utterance(make_state(texts=[hits[0].text]), hits[0].text, [], 1.0)
    assert s.pinned is None
    s.pin(hits[1].id)
    s.pin(None)
    assert s.pinned is None


def test_reload_error_keeps_suggesting(tmp_path, case, make_state, library):
    import shutil

    from assist.suggest import ScriptLibrary
    from assist.suggest import suggester as mod

    shutil.copytree(library.directory, tmp_path / "scripts")
    lib = ScriptLibrary(tmp_path / "scripts")
    s = Suggester(case=case, library=lib)
    (tmp_path / "scripts" / "close.txt").write_text("[oops]\n- 再见\n", encoding="utf-8")
    s._last_reload_check -= mod.RELOAD_CHECK_S + 1
    top, _ = _split(s.after_utterance(make_state(), "喂", [], 1.0))
    assert top.line_id.startswith("greet.intro")
    assert s.library_error and "close.txt:1:" in s.library_error


def test_latency_is_well_under_50ms(library, case, make_state):
    # 50 calls of 10 utterances each; the budget is 50 ms per utterance (generous: a shared CI box).
    texts = ["您好，我是华信银行的刘晓雯，工号8026。", "请问您是陈建国先生本人吗？", "您的信用卡已经逾期三十五天，欠款3680元。",
             "请问是什么原因没能按时还款呢？", "那您看明天能不能一次性还上？", "您直接在官方App还款就可以。",
             "提醒您一下，逾期记录会按规定报送征信。", "跟您确认一下，明天，官方App还3680元，对吧？",
             "听您说最近失业了是吗", "感谢您的配合，再见。"]
    stages = ["greet", "greet", "confirm_debt", "willingness", "plan", "plan", "consequence", "plan", "support",
              "close"]
    times = []
    for _ in range(50):
        s = Suggester(case=case, library=library)
        st = make_state()
        for text, stage in zip(texts, stages):
            st.texts.append(text)
            st.stage = stage
            t0 = time.perf_counter()
            s.after_utterance(st, text, [], 1.0)
            times.append(time.perf_counter() - t0)
    assert statistics.median(times) < 0.050


def test_alert_raised_from_partial_text_is_still_corrected_once(library, make_state):
    # The final does not repeat a partial's alert, so the suggester also reads state.alerts.
    s = Suggester(library=library)
    st = make_state(stage="consequence", covered={"agent_id", "identity", "debt_stated"}, texts=["a", "b"])
    st.alerts.append(Alert(rule="threat", severity="critical", utterance=1, evidence="", source="partial", t=1.5))
    top, _ = _split(s.after_utterance(st, "b", [], 2.0))
    assert top.line_id.startswith("correction.threat.")
    st.texts.append("c")
    top, _ = _split(s.after_utterance(st, "c", [], 3.0))
    assert not top.line_id.startswith("correction.")
    # A call-level alert raised between utterances (no 工号 after ~30 s) is answered at the next one.
    st.alerts.append(Alert(rule="missing_agent_id", severity="warning", utterance=None, evidence="", source="call",
                           t=30.0))
    st.texts.append("d")
    top, _ = _split(s.after_utterance(st, "d", [], 31.0))
    assert top.line_id.startswith("correction.missing_agent_id.")


def test_traditional_and_unpunctuated_echoes(library, make_state):
    s = Suggester(library=library)
    st = make_state(stage="willingness", covered={"agent_id", "identity", "debt_stated"})
    top, _ = _split(s.after_utterance(st, "您是說這筆錢不是您本人借的對嗎", [], 5.0))
    assert top.line_id.startswith("objection.not_mine.")


def test_hardship_turns_the_plan_to_partial_or_instalment(library, case, make_state):
    s = Suggester(case=case, library=library)
    st = make_state(stage="willingness", covered={"agent_id", "identity", "debt_stated", "reason_asked"})
    s.after_utterance(st, "听您说最近失业了，是吗？", [], 4.0)
    st.stage = "plan"
    top, _ = _split(s.after_utterance(st, "那我们看看怎么安排还款。", [], 5.0))
    offered = [top] + list(top.alternatives)
    assert not any(o.line_id.startswith("plan.propose_full") for o in offered)
    assert top.line_id.startswith(("plan.propose_partial", "plan.instalment")), top


@pytest.mark.parametrize("said, rule, words", [
    ("只要您这个月底前还清，我保证把您征信上的逾期记录全删了。", "unauthorized_promise", "征信"),
    ("这样，您明天先还一半，剩下的我直接给您全免了。", "unauthorized_promise", "审核"),
    ("另外你再交两百块停催费，我这边就不给你打电话了。", "improper_payment", "交"),
])
def test_correction_restates_what_was_said_wrong(library, make_state, said, rule, words):
    s = Suggester(library=library)
    top, _ = _split(s.after_utterance(make_state(stage="plan", texts=[said]), said, [_alert(rule)], 3.0))
    assert top.line_id.startswith(f"correction.{rule}.") and words in top.text


def test_opening_line_before_anyone_speaks(library, case, make_state):
    top, check = _split(Suggester(case=case, library=library).opening(make_state(), 0.0))
    assert top.line_id.startswith("greet.intro.") and "工号8026" in top.text
    assert check.missing == CHECKLIST


def test_outside_agency_introduces_itself_not_the_bank(library, make_state):
    """Issue 12: with one 机构 field an outside agency's agent was told to say 我是华信银行的…; the case now
    has the creditor (委托方) apart from the agent's own company (所属机构)."""
    from assist.case import CaseData

    case = CaseData(debtor_name="张伟", amount=3680, overdue_days=45, creditor="华信银行", institution="聚信服务",
                    agent_name="王芳", agent_id="A023")
    s = Suggester(case=case, library=library)
    top, _ = _split(s.after_utterance(make_state(texts=["喂"]), "喂", [], 1.0))
    assert "聚信服务" in top.text and "华信银行" not in top.text
    debt = [line.render(case.placeholders()) for line in library.lines if "{委托方" in line.source]
    assert debt and all("华信银行" in d and "聚信服务" not in d for d in debt)
    assert CaseData(institution="华信银行").placeholders()["委托方"] == "华信银行"   # a bank's own agent
