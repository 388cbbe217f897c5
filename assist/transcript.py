"""A call transcript as a source: a ``.txt`` file with one agent utterance per line.

Used by ``callassist analyze call.txt`` (ASR skipped) and by tests that need a whole call without audio.
Clock convention (docs/spec/cli.md): line k is utterance k, produced at t = k seconds, spanning start = k to
end = k + 1; a call of n lines lasts n seconds. Blank lines are skipped (they are not utterances), so the
index counts the non-blank lines only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class TranscriptError(ValueError):
    """The transcript file is missing, unreadable or holds no utterance."""


@dataclass(frozen=True)
class TranscriptLine:
    index: int
    text: str
    start: float
    end: float

    @property
    def t(self) -> float:
        return self.start


# Agents' tools on Chinese Windows often save GBK; UTF-8 (with or without BOM) is what we write ourselves.
_ENCODINGS = ("utf-8-sig", "gb18030")


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise TranscriptError(f"transcript not found: {path}") from exc
    except IsADirectoryError as exc:
        raise TranscriptError(f"transcript is a directory, not a file: {path}") from exc
    except OSError as exc:
        raise TranscriptError(f"cannot read transcript {path}: {exc.strerror or exc}") from exc
    if b"\x00" in data:
        raise TranscriptError(f"transcript {path} is not a text file (binary data)")
    for enc in _ENCODINGS:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise TranscriptError(f"transcript {path} is not UTF-8 or GBK text")


class TranscriptSource:
    """The lines of a transcript, validated at construction (so a bad file fails before a call is recorded)."""

    sample_rate = 16000  # not used; present so code that inspects sources can treat both kinds alike

    def __init__(self, path: str | Path, *, realtime: bool = False, line_s: float = 1.0):
        self.path = Path(path)
        self.realtime = bool(realtime)
        self.line_s = float(line_s)
        texts = [ln.strip() for ln in _read_text(self.path).splitlines()]
        texts = [t for t in texts if t]
        if not texts:
            raise TranscriptError(f"transcript {self.path} is empty (no utterance lines)")
        self.lines = tuple(
            TranscriptLine(k, text, k * self.line_s, (k + 1) * self.line_s) for k, text in enumerate(texts)
        )

    @classmethod
    def from_lines(cls, texts, *, realtime: bool = False, line_s: float = 1.0, name: str = "<lines>") -> TranscriptSource:
        """A transcript from strings already in memory (the app's 'paste a transcript', tests)."""
        self = cls.__new__(cls)
        self.path = Path(name)
        self.realtime = bool(realtime)
        self.line_s = float(line_s)
        clean = [str(t).strip() for t in texts if str(t).strip()]
        if not clean:
            raise TranscriptError("transcript is empty (no utterance lines)")
        self.lines = tuple(
            TranscriptLine(k, text, k * self.line_s, (k + 1) * self.line_s) for k, text in enumerate(clean)
        )
        return self

    @property
    def duration(self) -> float:
        return len(self.lines) * self.line_s

    def __len__(self) -> int:
        return len(self.lines)
