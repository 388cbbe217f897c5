"""Is a process still working on something: an OS file lock, held for as long as that process lives.

The OS releases the lock when its holder dies, however it dies, so a lock that can be taken means the work it
guards was abandoned. PIDs are not used for this: they are reused, and probing a PID on Windows can kill it.
Used by the records store (which process writes a call, ``store/owner.py``) and by model provisioning (which
work folder belongs to a run still going, ``model/provision.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

if os.name == "nt":  # pragma: no cover - exercised on Windows builds only
    import msvcrt

    def try_lock(fd: int) -> bool:
        """Take the lock on ``fd`` without waiting; False if another open file holds it."""
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

else:
    import fcntl

    def try_lock(fd: int) -> bool:
        """Take the lock on ``fd`` without waiting; False if another open file holds it."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False


class HeldLock:
    """A lock file created and locked now, held until ``release()`` (or until the process dies)."""

    def __init__(self, path: Path, *, mode: int = 0o600):
        self.path = Path(path)
        self._fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT, mode)
        if not try_lock(self._fd):  # callers use fresh random names: nobody else can hold it
            os.close(self._fd)
            self._fd = None
            raise OSError(f"cannot lock {self.path}")

    def release(self) -> None:
        if self._fd is None:
            return
        os.close(self._fd)  # closing drops the lock
        self._fd = None
        try:
            self.path.unlink()
        except OSError:
            pass


def is_held(path: Path) -> bool:
    """True while some live process holds the lock on ``path`` (False: no such file, or nobody holds it)."""
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    try:
        return not try_lock(fd)
    finally:
        os.close(fd)  # releases the probe's lock if it got one
