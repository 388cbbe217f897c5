"""``records recover``: copy what is still readable of a damaged records database into a new one.

SQLite reports a damaged B-tree page only when a scan reaches it, so each table is read in rowid order and,
past an unreadable stretch, the scan probes further rowids (doubling the step) until it finds readable rows
again. Rows whose call was lost are left out (they would point nowhere); the search index is rebuilt by the
new database's triggers as utterances are inserted.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from .db import RecordStoreError, connect, open_database

# Parents first: a child row is copied only when its call was.
TABLES = ("calls", "utterances", "alerts", "suggestions", "stages", "ptps", "call_audio")
_MAX_ROWID = 1 << 62


@dataclass
class Recovered:
    rows: dict[str, int] = field(default_factory=dict)     # table → rows copied
    unreadable: dict[str, int] = field(default_factory=dict)   # table → damaged stretches skipped
    orphans: int = 0                                          # rows dropped because their call was lost

    @property
    def calls(self) -> int:
        return self.rows.get("calls", 0)


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]


def _first_rowid(conn, table: str, at_least: int) -> int | None:
    """The first rowid >= ``at_least`` (None past the end); DatabaseError where that part is unreadable."""
    row = conn.execute(f'SELECT rowid FROM "{table}" WHERE rowid >= ? ORDER BY rowid LIMIT 1',
                       (at_least,)).fetchone()
    return None if row is None else int(row[0])


def _rows(conn, table: str, cols: list[str], damaged: list[int]):
    """(rowid, *cols) of every row that can be read, in rowid order; counts damaged stretches.

    After a failure at rowid ``origin`` the scan resumes at the first rowid >= origin + skip, skip doubling
    while nothing new can be read, so a damaged page costs a few dozen probes, never a loop."""
    select = ", ".join(f'"{c}"' for c in cols)
    last = -_MAX_ROWID
    origin, skip = last, 0
    while True:
        progressed = False
        try:
            cur = conn.execute(f'SELECT rowid, {select} FROM "{table}" WHERE rowid > ? ORDER BY rowid', (last,))
            for row in cur:
                last = int(row[0])
                progressed = True
                yield row
            return
        except sqlite3.DatabaseError:
            pass
        if progressed or skip == 0:
            damaged[0] += 1
            origin, skip = last, 1
        else:
            skip *= 2
        while True:
            if origin + skip >= _MAX_ROWID:
                return
            try:
                found = _first_rowid(conn, table, origin + skip)
                break
            except sqlite3.DatabaseError:
                skip *= 2
        if found is None:
            return
        last = found - 1


def recover(source: Path, dest: Path) -> Recovered:
    """Copy the readable calls of ``source`` into a new database ``dest`` (which must not exist)."""
    source, dest = Path(source), Path(dest)
    if dest.exists():
        raise RecordStoreError(f"目标文件已存在，请给一个新文件名: {dest} (--out exists)")
    try:
        src = connect(source, readonly=True, setup=False)
        present = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise RecordStoreError(f"无法读取损坏的数据库的表结构，无法恢复: {source} ({exc})") from exc
    if "calls" not in present:
        src.close()
        raise RecordStoreError(f"不是通话记录数据库（没有 calls 表）: {source}")
    out = open_database(dest)
    result = Recovered()
    try:
        out.execute("BEGIN")
        for table in TABLES:
            if table not in present:
                continue
            cols = [c for c in _columns(src, table) if c in set(_columns(out, table))]
            marks = ", ".join("?" for _ in cols)
            insert = f'INSERT OR IGNORE INTO "{table}" ({", ".join(chr(34) + c + chr(34) for c in cols)}) VALUES ({marks})'
            damaged = [0]
            copied = 0
            for row in _rows(src, table, cols, damaged):
                try:
                    copied += out.execute(insert, row[1:]).rowcount
                except sqlite3.IntegrityError:
                    result.orphans += 1   # its call is gone (or a NOT NULL column was damaged)
            result.rows[table] = copied
            result.unreadable[table] = damaged[0]
        out.execute("COMMIT")
    except BaseException:
        if out.in_transaction:
            out.execute("ROLLBACK")
        out.close()
        src.close()
        dest.unlink(missing_ok=True)
        raise
    out.close()
    src.close()
    return result
