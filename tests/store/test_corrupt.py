"""A damaged records database: refused on open with one line that says how to recover (never written into,
never a traceback), and ``records recover`` copies every readable call into a new file. Real files, the real
console script."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from assist import paths


def cli(*args):
    return subprocess.run([sys.executable, "-m", "assist.cli.main", *map(str, args)], capture_output=True,
                          text=True, encoding="utf-8", timeout=120, cwd=paths.PROJECT_ROOT, env=dict(os.environ))


@pytest.fixture
def damaged(tmp_path, filled_db):
    """The 16 dev calls with one leaf page of the utterances table overwritten by garbage."""
    path = tmp_path / "records.sqlite3"
    shutil.copy(filled_db, path)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = [r[0] for r in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = 'utterances' AND pagetype = 'leaf' ORDER BY pageno")]
    assert len(pages) >= 4
    with open(path, "r+b") as fh:
        fh.seek((pages[len(pages) // 2] - 1) * page_size + 8)
        fh.write(os.urandom(page_size - 16))
    return path


def _one_error_line(proc):
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


@pytest.mark.parametrize("argv", [["list"], ["show", "d03"], ["search", "还款"], ["export", "--format", "json"]])
def test_records_commands_refuse_a_damaged_database_in_one_line(damaged, argv):
    proc = cli("records", *argv, "--db", damaged)
    assert proc.returncode == 2
    line = _one_error_line(proc)
    assert "损坏" in line and "records recover" in line


def test_analyze_does_not_write_into_a_damaged_database(damaged, tmp_path):
    before = damaged.read_bytes()
    call = tmp_path / "call.txt"
    call.write_text("您好，我是华夏银行的工作人员，工号8012。\n", encoding="utf-8")
    proc = cli("analyze", call, "--db", damaged)
    assert proc.returncode == 2
    assert "损坏" in _one_error_line(proc)
    assert damaged.read_bytes() == before
    assert not damaged.with_name(damaged.name + "-wal").exists() or \
        damaged.with_name(damaged.name + "-wal").stat().st_size == 0


def test_recover_copies_every_readable_call_into_a_new_database(damaged, tmp_path, filled_db):
    out = tmp_path / "recovered.sqlite3"
    proc = cli("records", "recover", "--db", damaged, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert "已恢复 16 通通话" in proc.stdout, proc.stdout
    # the new file is a healthy records database the normal commands use
    listed = cli("records", "list", "--db", out, "--json")
    assert listed.returncode == 0, listed.stderr
    with sqlite3.connect(filled_db) as conn:
        total = conn.execute("SELECT count(*) FROM utterances").fetchone()[0]
    with sqlite3.connect(out) as conn:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        kept = conn.execute("SELECT count(*) FROM utterances").fetchone()[0]
        assert conn.execute("SELECT count(*) FROM alerts").fetchone()[0] > 0
    assert 0 < kept < total          # one page of utterances was lost, the rest came over
    found = cli("records", "search", "还款", "--db", out, "--json")
    assert found.returncode == 0 and found.stdout.strip() != "[]"   # the search index was rebuilt
    again = cli("records", "recover", "--db", damaged, "--out", out)
    assert again.returncode == 2 and "已存在" in _one_error_line(again)
