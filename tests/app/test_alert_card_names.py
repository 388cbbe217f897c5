"""The alert card names a rule and its legal basis as the rule file in use says (issue 13, point 7): a QA lead's
edit of resources/rules/threat.yaml reaches the card without touching code."""

from __future__ import annotations

import shutil

from assist import paths
from assist.events import Alert


def _alert() -> Alert:
    # as the engine sends it when the rule file gives no basis of its own for the card to quote
    return Alert(rule="threat", severity="critical", utterance=1, evidence="去你单位", source="final", t=3.0,
                 message="威胁要去客户单位", advice="请改为说明还款安排")


def test_the_card_reads_name_and_basis_from_the_rule_file_in_use(qtbot, tmp_path, monkeypatch):
    from app.widgets.alert_card import AlertCard

    shipped = AlertCard(_alert())
    qtbot.addWidget(shipped)
    assert shipped.title.text() == "⚠ 威胁恐吓：“去你单位”"
    assert "软暴力" in shipped.basis_label.text()        # threat.yaml's basis (the old hard-coded copy lacked it)

    res = tmp_path / "resources"
    shutil.copytree(paths.resources_dir(), res)
    rule = res / "rules" / "threat.yaml"
    text = rule.read_text(encoding="utf-8")
    text = text.replace("\nname: 威胁恐吓\n", "\nname: 恐吓\n")
    text = "\n".join("basis: 质检部2026年第3号通知" if ln.startswith("basis:") else ln for ln in text.splitlines())
    rule.write_text(text + "\n", encoding="utf-8")
    monkeypatch.setenv("CALLASSIST_RESOURCES", str(res))
    edited = AlertCard(_alert())
    qtbot.addWidget(edited)
    assert edited.title.text() == "⚠ 恐吓：“去你单位”"
    assert edited.basis_label.text() == "依据：质检部2026年第3号通知"
