"""Guards against Whisper's failure modes: text invented on silence/noise, repetition loops, implausible speed.

A result is either dropped (nothing to show), or kept and possibly marked ``suspect`` — suspect text is shown
but never fed back into the next prompt, so one bad decode cannot seed the next.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..resources import ResourceError, read_text
from ..text.normalize import strip_punct, to_simplified

# Thresholds in the spirit of Whisper's own fallback rules, tuned for short single utterances.
NO_SPEECH_PROB = 0.6          # with a low logprob: the model thinks there was no speech
NO_SPEECH_LOGPROB = -0.8
DROP_LOGPROB = -1.6           # below this the text is noise whatever no_speech says
# A partial is the utterance cut off mid-phrase while the VAD hears speech: Whisper scores a first word low there
# (大姐 at -1.6..-2.0 before the agent went on, 0.6-1.4 s into the utterance) and no_speech is unreliable. The
# grey partial is replaced within a second and early alerts need a stable hit, so only gibberish is dropped.
PARTIAL_DROP_LOGPROB = -2.5
SUSPECT_LOGPROB = -1.0
COMPRESSION_RATIO = 2.4       # zlib ratio above this = a repetition loop
MAX_CHARS_PER_S = 9.0         # fast Mandarin is ~6 characters/s; more is a loop or an invention
MIN_AUDIO_FOR_TEXT_S = 0.3

# ASCII '.' is not a break: it sits inside "Amara.org" and numbers
_CLAUSE = re.compile(r"[^，。！？；、,!?;\s]+[，。！？；、,!?;\s]*")
# a unit of 2-12 characters repeated 4+ times in a row, or one character 6+ times
_REPEAT_UNIT = re.compile(r"(.{2,12}?)\1{3,}")
_REPEAT_CHAR = re.compile(r"(.)\1{5,}")


def default_phrases_path() -> Path:
    from .. import paths

    return paths.resources_dir() / "lexicon" / "hallucinations.txt"


def load_phrases(path: str | Path | None = None) -> tuple[str, ...]:
    p = Path(path) if path is not None else default_phrases_path()
    text = read_text(p, "the hallucination phrase list")
    out = []
    for no, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key = strip_punct(to_simplified(line)).lower()
        if len(key) < 2:
            raise ResourceError(p, no, f"phrase {line!r} is too short to match safely (2 characters at least)")
        out.append(key)
    return tuple(out)


def compression_ratio(text: str) -> float:
    data = text.encode("utf-8")
    return len(data) / max(1, len(zlib.compress(data))) if data else 0.0


def collapse_repeats(text: str) -> str:
    """好的好的好的好的好的 → 好的; 啊啊啊啊啊啊啊 → 啊 (loops, not speech)."""
    text = _REPEAT_CHAR.sub(r"\1", text)
    return _REPEAT_UNIT.sub(r"\1", text)


def drop_phrases(text: str, phrases: tuple[str, ...] | None = None) -> str:
    """Remove every clause that contains a known hallucination phrase (字幕, 订阅, 谢谢观看...)."""
    if phrases is None:   # the folder in use now, through its loader (never a list cached as "the default")
        from ..resources import open_resources

        phrases = open_resources().hallucinations()
    kept = []
    for clause in _CLAUSE.findall(text) or [text]:
        key = strip_punct(clause).lower()
        if any(p in key for p in phrases):
            continue
        kept.append(clause)
    return "".join(kept).strip()


@dataclass(frozen=True)
class Verdict:
    text: str            # what to show ("" = drop)
    suspect: bool        # keep out of the prompt
    reason: str = ""


def judge(text: str, *, audio_s: float, avg_logprob: float, no_speech_prob: float,
          phrases: tuple[str, ...] | None = None, partial: bool = False) -> Verdict:
    """Decide what to do with one decode of one utterance (text already simplified). ``partial``: the decode of
    an utterance still being spoken (no no-speech verdict, a lower confidence floor; see PARTIAL_DROP_LOGPROB)."""
    text = (text or "").strip()
    if not strip_punct(text):
        return Verdict("", True, "empty")
    if audio_s < MIN_AUDIO_FOR_TEXT_S:
        return Verdict("", True, "too short")
    if not partial and no_speech_prob > NO_SPEECH_PROB and avg_logprob < NO_SPEECH_LOGPROB:
        return Verdict("", True, "no speech")
    if avg_logprob < (PARTIAL_DROP_LOGPROB if partial else DROP_LOGPROB):
        return Verdict("", True, "low confidence")
    suspect, reasons = False, []
    cleaned = drop_phrases(text, phrases)
    if cleaned != text:
        suspect, reasons = True, reasons + ["known phrase"]
    if compression_ratio(cleaned) > COMPRESSION_RATIO or _REPEAT_UNIT.search(cleaned) or _REPEAT_CHAR.search(cleaned):
        cleaned = collapse_repeats(cleaned)
        suspect, reasons = True, reasons + ["repetition"]
    chars = len(strip_punct(cleaned))
    if chars == 0:
        return Verdict("", True, ",".join(reasons) or "empty")
    if chars > MAX_CHARS_PER_S * audio_s + 4:
        if chars > 2 * MAX_CHARS_PER_S * audio_s + 8:
            return Verdict("", True, "too many characters for the audio")
        suspect, reasons = True, reasons + ["fast"]
    if avg_logprob < SUSPECT_LOGPROB:
        suspect, reasons = True, reasons + ["low confidence"]
    return Verdict(cleaned, suspect, ",".join(reasons))
