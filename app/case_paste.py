"""Turn pasted case data (JSON, or 'label: value' lines copied from the collection system) into CaseData.

Qt-free. Agents paste whatever their case screen gives them, so labels are matched loosely (Chinese or
English, full-width colons, tabs) and numbers are pulled out of '3,680.00元' or '45天'.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from assist.case import CaseData, CaseDataError

# label (as it appears in pasted text) → CaseData field. Longer labels first so 坐席工号 beats 坐席.
_LABELS = [
    ("债务人姓名", "debtor_name"), ("客户姓名", "debtor_name"), ("借款人", "debtor_name"), ("姓名", "debtor_name"),
    ("客户", "debtor_name"), ("debtor_name", "debtor_name"), ("name", "debtor_name"),
    ("账户", "account"), ("账号", "account"), ("合同号", "account"), ("卡号", "account"), ("account", "account"),
    ("手机号", "phone"), ("电话", "phone"), ("手机", "phone"), ("phone", "phone"),
    ("欠款金额", "amount"), ("逾期金额", "amount"), ("应还金额", "amount"), ("金额", "amount"), ("amount", "amount"),
    ("逾期天数", "overdue_days"), ("逾期", "overdue_days"), ("overdue_days", "overdue_days"),
    ("委托方", "creditor"), ("委托机构", "creditor"), ("债权人", "creditor"), ("放款机构", "creditor"),
    ("银行", "creditor"), ("creditor", "creditor"),
    ("所属机构", "institution"), ("催收机构", "institution"), ("公司", "institution"), ("机构", "institution"),
    ("institution", "institution"),
    ("坐席工号", "agent_id"), ("工号", "agent_id"), ("agent_id", "agent_id"),
    ("坐席姓名", "agent_name"), ("坐席", "agent_name"), ("催收员", "agent_name"), ("agent_name", "agent_name"),
]

_SEP = re.compile(r"\s*[:：=\t]\s*")
_NUMBER = re.compile(r"-?\d[\d,，]*(?:\.\d+)?")


def _number(value: str, field: str) -> str:
    m = _NUMBER.search(value)
    if not m:
        raise CaseDataError(f"“{value}” 不是数字（{field}）")
    return m.group(0).replace(",", "").replace("，", "")


def field_for(label: str) -> str | None:
    """The CaseData field a pasted label (姓名, 客户姓名, debtor_name, 坐席工号 …) means, or None."""
    label = label.strip().lower()
    for key, field in _LABELS:
        if key.lower() == label or (len(key) > 1 and label.endswith(key.lower())):
            return field
    return None


def _value(field: str, value) -> str:
    value = "" if value is None else str(value).strip()
    if field in ("amount", "overdue_days") and value:
        value = _number(value, field)
        if field == "overdue_days":
            value = str(int(float(value)))
    return value


@dataclass(frozen=True)
class PastedCase:
    case: CaseData
    ignored: tuple[str, ...] = ()   # labels / keys that match no field (shown to the agent, not an error)


def parse_case(text: str) -> PastedCase:
    """JSON object or one 'label: value' per line → the case and what was left out. Keys are matched like
    the lines' labels (姓名, 金额, debtor_name …): one unknown or Chinese key no longer refuses the whole case.
    Raises CaseDataError with a Chinese message when nothing usable is there."""
    text = (text or "").strip()
    if not text:
        raise CaseDataError("粘贴的内容为空")
    pairs: list[tuple[str, object]] = []
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CaseDataError(f"JSON 格式错误：第 {exc.lineno} 行第 {exc.colno} 列 {exc.msg}") from exc
        except (ValueError, RecursionError) as exc:   # a 5000-digit number, absurd nesting
            raise CaseDataError("JSON 内容不是案件信息（数字过长或嵌套过深）") from exc
        if not isinstance(data, dict):
            raise CaseDataError("JSON 必须是一个对象 {…}")
        pairs = [(str(k), v) for k, v in data.items() if not isinstance(v, (dict, list))]
    else:
        for raw in re.split(r"[\r\n;；]+", text):
            parts = _SEP.split(raw.strip(), maxsplit=1)
            if len(parts) == 2:
                pairs.append((parts[0].strip(), parts[1].strip()))
    values: dict[str, str] = {}
    ignored: list[str] = []
    for label, value in pairs:
        field = field_for(label)
        if field is None:
            ignored.append(label)
        elif field not in values:
            values[field] = _value(field, value)
    if not values:
        raise CaseDataError("没有识别出任何字段：请粘贴 JSON，或每行一个“姓名：张三”这样的内容")
    try:
        return PastedCase(CaseData.from_dict(values), tuple(ignored))
    except CaseDataError as exc:   # the engine's message is for developers: say it for the agent
        raise CaseDataError(f"字段格式不对（金额、逾期天数要是数字）：{exc}") from exc


def parse_case_text(text: str) -> CaseData:
    """JSON object or one 'label: value' per line → CaseData (see ``parse_case``)."""
    return parse_case(text).case
