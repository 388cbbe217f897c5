"""Phrase patterns that survive ASR errors: words matched by character AND by pinyin, punctuation ignored.

Pattern syntax (what a QA lead writes in resources/rules, resources/stages):

    坐牢|进监狱            alternatives
    找人 + 收拾|弄         parts in order, at most 10 characters apart
    我是 ++ 律师事务所      parts in order, anywhere later in the utterance (≤ 40 characters)
    =还 + 钱               a leading "=" matches the characters exactly (no pinyin look-alikes)
    工号 + <数>             <数> is a run of numerals (0-9 or 零一二…十百千万两幺); 分<数>期 inside a word

A word of two or more Chinese characters also matches its homophones (same pinyin without tones) as long as
at least one character is the written one, so 预期/于期 match 逾期 and 海款 matches 还款 while unrelated
words with equal sounds (出省/畜生) do not. A single character matches only itself.
"""

from __future__ import annotations

import collections
import re
import unicodedata
from dataclasses import dataclass

from assist.text.cjk import is_han_ext as _is_han
from assist.text.normalize import to_simplified
from assist.text.numerals import PATTERN_NUMERALS as NUMERAL_CHARS
from assist.text.pinyin import each_char, toneless
from assist.text.pinyin import matcher_key as fuzzy
from assist.text.pinyin import matcher_term_readings as _term_readings

NEAR_GAP = 10
FAR_GAP = 40
# Grammatical characters: never a homophone stand-in, never the only anchor of a sound-alike match.
FUNCTION_CHARS = "的地得了着过是在有和与及或而把被给让向从对就也都还又才很太我你您他她它们这那哪之其所以为吗吧呢啊嘛"
# NUMERAL_CHARS (the <数> of a pattern): assist/text/numerals.py says why it holds 幺 and the capitals


class PatternError(ValueError):
    pass


# Han characters (_is_han: basic block + Extension A), the no-folding pinyin policy (fuzzy) and the pattern words'
# readings (_term_readings) live in assist/text/: cjk.py and pinyin.py say why the matcher folds nothing.


@dataclass(frozen=True)
class TextView:
    """An utterance prepared for matching.

    ``clean`` is the simplified text without punctuation/spaces, lower case; ``pos[i]`` maps clean index i to
    the index in ``text``; ``breaks`` holds clean indexes where punctuation stood (clause boundaries when ASR
    kept them); ``tokens`` is the string the compiled patterns run on: one "字:pinyin " token per clean char.
    """

    text: str
    clean: str
    pos: tuple[int, ...]
    breaks: frozenset[int]
    tokens: str
    starts: tuple[int, ...]  # token string offset of each clean char (plus a final sentinel)
    chars: frozenset[str] = frozenset()  # characters and pinyin syllables present (the patterns' quick test)

    def char_at(self, token_offset: int) -> int:
        """Clean index of the token starting at (or containing) a token-string offset."""
        import bisect

        return max(0, bisect.bisect_right(self.starts, token_offset) - 1)

    def evidence(self, start: int, end: int) -> str:
        """The words of ``text`` covering clean[start:end] (punctuation inside kept as spoken)."""
        if start >= end:
            return ""
        return self.text[self.pos[start]: self.pos[end - 1] + 1]


def view(text: str) -> TextView:
    simp = to_simplified(text or "")
    clean_chars: list[str] = []
    pos: list[int] = []
    breaks: set[int] = set()
    for i, ch in enumerate(simp):
        cat = unicodedata.category(ch)
        if ch.isspace() or cat.startswith("P") or cat.startswith("S"):
            breaks.add(len(clean_chars))
            continue
        clean_chars.append(ch.lower())
        pos.append(i)
    clean = "".join(clean_chars)
    pys = toneless(clean) if clean else []
    if len(pys) != len(clean):  # defensive: never let a tokenizer quirk misalign evidence
        pys = [toneless(c, each_char)[0] for c in clean]
    parts: list[str] = []
    starts: list[int] = []
    off = 0
    for ch, py in zip(clean, pys):
        tok = f"{ch}:{fuzzy(py) if _is_han(ch) else ch} "
        starts.append(off)
        parts.append(tok)
        off += len(tok)
    starts.append(off)
    keys = frozenset(clean) | frozenset(fuzzy(p) for p in pys)
    # evidence is quoted from the words as given (a substring of the utterance), unless normalising changed
    # the length and positions no longer line up
    shown = text if text and len(text) == len(simp) else simp
    return TextView(shown, clean, tuple(pos), frozenset(breaks), "".join(parts), tuple(starts), keys)


# ---------------------------------------------------------------- compiling


