"""The case data an agent has before dialling: fills script placeholders and biases recognition."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path


class CaseDataError(ValueError):
    """The case file is unreadable or has fields of the wrong type."""


@dataclass(frozen=True)
class CaseData:
    debtor_name: str = ""
    account: str = ""
    phone: str = ""
    amount: float | None = None
    overdue_days: int | None = None
    institution: str = ""     # 所属机构: the agent's own company, the one the agent introduces
    creditor: str = ""        # 委托方: whom the debt is owed to (a bank), when an outside agency calls for it
    agent_name: str = ""
    agent_id: str = ""

    @classmethod
    def from_dict(cls, data: dict) -> "CaseData":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise CaseDataError(f"unknown case field(s): {', '.join(unknown)}; expected {', '.join(sorted(known))}")
        values = dict(data)
        try:
            if values.get("amount") not in (None, ""):
                values["amount"] = float(values["amount"])
            else:
                values["amount"] = None
            if values.get("overdue_days") not in (None, ""):
                values["overdue_days"] = int(values["overdue_days"])
            else:
                values["overdue_days"] = None
        except (TypeError, ValueError) as exc:
            raise CaseDataError(f"case field has the wrong type: {exc}") from exc
        for key in known - {"amount", "overdue_days"}:
            if key in values and values[key] is not None:
                values[key] = str(values[key])
        return cls(**values)

    @classmethod
    def load(cls, path: str | Path) -> "CaseData":
        p = Path(path)
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise CaseDataError(f"case file not found: {p}") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CaseDataError(f"case file {p} is not valid UTF-8 JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise CaseDataError(f"case file {p} must hold a JSON object")
        return cls.from_dict(data)

    def to_dict(self) -> dict:
        return asdict(self)

    def placeholders(self) -> dict[str, str]:
        """Values for the script library's placeholders ({姓名}, {金额}...); empty where unknown."""
        amount = "" if self.amount is None else (f"{self.amount:.0f}" if float(self.amount).is_integer() else f"{self.amount:.2f}")
        return {
            "姓名": self.debtor_name,
            "金额": amount,
            "逾期天数": "" if self.overdue_days is None else str(self.overdue_days),
            "机构": self.institution,
            # whom the debt is owed to: the creditor an outside agency calls for, else the agent's own institution
            "委托方": self.creditor or self.institution,
            "坐席": self.agent_name,
            "工号": self.agent_id,
            "账户": self.account,
            "电话": self.phone,
        }
