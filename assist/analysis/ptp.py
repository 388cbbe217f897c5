"""Promise to pay (何时还 / 何地还 / 还多少): amount, date and channel from the agent's words.

Amounts: 3680, 三千六百八十元, 两千五, 一万五, 2k, 1.5万 — only payment amounts: the debt statement
(欠款/共计/待还…, 3680元的欠款已经逾期), fees (两百块停催费, 手续费200元), 工号/尾号 digits, period counts (分六期)
and remainders (剩下的…) are skipped; for an instalment plan the per-instalment / first-instalment amount is taken.
Dates resolve against the call's local date: 今天/明天/后天, (这/下)周五, 本月三十号, 月底, 十二月五号, 11月5号.
A month-day is never read as a date most of a year away: a few days back it stays (a slip the agent is shown
and corrects), otherwise it is next year's only when that is within half a year. `promise_warnings` says what
about a promise the agent should check with the debtor (a past or distant date, more than the debt).
Channel cues live in resources/stages/ptp.yaml (editable): the first channel whose cue appears, in file order.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from assist.text.cjk import HAN
from assist.text.normalize import to_simplified
from assist.text.numerals import CN_NUMERALS

from . import yamlfile
from .patterns import Pattern, TextView, compile_list, find_all, view
from .state import CHANNELS

_CN = CN_NUMERALS
# 3,680 / 3680 / 三千六百八十 / Whisper's mixed 3万2千 and 1.5万
_NUM = rf"(?:\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|(?:\d+(?:\.\d+)?|[{_CN}])(?:\d|\.\d|[{_CN}])*)"
_AMOUNT = re.compile(rf"({_NUM})\s*(k|K|w|W)?\s*(块钱|块|元|圆|rmb|RMB)?")
# words that make the number after them a debt statement / reference, not a payment
_NOT_PAYMENT_BEFORE = re.compile(
    r"(欠款|欠了|欠|共计|总共|一共|合计|本息|待还|应还|账单|余额|剩下的|剩下|剩余的|剩余|其余|还剩|还差|逾期|工号|尾号|"
    r"卡号|号码|编号|总额|本金|全部欠款|总欠款|进账|买了|刷了|减掉|减|免|罚息|利息|违约金|分|第)$"
)
_NOT_PAYMENT_AFTER = re.compile(r"^(多|来|期|天|个|号|日|点|年|岁|%|折|成|倍|位|分钟|小时|周|月|遍|次|人)")
# a fee named right after the amount (两百块停催费, 五十元的手续费): money asked for, never a repayment
_FEE_AFTER = re.compile(rf"^\s*的?[{HAN}]{{0,3}}?费")
_FEE_BEFORE = re.compile(r"费用?\s*(?:是|要|为|收|交)?\s*$")
# the debt itself named right after the amount, as a statement (3680元的欠款已经逾期), not as what gets paid
# (把3680元欠款一次性还上)
_DEBT_AFTER = re.compile(r"^\s*的?(?:欠款|债务|账单|本息|总额|总欠款)(?![^，。,；;？?]{0,8}(?:还上|还清|结清|一次性|还了|还掉))")
_OK_AFTER = re.compile(r"^(也行|可以|就行|也要得|也可以|行吗|行不行|吧|没问题|好不好|能不能)")
_PAY_AFTER = re.compile(r"^.{0,5}?(还上|还清|还进|转到|转给|转账|存到|存进|打到|结清|一次性)")
_PAY_BEFORE = re.compile(r"(还|先还|转|存|扣|付|交|结清|缴|打|拿出|凑|还上|还进去|一半|每期|首期|第一期)\s*$")
_INSTALMENT = re.compile(r"分\s*[\d一二两三四五六七八九十]+\s*期")
_PER_PERIOD = re.compile(r"(每期|每个月|每月|首期|第一期|第一笔)[^，。,；;]{0,6}$")

_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6,
            "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
# A month is at most 十二 and a day at most 三十一: precise forms keep 下周三十二月二号 from reading as month 32.
_MONTH = r"(1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_DAY = r"(3[01]|[12]\d|0?[1-9]|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])"
_MONTH_DAY = re.compile(rf"{_MONTH}\s*月\s*(?:份)?\s*{_DAY}\s*(?:号|日)")
_DAY_ONLY = re.compile(rf"(本月|这个月|这月|下个月|下月)?\s*{_DAY}\s*(?:号|日)")
_WEEK = re.compile(r"(这|本|下下|下|上)?\s*(?:个)?\s*(?:周|星期|礼拜)\s*([一二三四五六日天七1-7])")
_MONTH_END = re.compile(r"(下个|下|这个|本|这)?\s*(?:月底|月末)")
_RELATIVE = {"今天": 0, "今日": 0, "当天": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}
_IN_DAYS = re.compile(r"(\d{1,2}|[一二两三四五六七八九十]{1,3})\s*天(?:之内|以内|内|后|之后)")


def _int(s: str) -> int | None:
    try:
        import cn2an

        v = cn2an.cn2an(s, "smart")
        return int(v) if float(v).is_integer() else None
    except Exception:
        return None


def parse_number(num: str, mult: str | None) -> float | None:
    try:
        import cn2an

        plain = num.replace(",", "")
        value = float(plain) if re.fullmatch(r"\d+(?:\.\d+)?", plain) else float(cn2an.cn2an(num, "smart"))
    except Exception:
        return None
    m = (mult or "").lower()
    if m in ("万", "w"):
        value *= 10000
    elif m in ("千", "k"):
        value *= 1000
    return value


def find_amount(text: str) -> float | None:
    """The payment amount said in this sentence, or None (see the module doc for what is skipped)."""
    s = to_simplified(text)
    instalment = bool(_INSTALMENT.search(s))
    candidates: list[tuple[float, bool]] = []
    for m in _AMOUNT.finditer(s):
        num, mult, unit = m.group(1), m.group(2), m.group(3)
        if re.fullmatch(rf"[{_CN}]+", num) and re.fullmatch(r"[零〇一二三四五六七八九]{3,}", num):
            continue  # 八零二六: digits read out (工号, card numbers), not an amount
        before = s[max(0, m.start() - 6): m.start()]
        after = s[m.end(): m.end() + 3]
        if unit is None and "," not in num and _NOT_PAYMENT_AFTER.match(after):
            continue
        if _NOT_PAYMENT_BEFORE.search(before.rstrip("了的是为:：")):
            continue
        after_long = s[m.end(): m.end() + 10]
        if _FEE_AFTER.match(after_long) or _FEE_BEFORE.search(before) or _DEBT_AFTER.match(s[m.end(): m.end() + 16]):
            continue
        if not unit and not mult and "," not in num and not _PAY_BEFORE.search(before) \
                and not _OK_AFTER.match(after) and not _PAY_AFTER.match(after_long):
            continue
        value = parse_number(num, mult)
        if value is None or value < 10:
            continue
        per_period = bool(_PER_PERIOD.search(s[max(0, m.start() - 10): m.start()]))
        candidates.append((value, per_period))
    if not candidates:
        return None
    if instalment:
        per = [v for v, p in candidates if p]
        if per:
            return per[0]
    return candidates[0][0]


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, 1)


SLIP_BACK_DAYS = 7        # a month-day this many days back is kept as said (flagged: the date has passed)
NEXT_YEAR_DAYS = 183      # beyond this, a month-day that has passed is not next year's either: no date
FAR_AHEAD_DAYS = 31       # a promise further away than this is worth checking with the debtor


def _month_day(today: date, month: int, day: int) -> date | None:
    try:
        d = date(today.year, month, day)
    except ValueError:
        return None
    if d >= today - timedelta(days=SLIP_BACK_DAYS):
        return d
    # a date that has passed is next year's (一月十号 said in October) — but never most of a year away: on a
    # replayed or misheard call 十月十三号 said on 1 December is not a promise for next October
    try:
        d = date(today.year + 1, month, day)
    except ValueError:
        return None
    return d if (d - today).days <= NEXT_YEAR_DAYS else None


def find_date(text: str, today: date) -> date | None:
    """The payment date said in this sentence, resolved against the call's local date; explicit beats relative."""
    s = to_simplified(text)
    for m in _MONTH_DAY.finditer(s):
        month, day = _int(m.group(1)), _int(m.group(2))
        if month and day and 1 <= month <= 12:
            d = _month_day(today, month, day)
            if d:
                return d
    s_wo = _MONTH_DAY.sub("", s)
    for m in _DAY_ONLY.finditer(s_wo):
        prefix, day = m.group(1), _int(m.group(2))
        if not day or not 1 <= day <= 31:
            continue
        if s_wo[max(0, m.start() - 2): m.start()].endswith(("尾号", "工号", "编号")):
            continue
        base = date(today.year, today.month, 1)
        if prefix in ("下个月", "下月"):
            base = _add_months(base, 1)
        elif not prefix and day < today.day:
            base = _add_months(base, 1)
        try:
            return base.replace(day=day)
        except ValueError:
            continue
    m = _MONTH_END.search(s)
    if m:
        base = _add_months(today, 1) if m.group(1) in ("下个", "下") else today
        return date(base.year, base.month, calendar.monthrange(base.year, base.month)[1])
    for m in _WEEK.finditer(s):
        which, wd = m.group(1), _WEEKDAY[m.group(2)]
        if which == "上":
            continue
        monday = today - timedelta(days=today.weekday())
        if which == "下":
            return monday + timedelta(days=7 + wd)
        if which == "下下":
            return monday + timedelta(days=14 + wd)
        d = monday + timedelta(days=wd)
        if which is None and d < today:
            d += timedelta(days=7)
        return d
    for word in sorted(_RELATIVE, key=len, reverse=True):
        if word in s:
            return today + timedelta(days=_RELATIVE[word])
    m = _IN_DAYS.search(s)
    if m:
        n = _int(m.group(1))
        if n is not None and 0 < n <= 60:
            return today + timedelta(days=n)
    return None


