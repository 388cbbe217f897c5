"""Debtor-side cues (assist/analysis/debtor.py) on text: objections incl. indirect wording, wrong party,
hardship, the debtor's own promise, the cue file's errors, and the floor on the 14 two-party dialogues."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from assist.analysis.debtor import DebtorTracker, load_cues
from assist.analysis.state import OBJECTIONS
from assist.resources import ResourceError

TODAY = date(2026, 11, 11)   # a Wednesday


@pytest.mark.parametrize("text,want", [
    ("这个月工资还没发呢，你让我拿啥还嘛。", "no_money"),
    ("房租也得交……全还肯定不行。", "no_money"),
    ("我上个月刚做完手术，还在家躺着呢。", "sick"),
    ("住院那阵子公司把我辞了，现在一分钱收入都没有。", "unemployed"),
    ("哪个说得准嘛，老板说要到年底。", "later"),
    ("要不这样嘛，我喊我兄弟先帮我垫起。", "family_pay"),
    ("瑞和银行？手机号打过来的？", "scam"),
    ("啊？不是自动还款吗", "forgot"),
    ("不可能，我上礼拜就还了，还截了图呢。", "already_paid"),
    ("我要投诉你们！", "complaint"),
    ("利息罚息两千六？太多了，能不能给我免了？", "want_waiver"),
    ("我好像就没办过你们银行的卡啊。", "not_mine"),
    ("嗯，你说。", None),
    ("好，回头我弄一下。", None),
])
def test_objection_of_a_debtor_turn(text, want):
    got = DebtorTracker(TODAY).turn(text)
    assert got.objection == want
    assert want is None or want in OBJECTIONS


def test_wrong_party_holds_for_the_rest_of_the_call_and_blocks_promises():
    tr = DebtorTracker(TODAY)
    assert not tr.turn("喂？").wrong_party
    assert tr.turn("他不在，我是他爱人。你找他什么事？").wrong_party
    later = tr.turn("他欠多少，我明天替他还两千行不行？")
    assert later.wrong_party and later.ptp == {}
    assert tr.turn("嗯，再见。").wrong_party


def test_hardship_is_illness_or_job_loss_not_short_money():
    assert DebtorTracker(TODAY).turn("厂子九月份倒闭了，到现在没找着工作。").hardship
    assert not DebtorTracker(TODAY).turn("这个月工资还没发呢。").hardship


def test_the_debtor_s_own_promise_and_a_hedge():
    got = DebtorTracker(TODAY).turn("两千行不行？周五我能凑出两千，用支付宝还。")
    assert got.ptp == {"amount": 2000.0, "date": "2026-11-13", "channel": "alipay"}
    assert DebtorTracker(TODAY).turn("呃……周五也不一定，奖金还没定。").ptp == {}


def test_cue_file_errors_name_the_line(tmp_path):
    bad = tmp_path / "debtor.yaml"
    bad.write_text("# c\nno_money: [没钱]\nmoney_gone: [x]\n", encoding="utf-8")
    with pytest.raises(ResourceError, match=r"debtor\.yaml:3: unknown key 'money_gone'"):
        load_cues(bad)
    bad.write_text("no_money: 没钱\n", encoding="utf-8")
    with pytest.raises(ResourceError, match=r"debtor\.yaml:1: expected"):
        load_cues(bad)


def test_floor_on_the_two_party_dialogues(shared_dir):
    calls = json.loads((shared_dir / "data" / "dialogues" / "calls.json").read_text(encoding="utf-8"))
    calls = calls if isinstance(calls, list) else calls["calls"]
    tp = fp = fn = wp_wrong = 0
    for c in calls:
        tr = DebtorTracker(datetime.fromisoformat(c["started_at"]).date())
        for turn in (t for t in c["turns"] if t["speaker"] == "debtor"):
            got, want = tr.turn(turn["text"]), turn.get("objection")
            tp += bool(got.objection) and got.objection == want
            fp += bool(got.objection) and got.objection != want
            fn += bool(want) and got.objection != want
            wp_wrong += got.wrong_party != bool(turn.get("wrong_party"))
    assert tp / (tp + fp) >= 0.9 and tp / (tp + fn) >= 0.9, (tp, fp, fn)
    assert wp_wrong == 0
