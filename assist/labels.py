"""Chinese display names for the engine's stable ids (stages, rules, checklist, objections, channels).

The one place these names live: the CLI's readable output, the 催收记录表 export, the script library and the app
all read them from here. Rule names and legal basis are the exception: they come from the rule files (see
below). Stage names are the taxonomy's own (docs/spec/taxonomy.md). Unknown ids fall back to the id itself so a new
rule never shows up blank.
"""

from __future__ import annotations

import logging

from .analysis import state as _state

log = logging.getLogger(__name__)

STAGE_NAMES = {
    "greet": "建立联系",
    "confirm_debt": "确认欠款事实",
    "willingness": "了解还款意愿",
    "plan": "制定还款计划",
    "consequence": "强调后果",
    "support": "提供帮助和支持",
    "close": "结束沟通",
}

# Rule names and their legal basis are NOT kept here: the rule files (resources/rules/<id>.yaml, ``name:`` and
# ``basis:``) are the one source, so a QA lead's edit reaches the alert card, the CLI and the export alike.
# ``rule_name`` / ``rule_basis`` / ``rule_names`` read them through the resources loader.

CHECKLIST_NAMES = {
    "agent_id": "报机构和工号",
    "identity": "核实本人身份",
    "recording_notice": "告知通话录音",
    "debt_stated": "说明欠款事实",
    "reason_asked": "询问逾期原因",
    "ptp_amount": "还多少",
    "ptp_date": "何时还",
    "ptp_channel": "何地还（渠道）",
    "readback": "复述还款承诺",
    "closing": "致谢道别",
}

CHANNEL_NAMES = {
    "bank_transfer": "银行转账",
    "alipay": "支付宝",
    "wechat": "微信",
    "app": "官方App",
    "card_autodebit": "银行卡自动扣款",
    "cash": "柜台/现金",
    "other": "其他",
}

# what a record is (assist.store.schema.KINDS)
KIND_NAMES = {"call": "通话", "file": "录音分析", "test": "测试", "empty": "空通话"}

SEVERITY_NAMES = {"critical": "严重", "warning": "警告", "info": "提示"}

def objections() -> dict[str, str]:
    """The objection quick-picks: the engine's own list (key → label)."""
    return dict(_state.OBJECTIONS)


def stage_name(stage_id: str | None) -> str:
    return STAGE_NAMES.get(stage_id or "", stage_id or "")


def _rule_labels(resources) -> dict:
    from .resources import ResourceError, open_resources

    try:
        return open_resources(resources).rule_labels()
    except ResourceError as exc:
        # a broken rule file is reported where rules are loaded (call start, `callassist check`); a name shown
        # in a list or an export falls back to the id rather than failing the list
        log.warning("rule names unavailable: %s", exc)
        return {}


def rule_name(rule_id: str, resources=None) -> str:
    """The rule's ``name:`` in its rule file (``resources``: a folder or its loader; None = the folder in use)."""
    label = _rule_labels(resources).get(rule_id)
    return label.name if label else rule_id


def rule_basis(rule_id: str, resources=None) -> str:
    """The rule's ``basis:`` (legal basis) in its rule file; '' for an unknown rule."""
    label = _rule_labels(resources).get(rule_id)
    return label.basis if label else ""


def rule_names(resources=None) -> dict[str, str]:
    """Every rule id → name, in the taxonomy's order (utterance rules, then call rules)."""
    from .analysis.rules import ALL_RULE_IDS

    labels = _rule_labels(resources)
    order = [r for r in ALL_RULE_IDS if r in labels] + sorted(set(labels) - set(ALL_RULE_IDS))
    return {r: labels[r].name for r in order} or {r: r for r in ALL_RULE_IDS}


def channel_name(channel_id: str | None) -> str:
    return CHANNEL_NAMES.get(channel_id or "", channel_id or "")


def checklist_name(item: str) -> str:
    return CHECKLIST_NAMES.get(item, item)


def format_amount(amount: float) -> str:
    """2500.0 → '2500 元', 99.5 → '99.50 元'."""
    return f"{float(amount):.0f} 元" if float(amount).is_integer() else f"{float(amount):.2f} 元"


def format_ptp(ptp: dict | None) -> str:
    """'3680 元 · 2026-12-05 · 支付宝'; unknown slots shown as 未定 so the gap is visible."""
    if not ptp:
        return "无"
    amount = ptp.get("amount")
    amount_s = "金额未定" if amount is None else format_amount(amount)
    date_s = ptp.get("date") or "日期未定"
    channel_s = channel_name(ptp.get("channel")) or "渠道未定"
    return f"{amount_s} · {date_s} · {channel_s}"


def format_clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"
