"""Hostile input gives one clear line and exit 2, never a traceback: through the real console script."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from assist import paths


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "assist.cli.main", *map(str, args)], capture_output=True,
                          text=True, encoding="utf-8", timeout=120, cwd=paths.PROJECT_ROOT,
                          env=env or dict(os.environ))


def one_line_exit_2(proc, *words):
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def call_txt(tmp_path):
    path = tmp_path / "call.txt"
    path.write_text("您好，我是华夏银行的工作人员，工号8012。\n", encoding="utf-8")
    return path


@pytest.fixture
def db(tmp_path, call_txt):
    path = tmp_path / "records.sqlite3"
    assert cli("analyze", call_txt, "--db", path).returncode == 0
    return path


CASES = {
    "five_thousand_digits": '{"debtor_name": "张伟", "amount": ' + "9" * 5000 + "}",
    "nested": "[" * 20000 + "]" * 20000,
    "huge_name": '{"debtor_name": "' + "张" * 1_000_000 + '"}',
    "infinite_amount": '{"amount": 1e999}',
    "name_is_a_list": '{"debtor_name": ["张伟"]}',
    "days_not_whole": '{"overdue_days": 12.5}',
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_case_files(tmp_path, call_txt, name):
    case = tmp_path / f"{name}.json"
    case.write_text(CASES[name], encoding="utf-8")
    one_line_exit_2(cli("analyze", call_txt, "--no-record", "--case", case), "case")


def test_case_path_that_is_a_directory(tmp_path, call_txt):
    one_line_exit_2(cli("analyze", call_txt, "--no-record", "--case", tmp_path), "directory")


def test_userdict_saved_as_gbk_names_file_and_line(tmp_path, call_txt):
    res = tmp_path / "resources"
    shutil.copytree(paths.resources_dir(), res)
    userdict = res / "dict" / "userdict.txt"
    lines = userdict.read_text(encoding="utf-8").splitlines()
    lines.insert(3, "催收员 10 n")
    userdict.write_bytes("\n".join(lines[:3]).encode("utf-8") + b"\n" + "\n".join(lines[3:]).encode("gbk") + b"\n")
    env = dict(os.environ, CALLASSIST_RESOURCES=str(res))
    one_line_exit_2(cli("analyze", call_txt, "--no-record", env=env), f"{userdict}:4:", "UTF-8")
    one_line_exit_2(cli("check", "您好", env=env), f"{userdict}:4:")


def test_search_with_two_thousand_terms(db):
    query = " ".join(f"词{i}" for i in range(2000))
    one_line_exit_2(cli("records", "search", query, "--db", db), "搜索")
    query = " ".join(f"词{i}" for i in range(100))
    one_line_exit_2(cli("records", "search", query, "--db", db), "搜索词太多")


@pytest.mark.parametrize("limit", ["99999999999999999999", "-5"])
def test_list_with_an_absurd_limit(db, limit):
    one_line_exit_2(cli("records", "list", "--limit", limit, "--db", db), "--limit")


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "1850-01-01T10:00:00"])
def test_absurd_started_at_is_refused_and_nothing_is_recorded(tmp_path, call_txt, value):
    db = tmp_path / "new.sqlite3"
    one_line_exit_2(cli("analyze", call_txt, "--db", db, "--started-at", value), "--started-at")
    assert not db.exists()


def test_read_only_database_is_said_and_exits_non_zero(tmp_path, call_txt, db, monkeypatch, capsys):
    """The database refuses every write (SQLite's read-only error, made with query_only since root ignores
    file modes): the call goes to the rescue file, the run says so in one line and exits 1, the next
    writable open replays it."""
    import sqlite3

    from assist.store import RecordStore
    from assist.store import db as dbmod

    from .helpers import run_analyze

    real = dbmod.setup_writer

    def read_only(conn):
        real(conn)
        conn.execute("PRAGMA query_only = ON")

    monkeypatch.setattr(dbmod, "setup_writer", read_only)
    capsys.readouterr()
    assert run_analyze(call_txt, "--db", db) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert "暂存到" in err[-1] and "Traceback" not in "\n".join(err), err
    monkeypatch.setattr(dbmod, "setup_writer", real)
    assert list(tmp_path.glob("records.sqlite3.pending-*.jsonl"))
    with RecordStore(db) as store:
        assert store.wait_opened(10)
        assert [c["status"] for c in store.list_calls()] == ["completed", "completed"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM calls").fetchone()[0] == 2
