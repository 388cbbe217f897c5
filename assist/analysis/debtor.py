"""What the debtor says: objection, wrong party, hardship and the debtor's own promise, from one debtor turn.

Cues are phrase patterns of ``assist.analysis.patterns`` (matched by character and by pinyin, so 工资还没发
survives 工资还没罚) in ``resources/stages/debtor.yaml``, one ``key: [a, b]`` per line, validated with
``path:line``; the text is the recogniser's corrected text. ``DebtorTracker`` keeps the little state a call
needs: once someone other than the debtor has said who they are, all their turns are wrong-party turns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..resources import ResourceError, open_resources
from . import ptp as ptpmod
from .patterns import Pattern, PatternError, compile_pattern, find_all, view
from .state import OBJECTIONS

CUE_FILE = "stages/debtor.yaml"
_OTHER_KEYS = ("wrong_party", "hardship", "promise", "hedge")
_LINE = re.compile(r"^([a-z_]+)\s*:\s*\[(.*)\]\s*$")


@dataclass(frozen=True)
class DebtorCues:
    objections: tuple[tuple[str, tuple[Pattern, ...]], ...]   # in priority order
    wrong_party: tuple[Pattern, ...]
    hardship: tuple[Pattern, ...]
    promise: tuple[Pattern, ...]
    hedge: tuple[Pattern, ...]


def load_cues(path: Path) -> DebtorCues:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ResourceError(path, None, f"cannot read the debtor cue file: {exc}") from None
    objections: list[tuple[str, tuple[Pattern, ...]]] = []
    other: dict[str, tuple[Pattern, ...]] = {}
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if not m:
            raise ResourceError(path, n, "expected `key: [cue, cue, …]`")
        key, body = m.group(1), m.group(2)
        try:
            cues = tuple(compile_pattern(c.strip()) for c in body.split(",") if c.strip())
        except PatternError as exc:
            raise ResourceError(path, n, f"{key}: {exc}") from None
        if not cues:
            raise ResourceError(path, n, f"{key}: no cues")
        if key in OBJECTIONS:
            if any(k == key for k, _ in objections):
                raise ResourceError(path, n, f"objection {key!r} given twice")
            objections.append((key, cues))
        elif key in _OTHER_KEYS:
            if key in other:
                raise ResourceError(path, n, f"{key!r} given twice")
            other[key] = cues
        else:
            raise ResourceError(path, n, f"unknown key {key!r} (objections: {', '.join(OBJECTIONS)}; "
                                         f"others: {', '.join(_OTHER_KEYS)})")
    missing = [k for k in _OTHER_KEYS if k not in other]
    if missing:
        raise ResourceError(path, None, f"missing {', '.join(missing)}")
    return DebtorCues(tuple(objections), other["wrong_party"], other["hardship"], other["promise"], other["hedge"])


def default_cues(resources=None) -> DebtorCues:
    """The debtor cues of a resources folder (or its ``Resources``; None = the folder in use now), loaded once."""
    return open_resources(resources).debtor_cues()


@dataclass(frozen=True)
class DebtorTurn:
    objection: str | None = None
    wrong_party: bool = False
    hardship: bool = False
    ptp: dict = field(default_factory=dict)   # slots the debtor's own words set: amount, date, channel


def _has(tv, cues) -> bool:
    return any(find_all(p, tv) for p in cues)


class DebtorTracker:
    """One call's debtor side. ``turn(text)`` reads one debtor utterance."""

    def __init__(self, today: date, cues: DebtorCues | None = None, ptp_cues: ptpmod.PtpCues | None = None, *,
                 resources=None):
        """``resources``: the folder (or its ``Resources``) the cues and the lexicon come from (None = in use now)."""
        self.today = today
        self.resources = open_resources(resources)
        self.cues = cues or self.resources.debtor_cues()
        self.ptp_cues = ptp_cues or self.resources.ptp_cues()
        self.wrong_party = False

    def turn(self, text: str) -> DebtorTurn:
        t = self.resources.corrector().correct(text)
        tv = view(t)
        objection = next((key for key, cues in self.cues.objections if _has(tv, cues)), None)
        if _has(tv, self.cues.wrong_party):
            self.wrong_party = True
        hardship = _has(tv, self.cues.hardship)
        ptp: dict = {}
        if not self.wrong_party and objection not in ("already_paid", "later", "not_mine", "scam", "complaint") \
                and _has(tv, self.cues.promise) and not _has(tv, self.cues.hedge):
            amount = ptpmod.find_amount(t)
            day = ptpmod.find_date(t, self.today)
            channel = ptpmod.find_channel(t, self.ptp_cues)
            if amount is not None:
                ptp["amount"] = amount
            if day is not None:
                ptp["date"] = day.isoformat()
            if channel is not None:
                ptp["channel"] = channel
        return DebtorTurn(objection=objection, wrong_party=self.wrong_party, hardship=hardship, ptp=ptp)
