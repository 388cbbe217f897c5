"""Debtors' data is the user's alone: with umask 022 the records database, its WAL/SHM, rescue files, the log
and their folders are 0600/0700; exports are 0600 under any umask. Real files, the real console script."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from contextlib import contextmanager
from datetime import datetime, timezone

import pytest

from assist import events as ev
from assist import paths
from assist.store import RecordStore

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX modes; Windows profile folders are private")

START = datetime(2026, 11, 3, 10, 0, tzinfo=timezone.utc)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@contextmanager
def umask(value):
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def test_database_wal_shm_and_folders_are_private_under_umask_022(tmp_path):
    db = tmp_path / "new" / "deeper" / "records.sqlite3"
    with umask(0o022):
        store = RecordStore(db)
        try:
            store.begin_call("c1", started_at=START)
            store.record("c1", ev.UtteranceFinal(utterance=0, start=0, end=1, text="张伟先生您好", stage="greet", t=1))
            assert store.flush(10)
            wal, shm = db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")
            assert wal.is_file() and shm.is_file()
            assert {p.name: mode(p) for p in (db, wal, shm)} == {p.name: 0o600 for p in (db, wal, shm)}
            assert mode(db.parent) == 0o700 and mode(db.parent.parent) == 0o700
            writers = db.with_name(db.name + ".writers")
            assert mode(writers) == 0o700
        finally:
            store.close()


def test_rescue_file_is_private(tmp_path):
    path = tmp_path / "r.sqlite3"
    with umask(0o022):
        store = RecordStore(path, busy_timeout_s=0.1, backoff_s=(0.02, 0.1))
        store.begin_call("c1", started_at=START)
        assert store.flush(10)
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        store.record("c1", ev.UtteranceFinal(utterance=0, start=0, end=1, text="账号6222020200001", stage="greet", t=1))
        store.close(timeout=0.5)
        blocker.execute("ROLLBACK")
        blocker.close()
    rescue = list(tmp_path.glob("r.sqlite3.pending-*.jsonl"))
    assert len(rescue) == 1 and mode(rescue[0]) == 0o600


def test_an_old_world_readable_database_is_tightened_on_open(tmp_path):
    data = tmp_path / "data"
    db = data / "records.sqlite3"
    with RecordStore(db):
        pass
    os.chmod(data, 0o755)
    os.chmod(db, 0o644)
    env = dict(os.environ, CALLASSIST_DATA_DIR=str(data))
    proc = subprocess.run([sys.executable, "-m", "assist.cli.main", "records", "list"], capture_output=True,
                          text=True, encoding="utf-8", timeout=60, cwd=paths.PROJECT_ROOT, env=env)
    assert proc.returncode == 0, proc.stderr
    assert mode(db) == 0o600 and mode(data) == 0o700


def _cli(*args, umask_value, env=None):
    return subprocess.run([sys.executable, "-m", "assist.cli.main", *map(str, args)], capture_output=True,
                          text=True, encoding="utf-8", timeout=120, cwd=paths.PROJECT_ROOT,
                          env=env or dict(os.environ), preexec_fn=lambda: os.umask(umask_value))


def test_analyze_leaves_private_database_log_and_folders_and_exports_are_private(tmp_path):
    data, logs = tmp_path / "u" / "data", tmp_path / "u" / "logs"
    env = dict(os.environ, CALLASSIST_DATA_DIR=str(data), CALLASSIST_LOG_DIR=str(logs))
    call = tmp_path / "call.txt"
    call.write_text("您好，我是华夏银行的工作人员，工号8012。\n请问是张伟先生吗？\n", encoding="utf-8")
    proc = _cli("analyze", call, umask_value=0o022, env=env)
    assert proc.returncode == 0, proc.stderr
    db = data / "records.sqlite3"
    log = logs / "callassist.log"
    assert db.is_file() and log.is_file()
    assert (mode(db), mode(data), mode(log), mode(logs)) == (0o600, 0o700, 0o600, 0o700)
    for value in (0o022, 0o077):
        out = tmp_path / f"export-{value:o}.csv"
        proc = _cli("records", "export", "--format", "csv", "--out", out, umask_value=value, env=env)
        assert proc.returncode == 0, proc.stderr
        assert mode(out) == 0o600
