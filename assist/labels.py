"""Chinese display names for the engine's stable ids (stages, rules, checklist, objections, channels).

The one place these names live: the CLI's readable output, the 催收记录表 export, the script library and the app
all read them from here. Stage names are the taxonomy's own (spec/taxonomy.md). Unknown ids fall back to the id
itself so a new rule never shows up blank.
"""

from __future__ import annotations

from .analysis import state as _state

STAGE_NAMES = {
    "greet": "建立联系",
    "confirm_debt": "确认欠款事实",
    "willingness": "了解还款意愿",
    "plan": "制定还款计划",
    "consequence": "强调后果",
    "support": "提供帮助和支持",
    "close": "结束沟通",
}

RULE_NAMES = {
    "impersonation": "冒充公检法/政府/律师",
    "threat": "威胁恐吓",
    "insult": "侮辱谩骂",
    "third_party": "向第三方透露债务",
    "deception": "虚假或夸大后果",
    "unauthorized_promise": "越权承诺减免",
    "improper_payment": "违规收款/额外收费",
    "privacy": "炫耀非法获取的个人信息",
    "call_time": "非允许时段催收",
    "missing_agent_id": "未告知机构和工号",
    "ptp_incomplete": "还款承诺三要素不全",
    "debt_before_identity": "未核实身份先谈欠款",
}

# Basis shown when an alert arrives without one (the engine's Alert.basis wins when present).
RULE_BASIS = {
    "impersonation": "《银行保险机构消费者权益保护管理办法》；中国银行业协会催收工作指引（2026）；刑法第279条",
    "threat": "《商业银行信用卡业务监督管理办法》第68条；催收工作指引（2026）；治安管理处罚法",
    "insult": "《商业银行信用卡业务监督管理办法》第68条；催收工作指引（2026）；治安管理处罚法",
    "third_party": "第68条；GB/T 45251-2025；个人信息保护法第10/23条；民法典第1032/1033条",
    "deception": "催收工作指引（2026）：不得虚构黑名单、夸大法律后果",
    "unauthorized_promise": "催收工作指引（2026）：不得作虚假承诺",
    "improper_payment": "催收工作指引（2026）：不得收取额外费用、诱导借新还旧",
    "privacy": "个人信息保护法第10条；催收工作指引（2026）",
    "call_time": "催收工作指引（2026）；GB/T 45251-2025：22:00–08:00 不得催收",
    "missing_agent_id": "直催人员可以使用化名，但必须如实告知客户工号",
    "ptp_incomplete": "催收三要素：何时还、何地还、还多少",
}

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


def rule_name(rule_id: str) -> str:
    return RULE_NAMES.get(rule_id, rule_id)


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
