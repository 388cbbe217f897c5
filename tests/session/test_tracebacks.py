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
