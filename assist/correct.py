"""Domain-lexicon correction of ASR homophones by pinyin: 于七/预期→逾期, 海款→还款, 公号→工号, 发吸→罚息.

Whisper hears the sounds right and picks the wrong characters. For every span of the text we compare its
toneless pinyin (every reading of every character, folded over the usual ASR confusions n/l, an/ang, en/eng,
in/ing, z/zh, c/ch, s/sh; digits read as Chinese) with the domain terms of ``resources/lexicon/terms.tsv`` and
the call's extra terms (debtor name, institution...). A matching span is rewritten only when that is safe:

- it is not itself an ordinary word and not inside one (jieba's dictionary), and lines up with word boundaries;
- or one of the term's cue words is close by (预期 → 逾期 only in 已经预期三十天, not in 超出预期).

The result is idempotent: a corrected span equals its term and is never matched again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product
from pathlib import Path

from .resources import ResourceError, read_text
from .text.cjk import HAN, HAN_RE, all_han
from .text.numerals import AMOUNT_NUMERALS
from .text.pinyin import (
    DIGIT_READING,
    corrector_fold,
    folded_readings,
    primary_reading,
    word_readings,
)
from .text.segment import default_jieba

COMMON_FREQ = 50          # jieba dictionary frequency from which a word counts as "ordinary"
CUE_REACH = 4             # characters on either side searched for a cue word
NUM_CUE = "<NUM>"

_NUMERAL_CHARS = set(AMOUNT_NUMERALS)
_CLAUSE_BREAK = set("，。！？；：、,.!?;: \t\n“”\"'（）()")

# The pinyin readings and the fold over ASR confusions (n/l, z/zh, in/ing…) are the corrector's policy in
# assist/text/pinyin.py, beside the rule matcher's opposite one (no folding) and why each is right for its job.


def _exact(span: str, word: str) -> bool:
    """True when ``span``, read the usual way, sounds exactly like ``word`` (toneless, no fuzzy folding).
    The span's characters count with their main reading only: a second reading made 台尾 (tai wei, also yi yi)
    sound like 异议."""
    return len(span) == len(word) and all(primary_reading(a) in r for a, r in zip(span, word_readings(word)))


def _term_keys(term: str, limit: int = 16) -> set[tuple[str, ...]]:
    """All folded pinyin sequences of a term (heteronyms multiply; capped for safety)."""
    per_char = [sorted({corrector_fold(r) for r in rs}) for rs in word_readings(term)]
    if not all(per_char):
        return set()
    keys: set[tuple[str, ...]] = set()
    for combo in product(*per_char):
        keys.add(combo)
        if len(keys) >= limit:
            break
    return keys


@dataclass(frozen=True)
class Term:
    word: str
    variants: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()
    line: int = 0


@dataclass
class Lexicon:
    terms: list[Term]
    path: Path | None = None
    by_word: dict[str, Term] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_word = {t.word: t for t in self.terms}


def default_lexicon_path() -> Path:
    from . import paths

    return paths.resources_dir() / "lexicon" / "terms.tsv"   # read now: nothing here remembers the default


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Read and validate ``terms.tsv``; errors read ``path:line: message``."""
    p = Path(path) if path is not None else default_lexicon_path()
    text = read_text(p, "the domain lexicon file")
    terms: list[Term] = []
    seen: dict[str, int] = {}
    header_seen = False
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.split("\t")
        if not header_seen and cols[0].strip().lower() == "term":
            header_seen = True
            continue
        if len(cols) > 3:
            raise ResourceError(p, no, f"expected at most 3 TAB-separated columns (term, variants, cues), got {len(cols)}")
        word = cols[0].strip()
        if not word:
            raise ResourceError(p, no, "the term column is empty")
        if " " in word or not all_han(word):
            raise ResourceError(p, no, f"term {word!r} must be Chinese characters only")
        if not 2 <= len(word) <= 8:
            raise ResourceError(p, no, f"term {word!r} must be 2 to 8 characters long")
        if word in seen:
            raise ResourceError(p, no, f"term {word!r} is already defined on line {seen[word]}")
        variants = tuple(cols[1].split()) if len(cols) > 1 else ()
        for v in variants:
            if v == word:
                raise ResourceError(p, no, f"variant {v!r} is the term itself")
            if len(v) < 2:
                raise ResourceError(p, no, f"variant {v!r} is too short (2 characters at least)")
        cues = tuple(cols[2].split()) if len(cols) > 2 else ()
        for c in cues:
            if c.startswith("<") and c != NUM_CUE:
                raise ResourceError(p, no, f"unknown cue {c!r} (the only special cue is {NUM_CUE})")
        seen[word] = no
        terms.append(Term(word, variants, cues, no))
    if not terms:
        raise ResourceError(p, None, "the domain lexicon has no terms")
    return Lexicon(terms, p)


