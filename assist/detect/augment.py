"""Recogniser-shaped copies of a written sentence, for training: what Whisper would plausibly write instead.

Whisper base on a headset mishears characters as others of the same sound (预期 for 逾期, 海款 for 还款), drops
or adds a particle, writes numerals as digits or the other way round, and often gives no punctuation. Training
on such copies keeps recall when the text comes from speech (the issue measured recall falling from 0.71 on the
calls' text to 0.64 through the recogniser with a pattern-only detector).

Seeded by the caller's ``random.Random`` so a retrain is reproducible.
"""

from __future__ import annotations

import random
import warnings
from collections import defaultdict
from collections.abc import Iterable

from assist.analysis.patterns import FUNCTION_CHARS
from assist.text.cjk import is_han as _is_han
from assist.text.normalize import numerals_to_digits, strip_punct
from assist.text.numerals import CN_DIGITS as _DIGITS
from assist.text.pinyin import toneless

SUBSTITUTE_RATE = 0.12   # share of the Chinese characters swapped for a homophone (CER of Whisper base ≈ 10–15 %)


class Homophones:
    """Characters by toneless pinyin, drawn from a pool of real text (the corpus itself), so a substitute is a
    character a recogniser actually writes, not a rare one."""

    def __init__(self, texts: Iterable[str]):
        counts: dict[str, int] = defaultdict(int)
        for t in texts:
            for ch in t:
                if _is_han(ch):
                    counts[ch] += 1
        self.by_sound: dict[str, list[str]] = defaultdict(list)
        self.sound: dict[str, str] = {}
        for ch in sorted(counts, key=lambda c: (-counts[c], c)):
            py = toneless(ch, errors="default")[0]
            self.sound[ch] = py
            self.by_sound[py].append(ch)

    def substitute(self, text: str, rng: random.Random, rate: float = SUBSTITUTE_RATE) -> str:
        chars = list(text)
        spots = [i for i, c in enumerate(chars) if _is_han(c) and c not in FUNCTION_CHARS
                 and len(self.by_sound.get(self.sound.get(c, ""), ())) > 1]
        if not spots:
            return text
        k = max(1, round(len(spots) * rate))
        for i in rng.sample(spots, min(k, len(spots))):
            options = [c for c in self.by_sound[self.sound[chars[i]]][:8] if c != chars[i]]
            chars[i] = rng.choice(options)
        return "".join(chars)


def _digits_to_chinese(text: str) -> str:
    return "".join(_DIGITS[int(c)] if c.isascii() and c.isdigit() else c for c in text)


def _drop_particle(text: str, rng: random.Random) -> str:
    spots = [i for i, c in enumerate(text) if c in "的了吧呢啊嘛吗呀哈"]
    if not spots:
        return text
    i = rng.choice(spots)
    return text[:i] + text[i + 1:]


def variants(text: str, homophones: Homophones, rng: random.Random, n: int = 3) -> list[str]:
    """Up to ``n`` distinct recogniser-shaped copies of ``text`` (never ``text`` itself)."""
    with warnings.catch_warnings():  # cn2an warns on every bare 万/千 it cannot convert; the text stays as is
        warnings.simplefilter("ignore")
        return _variants(text, homophones, rng, n)


def _variants(text: str, homophones: Homophones, rng: random.Random, n: int) -> list[str]:
    plain = strip_punct(text)
    out: list[str] = []
    candidates = [
        homophones.substitute(plain, rng),
        homophones.substitute(_drop_particle(plain, rng), rng, rate=SUBSTITUTE_RATE / 2),
        numerals_to_digits(homophones.substitute(text, rng, rate=SUBSTITUTE_RATE / 2)),
        _digits_to_chinese(homophones.substitute(plain, rng, rate=SUBSTITUTE_RATE * 1.5)),
    ]
    for c in candidates:
        if c and c != text and c not in out:
            out.append(c)
        if len(out) == n:
            break
    return out
