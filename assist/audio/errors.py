"""Audio errors. Messages are one line, name the file or device, and read well in the Chinese UI and the CLI."""

from __future__ import annotations

from pathlib import Path


class AudioError(Exception):
    """Base class of everything assist.audio raises on purpose."""


class AudioFileError(AudioError):
    """A recording cannot be used: missing, undecodable, empty, or a bad channel choice."""

    def __init__(self, path: str | Path, message: str):
        self.path = str(path)
        self.reason = message
        super().__init__(f"{message}: {self.path}")


class DeviceError(AudioError):
    """A microphone cannot be opened or used (not found, refused every format, PortAudio missing).

    Not to be confused with ``assist.events.DeviceFailure``, the event published when a running device fails.
    """

    def __init__(self, message: str, device: str | int | None = None):
        self.device = device
        super().__init__(message)
