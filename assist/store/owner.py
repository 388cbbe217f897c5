"""Which process is writing a call: an OS file lock per writing store.

A call is ``active`` while its writer lives. When a database is opened, an ``active`` call whose writer's lock
can be taken (the process died: the OS released its lock) is marked ``interrupted``; a call whose writer still
holds its lock (the app recording while ``callassist records list`` runs) is left alone. PIDs are not used:
they are reused, and probing a PID on Windows can kill it.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from .. import private
from ..oslock import HeldLock, is_held


def owners_dir(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".writers")


class OwnerLock(HeldLock):
    """Held for the life of a writing RecordStore; ``token`` is stored on the calls it begins."""

    def __init__(self, db_path: Path):
        self.token = uuid.uuid4().hex
        path = owners_dir(db_path) / f"{self.token}.lock"
        private.make_dir(path.parent, tighten=True)
        super().__init__(path)


def is_alive(db_path: Path, token: str) -> bool:
    """True while the writer that owns ``token`` still holds its lock."""
    if not token:
        return False  # calls written before v3 (or by a store that had no lock) have no live owner
    return is_held(owners_dir(db_path) / f"{token}.lock")


def forget(db_path: Path, token: str) -> None:
    """Remove a dead writer's lock file once its calls are marked."""
    if token:
        try:
            (owners_dir(db_path) / f"{token}.lock").unlink()
        except OSError:
            pass


def sweep(db_path: Path, *, min_age_s: float = 60.0) -> None:
    """Delete lock files of writers that died (unlocked), leaving recent ones: a writer creates its file a
    moment before locking it."""
    import time

    folder = owners_dir(db_path)
    if not folder.is_dir():
        return
    now = time.time()
    for path in folder.glob("*.lock"):
        try:
            if now - path.stat().st_mtime < min_age_s:
                continue
        except OSError:
            continue
        if not is_alive(db_path, path.stem):
            forget(db_path, path.stem)