def _term_regex(term: str) -> str:
    exact = term.startswith("=")
    if exact:
        term = term[1:]
    if not term:
        raise PatternError("empty word")
    if "<数>" in term:
        # numerals inside a word (分<数>期 = 分六期, 分12期): one or more numeral characters at that place
        numerals = "(?:[" + re.escape(NUMERAL_CHARS) + "]:[^ ]* )+"
        return numerals.join(
            _term_regex("=" + piece) if piece else "" for piece in term.split("<数>"))
    term = to_simplified(term).lower()
    bad = [c for c in term if not c.isalnum()]
    if bad:
        raise PatternError(f"word {term!r} has characters that are not letters or digits: {''.join(bad)!r}")

    readings = _term_readings(term)

    def char(i: int, sound_alike: bool) -> str:
        ch = term[i]
        if sound_alike and _is_han(ch):
            return ("(?:" + re.escape(ch) + ":[^ ]* |[^ :" + FUNCTION_CHARS + "]:(?:"
                    + "|".join(map(re.escape, readings[i])) + ") )")
        return re.escape(ch) + ":[^ ]* "

    han = [i for i, c in enumerate(term) if _is_han(c)]
    if exact or len(han) < 2:
        return "".join(char(i, False) for i in range(len(term)))
    # Homophones count, but at least one character must be the written one: 预期/于期 (期) match 逾期,
    # 海款 (款) matches 还款, while 出省 never matches 畜生 and 正式 never 整死. The written one must be a
    # content character (了解的 is not 借的), and a grammatical character never stands in for another
    # (上门催收是 is not 收拾, 薄弱之处 not 弱智): ASR confuses words, not particles.
    alts = []
    for keep in han:
        if term[keep] in FUNCTION_CHARS and any(term[i] not in FUNCTION_CHARS for i in han):
            continue
        alts.append("".join(char(i, i != keep) for i in range(len(term))))
    return "(?:" + "|".join(alts) + ")"


@dataclass(frozen=True)
class Pattern:
    """A checked pattern. What needs pypinyin — the expression and the anchors, the readings of every word — is
    worked out on first use: a rule pack names ~1,000 words, and their readings were a third of the 2–3 s start-up
    of ``callassist check`` (most patterns never pass ``quick`` on a given sentence, so never need them)."""

    source: str
    nparts: int
    literals: frozenset[str] = frozenset()   # every character written in the pattern's words
    # per part, per alternative word: (all, chars) — the text must hold all of ``chars`` (an exact word) or one of
    # them (a sound-alike word keeps at least one written content character). Necessary, not sufficient.
    quick: tuple[tuple[tuple[bool, frozenset[str]], ...], ...] = ()

    @property
    def expression(self) -> str:
        """The regular expression over "字:py " tokens."""
        return self._built()[0]

    @property
    def anchors(self) -> tuple[tuple[tuple[frozenset[str], ...], ...], ...]:
        """Per part, per alternative word, per character: what the text must contain somewhere (the character or
        one of its readings). A pattern none of whose words can be present is skipped without running the regex."""
        return self._built()[1]

    def _built(self):
        got = self.__dict__.get("_built_")
        if got is None:
            got = _expand(self.source)
            object.__setattr__(self, "_built_", got)   # two threads may both build it: equal results
        return got

    def possible(self, keys: frozenset[str]) -> bool:
        for part in self.quick:
            if not any(chars <= keys if every else not chars.isdisjoint(keys) for every, chars in part):
                return False
        return all(any(all(not need.isdisjoint(keys) for need in word) for word in part) for part in self.anchors)

    @property
    def regex(self) -> re.Pattern:
        """The compiled expression. Compiling all ~920 of the packs' sound-alike expressions up front was most of
        ``load_resources`` on this 2-core PC (``re`` optimises every character class anew; profiled at load 7:
        52 s with them, 4.3 s without), so it is left to the first utterance that could match (``possible``) or to
        ``compile_pending`` in the background. Two threads may
        both compile one pattern; the results are equal and either is kept."""
        got = self.__dict__.get("_regex")
        if got is None:
            got = re.compile(self.expression)
            object.__setattr__(self, "_regex", got)
        return got


# patterns made but not compiled yet, oldest first: what ``compile_pending`` works through
_PENDING: collections.deque[Pattern] = collections.deque()


def has_pending() -> bool:
    return bool(_PENDING)


def compile_pending() -> int:
    """Compile every pattern made so far that no utterance has needed yet (the engine's background warm-up, so
    that a call's first match does not pay for it either); returns how many."""
    n = 0
    while True:
        try:
            p = _PENDING.popleft()
        except IndexError:
            return n
        p.regex  # noqa: B018 - the property compiles and keeps it
        n += 1


