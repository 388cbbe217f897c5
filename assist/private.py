"""Files that hold debtors' data are the user's alone: 0600 files, 0700 folders, whatever the umask.

Names, phones and account numbers sit in the records database (and SQLite's WAL/SHM beside it, which SQLite
creates with the database file's own mode), the rescue files of unwritten records, the log and exports. With
the usual umask 022 they came out world-readable. On Windows the mode bits mean nothing; the user's profile
folders (%LOCALAPPDATA%) are already private to the user, so these calls change nothing there.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def make_dir(path: str | Path, *, tighten: bool = False) -> Path:
    """``mkdir -p`` whose new folders are 0700. ``tighten``: also take group/other access away from ``path``
    itself if it already exists (only for folders that are the app's own, never e.g. the parent of --db)."""
    path = Path(path)
    missing = []
    p = path
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue
        os.chmod(d, DIR_MODE)   # mkdir's mode is filtered by the umask; a umask like 0o277 would lock us out
    if tighten and not missing:
        restrict(path)
    return path


def restrict(path: str | Path) -> None:
    """Remove group/other permissions from an existing file or folder we own (left alone otherwise)."""
    try:
        st = os.stat(path)
    except OSError:
        return
    if os.name == "nt" or st.st_uid != os.getuid():
        return
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o077:
        try:
            os.chmod(path, mode & ~0o077)
        except OSError:
            pass


def create_file(path: str | Path) -> bool:
    """Create ``path`` empty with mode 0600 if it does not exist (True if created); an existing one is
    tightened instead. For files other code (SQLite) then opens by name."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        restrict(path)
        return False
    os.close(fd)
    return True


def open_fd(path: str | Path, flags: int) -> int:
    """``os.open(path, flags | O_CREAT)`` creating the file 0600."""
    return os.open(path, flags | os.O_CREAT, FILE_MODE)
