"""``callassist records list|show|search|export`` on real database files."""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import sqlite3

import pytest

from assist.cli import records as cli


def run(argv: list[str]) -> int:
    # The records subcommand exactly as assist.cli.main mounts it (add_parser + run).
    parser = argparse.ArgumentParser(prog="callassist")
    cli.add_parser(parser.add_subparsers(dest="command"))
    return cli.run(parser.parse_args(argv))


@pytest.fixture
def db(tmp_path, filled_db):
    path = tmp_path / "records.sqlite3"
    shutil.copy(filled_db, path)
    return path


def test_list_table_and_json(db, capsys):
    assert run(["records", "list", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "d16" in out and "债务人16" in out and "16 通通话" in out
    assert out.index("d16") < out.index("d01")  # newest first
    assert run(["records", "list", "--db", str(db), "--json", "--rule", "threat"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {c["id"] for c in data} == {"d07", "d13"}
    assert run(["records", "list", "--db", str(db), "--json", "--no-ptp", "--since", "2026-10-20"]) == 0
    assert {c["id"] for c in json.loads(capsys.readouterr().out)} == {"d05", "d06", "d13"}


def test_show_by_id_or_prefix(db, capsys, dev_calls):
    assert run(["records", "show", "d08", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "通话 d08  [已完成]" in out
    for u in dev_calls[7]["utterances"]:
        assert u["text"] in out
    assert "⚠ insult" in out and "⚠ deception" in out
    assert "建立联系 → 确认欠款事实" in out
    assert run(["records", "show", "d0", "--db", str(db)]) == 1
    assert "不唯一" in capsys.readouterr().err
    assert run(["records", "show", "d08", "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["debtor_name"] == "债务人08"
    assert run(["records", "show", "zz", "--db", str(db)]) == 1
    assert "未找到通话" in capsys.readouterr().err


def test_search_table_and_json(db, capsys):
    assert run(["records", "search", "黑名单", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "d08" in out and "【黑名单】" in out
    assert run(["records", "search", "徵信", "--db", str(db), "--json", "--since", "2026-11-01"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits and {h["call_id"] for h in hits} <= {"d11", "d12", "d13", "d14", "d15", "d16"}
    assert all("征信" in h["text"] for h in hits)
    assert run(["records", "search", "公号", "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert run(["records", "search", "公号", "--sounds-like", "--db", str(db), "--json"]) == 0
    assert {h["call_id"] for h in json.loads(capsys.readouterr().out)} >= {"d01", "d02", "d07"}  # 工号 said there
    assert run(["records", "search", "不存在的说法", "--db", str(db)]) == 0
    assert "未找到" in capsys.readouterr().out


def test_export_to_file_and_stdout(db, tmp_path, capsys):
    out = tmp_path / "表.csv"
    assert run(["records", "export", "--format", "csv", "--since", "2026-11-01", "--out", str(out), "--db", str(db)]) == 0
    assert "已导出 6 通通话" in capsys.readouterr().err
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))
    assert len(rows) == 7 and rows[0][0] == "通话ID"

    assert run(["records", "export", "--format", "json", "--db", str(db), "--rule", "call_time"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in data] == ["d10", "d15"]


def test_missing_corrupt_and_bad_input(tmp_path, db, capsys):
    missing = tmp_path / "none.sqlite3"
    assert run(["records", "list", "--db", str(missing)]) == 2
    assert "不存在" in capsys.readouterr().err
    assert not missing.exists()  # a read command never creates a database

    corrupt = tmp_path / "corrupt.sqlite3"
    corrupt.write_bytes(b"\x00garbage" * 500)
    assert run(["records", "search", "逾期", "--db", str(corrupt)]) == 2
    assert "不是数据库文件" in capsys.readouterr().err

    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    assert run(["records", "list", "--db", str(other)]) == 2
    assert "不是通话记录数据库" in capsys.readouterr().err

    assert run(["records", "list", "--db", str(db), "--since", "10/01/2026"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err

    with pytest.raises(SystemExit):
        run(["records", "export", "--format", "xlsx", "--db", str(db)])


def test_default_database_is_the_apps(filled_db, capsys):
    from assist import paths

    target = paths.default_db_path()  # under the test's CALLASSIST_DATA_DIR
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(filled_db, target)
    assert run(["records", "list", "--json", "--limit", "2"]) == 0
    assert [c["id"] for c in json.loads(capsys.readouterr().out)] == ["d16", "d15"]


def test_through_the_callassist_entry_point(db, capsys):
    from assist.cli.main import main

    assert main(["records", "search", "老赖", "--db", str(db), "--json"]) == 0
    assert [h["call_id"] for h in json.loads(capsys.readouterr().out)] == ["d08"]
