"""The call-flow model: which stage should come next, from where the call is and what it still lacks.

Two sources of preference, both from the seed's own teaching rather than from any particular call:

- checklist gaps in the order a call covers them (报工号 → 核身 → 说明欠款 → 问原因 → 还多少/何时还/何地还 →
  复述 → 道别): the first missing required item pulls its stage;
- the seed's stage order (建立联系 → 确认欠款事实 → 了解还款意愿 → 制定还款计划 → 强调后果 → 提供帮助和支持 →
  结束沟通) and a few situations that bend it: a lawful reminder of consequences once the plan is agreed and
  before reading it back, staying with hardship or a dispute while it is being handled, and a third party on
  the line (only ask for a call back; never disclose the debt).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..analysis.state import STAGES

# Required items in the order a call covers them, and the stage that covers each.
REQUIRED = ("agent_id", "identity", "debt_stated", "reason_asked", "ptp_amount", "ptp_date", "ptp_channel",
            "readback", "closing")
ITEM_STAGE = {
    "agent_id": "greet", "identity": "greet", "recording_notice": "greet", "debt_stated": "confirm_debt",
    "reason_asked": "willingness", "ptp_amount": "plan", "ptp_date": "plan", "ptp_channel": "plan",
    "readback": "plan", "closing": "close",
}
PTP_ITEMS = ("ptp_amount", "ptp_date", "ptp_channel")
HARDSHIP = frozenset({"no_money", "unemployed", "sick"})
DISPUTE = frozenset({"not_mine", "already_paid"})
# Stages that talk about the debt: never offered while a third party is on the line.
# Where a call usually goes from each stage (small weights: they only order what the rules leave tied).
PRIOR = {
    "greet": {"confirm_debt": 0.1, "greet": 0.05},
    "confirm_debt": {"willingness": 0.1, "confirm_debt": 0.05},
    "willingness": {"plan": 0.1, "support": 0.08, "willingness": 0.05},
    "plan": {"consequence": 0.08, "plan": 0.05, "close": 0.03},
    "consequence": {"plan": 0.08, "close": 0.06, "support": 0.05},
    "support": {"plan": 0.08, "willingness": 0.07, "close": 0.06, "support": 0.05},
    "close": {"close": 0.1},
}
# Handling a hardship or a dispute takes a few lines (empathy, options, how to apply) before moving on.
SUPPORT_DWELL = 3
DEBT_STAGES = frozenset({"confirm_debt", "willingness", "plan", "consequence", "support"})


@dataclass
class FlowContext:
    stage: str                                  # the stage of the agent's last utterance
    covered: set[str]
    visited: set[str]                           # stages the call has been in
    objections: set[str] = field(default_factory=set)
    wrong_party: bool = False
    asked_for_debtor: bool = False              # (third party on the line) already asked for the debtor
    stage_run: int = 1                          # consecutive agent utterances in the current stage
    handling: int | None = None                 # support lines said since the debtor's hardship/dispute came up
                                                # (None: none came up, or the agent acknowledged it in passing)

    @property
    def ptp_slots(self) -> int:
        return sum(1 for item in PTP_ITEMS if item in self.covered)

    @property
    def hardship(self) -> bool:
        return bool(self.objections & HARDSHIP)

    @property
    def dispute(self) -> bool:
        return bool(self.objections & DISPUTE)

    @property
    def right_party(self) -> bool:
        if self.wrong_party:
            return False
        # An agent who went on to the debt evidently had the right person, even if 核身 was missed by ASR.
        return bool(self.covered & {"identity", "debt_stated", "reason_asked", *PTP_ITEMS})

    def flags(self) -> set[str]:
        flags = set()
        if self.wrong_party:
            flags.add("wrong_party")
        if self.right_party:
            flags.add("right_party")
        slots = self.ptp_slots
        flags.add("no_ptp" if slots == 0 else "ptp_complete" if slots == len(PTP_ITEMS) else "ptp_partial")
        if self.hardship:
            flags.add("hardship")
        if self.dispute:
            flags.add("dispute")
        return flags

    def due(self) -> str | None:
        """The first required item still missing (a dispute or a third party skips the payment items)."""
        left_opening = bool(self.visited - {"greet"})
        for item in REQUIRED:
            if self.wrong_party and item != "closing":
                continue
            if left_opening and ITEM_STAGE[item] == "greet":
                continue                        # don't drag the call back to the opening (a call rule reports it)
            if item == "reason_asked" and self.objections & (HARDSHIP | DISPUTE | {"forgot"}):
                continue                        # the debtor already said why
            if self.dispute and item in PTP_ITEMS + ("readback",):
                continue
            if item == "readback" and self.ptp_slots == 0:
                continue
            if item not in self.covered:
                return item
        return None


def rank_stages(ctx: FlowContext, has_lines) -> list[tuple[str, float]]:
    """Stages ranked best first. ``has_lines(stage)`` says whether the stage has a fitting unsaid line."""
    score = {s: 0.0 for s in STAGES}
    order = {s: i for i, s in enumerate(STAGES)}
    cur = ctx.stage if ctx.stage in order else "greet"

    # A faint transition prior (the seed's order, and the usual detours) that orders the runners-up.
    for s, w in PRIOR.get(cur, {}).items():
        score[s] += w

    due = ctx.due()
    if due:
        score[ITEM_STAGE[due]] += 1.0

    if cur == "close":
        score["close"] += 1.5                       # once closing, finish closing
    if ctx.wrong_party:
        score["greet"] += 2.0 if not ctx.asked_for_debtor else 0.0   # first ask for the debtor
        score["close"] += 0.8
    else:
        if cur == "greet" and "identity" in ctx.covered and "recording_notice" not in ctx.covered:
            score["greet"] += 0.5                   # the recording notice belongs to the opening
        if cur == "willingness" and "reason_asked" in ctx.covered and ctx.ptp_slots == 0 and not ctx.dispute:
            score["willingness"] += 0.5             # after why, ask how much they can manage
        if ctx.ptp_slots == len(PTP_ITEMS) and "consequence" not in ctx.visited and not ctx.dispute:
            score["consequence"] += 1.2             # agreed: a lawful reminder, then read it back
        if ctx.hardship and "support" not in ctx.visited:
            score["support"] += 0.7
        if cur == "support" and ctx.handling is not None and ctx.handling < SUPPORT_DWELL:
            score["support"] += 1.2                 # stay with the hardship / dispute while handling it
        if ctx.dispute and "consequence" not in ctx.visited and cur == "support":
            score["consequence"] += 1.2             # no plan in a dispute: the lawful note comes before goodbye
        if "readback" in ctx.covered:
            score["close"] += 0.5
        elif ctx.ptp_slots == len(PTP_ITEMS) and cur != "plan":
            score["close"] += 0.3                   # the goal is reached; an agent may wrap up
        if cur == "consequence" and ctx.ptp_slots == 0 and not ctx.dispute:
            score["plan"] += 0.3

    ranked = []
    for s in STAGES:
        if ctx.wrong_party and s in DEBT_STAGES:
            continue
        if not ctx.right_party and not ctx.wrong_party and s in DEBT_STAGES and s != "confirm_debt":
            continue
        if not has_lines(s):
            continue
        ranked.append((s, round(score[s], 3)))
    ranked.sort(key=lambda x: (-x[1], order[x[0]]))
    return ranked
