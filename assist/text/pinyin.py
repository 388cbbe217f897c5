"""Pinyin: toneless readings, and the two policies for "sounds the same", side by side.

Both policies compare toneless syllables. They differ in how loose "the same" is, and each is right for its job:

**Policy 1 — the rule matcher (``assist/analysis/patterns.py``; and so the detector's pinyin features): no
folding.** ``matcher_key`` only drops tones and spells ü as v. A pattern word matches a homophone only if at
least one of its characters is the written one, and a pattern is a *decision* (an alert on the agent's screen).
Folding zh/z, n/l, in/ing was tried there and rejected: 整死 then matched 正式, 出省 ~ 畜生 came close, and the
false alerts outweighed the recall. The readings of a pattern word are its phrase reading plus a short, curated
list of common second readings (``MATCHER_POLYPHONES``): every heteronym pypinyin knows made nonsense match
(她 also reads jie, so 她的 matched 借的). The detector's features are built from the same tokens
(``assist/detect/features.py``), so this policy is frozen with the trained model.

**Policy 2 — the homophone corrector (``assist/correct.py``): folded over Mandarin ASR confusions.**
``corrector_fold`` maps zh/ch/sh → z/c/s, n → l, ang/eng/ing → an/en/in, because Whisper on a headset makes
exactly those mistakes (公号 for 工号, 女是 for 律师) and the corrector only *rewrites toward a short list of
domain terms*. It guards the looseness differently: a fuzzy-only match is accepted only with a cue word nearby,
an exact one only on word boundaries and outside ordinary words (see ``assist/correct.py``). Readings are a
character's two most common heteronyms (``CORRECTOR_MAX_READINGS``): the archaic tail (还 fú, 不 fū) made
ordinary speech match terms (还不上 → 还还上).

Keep them apart: unifying either way breaks the other's measured behaviour.
"""

from __future__ import annotations

from functools import cache, lru_cache

from pypinyin import Style, lazy_pinyin, pinyin

from .cjk import is_han


def each_char(s: str) -> list[str]:
    """pypinyin ``errors`` handler: a character without a reading stands for itself, one item per character (so
    the readings stay aligned with the characters)."""
    return list(s)


def toneless(text: str, errors=each_char) -> list[str]:
    """Toneless syllables of ``text`` (pypinyin's phrase-aware choice). ``errors``: pypinyin's handler for
    characters without a reading — ``each_char`` (default, aligned), ``"ignore"`` (dropped) or ``"default"``."""
    return lazy_pinyin(text, style=Style.NORMAL, errors=errors)


def initials(text: str) -> list[str]:
    """First letters of the syllables (工号 → g h), for pinyin-initial search."""
    return lazy_pinyin(text, style=Style.FIRST_LETTER)


# ---------------------------------------------------------------- policy 1: the rule matcher

def matcher_key(py: str) -> str:
    """A syllable as the matcher compares it: toneless, ü spelled v. No folding (see the module doc)."""
    return py.replace("ü", "v")


# Characters whose other reading is common enough that a transcript may carry either sense.
MATCHER_POLYPHONES = {
    "还": ("huan", "hai"), "行": ("xing", "hang"), "长": ("chang", "zhang"), "重": ("zhong", "chong"),
    "得": ("de", "dei"), "了": ("le", "liao"), "着": ("zhe", "zhao", "zhuo"), "地": ("de", "di"),
    "的": ("de", "di"), "都": ("dou", "du"), "会": ("hui", "kuai"), "传": ("chuan", "zhuan"),
    "调": ("diao", "tiao"), "当": ("dang",), "倒": ("dao",), "便": ("bian", "pian"), "差": ("cha", "chai"),
    "给": ("gei", "ji"), "系": ("xi", "ji"), "数": ("shu",), "只": ("zhi",), "种": ("zhong",), "转": ("zhuan",),
    "期": ("qi",), "息": ("xi",), "款": ("kuan",),
}


@cache
def matcher_term_readings(term: str) -> tuple[tuple[str, ...], ...]:
    """Per character of a pattern word: its reading inside the word plus ``MATCHER_POLYPHONES``' other readings.
    Cached: the rule and cue files name the same words thousands of times (3,111 calls for ~1,000 distinct terms
    when the packs load), and pypinyin's phrase lookup was two thirds of loading them."""
    ctx = lazy_pinyin(term, style=Style.NORMAL, errors=each_char)
    if len(ctx) != len(term):
        ctx = [lazy_pinyin(c, style=Style.NORMAL)[0] for c in term]
    return tuple(tuple(sorted({matcher_key(r), *MATCHER_POLYPHONES.get(c, ())})) for c, r in zip(term, ctx))


# ---------------------------------------------------------------- policy 2: the homophone corrector

DIGIT_READING = {"0": "ling", "1": "yi", "2": "er", "3": "san", "4": "si", "5": "wu", "6": "liu", "7": "qi",
                 "8": "ba", "9": "jiu"}
# pypinyin lists a character's readings most common first; the tail holds archaic readings (还 fú, 不 fū)
# that made ordinary speech match domain terms (还不上 → 还还上), so only the leading ones count.
CORRECTOR_MAX_READINGS = 2


def corrector_fold(syllable: str) -> str:
    """Toneless pinyin folded over common Mandarin ASR confusions (so 'ying' == 'yin', 'zhi' == 'zi')."""
    s = syllable.lower()
    for a, b in (("zh", "z"), ("ch", "c"), ("sh", "s")):
        if s.startswith(a):
            s = b + s[2:]
            break
    if s.startswith("n") and not s.startswith("ng"):
        s = "l" + s[1:]
    for a, b in (("ang", "an"), ("eng", "en"), ("ing", "in")):
        if s.endswith(a):
            s = s[: -len(a)] + b
            break
    return s


@lru_cache(maxsize=8192)
def common_readings(ch: str) -> frozenset[str]:
    """The common toneless readings of one character (at most two heteronyms); digits as spoken."""
    if ch in DIGIT_READING:
        return frozenset({DIGIT_READING[ch]})
    if not is_han(ch):
        return frozenset()
    out = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
    return frozenset(r.lower() for r in (out[0] if out else ())[:CORRECTOR_MAX_READINGS] if r)


@lru_cache(maxsize=8192)
def folded_readings(ch: str) -> frozenset[str]:
    """``common_readings`` folded over the corrector's fuzzy pairs."""
    return frozenset(corrector_fold(r) for r in common_readings(ch))


@lru_cache(maxsize=8192)
def primary_reading(ch: str) -> str:
    """The most common toneless reading of a character ('' for none); digits as spoken."""
    if ch in DIGIT_READING:
        return DIGIT_READING[ch]
    if not is_han(ch):
        return ""
    out = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
    return out[0][0].lower() if out and out[0] else ""


@lru_cache(maxsize=4096)
def word_readings(word: str) -> tuple[frozenset[str], ...]:
    """Per character of a term, the readings it may be heard as: its reading in the word (pypinyin's phrase
    reading) and its main reading. Not every listed heteronym: 信's archaic 'shen' made 政审 sound like 征信."""
    phrase = pinyin(word, style=Style.NORMAL, errors="ignore")
    if len(phrase) != len(word):
        return tuple(common_readings(c) for c in word)
    return tuple(frozenset({p[0].lower(), primary_reading(c)} - {""}) for p, c in zip(phrase, word))
