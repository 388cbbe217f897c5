"""The events a call session publishes: the JSON-event contract of ``callassist analyze`` (docs/spec/cli.md).

Each event is a frozen dataclass. ``to_dict()`` gives exactly the contract's fields (plus ``event`` and
``t``); extra engine-only detail lives in fields listed in ``_PRIVATE`` and never reaches the JSON stream.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

SEVERITIES = ("critical", "warning", "info")
ALERT_SOURCES = ("partial", "final", "call")


@dataclass(frozen=True)
class Event:
    name: ClassVar[str] = ""
    _PRIVATE: ClassVar[frozenset[str]] = frozenset()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"event": self.name}
        for f in fields(self):
            if f.name in self._PRIVATE:
                continue
            out[f.name] = getattr(self, f.name)
        if "t" in out:
            out["t"] = round(float(out["t"]), 3)
        return out


@dataclass(frozen=True)
class CallStarted(Event):
    name: ClassVar[str] = "call_started"
    call_id: str
    started_at: str
    t: float = 0.0


@dataclass(frozen=True)
class Partial(Event):
    name: ClassVar[str] = "partial"
    utterance: int
    text: str
    t: float


SPEAKERS = ("agent", "debtor")


@dataclass(frozen=True)
class UtteranceFinal(Event):
    """A final utterance. ``raw_text`` is the recogniser's text before domain correction (kept in records)."""

    name: ClassVar[str] = "utterance"
    _PRIVATE: ClassVar[frozenset[str]] = frozenset({"raw_text"})
    utterance: int
    start: float
    end: float
    text: str
    stage: str
    t: float
    raw_text: str = ""
    speaker: str = "agent"    # "agent" or "debtor" (SPEAKERS)

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["start"] = round(float(self.start), 3)
        out["end"] = round(float(self.end), 3)
        return out


@dataclass(frozen=True)
class StageChanged(Event):
    name: ClassVar[str] = "stage"
    stage: str
    t: float


@dataclass(frozen=True)
class Alert(Event):
    """A rule hit. ``message``/``advice``/``basis`` are for the agent's UI, not the JSON contract."""

    name: ClassVar[str] = "alert"
    _PRIVATE: ClassVar[frozenset[str]] = frozenset({"message", "advice", "basis"})
    rule: str
    severity: str
    utterance: int | None
    evidence: str
    source: str
    t: float
    message: str = ""
    advice: str = ""
    basis: str = ""


@dataclass(frozen=True)
class AlertRetracted(Event):
    """A partial-text alert that the final text did not confirm (UI removes it; not in the JSON stream)."""

    name: ClassVar[str] = "alert_retracted"
    rule: str
    utterance: int
    t: float


@dataclass(frozen=True)
class Suggestion(Event):
    """The top next line. ``alternatives`` holds the ranked runners-up for the UI (not in JSON)."""

    name: ClassVar[str] = "suggestion"
    _PRIVATE: ClassVar[frozenset[str]] = frozenset({"line_id", "alternatives"})
    stage: str
    text: str
    reason: str
    t: float
    line_id: str = ""
    alternatives: tuple = field(default=())


@dataclass(frozen=True)
class PromiseToPay(Event):
    name: ClassVar[str] = "ptp"
    amount: float | None
    date: str | None
    channel: str | None
    t: float


@dataclass(frozen=True)
class DebtorCue(Event):
    """What a debtor utterance was read as (assist.analysis.debtor): emitted when any cue was found."""

    name: ClassVar[str] = "debtor"
    utterance: int
    objection: str | None     # an OBJECTIONS id, or None
    wrong_party: bool         # someone other than the debtor is speaking
    hardship: bool
    t: float


@dataclass(frozen=True)
class Checklist(Event):
    """Which required elements are done (UI only; not in the JSON stream)."""

    name: ClassVar[str] = "checklist"
    done: tuple[str, ...]
    missing: tuple[str, ...]
    t: float


@dataclass(frozen=True)
class Health(Event):
    """Recogniser health for the UI: compute ÷ audio time and queue depth (not in the JSON stream)."""

    name: ClassVar[str] = "health"
    rtf: float
    queue_depth: int
    lag: float
    t: float
    dropped: float = 0.0   # audio seconds left untranscribed so far because the recogniser could not keep up


@dataclass(frozen=True)
class DeviceFailure(Event):
    """The microphone (or, ``side="debtor"``, the second source) failed or disappeared; the call goes on (UI
    shows it; not in the JSON stream)."""

    name: ClassVar[str] = "device_failure"
    message: str
    t: float
    side: str = "agent"


@dataclass(frozen=True)
class StoreError(Event):
    """The records database could not be written (locked, full); writes are retried (UI only)."""

    name: ClassVar[str] = "store_error"
    message: str
    t: float


@dataclass(frozen=True)
class CallEnded(Event):
    """``skipped``: audio seconds the recogniser left unrecognised because the PC could not keep up (kept in
    the records; not in the JSON contract)."""

    name: ClassVar[str] = "call_ended"
    _PRIVATE: ClassVar[frozenset[str]] = frozenset({"skipped"})
    call_id: str
    duration: float
    alerts: dict
    ptp: dict | None
    t: float
    skipped: float = 0.0


# The events of the public JSON contract; the others are for the desktop app only.
CONTRACT_EVENTS = frozenset(
    {"call_started", "partial", "utterance", "stage", "alert", "suggestion", "ptp", "debtor", "call_ended"}
)
