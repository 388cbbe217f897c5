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
