"""The items of a call's pipeline queue (``CallSession``): what arrived, from which side, in the order it did.

Every one is handled on the pipeline thread, which alone owns the call's state (CallAnalyzer, Suggester).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Start:
    """The call started: CallStarted, call-start rules, the opening line."""


@dataclass(frozen=True)
class TextLine:
    """A line of a transcript source (``assist.transcript``)."""

    line: Any


@dataclass(frozen=True)
class Recognized:
    """An event of the recogniser: AsrPartial, AsrFinal or AsrHealth."""

    event: Any


@dataclass(frozen=True)
class PickObjection:
    key: str


@dataclass(frozen=True)
class ConfirmPromise:
    """The agent's promise-to-pay slots (amount, date, channel)."""

    slots: dict


@dataclass(frozen=True)
class DeviceFailed:
    message: str
    side: str = "agent"    # "debtor": the second source (the call goes on with the agent's side alone)


@dataclass(frozen=True)
class StoreFailed:
    message: str


@dataclass(frozen=True)
class End:
    """All audio is in and recognised: end-of-call rules, CallEnded; the pipeline stops."""


Message = Start | TextLine | Recognized | PickObjection | ConfirmPromise | DeviceFailed | StoreFailed | End
