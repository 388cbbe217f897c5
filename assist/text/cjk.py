"""Which characters are Chinese (Han).

Two definitions, kept apart on purpose:

- ``is_han`` / ``HAN``: the CJK Unified Ideographs block U+4E00–U+9FFF. Every modern simplified character an
  agent says and Whisper writes is in it; the lexicon, prompt case names, script search, records search,
  the stage cues' name patterns and the unfinished-endings list use this one.
- ``is_han_ext``: that block plus Extension A (U+3400–U+4DBF). The rule matcher's ``TextView`` (and so the
  trained detector's pinyin features, ``assist/detect/features.py``) reads Extension A characters by their pinyin
  too. Narrowing it would change the features ``resources/detector/model.npz`` was trained on
  (tests/analysis/test_features_frozen.py holds them); widening the others would let rare characters into
  places that have never seen them. So both stay, named.
"""

from __future__ import annotations

import re

HAN = "\u4e00-\u9fff"                 # a regex character-class body: f"[{HAN}]{{2,4}}"
HAN_RE = re.compile(f"[{HAN}]")


def is_han(ch: str) -> bool:
    """One character of the basic CJK block (U+4E00–U+9FFF)."""
    return "\u4e00" <= ch <= "\u9fff"


def is_han_ext(ch: str) -> bool:
    """The basic block or Extension A (U+3400–U+4DBF): the rule matcher's and the detector's definition."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def all_han(text: str) -> bool:
    """Every character is Han (basic block); False for the empty string."""
    return bool(text) and all(is_han(c) for c in text)