def _word_needs(word: str) -> tuple[frozenset[str], ...]:
    exact = word.startswith("=")
    word = to_simplified(word.lstrip("=")).lower()
    needs: list[frozenset[str]] = []
    if "<数>" in word:
        needs.append(frozenset(NUMERAL_CHARS))
        word = word.replace("<数>", "")
        exact = True
    han = sum(1 for c in word if _is_han(c))
    readings = _term_readings(word) if word and not exact and han >= 2 else None
    for i, c in enumerate(word):
        if readings and _is_han(c):
            needs.append(frozenset({c, *readings[i]}))
        else:
            needs.append(frozenset({c}))
    return tuple(needs)


def _split(src: str) -> list[str]:
    if not src:
        raise PatternError("empty pattern")
    pieces = re.split(r"\s+(\+\+|\+)\s+", src)
    if len(pieces) % 2 == 0:
        raise PatternError("a pattern cannot end with '+'")
    return pieces


def _alternatives(piece: str) -> list[str]:
    if "+" in piece:
        raise PatternError(f"'+' must have spaces on both sides: {piece!r}")
    alts = [a.strip() for a in piece.split("|")]
    if any(not a for a in alts):
        raise PatternError(f"empty alternative in {piece!r}")
    return alts


def _check_word(term: str) -> tuple[bool, frozenset[str]]:
    """The checks ``_term_regex`` makes, without readings; returns the word's ``Pattern.quick`` entry."""
    exact = term.startswith("=")
    if exact:
        term = term[1:]
    if not term:
        raise PatternError("empty word")
    if "<数>" in term:
        chars: set[str] = set()
        for piece in term.split("<数>"):
            if piece:
                chars |= _check_word("=" + piece)[1]
        return True, frozenset(chars)
    term = to_simplified(term).lower()
    bad = [c for c in term if not c.isalnum()]
    if bad:
        raise PatternError(f"word {term!r} has characters that are not letters or digits: {''.join(bad)!r}")
    han = [i for i, c in enumerate(term) if _is_han(c)]
    if exact or len(han) < 2:
        return True, frozenset(term)
    # as in _term_regex: one written character stays, a content one when the word has any
    keep = [i for i in han if term[i] not in FUNCTION_CHARS] or han
    return False, frozenset(term[i] for i in keep)


def compile_pattern(source: str) -> Pattern:
    """Check a pattern (syntax in the module doc) and make it; raises PatternError with a plain message. The
    readings and the expression come on first use (``Pattern.anchors``, ``Pattern.regex``)."""
    src = source.strip()
    pieces = _split(src)
    quick = tuple(tuple(_check_word(a) for a in _alternatives(piece)) for piece in pieces[::2])
    literals = frozenset(to_simplified(c).lower() for k, piece in enumerate(pieces) if k % 2 == 0 for c in piece
                         if _is_han(c))
    made = Pattern(src, (len(pieces) + 1) // 2, literals, quick)
    _PENDING.append(made)
    return made


def _expand(src: str) -> tuple[str, tuple]:
    """A checked pattern's expression and anchors (the part that reads pinyin)."""
    pieces = _split(src)
    regex = []
    anchors = []
    for k, piece in enumerate(pieces):
        if k % 2 == 1:
            gap = NEAR_GAP if piece == "+" else FAR_GAP
            regex.append(f"(?:[^ ]+ ){{0,{gap}}}?")
            continue
        alts = _alternatives(piece)
        # the first and last parts are captured: negation is looked for up to the key (last) word, but not
        # inside the first word itself (别想过 + 安生日子 is not negated by its own 别)
        group = "(" if k in (0, len(pieces) - 1) else "(?:"
        anchors.append(tuple(_word_needs(a) for a in alts))
        regex.append(group + "|".join(_term_regex(a) for a in alts) + ")")
    return "".join(regex), tuple(anchors)


@dataclass(frozen=True)
class Match:
    start: int      # clean index
    end: int        # clean index (exclusive)
    key_start: int  # clean index of the last part
    first_end: int = 0  # clean index where the first part ends


def find_all(pattern: Pattern, tv: TextView) -> list[Match]:
    # every regex unit eats whole "字:py " tokens, so matches start and end on token boundaries
    out: list[Match] = []
    if not pattern.possible(tv.chars):
        return out
    for m in pattern.regex.finditer(tv.tokens):
        last = m.lastindex or 1
        out.append(Match(tv.char_at(m.start()), tv.char_at(m.end()), tv.char_at(m.start(last)), tv.char_at(m.end(1))))
    return out


def compile_list(node, what: str) -> tuple[Pattern, ...]:
    """Compile a YAML list of pattern strings (a ``yamlfile.Node``, or None for an absent key); a bad pattern
    is reported at its own file and line."""
    if node is None:
        return ()
    out = []
    for item in node.strings(what):
        try:
            out.append(compile_pattern(item.text(what)))
        except PatternError as exc:
            raise item.error(f"bad pattern {item.value!r} in {what}: {exc}") from None
    return tuple(out)
