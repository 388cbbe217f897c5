"""Text normalisation shared by ASR, analysis and evaluation: simplified characters, punctuation, numerals."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .numerals import NORMALIZE_NUMERALS


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (OpenCC), and full-width ASCII folded to half-width."""
    if not text:
        return text
    return _t2s().convert(unicodedata.normalize("NFKC", text))


# Everything that is not a letter or a digit in any script: CJK punctuation, ASCII punctuation, spaces.
_PUNCT = re.compile(r"[^\w]|_", re.UNICODE)


def strip_punct(text: str) -> str:
    return _PUNCT.sub("", text)


# Every Chinese numeral cn2an converts has one of these characters; without one there is nothing to do (and
# importing cn2an, about 0.5 s, is skipped: a records search of plain words needs no numerals).
_CN_NUMERAL = re.compile(f"[{NORMALIZE_NUMERALS}]")


def numerals_to_digits(text: str) -> str:
    """Chinese numerals → Arabic digits in place (三千六百八十 → 3680), so both spellings compare equal."""
    if not _CN_NUMERAL.search(text):
        return text
    import cn2an

    try:
        return cn2an.transform(text, "cn2an")
    except Exception:  # cn2an raises on odd inputs; comparing unconverted text is the safe fallback
        return text


def for_scoring(text: str) -> str:
    """The form CER is computed on: simplified, no punctuation, numerals as digits, lower case."""
    # punctuation is stripped again after conversion: cn2an writes 百分之五 as 5% and 零点五 as 0.5, while the
    # digit spellings 5% / 0.5 lost their % and . in the first pass; both sides must end in one form
    return strip_punct(numerals_to_digits(strip_punct(to_simplified(text)))).lower()


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between two strings (characters)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        prev = cur
    return prev[-1]


def cer(ref: str, hyp: str) -> float:
    """Character error rate of ``hyp`` against ``ref``, both in the scoring form (``for_scoring``)."""
    r = for_scoring(ref)
    return edit_distance(r, for_scoring(hyp)) / max(1, len(r))
