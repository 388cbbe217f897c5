"""``records export --out`` never destroys the records: not the database, its side files, nor any SQLite file;
an existing file elsewhere is overwritten only with --force. Through the real console script."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from assist import paths


def cli(*args, stdin=subprocess.DEVNULL):
    return subprocess.run([sys.executable, "-m", "assist.cli.main", *map(str, args)], capture_output=True,
                          text=True, encoding="utf-8", timeout=120, cwd=paths.PROJECT_ROOT, env=dict(os.environ),
                          stdin=stdin)


@pytest.fixture
def db(tmp_path, filled_db):
    path = tmp_path / "records.sqlite3"
    shutil.copy(filled_db, path)
    return path


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _calls(path):
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM calls").fetchone()[0]


@pytest.mark.parametrize("target", ["{db}", "{db}-wal", "{db}-shm", "{dir}/./records.sqlite3", "{link}"])
def test_export_onto_the_database_or_its_side_files_is_refused(db, tmp_path, target):
    link = tmp_path / "alias.sqlite3"
    link.symlink_to(db)
    out = target.format(db=db, dir=db.parent, link=link)
    before, n = _digest(db), _calls(db)
    for fmt in ("csv", "json"):
        proc = cli("records", "export", "--format", fmt, "--db", db, "--out", out, "--force")
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and "记录数据库" in lines[0], proc.stderr
    assert _digest(db) == before and _calls(db) == n


def test_export_onto_another_sqlite_file_is_refused_even_with_force(db, tmp_path):
    other = tmp_path / "backup.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    before = _digest(other)
    proc = cli("records", "export", "--format", "csv", "--db", db, "--out", other, "--force")
    assert proc.returncode == 2 and "SQLite" in proc.stderr
    assert _digest(other) == before


def test_existing_file_is_overwritten_only_with_force(db, tmp_path):
    out = tmp_path / "report.csv"
    out.write_text("keep me", encoding="utf-8")
    proc = cli("records", "export", "--format", "csv", "--db", db, "--out", out)   # no TTY: no question
    assert proc.returncode == 2 and "--force" in proc.stderr
    assert out.read_text(encoding="utf-8") == "keep me"
    proc = cli("records", "export", "--format", "csv", "--db", db, "--out", out, "--force")
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8-sig").startswith("通话ID")
    fresh = tmp_path / "new.json"
    assert cli("records", "export", "--format", "json", "--db", db, "--out", fresh).returncode == 0
    assert fresh.read_text(encoding="utf-8").startswith("[")


def test_store_export_refuses_its_own_database(db):
    from assist.store import ExportTargetError, RecordStore

    store = RecordStore(db, create=False)
    try:
        with pytest.raises(ExportTargetError):
            store.export("csv", db)
        with pytest.raises(ExportTargetError):
            store.export("json", db.with_name(db.name + "-wal"))
    finally:
        store.close()
    assert _calls(db) > 0
