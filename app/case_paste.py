"""Turn pasted case data (JSON, or 'label: value' lines copied from the collection system) into CaseData.

Qt-free. Agents paste whatever their case screen gives them, so labels are matched loosely (Chinese or
English, full-width colons, tabs) and numbers are pulled out of '3,680.00元' or '45天'.
"""

from __future__ import annotations

import json
import re

from assist.case import CaseData, CaseDataError

# label (as it appears in pasted text) → CaseData field. Longer labels first so 坐席工号 beats 坐席.
_LABELS = [
    ("债务人姓名", "debtor_name"), ("客户姓名", "debtor_name"), ("借款人", "debtor_name"), ("姓名", "debtor_name"),
    ("客户", "debtor_name"), ("debtor_name", "debtor_name"), ("name", "debtor_name"),
    ("账户", "account"), ("账号", "account"), ("合同号", "account"), ("卡号", "account"), ("account", "account"),
    ("手机号", "phone"), ("电话", "phone"), ("手机", "phone"), ("phone", "phone"),
    ("欠款金额", "amount"), ("逾期金额", "amount"), ("应还金额", "amount"), ("金额", "amount"), ("amount", "amount"),
    ("逾期天数", "overdue_days"), ("逾期", "overdue_days"), ("overdue_days", "overdue_days"),
    ("机构", "institution"), ("银行", "institution"), ("institution", "institution"),
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


def parse_case_text(text: str) -> CaseData:
    """JSON object or one 'label: value' per line → CaseData. Raises CaseDataError with a clear message."""
    text = (text or "").strip()
    if not text:
        raise CaseDataError("粘贴的内容为空")
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CaseDataError(f"JSON 格式错误：第 {exc.lineno} 行第 {exc.colno} 列 {exc.msg}") from exc
        except (ValueError, RecursionError) as exc:   # a 5000-digit number, absurd nesting
            raise CaseDataError("JSON 内容不是案件信息（数字过长或嵌套过深）") from exc
        if not isinstance(data, dict):
            raise CaseDataError("JSON 必须是一个对象 {…}")
        return CaseData.from_dict(data)
    values: dict[str, str] = {}
    for raw in re.split(r"[\r\n;；]+", text):
        line = raw.strip()
        if not line:
            continue
        parts = _SEP.split(line, maxsplit=1)
        if len(parts) != 2:
            continue
        label, value = parts[0].strip().lower(), parts[1].strip()
        for key, field in _LABELS:
            if key.lower() == label or (len(key) > 1 and label.endswith(key.lower())):
                if field in ("amount", "overdue_days") and value:
                    value = _number(value, field)
                    if field == "overdue_days":
                        value = str(int(float(value)))
                values.setdefault(field, value)
                break
    if not values:
        raise CaseDataError("没有识别出任何字段：请粘贴 JSON，或每行一个“姓名：张三”这样的内容")
    return CaseData.from_dict(values)
