"""Opening the records database: connection settings, schema checks, and what a failure means to a person."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from .. import paths, private
from . import schema


class RecordStoreError(RuntimeError):
    """The records database cannot be used (not a database, newer schema, unreadable). ``str()`` is for people."""


def connect(path: Path, *, busy_timeout_s: float = 5.0, readonly: bool = False, setup: bool = True) -> sqlite3.Connection:
    """An autocommit connection (transactions are explicit ``BEGIN``/``COMMIT``); ``setup`` puts the file in
    WAL mode (the writer does; readers need not)."""
    if readonly:
        conn = sqlite3.connect(
            f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
            timeout=busy_timeout_s, check_same_thread=False,
        )
    else:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=busy_timeout_s, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        if setup and not readonly:
            setup_writer(conn)
    except sqlite3.DatabaseError:
        conn.close()
        raise
    return conn


def setup_writer(conn: sqlite3.Connection) -> None:
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":  # e.g. a network share without shared memory: still correct, slower
        conn.execute("PRAGMA journal_mode = DELETE")
    # FULL: a committed utterance survives a power cut, not only a killed process. The write rate
    # (a few events a second) makes the extra fsync irrelevant.
    conn.execute("PRAGMA synchronous = FULL")


def recover_hint(path: Path) -> str:
    return (f"可运行 callassist records recover --db {path} --out 新文件.sqlite3 把可读的记录复制到新文件，"
            f"再改用新文件（设置里的记录数据库，或 --db）")


def check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a damaged file before anything reads or writes it (SQLite would write into it and say
    nothing, or fail with a traceback on the first damaged page a query touches). ``quick_check`` reads
    every page but skips the index-versus-table cross-check: about 30 ms per 10 MB."""
    try:
        rows = conn.execute("PRAGMA quick_check(1)").fetchall()
        problem = "" if rows and rows[0][0] == "ok" else "; ".join(str(r[0]) for r in rows)
    except sqlite3.DatabaseError as exc:   # not a database at all, or damage on the first pages
        raise RecordStoreError(db_error_message(exc, path).replace("，正在重试", "")) from exc
    if problem:
        raise RecordStoreError(f"记录数据库已损坏: {path} ({' '.join(problem.split())[:200]})。{recover_hint(path)}")


def db_error_message(exc: BaseException, path: Path) -> str:
    """A message a person can act on, in Chinese with the English cause."""
    text = str(exc).lower()
    if "disk i/o error" in text and _disk_full(path):
        text = "full"   # SQLite reports a shared-memory file it could not create as an I/O error
    if "malformed" in text:
        return f"记录数据库已损坏: {path} ({exc})。{recover_hint(path)}"
    if "not a database" in text or "file is encrypted" in text:
        return f"记录数据库已损坏或不是数据库文件: {path} (not a callassist records database: {exc})"
    if "locked" in text or "busy" in text:
        return f"记录数据库被占用，正在重试 (database is locked: {path})"
    if "full" in text:
        return f"磁盘已满，通话记录暂存内存，稍后重试 (disk or database full: {path})"
    if "readonly" in text or "read-only" in text:
        return f"记录数据库只读，无法写入，正在重试 (database is read-only: {path})"
    if "unable to open" in text:
        return f"无法打开记录数据库: {path} ({exc})"
    return f"记录数据库写入失败，正在重试: {path} ({exc})"


def _disk_full(path: Path) -> bool:
    try:
        return shutil.disk_usage(Path(path).parent).free < 256 * 1024
    except OSError:
        return False


def open_database(path: Path, *, busy_timeout_s: float = 5.0, create: bool = True) -> sqlite3.Connection:
    """Open (creating if allowed), check it is ours, back it up and migrate it. Raises RecordStoreError."""
    path = Path(path)
    if not create and not path.is_file():
        raise RecordStoreError(f"记录数据库不存在: {path} (records database not found)")
    try:
        # The app's own data folder is tightened even if an older version made it 0755; a folder the user
        # chose for --db is only created private, never changed.
        private.make_dir(path.parent, tighten=path.parent == paths.data_dir())
        if create:
            private.create_file(path)   # 0600 before SQLite opens it: its -wal/-shm/-journal copy this mode
        for side in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
            private.restrict(side)
    except OSError as exc:
        raise RecordStoreError(f"无法创建记录数据库目录: {path.parent} ({exc})") from exc
    conn = None
    try:
        conn = connect(path, busy_timeout_s=busy_timeout_s, setup=False)
        check_integrity(conn, path)   # before anything, even the journal mode, is written
        setup_writer(conn)
        version = schema.user_version(conn)
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        if version == 0:
            tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
            if tables:
                raise RecordStoreError(f"不是通话记录数据库: {path} (an SQLite file with other tables; refusing to touch it)")
        elif app_id != schema.APPLICATION_ID:
            raise RecordStoreError(f"不是通话记录数据库: {path} (application_id {app_id:#x})")
        elif version > schema.SCHEMA_VERSION:
            raise RecordStoreError(
                f"记录数据库版本 {version} 比本程序支持的版本 {schema.SCHEMA_VERSION} 新，请升级程序: {path}"
            )
        if 0 < version < schema.SCHEMA_VERSION:
            _backup(conn, path, version)
        schema.apply_migrations(conn)
        return conn
    except RecordStoreError:
        if conn is not None:
            conn.close()
        raise
    except sqlite3.Error as exc:
        if conn is not None:
            conn.close()
        message = db_error_message(exc, path)
        if message.startswith("磁盘已满"):   # nothing is queued yet, so nothing is "kept in memory"
            message = f"磁盘已满，无法打开记录数据库: {path} (disk full)"
        raise RecordStoreError(message.replace("，正在重试", "")) from exc


def _backup(conn: sqlite3.Connection, path: Path, version: int) -> None:
    """Copy an old-version database aside before upgrading it, once per version."""
    target = path.with_name(f"{path.name}.v{version}.bak")
    if target.exists():
        return
    private.create_file(target)
    dest = sqlite3.connect(str(target))
    try:
        conn.backup(dest)
    finally:
        dest.close()