class _Index:
    """Pinyin index of a set of terms: first folded syllable → [(key, term)], plus literal variants."""

    def __init__(self, terms: Iterable[Term]):
        self.by_first: dict[str, list[tuple[tuple[str, ...], Term]]] = {}
        self.variants: dict[str, Term] = {}
        self.words: set[str] = set()
        self.max_len = 0
        for t in terms:
            self.words.add(t.word)
            self.max_len = max(self.max_len, len(t.word), *(len(v) for v in t.variants)) if t.variants else max(self.max_len, len(t.word))
            for key in _term_keys(t.word):
                self.by_first.setdefault(key[0], []).append((key, t))
            for v in t.variants:
                self.variants.setdefault(v, t)


@lru_cache(maxsize=64)
def _extra_index(extra: tuple[str, ...]) -> _Index:
    return _Index(Term(w) for w in extra)


_jieba = default_jieba   # jieba's own dictionary: "ordinary word" must not count the domain words


def _is_common(word: str) -> bool:
    return _jieba().freq(word) >= COMMON_FREQ


def _clean_extra(extra_terms: Sequence[str]) -> tuple[str, ...]:
    out = []
    for w in extra_terms or ():
        w = (w or "").strip()
        # Only Chinese names/institutions of 2+ characters can be matched by pinyin.
        if len(w) >= 2 and all_han(w):
            out.append(w)
    return tuple(dict.fromkeys(out))


# 著 is zhù (著名, 显著) in mainland writing and zhe/zháo (着急, 等着) only in Taiwan/HK writing; Whisper, trained
# largely on traditional-script subtitles, writes 著 for 着 and OpenCC keeps it (著 is also a simplified character).
# So 著 becomes 着 except inside the zhù words below.
_ZHU_WORDS = ("著名", "著作", "著称", "著述", "著者", "著录", "显著", "卓著", "昭著", "名著", "原著", "专著",
              "巨著", "编著", "论著", "译著", "遗著", "新著", "拙著", "大著", "土著", "著书", "著有")


def _fix_zhe(text: str) -> str:
    if "著" not in text:
        return text
    keep = set()
    for w in _ZHU_WORDS:
        start = text.find(w)
        while start >= 0:
            keep.add(start + w.index("著"))
            start = text.find(w, start + 1)
    return "".join("着" if c == "著" and i not in keep else c for i, c in enumerate(text))


# A digit misheard as its homophone right before a unit of an amount: 先还舞百元 (五), 欠款酒千块 (九). Only digits
# whose sound-alikes are rare before 百/千/万…元 (not 一/二/十: 以/已/而/是 are everywhere), and only a character
# jieba leaves on its own (跳舞 stays).
_AMOUNT_DIGITS = {"san": "三", "si": "四", "wu": "五", "liu": "六", "qi": "七", "ba": "八", "jiu": "九",
                  "liang": "两"}
_AMOUNT_AFTER = re.compile(rf"[{HAN}](?=[十百千万][{AMOUNT_NUMERALS}]*[元块])")


def _fix_amount_digits(text: str) -> str:
    hits = [m.start() for m in _AMOUNT_AFTER.finditer(text)
            if m.group() not in _NUMERAL_CHARS and primary_reading(m.group()) in _AMOUNT_DIGITS]
    if not hits:
        return text
    _, spans = _boundaries(text)
    alone = {s for s, e, _ in spans if e - s == 1}
    chars = list(text)
    for i in hits:
        if i in alone:
            chars[i] = _AMOUNT_DIGITS[primary_reading(text[i])]
    return "".join(chars)


