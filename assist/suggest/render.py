"""Placeholder templates of the script library: parse once at load, render with a call's values.

A template is plain text with two marks:

- ``{姓名}`` — a placeholder; ``{姓名|您}`` gives the words to say when the value is unknown.
- ``[...]`` — an optional clause, dropped whole when a placeholder inside it has no value
  (``您好[，{姓名}]`` → ``您好`` without a name). Clauses do not nest.

Every placeholder must have a fallback or sit inside an optional clause (checked at load), so an agent never
sees raw braces or a sentence with a hole in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# Filled from the case data (CaseData.placeholders()) ...
CASE_PLACEHOLDERS = ("姓名", "金额", "逾期天数", "机构", "委托方", "坐席", "工号", "账户", "电话")
# ... and from what the call has agreed so far (the promise to pay).
CALL_PLACEHOLDERS = ("日期", "还款金额", "渠道")
PLACEHOLDERS = CASE_PLACEHOLDERS + CALL_PLACEHOLDERS

CHANNEL_WORDS = {
    "bank_transfer": "银行对公账户转账",
    "alipay": "支付宝",
    "wechat": "微信",
    "app": "官方App",
    "card_autodebit": "银行卡自动扣款",
    "cash": "柜台",
    "other": "官方渠道",
}


class TemplateError(ValueError):
    """A template is malformed; the loader adds file and line."""


@dataclass(frozen=True)
class _Text:
    text: str


@dataclass(frozen=True)
class _Slot:
    name: str
    fallback: str | None


@dataclass(frozen=True)
class _Optional:
    parts: tuple  # of _Text / _Slot


@dataclass(frozen=True)
class Template:
    source: str
    parts: tuple  # of _Text / _Slot / _Optional

    @property
    def placeholders(self) -> tuple[str, ...]:
        names: list[str] = []
        for part in self.parts:
            inner = part.parts if isinstance(part, _Optional) else (part,)
            names += [p.name for p in inner if isinstance(p, _Slot)]
        return tuple(names)

    def render(self, values: dict[str, str]) -> str:
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, _Optional):
                if all(values.get(p.name) for p in part.parts if isinstance(p, _Slot)):
                    out.append("".join(_piece(p, values) for p in part.parts))
            else:
                out.append(_piece(part, values))
        return "".join(out)


def _piece(part, values: dict[str, str]) -> str:
    if isinstance(part, _Text):
        return part.text
    value = values.get(part.name) or ""
    return value if value else (part.fallback or "")


def parse_template(source: str) -> Template:
    """Parse ``source``; raise TemplateError with a message a script author can act on."""
    parts: list = []
    clause: list | None = None  # parts of the optional clause being read
    buf: list[str] = []
    i = 0

    def flush() -> None:
        if buf:
            (clause if clause is not None else parts).append(_Text("".join(buf)))
            buf.clear()

    while i < len(source):
        ch = source[i]
        if ch == "{":
            end = source.find("}", i + 1)
            if end < 0:
                raise TemplateError("'{' without a closing '}'")
            body = source[i + 1:end]
            if "{" in body or "[" in body or "]" in body:
                raise TemplateError(f"malformed placeholder {{{body}")
            name, sep, fallback = body.partition("|")
            name = name.strip()
            if name not in PLACEHOLDERS:
                raise TemplateError(f"unknown placeholder {{{name}}}; known: {', '.join('{' + p + '}' for p in PLACEHOLDERS)}")
            if clause is None and not sep:
                raise TemplateError(
                    f"placeholder {{{name}}} has no fallback: write {{{name}|…}} with the words to say when it is "
                    f"unknown, or put it inside [ ] so the clause is dropped")
            flush()
            (clause if clause is not None else parts).append(_Slot(name, fallback if sep else None))
            i = end + 1
            continue
        if ch == "}":
            raise TemplateError("'}' without an opening '{'")
        if ch == "[":
            if clause is not None:
                raise TemplateError("optional clauses [ ] cannot nest")
            flush()
            clause = []
        elif ch == "]":
            if clause is None:
                raise TemplateError("']' without an opening '['")
            flush()
            if not any(isinstance(p, _Slot) for p in clause):
                raise TemplateError("an optional clause [ ] must hold a placeholder (it is dropped when that is unknown)")
            parts.append(_Optional(tuple(clause)))
            clause = None
        else:
            buf.append(ch)
        i += 1
    if clause is not None:
        raise TemplateError("'[' without a closing ']'")
    flush()
    return Template(source, tuple(parts))


def format_date(iso: str | None) -> str:
    """2026-10-13 → 10月13日 (how an agent reads a date back)."""
    if not iso:
        return ""
    try:
        d = date.fromisoformat(str(iso)[:10])
    except ValueError:
        return ""
    return f"{d.month}月{d.day}日"


def format_amount(value) -> str:
    if value in (None, ""):
        return ""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return ""
    return f"{v:.0f}" if v.is_integer() else f"{v:.2f}"


def call_values(case_values: dict[str, str], ptp: dict | None) -> dict[str, str]:
    """The case's placeholder values plus the promise agreed so far."""
    values = dict(case_values)
    ptp = ptp or {}
    values["日期"] = format_date(ptp.get("date"))
    values["还款金额"] = format_amount(ptp.get("amount"))
    values["渠道"] = CHANNEL_WORDS.get(ptp.get("channel") or "", "")
    return values
