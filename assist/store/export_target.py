"""Where an export may be written: never over the records database, its side files, or any SQLite file.

``records export --db X --out X`` once replaced the database with the CSV (exit 0). The store's own files are
the database, its WAL/SHM/rollback journal, the rescue files of unwritten records and the writers' locks; an
SQLite file anywhere (a backup, another tool's database) is refused as well, whatever ``--force`` says.
"""

from __future__ import annotations

import os
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"


class ExportTargetError(ValueError):
    """The export would destroy data; ``str()`` is one line for people (Chinese, with the English cause)."""


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def _is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def _store_file(path: Path, db: Path) -> bool:
    """One of the files the store keeps beside ``db`` (by name, so a not-yet-existing WAL counts too)."""
    if _same(path, db):
        return True
    if not _same(path.parent, db.parent):
        return False
    name = path.name
    return (name in (db.name + "-wal", db.name + "-shm", db.name + "-journal")
            or (name.startswith(db.name + ".pending-") and name.endswith(".jsonl"))
            or name.startswith(db.name + ".writers"))


def check_export_target(out: str | Path, db: Path | None = None) -> Path:
    """Raise ExportTargetError when ``out`` is the database, one of its side files, a folder, or an SQLite
    file; return it as a Path otherwise (it may exist: asking before overwriting is the caller's job)."""
    path = Path(out)
    if path.is_dir():
        raise ExportTargetError(f"导出路径是文件夹，请给出文件名: {path} (--out is a directory)")
    if db is not None and _store_file(path, Path(db)):
        raise ExportTargetError(f"不能导出到记录数据库本身或其附属文件: {path} (--out is the records database)")
    if path.exists() and _is_sqlite(path):
        raise ExportTargetError(f"目标文件是 SQLite 数据库，拒绝覆盖: {path} (--out is an SQLite database)")
    return path
