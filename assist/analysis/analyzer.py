"""CallAnalyzer: one call's analysis — rule alerts (early on partials), stage, checklist, objections, promise to pay,
call rules — plus ``check_text`` for single sentences (``callassist check``).

Runs on the session's pipeline thread; holds no locks and loads every resource once per resources folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from assist.case import CaseData
from assist.config import EngineConfig
from assist.detect import model as detect
from assist.events import Alert, AlertRetracted, Event, PromiseToPay, StageChanged, UtteranceFinal
from assist.resources import Resources as ResourceLoader
from assist.resources import open_resources

from . import ptp as ptpmod
from . import stages as stagemod
from .patterns import find_all
from .rules import RuleHit, RulePack, Utterance, rule_hits
from .state import CallState

# A partial-text hit is shown early only when it is stable: seen in the previous partial too, or its evidence
# ends at least this many characters before the end of the partial (a lawful continuation is unlikely then).
PARTIAL_TAIL = 4
_NO_AGENT_ID = "开场未告知机构和姓名或工号"


@dataclass(frozen=True)
class Resources:
    """What the analyser uses of a resources folder, taken from its loader (``assist.resources.Resources``)."""

    pack: RulePack
    cues: stagemod.Cues
    ptp: ptpmod.PtpCues
    detector: detect.Detector
    root: str
    loader: ResourceLoader


def load_resources(resources_dir: str | Path | ResourceLoader | None = None) -> Resources:
    """Load and validate rules, stage/checklist/objection cues, PTP cues and the detector model (ResourceError on a
    broken file), once per resources folder (the folder's loader keeps them; None = the folder in use now)."""
    res = open_resources(resources_dir)
    return Resources(res.rules(), res.stage_cues(), res.ptp_cues(), res.detector(), str(res.root), res)


def _prepare(text: str, case: CaseData | None, res: Resources, raw: str = "") -> tuple[str, list[Utterance]]:
    """The corrected text, and the views analysed: corrected first, then the words as recognised when they
    differ (a correction must never hide what was actually said, e.g. a numeral taken for a homophone)."""
    extra = tuple(x for x in ((case.institution, case.agent_name, case.debtor_name) if case else ()) if x)
    fixed = res.loader.corrector().correct(text or "", extra_terms=extra)
    views = [Utterance(fixed, res.loader)]
    for other in (text or "", raw or ""):
        if other and other not in [v.tv.text for v in views] and other != fixed:
            views.append(Utterance(other, res.loader))
    return fixed, views


def _hits(views: list[Utterance], res: Resources, *, partial: bool = False) -> list[RuleHit]:
    """The utterance rules broken, one hit per rule. The detector decides, with the rule packs' matches among its
    inputs (stacked: see assist/detect/features.py for the measurement); the evidence is the pattern's match when
    a pattern of that rule fired (precise words a QA lead wrote), else the detector's strongest n-grams."""
    seen: dict[str, RuleHit] = {}
    for utt in views:
        matched = {h.rule: h for h in rule_hits(utt, res.pack)}
        for m in res.detector.hits(utt.tv, utt.words, frozenset(matched), partial=partial):
            if m.rule in seen or m.rule not in res.pack.rules:
                continue
            if m.rule in matched:
                seen[m.rule] = matched[m.rule]
            else:
                seen[m.rule] = res.pack.rules[m.rule].hit(utt.tv.evidence(m.start, m.end), m.start, m.end,
                                                          by="model")
    return list(seen.values())


def _scores(views: list[Utterance], rule_ids: set[str], cues: stagemod.Cues) -> dict[str, float]:
    out: dict[str, float] = {}
    for utt in views:
        for stage, v in stagemod.stage_scores(utt.tv, rule_ids, cues).items():
            out[stage] = max(out.get(stage, 0.0), v)
    return out


def check_text(text: str, *, resources_dir: str | Path | None = None) -> tuple[list[RuleHit], str]:
    """One sentence → the utterance rules it breaks and a stage guess (no call history)."""
    res = load_resources(resources_dir)
    _, views = _prepare(text, None, res)
    hits = _hits(views, res)
    scores = _scores(views, {h.rule for h in hits}, res.cues)
    return hits, stagemod.choose_stage(scores, None, False)


class CallAnalyzer:
    def __init__(self, *, started_at: datetime, case: CaseData | None = None, config: EngineConfig | None = None):
        self.config = config or EngineConfig()
        self.case = case
        self.res = load_resources(self.config.resources_dir)
        self.res.loader.tokenizer()  # load jieba now, not on the first alert of the call
        self.state = CallState(started_at=started_at)
        self._today = started_at.date()
        self._call_time_checked = False
        self._fired_call: set[str] = set()                 # call rules already alerted
        self._emitted: dict[tuple[int, str], str] = {}     # (utterance, rule) → "partial" | "final"
        self._last_partial: dict[int, set[str]] = {}       # rules seen in the latest partial of an utterance
        self._ptp_confirmed = {"amount": False, "date": False, "channel": False}
        self._promise_made = False
        self._left_greet = False

    # ------------------------------------------------------------ helpers

    def _alert(self, hit_rule: str, evidence: str, utterance: int | None, source: str, t: float) -> Alert:
        rule = self.res.pack.rules[hit_rule]
        alert = Alert(rule=rule.id, severity=rule.severity, utterance=utterance, evidence=evidence, source=source,
                      t=t, message=rule.message, advice=rule.advice, basis=rule.basis)
        self.state.alerts.append(alert)
        return alert

    def _call_alert(self, rid: str, evidence: str, t: float) -> list[Event]:
        if rid in self._fired_call:
            return []
        self._fired_call.add(rid)
        return [self._alert(rid, evidence, None, "call", t)]

    def _check_call_time(self, t: float) -> list[Event]:
        if self._call_time_checked:
            return []
        self._call_time_checked = True
        local = self.state.started_at.timetz()
        if self.config.call_hours.allows(local.replace(tzinfo=None)):
            return []
        return self._call_alert("call_time", self.state.started_at.strftime("%H:%M"), t)

    # ------------------------------------------------------------ interface

    def start(self, t: float = 0.0) -> list[Event]:
        """Call-start rules (call_time). Also done implicitly by the first on_* call."""
        return self._check_call_time(t)

    def on_partial(self, index: int, text: str, t: float) -> list[Event]:
        events = self._check_call_time(t)
        self.state.last_t = max(self.state.last_t, t)
        _, views = _prepare(text, self.case, self.res)
        hits = [h for h in _hits(views, self.res, partial=True) if self.res.pack.rules[h.rule].early]
        seen_before = self._last_partial.get(index, set())
        self._last_partial[index] = {h.rule for h in hits}
        n = len(views[0].tv.clean)
        for h in hits:
            if (index, h.rule) in self._emitted:
                continue
            # a pattern's words away from the unstable tail alert at once; the model's verdict, a weighing of the
            # whole partial, must hold over two partials in a row (a garbled first partial, 国民事顽… for 郭明是吧,
            # read as impersonation in dev call d13)
            settled = h.rule in seen_before or (h.by != "model" and h.end <= n - PARTIAL_TAIL)
            if settled:
                self._emitted[(index, h.rule)] = "partial"
                events.append(self._alert(h.rule, h.evidence, index, "partial", t))
        return events

    def on_final(self, index: int, text: str, start: float, end: float, t: float, raw_text: str = "") -> list[Event]:
        pre = self._check_call_time(t)
        st = self.state
        st.last_t = max(st.last_t, t)
        fixed, views = _prepare(text, self.case, self.res, raw_text)
        while len(st.texts) <= index:
            st.texts.append("")
            st.raw_texts.append("")
        st.texts[index] = fixed
        st.raw_texts[index] = raw_text or text
        hits = _hits(views, self.res)
        rule_ids = {h.rule for h in hits}

        # stage
        scores = _scores(views, rule_ids, self.res.cues)
        stage = stagemod.choose_stage(scores, st.stage, self._left_greet)
        events: list[Event] = [UtteranceFinal(utterance=index, start=start, end=end, text=fixed, stage=stage, t=t,
                                              raw_text=raw_text or text)]
        st.stage_history.append((index, stage))
        if stage != st.stage:
            st.stage = stage
            events.append(StageChanged(stage=stage, t=t))
        if stage != "greet":
            self._left_greet = True
        events += pre

        # utterance rules: confirm partial alerts, add new ones, retract the unconfirmed
        for h in hits:
            if (index, h.rule) in self._emitted:
                continue
            self._emitted[(index, h.rule)] = "final"
            events.append(self._alert(h.rule, h.evidence, index, "final", t))

        # checklist, objections, call rules, promise
        before = set(st.covered)
        for utt in views:
            self._update_checklist(utt, stage)
            self._update_objections(utt)
        if "debt_stated" in st.covered and "debt_stated" not in before and "identity" not in st.covered:
            events += self._call_alert("debt_before_identity", self._debt_evidence(views[0]), t)
        if self._left_greet and "agent_id" not in st.covered:
            events += self._call_alert("missing_agent_id", _NO_AGENT_ID, t)
        retracted = []
        for (i, rule), source in list(self._emitted.items()):
            if i == index and source == "partial" and rule not in rule_ids:
                del self._emitted[(i, rule)]
                st.alerts[:] = [a for a in st.alerts if not (a.utterance == index and a.rule == rule)]
                retracted.append(AlertRetracted(rule=rule, utterance=index, t=t))
        events += retracted
        self._last_partial.pop(index, None)
        # numbers and dates from the recogniser's own words (before any homophone correction)
        events += self._update_ptp(views[0].tv, raw_text or text, stage, rule_ids, t)
        return events

    def on_time(self, t: float) -> list[Event]:
        events = self._check_call_time(t)
        self.state.last_t = max(self.state.last_t, t)
        if t >= self.config.missing_agent_id_after_s and "agent_id" not in self.state.covered:
            events += self._call_alert("missing_agent_id", _NO_AGENT_ID, t)
        return events

    def finish(self, t: float) -> list[Event]:
        events = self._check_call_time(t)
        st = self.state
        if st.texts and "agent_id" not in st.covered:
            events += self._call_alert("missing_agent_id", _NO_AGENT_ID, t)
        if self._promise_made:
            missing = [k for k in ("amount", "date", "channel") if st.ptp.get(k) is None]
            if missing:
                names = {"amount": "还多少", "date": "何时还", "channel": "何地还"}
                events += self._call_alert("ptp_incomplete", "缺少：" + "、".join(names[k] for k in missing), t)
        return events

    # ------------------------------------------------------------ pieces

    def _matches(self, item: str, utt: Utterance) -> bool:
        return any(find_all(p, utt.tv) for p in self.res.cues.checklist.get(item, ()))

    def _debt_evidence(self, utt: Utterance) -> str:
        for p in self.res.cues.checklist["debt_stated"]:
            for m in find_all(p, utt.tv):
                return utt.tv.evidence(m.start, m.end)
        return ""

    def _update_checklist(self, utt: Utterance, stage: str) -> None:
        cov = self.state.covered
        if self._matches("agent_id", utt) or stagemod.states_agent(utt.tv.text):
            cov.add("agent_id")
        if self._matches("identity", utt) or (stage == "greet" and stagemod.attempts_identity(utt.tv.text)):
            cov.add("identity")
        for item in ("recording_notice", "debt_stated"):
            if self._matches(item, utt):
                cov.add(item)
        if stage in ("willingness", "support") and self._matches("reason_asked", utt):
            cov.add("reason_asked")
        if stage == "close" and self._matches("closing", utt):
            cov.add("closing")

    def _update_objections(self, utt: Utterance) -> None:
        for key, patterns in self.res.cues.objections.items():
            if key not in self.state.objections and any(find_all(p, utt.tv) for p in patterns):
                self.state.objections.append(key)

    def _update_ptp(self, tv, said: str, stage: str, rule_ids: set[str], t: float) -> list[Event]:
        cues = self.res.ptp
        readback = ptpmod.is_readback(tv, cues)
        if stage != "plan" and not (readback and stage in ("plan", "consequence", "close")):
            return []
        if "improper_payment" in rule_ids or ptpmod.is_excluded(tv, cues):
            return []
        # the recogniser's own words first (a correction must not change a number that was heard), the corrected
        # text only when those hold none (先还舞百元: the correction is what restored 五百元)
        amount = ptpmod.find_amount(said)
        if amount is None and tv.text != said:
            amount = ptpmod.find_amount(tv.text)
        found = {
            "amount": amount,
            "date": (lambda d: d.isoformat() if d else None)(ptpmod.find_date(said, self._today)),
            "channel": ptpmod.find_channel(tv, cues),
        }
        st = self.state
        changed = False
        for slot, value in found.items():
            if value is None:
                continue
            if readback or not self._ptp_confirmed[slot] or st.ptp.get(slot) is None:
                if st.ptp.get(slot) != value:
                    st.ptp[slot] = value
                    changed = True
                self._ptp_confirmed[slot] = self._ptp_confirmed[slot] or readback
        cov = st.covered
        for slot in ("amount", "date", "channel"):
            if st.ptp.get(slot) is not None:
                cov.add(f"ptp_{slot}")
        if readback and any(v is not None for v in found.values()):
            cov.add("readback")
        made_now = st.ptp.get("amount") is not None or (readback and st.ptp.get("date") is not None)
        if made_now and (changed or not self._promise_made):
            self._promise_made = True
            return [PromiseToPay(amount=st.ptp["amount"], date=st.ptp["date"], channel=st.ptp["channel"], t=t)]
        return []
