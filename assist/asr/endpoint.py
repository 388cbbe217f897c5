"""When an utterance is over: how long a silence ends it, per utterance.

The wait is ``min_s`` unless the words so far (the speculative decode at the first silence) end in a comma or in
a word that cannot end a Mandarin sentence (``resources/lexicon/unfinished_endings.txt``): then it holds to
``max_s``. Only ever longer: sentence-final punctuation cannot shorten it, because Whisper base writes 。 (or
nothing) at mid-sentence pauses too (measured on the dev calls: of the 32 clause pauses of 0.5 s or more, 9
decoded ending in 。/？ and 23 unpunctuated; the utterance ends were 41 with 。/？, 100 unpunctuated). Neither
pitch nor energy before the pause separated the two, nor did per-speaker pause statistics (every dev speaker
pauses ~0.6-0.7 s at commas), so ``min_s`` stays at the longest clause pause scripted speech makes.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..resources import ResourceError, read_text
from ..text.cjk import HAN
from ..text.normalize import to_simplified

COMMAS = "，,、；;：:"
_WORD = re.compile(rf"^[{HAN}]{{1,4}}$")
_TRAILING = re.compile(r"[\s\"'“”‘’」』）)]+$")
_TRAILING_OFF = re.compile(r"(…|\.\.\.|——|--)$")   # an ellipsis or a dash: the speaker trailed off


def default_words_path() -> Path:
    from .. import paths

    return paths.resources_dir() / "lexicon" / "unfinished_endings.txt"


def load_unfinished_words(path: str | Path | None = None) -> tuple[str, ...]:
    p = Path(path) if path is not None else default_words_path()
    text = read_text(p, "the unfinished-endings word list")
    seen: dict[str, int] = {}
    for no, line in enumerate(text.splitlines(), 1):
        word = line.strip()
        if not word or word.startswith("#"):
            continue
        word = to_simplified(word)
        if not _WORD.match(word):
            raise ResourceError(p, no, f"{line.strip()!r} is not a word of 1-4 Chinese characters")
        if word in seen:
            raise ResourceError(p, no, f"{word!r} is already listed on line {seen[word]}")
        seen[word] = no
    # longest first, so 我们的 is tried before 的 (either holds; the order only matters for reporting)
    return tuple(sorted(seen, key=len, reverse=True))


def _words(words: tuple[str, ...] | None) -> tuple[str, ...]:
    if words is not None:
        return words
    # the folder in use now, through its loader: a changed resources folder is never served stale words
    from ..resources import open_resources

    return open_resources().unfinished_words()


def looks_unfinished(text: str, words: tuple[str, ...] | None = None) -> bool:
    """True when ``text`` stops where a sentence cannot: a comma, or a word of the unfinished-endings list."""
    words = _words(words)
    t = _TRAILING.sub("", to_simplified(text or ""))
    if not t:
        return False
    if t[-1] in COMMAS or _TRAILING_OFF.search(t):
        return True
    return any(t.endswith(w) for w in words)


class EndpointPolicy:
    """The end-of-utterance wait: ``min_s`` normally, ``max_s`` when the words so far look unfinished."""

    def __init__(self, *, min_s: float, max_s: float, words: tuple[str, ...] | None = None) -> None:
        if not 0 < min_s <= max_s:
            raise ValueError(f"need 0 < min_s <= max_s, got {min_s}, {max_s}")
        self.min_s, self.max_s = min_s, max_s
        self.words = _words(words)

    def hold_s(self, text: str) -> float:
        return self.max_s if looks_unfinished(text, self.words) else self.min_s
