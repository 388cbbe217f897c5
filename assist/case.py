"""The case data an agent has before dialling: fills script placeholders and biases recognition."""

from __future__ import annotations

import json
import math
import unicodedata
from dataclasses import asdict, dataclass, fields
from pathlib import Path


class CaseDataError(ValueError):
    """The case file is unreadable or has fields of the wrong type."""


# Limits far above any real case and far below what hurts: a 1M-character name once took 105 s and 848 MB
# (every utterance is matched against the case's names). Characters, per field.
TEXT_LIMITS = {"debtor_name": 40, "account": 40, "phone": 30, "institution": 60, "creditor": 60, "agent_name": 40,
               "agent_id": 20}
FIELD_NAMES = {"debtor_name": "债务人姓名", "account": "账号", "phone": "电话", "institution": "所属机构", "creditor": "委托方",
               "agent_name": "坐席姓名", "agent_id": "工号", "amount": "欠款金额", "overdue_days": "逾期天数"}
MAX_AMOUNT = 1e10          # 元
MAX_OVERDUE_DAYS = 36500
MAX_FILE_BYTES = 64 * 1024


def _text(key: str, value) -> str:
    name = FIELD_NAMES[key]
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise CaseDataError(f"{name}（{key}）应为文字，不是 {type(value).__name__}")
    text = str(value).strip()
    if len(text) > TEXT_LIMITS[key]:
        raise CaseDataError(f"{name}（{key}）过长：{len(text)} 个字符，最多 {TEXT_LIMITS[key]} 个")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text):
        raise CaseDataError(f"{name}（{key}）含有控制字符")
    return text


def _number(key: str, value, kind):
    name = FIELD_NAMES[key]
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise CaseDataError(f"{name}（{key}）应为数字，不是 {type(value).__name__}")
    if isinstance(value, str) and len(value) > 30:
        raise CaseDataError(f"{name}（{key}）不是有效数字：过长")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise CaseDataError(f"{name}（{key}）不是有效数字：{str(value)[:30]!r}") from None
    limit = MAX_AMOUNT if key == "amount" else MAX_OVERDUE_DAYS
    if not math.isfinite(number) or number < 0 or number > limit:
        raise CaseDataError(f"{name}（{key}）超出范围：应在 0 到 {limit:.0f} 之间")
    if kind is int:
        if not number.is_integer():
            raise CaseDataError(f"{name}（{key}）应为整数：{str(value)[:30]!r}")
        return int(number)
    return number


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
    def from_dict(cls, data: dict) -> CaseData:
        """Validated case data; CaseDataError (one line, Chinese with the field's name) on a bad field."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise CaseDataError(f"unknown case field(s): {', '.join(unknown)}; expected {', '.join(sorted(known))}")
        values: dict = {key: _text(key, data[key]) for key in TEXT_LIMITS if key in data}
        values["amount"] = _number("amount", data.get("amount"), float)
        values["overdue_days"] = _number("overdue_days", data.get("overdue_days"), int)
        return cls(**values)

    @classmethod
    def load(cls, path: str | Path) -> CaseData:
        p = Path(path)
        try:
            if p.is_dir():
                raise CaseDataError(f"case file is a directory, not a file: {p}")
            with open(p, "rb") as fh:
                raw = fh.read(MAX_FILE_BYTES + 1)
            if len(raw) > MAX_FILE_BYTES:
                raise CaseDataError(f"case file {p} is larger than {MAX_FILE_BYTES // 1024} KB: not a case file")
            data = json.loads(raw.decode("utf-8"))
        except CaseDataError:
            raise
        except FileNotFoundError as exc:
            raise CaseDataError(f"case file not found: {p}") from exc
        except OSError as exc:
            raise CaseDataError(f"cannot read the case file {p}: {exc.strerror}") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CaseDataError(f"case file {p} is not valid UTF-8 JSON: {exc}") from exc
        except (ValueError, RecursionError) as exc:   # a 5000-digit number, nesting deeper than the parser goes
            raise CaseDataError(f"case file {p} is not a case file: {' '.join(str(exc).split())[:120]}") from exc
        if not isinstance(data, dict):
            raise CaseDataError(f"case file {p} must hold a JSON object")
        try:
            return cls.from_dict(data)
        except CaseDataError as exc:
            raise CaseDataError(f"case file {p}: {exc}") from None

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
