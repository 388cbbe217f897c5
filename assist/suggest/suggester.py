"""Suggester: after each agent utterance, the next line to say, two runners-up, and the checklist.

Order of precedence: a corrective line right after a violation, then the answer to an objection the agent just
echoed (or picked), then the call-flow model (flow.py). Lines the agent already said (fuzzy match against the
call's texts) are not suggested again. Everything here is plain Python over a few hundred short strings, well
inside the 50 ms budget per utterance.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from ..analysis.state import CHECKLIST, OBJECTIONS, CallState
from ..case import CaseData
from ..events import Alert, Checklist, Event, Suggestion
from ..resources import ResourceError, open_resources
from ..text.normalize import strip_punct, to_simplified
from . import echo
from .flow import DISPUTE, HARDSHIP, FlowContext, rank_stages
from .library import ScriptLibrary, ScriptLine
from .render import call_values

log = logging.getLogger(__name__)

SAID_SIMILARITY = 0.5      # bigram Dice at which an utterance counts as having said a library line
RELOAD_CHECK_S = 2.0       # how often to look at the library files' mtimes
# Situations specific enough that their lines go before generic ones of the same stage.
_SITUATIONS = frozenset({"wrong_party", "hardship", "dispute"})
_SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}


@lru_cache(maxsize=4096)
def _bigrams(text: str) -> frozenset[str]:
    s = strip_punct(to_simplified(text)).lower()
    return frozenset(s[i:i + 2] for i in range(len(s) - 1)) if len(s) > 1 else frozenset({s})


_FUNCTION_CHARS = frozenset("的了您你我他她是在就这那个一不吗呢吧啊也都还会要把给说们有和")


def _content_chars(text: str) -> frozenset[str]:
    return frozenset(strip_punct(to_simplified(text))) - _FUNCTION_CHARS


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


class Suggester:
    def __init__(self, *, case: CaseData | None = None, library: ScriptLibrary | None = None, resources=None):
        """``library``: a library of one's own (evaluation, tests); otherwise the shared one of ``resources`` (a
        folder or its ``Resources``; None = the folder in use now)."""
        self.case = case or CaseData()
        self.library = library or open_resources(resources).script_library()
        self.library_error: str | None = None   # last failed reload (the previous lines stay in use)
        self._case_values = self.case.placeholders()
        self._seen_texts = 0                    # state.texts already scanned for said lines
        self._said_grams: list[frozenset[str]] = []
        # rendered line → how many of _said_grams it was already compared with (none matched), or -1 once one
        # did: each line meets each utterance once, so a long call does not slow down line by line (every
        # line was compared with the whole history on every utterance: 44 → 6.5 lines/s after 2,500 lines)
        self._said_checked: dict[str, int] = {}
        self._said_lines: set[str] = set()
        self._said_sections: set[tuple[str, str]] = set()   # (kind/stage file, section)
        self._said_covers: set[str] = set()
        self._objections: list[str] = []        # heard or picked, in order
        self._seen_objections = 0               # state.objections already looked at
        self._handled: set[str] = set()         # objections whose answer was suggested or said
        self._wrong_party = False
        self._handling_from: int | None = None  # index into _stages where a hardship/dispute was confirmed
        self._corrected: set[tuple[int | None, str]] = set()   # (utterance, rule) already answered
        self._stages: list[str] = []            # the stage after each utterance seen
        self._pinned: str | None = None
        self._last_reload_check = time.monotonic()

    # -- public API --------------------------------------------------------------------------------------
    def after_utterance(self, state: CallState, text: str, new_alerts: Sequence[Alert], t: float) -> list[Event]:
        self._maybe_reload()
        values = call_values(self._case_values, state.ptp)
        self._scan_said(state, text, values)
        self._stages.append(state.stage)
        pending = self._update_objections(state, text)
        self._update_party(state, text)

        picks: list[tuple[ScriptLine, str]] = []   # (line, reason)
        rule = self._alert_rule(self._uncorrected(state, new_alerts))
        if rule:
            line = self._closest_unsaid(self.library.correction_lines(rule), text, values)
            if line:
                picks.append((line, line.reason))
        if self._handling_from is None and any(k in HARDSHIP | DISPUTE for k in pending):
            self._handling_from = len(self._stages)   # the debtor opened up: stay with it for a few lines
        for key in pending:
            line = self._first_unsaid(self.library.objection_lines(key), values)
            if line:
                picks.append((line, line.reason))
                self._handled.add(key)
        picks += self._flow_picks(state, values, exclude={ln.id for ln, _ in picks})
        return self._events(picks[:3], state, values, t)

    def opening(self, state: CallState, t: float = 0.0) -> list[Event]:
        """What to say first, before any utterance (the session may publish it at call start)."""
        values = call_values(self._case_values, state.ptp)
        return self._events(self._flow_picks(state, values, exclude=set())[:3], state, values, t)

    def objection(self, key: str, state: CallState, t: float) -> list[Event]:
        """The agent picked an objection: two of its answers first, then the flow's next line."""
        if key not in OBJECTIONS:
            raise KeyError(f"unknown objection '{key}'; expected one of {', '.join(OBJECTIONS)}")
        if key not in self._objections:
            self._objections.append(key)
        self._handled.add(key)
        if self._handling_from is None and key in HARDSHIP | DISPUTE:
            self._handling_from = len(self._stages)
        values = call_values(self._case_values, state.ptp)
        lines = [ln for ln in self.library.objection_lines(key) if ln.id not in self._said_lines]
        lines = lines or self.library.objection_lines(key)
        picks = [(ln, ln.reason) for ln in lines[:2]]
        picks += self._flow_picks(state, values, exclude={ln.id for ln, _ in picks})
        return self._events(picks[:3], state, values, t)

    def search(self, query: str, *, case: CaseData | None = None) -> list[ScriptLine]:
        """Library lines matching ``query`` (words or pinyin initials), rendered in ``.text`` for this call, or
        for ``case`` (the live window searching between calls, for the case in its form)."""
        values = call_values(case.placeholders() if case is not None else self._case_values, None)
        return [replace(ln, text=ln.render(values)) for ln in self.library.search(query)]

    def render(self, line_id: str, state: CallState | None = None) -> str:
        line = self.library.by_id[line_id]
        return line.render(call_values(self._case_values, state.ptp if state else None))

    def pin(self, line_id: str | None) -> None:
        """Keep a line on top in the UI until the agent says it (or unpins with ``None``)."""
        if line_id is not None and line_id not in self.library.by_id:
            raise KeyError(f"unknown script line '{line_id}'")
        self._pinned = line_id

    @property
    def pinned(self) -> ScriptLine | None:
        if self._pinned is None or self._pinned not in self.library.by_id:
            return None
        line = self.library.by_id[self._pinned]
        return replace(line, text=line.render(self._case_values))

    @property
    def objections_heard(self) -> tuple[str, ...]:
        return tuple(self._objections)

    # -- internals ---------------------------------------------------------------------------------------
    def _maybe_reload(self) -> None:
        now = time.monotonic()
        if now - self._last_reload_check < RELOAD_CHECK_S:
            return
        self._last_reload_check = now
        try:
            if self.library.maybe_reload():
                self.library_error = None
                log.info("script library reloaded (%d lines)", len(self.library.lines))
        except ResourceError as exc:
            # Keep suggesting from the lines already loaded; the app shows the error to the team lead.
            if str(exc) != self.library_error:
                log.warning("script library not reloaded: %s", exc)
            self.library_error = str(exc)

    def _scan_said(self, state: CallState, text: str, values: dict[str, str]) -> None:
        texts = state.texts or []
        new = list(texts[self._seen_texts:])   # only the new ones: copying the whole list grew with the call
        self._seen_texts = len(texts)
        if text and (not new or new[-1] != text):
            new.append(text)                # a caller that does not keep texts still gets no repeats
        for utt in new:
            grams = _bigrams(utt)
            self._said_grams.append(grams)
            for ln in self.library.lines:
                if similarity(grams, _bigrams(ln.render(values))) >= SAID_SIMILARITY:
                    self._said_lines.add(ln.id)
                    self._said_sections.add((ln.kind + ":" + ln.stage, ln.section))
                    self._said_covers.update(ln.covers)
                    if ln.kind == "objection":
                        self._handled.add(ln.section)
                    if ln.id == self._pinned:
                        self._pinned = None

    def _update_objections(self, state: CallState, text: str) -> list[str]:
        # The analyser's keys come from keywords; only an echo (您说… / …是吗) tells the debtor said it, not the
        # agent asking (是忘记还款了吗) or informing (可以向监管部门投诉).
        listed = [k for k in getattr(state, "objections", []) or [] if k in OBJECTIONS]
        fresh = [k for k in listed[self._seen_objections:]]
        self._seen_objections = len(listed)
        heard = (fresh if echo.is_echo(text) else []) + echo.heard_objections(text)
        new = []
        for key in heard:
            if key not in self._objections:
                self._objections.append(key)
                new.append(key)
        if echo.is_handling(text):
            # The agent is already answering it in the same breath: move on rather than repeat.
            self._handled.update(new)
            return []
        return [k for k in new if k not in self._handled]

    def _update_party(self, state: CallState, text: str) -> None:
        if echo.wrong_party(text):
            self._wrong_party = True
        elif self._wrong_party and state.stage in ("confirm_debt", "willingness", "plan"):
            self._wrong_party = False        # the agent evidently has the debtor on the line now

    def _uncorrected(self, state: CallState, new_alerts: Sequence[Alert]) -> list[Alert]:
        """This utterance's alerts (also those already raised from its partial text, which the final does not
        repeat) and call-level ones raised since, each answered once."""
        last = len(state.texts) - 1
        pool = list(new_alerts) + [a for a in getattr(state, "alerts", []) or []
                                   if isinstance(a, Alert) and (a.utterance is None or a.utterance >= last)]
        out = []
        for a in pool:
            key = (a.utterance, a.rule)
            if key not in self._corrected:
                self._corrected.add(key)
                out.append(a)
        return out

    @staticmethod
    def _alert_rule(alerts: Sequence[Alert]) -> str | None:
        alerts = [a for a in alerts if a.rule not in ("call_time",)] or list(alerts)
        if not alerts:
            return None
        best = min(alerts, key=lambda a: _SEVERITY_ORDER.get(a.severity, 3))
        return best.rule

    def _first_unsaid(self, lines: list[ScriptLine], values: dict[str, str]) -> ScriptLine | None:
        for ln in lines:
            if ln.id not in self._said_lines and not self._is_said(ln, values):
                return ln
        return None

    def _closest_unsaid(self, lines: list[ScriptLine], text: str, values: dict[str, str]) -> ScriptLine | None:
        """The correction that restates what was just said wrong (most words in common), else the first."""
        grams = _bigrams(text or "")
        chars = _content_chars(text or "")
        best, best_sim = None, -1.0
        for ln in lines:
            if ln.id in self._said_lines or self._is_said(ln, values):
                continue
            rendered = ln.render(values)
            sim = 2 * len(grams & _bigrams(rendered)) + len(chars & _content_chars(rendered))
            if sim > best_sim:
                best, best_sim = ln, sim
        return best

    def _is_said(self, line: ScriptLine, values: dict[str, str]) -> bool:
        rendered = line.render(values)
        start = self._said_checked.get(rendered, 0)
        if start < 0:
            return True
        grams = _bigrams(rendered)
        said = self._said_grams
        for i in range(start, len(said)):
            if similarity(grams, said[i]) >= SAID_SIMILARITY:
                self._said_checked[rendered] = -1
                return True
        self._said_checked[rendered] = len(said)
        return False

    def _context(self, state: CallState) -> FlowContext:
        visited = {s for _, s in state.stage_history} | {state.stage}
        covered = set(state.covered) | self._said_covers
        ptp = state.ptp or {}
        for slot in ("amount", "date", "channel"):
            if ptp.get(slot) not in (None, ""):
                covered.add("ptp_" + slot)
        run = 0
        for stage in reversed(self._stages):
            if stage != state.stage:
                break
            run += 1
        asked = any(sec == "wrong_party" for _, sec in self._said_sections)
        handling = None
        if self._handling_from is not None:
            handling = sum(1 for st in self._stages[self._handling_from:] if st == "support")
        return FlowContext(stage=state.stage, covered=covered, visited=visited, objections=set(self._objections),
                           wrong_party=self._wrong_party, asked_for_debtor=asked, stage_run=max(1, run),
                           handling=handling)

    def _candidates(self, stage: str, ctx: FlowContext, flags: set[str], exclude: set[str]) -> list[ScriptLine]:
        """Fitting unsaid lines of ``stage``, best first: sections covering a missing item, unsaid sections,
        then file order."""
        missing = [i for i in CHECKLIST if i not in ctx.covered]
        due = ctx.due()
        scored = []
        for order, ln in enumerate(self.library.stage_lines(stage)):
            if ln.id in exclude or ln.id in self._said_lines:
                continue
            if any(flag not in flags for flag in ln.when) or any(flag in flags for flag in ln.unless):
                continue
            if "wrong_party" in flags and "wrong_party" not in ln.when:
                continue                      # a third party gets only the lines written for that case
            if ln.covers and stage != "close" and not any(c in missing for c in ln.covers):
                continue                      # what it does is done already (a goodbye may take a few lines)
            said_section = (ln.kind + ":" + ln.stage, ln.section) in self._said_sections
            situational = bool(set(ln.when) & _SITUATIONS)
            rank = (0 if due in ln.covers else 1 if situational else 2 if ln.covers else 3,
                    1 if said_section else 0, order)
            scored.append((rank, ln))
        scored.sort(key=lambda x: x[0])
        return [ln for _, ln in scored]

    def _flow_picks(self, state: CallState, values: dict[str, str], exclude: set[str]) -> list[tuple[ScriptLine, str]]:
        ctx = self._context(state)
        flags = ctx.flags()
        cache: dict[str, list[ScriptLine]] = {}

        def fitting(stage: str) -> list[ScriptLine]:
            if stage not in cache:
                cache[stage] = [ln for ln in self._candidates(stage, ctx, flags, exclude)
                                if not self._is_said(ln, values)]
            return cache[stage]

        ranked = rank_stages(ctx, lambda s: bool(fitting(s)))
        picks = [(fitting(s)[0], fitting(s)[0].reason) for s, _ in ranked]
        if len(picks) < 3 and ranked:                # few stages fit: take more from the best one
            picks += [(ln, ln.reason) for ln in fitting(ranked[0][0])[1:3]]
        return picks

    def _events(self, picks: list[tuple[ScriptLine, str]], state: CallState, values: dict[str, str],
                t: float) -> list[Event]:
        covered = set(state.covered) | self._said_covers
        checklist = Checklist(done=tuple(i for i in CHECKLIST if i in covered),
                              missing=tuple(i for i in CHECKLIST if i not in covered), t=t)
        if not picks:
            return [checklist]
        made = [Suggestion(stage=ln.stage, text=ln.render(values), reason=reason, t=t, line_id=ln.id)
                for ln, reason in picks]
        top = replace(made[0], alternatives=tuple(made[1:]))
        return [top, checklist]

