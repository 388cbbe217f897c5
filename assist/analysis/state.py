"""CallState: what the analyser knows about the call so far; the suggester reads it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

STAGES = ("greet", "confirm_debt", "willingness", "plan", "consequence", "support", "close")

UTTERANCE_RULES = (
    "impersonation", "threat", "insult", "third_party", "deception",
    "unauthorized_promise", "improper_payment", "privacy",
)
CALL_RULES = ("call_time", "missing_agent_id", "ptp_incomplete")

CHANNELS = ("bank_transfer", "alipay", "wechat", "app", "card_autodebit", "cash", "other")

# Required elements of a call, in the order an agent normally covers them (the checklist the UI shows).
CHECKLIST = (
    "agent_id",          # institution + name or 工号 stated
    "identity",          # right-party check (本人/身份证后四位)
    "recording_notice",  # 本次通话录音 (recommended)
    "debt_stated",       # product / amount / days overdue stated
    "reason_asked",      # why overdue, ability to pay
    "ptp_amount",        # 还多少
    "ptp_date",          # 何时还
    "ptp_channel",       # 何地还
    "readback",          # the promise read back to the debtor
    "closing",           # thanks / goodbye
)


@dataclass
class CallState:
    started_at: datetime
    stage: str = "greet"
    stage_history: list[tuple[int, str]] = field(default_factory=list)  # (utterance index, stage)
    texts: list[str] = field(default_factory=list)      # corrected final text per utterance index
    raw_texts: list[str] = field(default_factory=list)  # recogniser text per utterance index
    ptp: dict = field(default_factory=lambda: {"amount": None, "date": None, "channel": None})
    covered: set[str] = field(default_factory=set)      # CHECKLIST ids done so far
    alerts: list = field(default_factory=list)          # assist.events.Alert, in order
    objections: list[str] = field(default_factory=list) # objection keys heard or picked, in order
    last_t: float = 0.0

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(item for item in CHECKLIST if item not in self.covered)

# What debtors object with, as keys; the agent's echo (您说您失业了) or a one-click pick records them in
# CallState.objections. Labels are what the UI's quick-pick buttons show.
OBJECTIONS = {
    "no_money": "没钱",
    "forgot": "忘了",
    "not_mine": "不是我借的",
    "already_paid": "已经还了",
    "unemployed": "失业了",
    "sick": "生病住院",
    "complaint": "要投诉",
    "want_waiver": "要求减免",
    "family_pay": "让我家人还",
    "later": "过几天再说",
    "scam": "你们是骗子",
}