WEEKDAYS = "一二三四五六日"


def format_date(iso: str | None) -> str:
    """'2026-10-16' → '10月16日 周五' (the weekday lets the agent check it against what the debtor said)."""
    if not iso:
        return ""
    try:
        d = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{d.month}月{d.day}日 周{WEEKDAYS[d.weekday()]}"


def promise_warnings(amount: float | None, date_iso: str | None, today: date, *,
                     debt: float | None = None) -> list[str]:
    """What the agent should check with the debtor before the call ends (Chinese, one line each)."""
    out = []
    if date_iso:
        try:
            d = date.fromisoformat(date_iso)
        except ValueError:
            d = None
            out.append(f"日期无法识别：{date_iso}")
        if d is not None and d < today:
            out.append(f"日期已过（{format_date(date_iso)}），请与客户确认")
        elif d is not None and (d - today).days > FAR_AHEAD_DAYS:
            out.append(f"还款日在 {(d - today).days} 天后，请与客户确认")
    if amount is not None and debt and amount > debt + 0.5:
        out.append(f"金额高于欠款总额 {debt:g} 元，请确认")
    if amount is not None and amount <= 0:
        out.append("金额无效")
    return out


@dataclass(frozen=True)
class PtpCues:
    channels: tuple[tuple[str, tuple[Pattern, ...]], ...]
    fallback: tuple[tuple[str, tuple[Pattern, ...]], ...]
    readback: tuple[Pattern, ...]
    exclude: tuple[Pattern, ...]   # sentences that talk about money but are not a promise (剩下的…会继续计息)


