"""Shared pieces for loading the editable files under resources/: errors that point to file and line."""

from __future__ import annotations

from pathlib import Path


class ResourceError(ValueError):
    """A resource file is broken. ``str()`` reads ``path:line: message`` so a QA lead can find it."""

    def __init__(self, path: str | Path, line: int | None, message: str):
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {message}")


def read_text(path: str | Path, what: str) -> str:
    """A resource file's UTF-8 text; a missing or mis-encoded file is a ResourceError naming ``what`` it is."""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ResourceError(p, None, f"{what} is missing") from None
    except UnicodeDecodeError as exc:
        raise ResourceError(p, None, f"{what} is not UTF-8 text ({exc.reason})") from None
