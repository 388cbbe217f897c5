"""Chinese-aware tokens for the transcript index, and the matching FTS5 query.

SQLite's own tokenizers cannot split Chinese into words, so each utterance is segmented with jieba in search
mode (``cut_for_search`` also emits the short words inside long ones: 信用卡 → 信用 信用卡) and the tokens are
stored space-separated in ``utterances.tokens``, which FTS5 indexes. A query is segmented the same way.

Both sides are normalised first (traditional → simplified, full-width → half-width, lower case) and numbers
are indexed in both spellings (三千六百八十 and 3680), so a search for either finds the other. The recogniser's
raw text is indexed too, so a homophone that escaped correction (海款) is still findable as heard.

Two more kinds of token ride in the same index: ``bg``+two characters (every adjacent pair, so a span jieba
cuts differently is found through the index, then confirmed by the caller) and ``py``+pinyin of each Chinese
word (opt-in sounds-like search). Changing what ``index_tokens`` emits needs a schema migration that
re-tokenizes (schema._retokenize), or old rows would not match new queries.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache

from assist.text.cjk import HAN_RE
from assist.text.normalize import numerals_to_digits, to_simplified
from assist.text.segment import default_jieba

# cn2an warns on every fragment it cannot convert (千, 百五十); the fallback is the unconverted text, so the
# warnings are noise in the writer thread and on the CLI.
warnings.filterwarnings("ignore", category=UserWarning, module=r"cn2an(\.|$)")

_WORD = re.compile(r"\w", re.UNICODE)


def _cut(text: str) -> list[str]:
    tok = default_jieba()   # jieba's dictionary, its entries fetched from the cache file as texts need them
    return [w for w in (t.strip().lower() for t in tok.cut_for_search(text)) if w and _WORD.search(w)]


def normalise(text: str) -> str:
    return to_simplified(text or "").lower()


def _forms(text: str) -> list[str]:
    """The text as written and, if different, with Chinese numerals turned into digits."""
    base = normalise(text)
    digits = numerals_to_digits(base) if base else base
    return [base] if digits == base else [base, digits]


_CJK = HAN_RE


@lru_cache(maxsize=65536)  # a call's vocabulary repeats: pinyin lookup is the costly part of indexing
def sound_token(word: str) -> str | None:
    """The pinyin token of a Chinese word (逾期 and 预期 → pyyuqi), for sounds-like search; None otherwise."""
    if len(word) < 2 or not _CJK.search(word):
        return None
    from assist.text.pinyin import toneless  # pypinyin's tables: only once a word is indexed or sounded out

    return "py" + "".join(toneless(word, errors="ignore"))


def index_tokens(text: str, raw_text: str = "") -> str:
    """Space-separated distinct tokens of an utterance, for ``utterances.tokens``: the words, and each
    Chinese word's pinyin (so a search can also find what the recogniser wrote as a homophone)."""
    seen: dict[str, None] = {}
    for source in dict.fromkeys((text, raw_text)):  # raw usually equals text: segment it once
        if not source:
            continue
        for form in _forms(source):
            for tok in _cut(form):
                tok = _fts_safe(tok)
                seen.setdefault(tok, None)
                sound = sound_token(tok)
                if sound:
                    seen.setdefault(sound, None)
        for pair in _bigrams(normalise(source)):
            seen.setdefault(pair, None)
    seen.pop("", None)
    return " ".join(seen)


def _bigrams(text: str) -> list[str]:
    """Every two adjacent letters/digits (punctuation removed), as ``bg``-prefixed tokens. They let a substring
    search use the index: a span's bigrams select candidates, instr() confirms them."""
    chars = _fts_safe(text)
    return ["bg" + chars[i:i + 2] for i in range(len(chars) - 1)]


def substring_expression(terms: list[str]) -> str | None:
    """FTS5 expression selecting utterances that may contain every term (all of its bigrams present);
    None when a term has fewer than two letters/digits (the caller scans instead)."""
    groups = []
    for term in terms:
        pairs = list(dict.fromkeys(_bigrams(term)))
        if not pairs:
            return None
        groups.append(" AND ".join(f'"{p}"' for p in pairs))
    return " AND ".join(f"({g})" for g in groups) if groups else None


def _fts_safe(token: str) -> str:
    # FTS5's default tokenizer splits on anything that is not a letter/digit; keep tokens to those characters
    # so the index and the query agree exactly.
    return "".join(ch for ch in token if ch.isalnum())


def query_terms(query: str) -> list[str]:
    """The words a user typed (split on spaces), normalised; used for highlighting and the substring fallback."""
    return [t for t in (normalise(part) for part in (query or "").split()) if _WORD.search(t)]


def match_expression(query: str, *, sounds_like: bool = False) -> str | None:
    """An FTS5 MATCH expression: every space-separated term must match (in either number spelling).

    Returns None when the index cannot answer the query: nothing searchable (only punctuation), or a term
    that segments into a single Chinese character. ``sounds_like``: a Chinese word also matches any word that
    reads the same in pinyin (逾期 finds 预期, 工号 finds 公号: recogniser homophones correction missed).
    """
    groups = []
    for term in query_terms(query):
        alternatives = []
        for form in _forms(term):
            toks = list(dict.fromkeys(t for t in (_fts_safe(x) for x in _cut(form)) if t))
            if any(len(t) == 1 and not t.isascii() for t in toks):
                # A lone character (款, 还五 → 还 + 五) would match anywhere in the utterance: such a term is
                # left to the substring match, which means what the user typed.
                return None
            if toks:
                alternatives.append(" AND ".join(_token_match(t, sounds_like) for t in toks))
        alternatives = list(dict.fromkeys(alternatives))
        if not alternatives:
            continue
        groups.append(alternatives[0] if len(alternatives) == 1 else "(" + ") OR (".join(alternatives) + ")")
    if not groups:
        return None
    return " AND ".join(f"({g})" for g in groups)


def _token_match(token: str, sounds_like: bool) -> str:
    sound = sound_token(token) if sounds_like else None
    return f'("{token}" OR "{sound}")' if sound else f'"{token}"'
