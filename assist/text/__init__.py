"""Chinese text helpers, one home for each: which characters are Han (``cjk``), the numeral character sets
(``numerals``), pinyin and the two pinyin matching policies (``pinyin``), jieba set-up (``segment``), and the
normalised forms text is compared in (``normalize``: simplified characters, no punctuation, numerals as digits,
the scoring form and CER).

Everything here is pure (no resource files): what depends on the resources folder (the domain user dictionary,
the lexicon) is loaded by ``assist.resources.Resources`` and handed these helpers' results.
"""

from .cjk import HAN, HAN_RE, all_han, is_han, is_han_ext
from .numerals import AMOUNT_NUMERALS, ASCII_DIGITS, CN_DIGITS, NORMALIZE_NUMERALS, PATTERN_NUMERALS

__all__ = ["HAN", "HAN_RE", "all_han", "is_han", "is_han_ext", "AMOUNT_NUMERALS", "ASCII_DIGITS", "CN_DIGITS",
           "NORMALIZE_NUMERALS", "PATTERN_NUMERALS"]