class Corrector:
    """The correction over one lexicon (``Resources.corrector()`` builds it once per resources folder)."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self.index = _Index(lexicon.terms)

    def correct(self, text: str, extra_terms: Sequence[str] = ()) -> str:
        """Rewrite domain-term homophones in ``text``; everything else is left exactly as it was."""
        if not text or not HAN_RE.search(text):
            return text
        text = _fix_amount_digits(_fix_zhe(text))
        extra = _clean_extra(extra_terms)
        indexes = [self.index] + ([_extra_index(extra)] if extra else [])
        protected = set(self.index.words).union(extra)
        return _correct(text, indexes, protected)


def correct(text: str, extra_terms: Sequence[str] = (), *, resources=None) -> str:
    """``Corrector.correct`` with the lexicon of ``resources`` (a folder or its ``Resources``; None = the folder in
    use now, looked up at each call: a changed CALLASSIST_RESOURCES is never served the old lexicon)."""
    if not text or not HAN_RE.search(text):
        return text
    from .resources import open_resources

    return open_resources(resources).corrector().correct(text, extra_terms)


def _boundaries(text: str) -> tuple[set[int], list[tuple[int, int, str]]]:
    toks = _jieba().lcut(text, HMM=False)
    bounds = {0}
    spans = []
    pos = 0
    for tok in toks:
        spans.append((pos, pos + len(tok), tok))
        pos += len(tok)
        bounds.add(pos)
    return bounds, spans


def _cue_near(text: str, start: int, end: int, cues: Sequence[str]) -> bool:
    if not cues:
        return False
    # stay inside the clause: a cue across a comma belongs to another thought
    lo = start
    while lo > 0 and start - lo < CUE_REACH and text[lo - 1] not in _CLAUSE_BREAK:
        lo -= 1
    hi = end
    while hi < len(text) and hi - end < CUE_REACH and text[hi] not in _CLAUSE_BREAK:
        hi += 1
    left, right = text[lo:start], text[end:hi]
    for cue in cues:
        if cue == NUM_CUE:
            if end < len(text) and text[end] in _NUMERAL_CHARS:
                return True
        elif cue in left or cue in right:
            return True
    return False


def _correct(text: str, indexes: list[_Index], protected: set[str]) -> str:
    n = len(text)
    readings = [folded_readings(c) for c in text]
    bounds, spans = _boundaries(text)
    # For each position: the ordinary jieba token covering it, if that token is longer than one character.
    covering: list[tuple[int, int, str] | None] = [None] * n
    for s, e, tok in spans:
        if e - s > 1 and _is_common(tok):
            for i in range(s, e):
                covering[i] = (s, e, tok)

    # candidates: (start, end, term)
    cands: list[tuple[int, int, Term, bool]] = []   # bool: literal variant
    max_len = max(ix.max_len for ix in indexes)
    for i in range(n):
        if not readings[i] and text[i] not in DIGIT_READING:
            continue
        for ix in indexes:
            for r in readings[i]:
                for key, term in ix.by_first.get(r, ()):
                    L = len(key)
                    if i + L > n:
                        continue
                    if all(key[k] in readings[i + k] for k in range(1, L)):
                        cands.append((i, i + L, term, False))
            for L in range(2, max_len + 1):
                if i + L <= n:
                    t = ix.variants.get(text[i:i + L])
                    if t is not None:
                        cands.append((i, i + L, t, True))

    # longest first, then leftmost; spans already equal to a term are "taken" so nothing overlaps them
    taken = [False] * n
    for term in protected:
        start = text.find(term)
        while start >= 0:
            for k in range(start, start + len(term)):
                taken[k] = True
            start = text.find(term, start + 1)

    used = [False] * n     # rewritten by an earlier (longer) candidate
    out = list(text)
    replaced: list[tuple[int, int, str]] = []
    for s, e, term, literal in sorted(cands, key=lambda c: (-(c[1] - c[0]), c[0])):
        span = text[s:e]
        if span == term.word:
            continue
        # a protected span may lie inside the candidate only if the rewrite keeps its characters
        # (日本人 → 您本人 keeps the term 本人)
        if any(used[s:e]) or any(taken[k] and (len(term.word) != e - s or text[k] != term.word[k - s])
                                 for k in range(s, e)):
            continue
        if not _accept(text, s, e, term, literal, bounds, covering):
            continue
        replaced.append((s, e, term.word))
        for k in range(s, e):
            used[k] = True
    if not replaced:
        return text
    for s, e, word in sorted(replaced, reverse=True):
        out[s:e] = list(word)
    return "".join(out)


def _in_number(text: str, s: int, e: int) -> bool:
    """True when a numeral in the span belongs to a longer number (还3680, 于七三十五天)."""
    for k in range(s, e):
        if text[k] in _NUMERAL_CHARS and (
            (k > 0 and text[k - 1] in _NUMERAL_CHARS) or (k + 1 < len(text) and text[k + 1] in _NUMERAL_CHARS)
        ):
            return True
    return False


def _accept(text, s, e, term: Term, literal: bool, bounds, covering) -> bool:
    span = text[s:e]
    # A span that is all numerals is a number (11月 is not 异议 yi-yi, 77 is not 期期), never a term.
    if not literal and all(c in _NUMERAL_CHARS for c in span):
        return False
    # A digit of an amount may only be read as part of a term when it sounds exactly like it (于七三十五天 →
    # 逾期三十五天); a fuzzy sound-alike would eat amounts (还3680 → 还上680 by s/sh + an/ang).
    if _in_number(text, s, e) and not (literal or _exact(span, term.word)):
        return False
    if _cue_near(text, s, e, term.cues):
        return True
    if _is_common(span):
        return False            # 预期, 公司, 克服: ordinary words stay unless a cue says otherwise
    # inside a longer ordinary word (e.g. the 期间 of 期间内): leave it
    for k in range(s, e):
        cov = covering[k]
        if cov is not None and (cov[0] < s or cov[1] > e):
            return False
    if literal:
        # a variant holding an ordinary word the term lacks (日本 in 日本人 → 您本人) may be that word: cue needed
        return not any(_is_common(span[a:b]) and span[a:b] not in term.word
                       for a in range(len(span)) for b in range(a + 2, len(span) + 1))
    if not _exact(span, term.word):
        return False            # a fuzzy-only match (女是 ~ 律师 by n/l) needs a cue
    # a homophone with no cue must line up with word boundaries (于七 in 于七月 does not: 七月 is one word)
    return s in bounds and e in bounds
