"""What the agent's own words reveal about the debtor's side, which the app never hears.

Agents echo objections to confirm them (您是说这笔钱不是您本人借的，对吗？ / 听您说最近失业了) and react to
a third party on the line (您是他母亲是吧). These patterns are lenient about the ASR's lost punctuation and
work on simplified text.
"""

from __future__ import annotations

import re

from ..text.normalize import to_simplified

# An echo frames the debtor's words: "you said / I understand you ..." or a confirming question.
_ECHO = re.compile(r"(您|你)(刚才|刚刚|是|的意思是|这边|也)?(说|讲|提到)|听(您|你)说|理解(您|你)|明白(您|你)|既然(您|你)"
                   r"|(是吗|对吗|对吧|是吧|是不是)[？?。！!]*$")

_OBJECTIONS: dict[str, re.Pattern] = {
    "no_money": re.compile(r"没钱|没有钱|手头(紧|不宽裕)|资金(紧张|困难)|拿不出|还不起|还不上|经济(困难|压力)"
                           r"|周转不开|开销大|没收入|收入不稳定"),
    "forgot": re.compile(r"忘(了|记)"),
    "not_mine": re.compile(r"不是(您|你)(本人)?(借|办|申请)|没(有)?借过|(被|让人)冒用|冒名|盗用"),
    "already_paid": re.compile(r"已经(还|付|转|交)(了|过|清)|还过了|还清了"),
    "unemployed": re.compile(r"失业|没(有)?工作|被裁|裁员|换(了)?工作|找工作|丢了工作"),
    "sick": re.compile(r"生病|住院|看病|手术|身体不好|病了"),
    "complaint": re.compile(r"投诉"),
    "want_waiver": re.compile(r"减免|免掉|免了|少还|打折|免息"),
    "family_pay": re.compile(r"(家人|家里人|父母|爸妈|老婆|老公|爱人|孩子)(帮(您|你)?|来|去)?还"),
    "later": re.compile(r"过(几|两)天|过段时间|过阵子|以后再说|再说吧|改天|下个月再"),
    "scam": re.compile(r"骗子|诈骗|骗人|是不是骗"),
}

_RELATIVE = r"(母亲|父亲|妈妈|爸爸|家人|家属|爱人|妻子|老婆|丈夫|老公|儿子|女儿|同事|朋友|亲戚|姐姐|哥哥|弟弟|妹妹|阿姨|叔叔)"
_WRONG_PARTY = re.compile(r"(您|你)是(他|她)的?" + _RELATIVE + r"|不是(他|她)本人|(您|你)不是(机主|本人)"
                          r"|(他|她)(现在)?不在|打错了|(他|她)本人(不在|没在)")

# Words that show the agent is already answering the objection in the same breath (so move on next).
_HANDLING = re.compile(r"理解|明白|不容易|别着急|不着急|记录|申请|核查|核实|审核|抱歉|放心|帮(您|你)")


def heard_objections(text: str) -> list[str]:
    """Objection keys the agent echoes in ``text`` (empty unless the words are framed as the debtor's)."""
    text = to_simplified(text or "")
    if not text or not _ECHO.search(text):
        return []
    return [key for key, pat in _OBJECTIONS.items() if pat.search(text)]


def is_echo(text: str) -> bool:
    """The words are framed as the debtor's (您说… / …是吗), not the agent's own question or statement."""
    return bool(_ECHO.search(to_simplified(text or "")))


def is_handling(text: str) -> bool:
    return bool(_HANDLING.search(to_simplified(text or "")))


def wrong_party(text: str) -> bool:
    """The agent's words show someone other than the debtor answered (never disclose the debt then)."""
    return bool(_WRONG_PARTY.search(to_simplified(text or "")))