def load_cues(path: Path) -> PtpCues:
    root = yamlfile.load(path)
    data = yamlfile.check_keys(root, {"channels", "fallback", "readback", "exclude"}, {"channels", "readback"},
                               "the PTP cue file")

    def channel_map(section: str):
        out = []
        if section not in data:
            return ()
        for key, node in data[section].mapping(section).items():
            if key not in CHANNELS:
                raise node.error(f"unknown channel id {key!r} (known: {', '.join(CHANNELS)})")
            out.append((key, compile_list(node, f"{section}.{key}")))
        return tuple(out)

    return PtpCues(channel_map("channels"), channel_map("fallback"), compile_list(data["readback"], "readback"),
                   compile_list(data["exclude"], "exclude") if "exclude" in data else ())


def find_channel(text: str | TextView, cues: PtpCues) -> str | None:
    tv = text if isinstance(text, TextView) else view(text)
    for section in (cues.channels, cues.fallback):
        for channel, patterns in section:
            if any(find_all(p, tv) for p in patterns):
                return channel
    return None


def is_readback(text: str | TextView, cues: PtpCues) -> bool:
    tv = text if isinstance(text, TextView) else view(text)
    return any(find_all(p, tv) for p in cues.readback)


def is_excluded(text: str | TextView, cues: PtpCues) -> bool:
    tv = text if isinstance(text, TextView) else view(text)
    return any(find_all(p, tv) for p in cues.exclude)
