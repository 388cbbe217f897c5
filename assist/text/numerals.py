"""Numeral characters. One set per job; they differ because the jobs differ, not by accident:

- ``AMOUNT_NUMERALS`` (digits + 零〇一二两三四五六七八九十百千万): what a spoken amount or count is made of. The
  homophone corrector uses it to tell a number from a term (11月 is not 异议) and the promise-to-pay reader to
  find amounts (``assist/analysis/ptp.py``).
- ``PATTERN_NUMERALS``: the rule patterns' ``<数>`` — also 幺 (how 1 is read out in 工号/phone numbers: 工号幺二三)
  and the financial capitals 壹贰叁… that a written script may hold.
- ``NORMALIZE_NUMERALS``: what ``assist.text.normalize.numerals_to_digits`` hands to cn2an — 亿 and the capitals
  (cn2an converts them), not 幺 (cn2an does not).
- ``CN_DIGITS`` (零一二三四五六七八九): index = value, for spelling a digit string out (training copies).
"""

from __future__ import annotations

ASCII_DIGITS = "0123456789"
CN_DIGITS = "零一二三四五六七八九"                       # CN_DIGITS[d] is digit d
CN_NUMERALS = "零〇一二两三四五六七八九十百千万"
CAPITAL_NUMERALS = "壹贰叁肆伍陆柒捌玖拾佰仟"

AMOUNT_NUMERALS = ASCII_DIGITS + CN_NUMERALS
PATTERN_NUMERALS = ASCII_DIGITS + "零〇一二三四五六七八九十百千万两幺" + CAPITAL_NUMERALS
NORMALIZE_NUMERALS = "零〇一二两三四五六七八九十百千万亿" + CAPITAL_NUMERALS
