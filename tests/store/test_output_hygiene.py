"""What the records commands print and export is safe: no terminal control codes from notes or case data, a
CSV formula guard that also catches a leading TAB/CR, JSON without Infinity. The real console script."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from assist import events as ev
from assist import paths
from assist.case import CaseData
from assist.store import RecordStore

NASTY = "\x1b[2J\x07\x1b]0;owned\x07"


def cli(*args):
    return subprocess.run([sys.executable, "-m", "assist.cli.main", *map(str, args)], capture_output=True,
                          text=True, encoding="utf-8", timeout=120, cwd=paths.PROJECT_ROOT, env=dict(os.environ))


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "records.sqlite3"
    with RecordStore(path) as store:
        case = CaseData(debtor_name="张伟" + NASTY, phone="\t=HYPERLINK(\"x\")", account="\r=1+1")
        store.begin_call("c1", started_at=datetime(2026, 11, 3, 10, 0, tzinfo=timezone.utc), case=case)
        store.record("c1", ev.UtteranceFinal(utterance=0, start=0, end=1, text="您好" + NASTY, stage="greet", t=1))
        store.record("c1", ev.PromiseToPay(amount=float("inf"), date="2026-11-10", channel="app", t=1.5))
        store.record("c1", ev.CallEnded(call_id="c1", duration=float("nan"), alerts={}, ptp=None, t=2))
        store.set_notes("c1", "第一行" + NASTY + "\n第二行")
        assert store.flush(10)
    return path


@pytest.mark.parametrize("argv", [["show", "c1"], ["list"], ["search", "您好"]])
def test_no_control_characters_reach_the_terminal(db, argv):
    proc = cli("records", *argv, "--db", db)
    assert proc.returncode == 0, proc.stderr
    assert not any(ch in proc.stdout for ch in "\x1b\x07\r"), repr(proc.stdout)
    assert "\\x1b" in proc.stdout
    if argv[0] == "show":
        assert "第一行\\x1b[2J\\x07" in proc.stdout and "\n第二行" in proc.stdout


def test_csv_guard_catches_leading_tab_and_cr(db, tmp_path):
    out = tmp_path / "t.csv"
    assert cli("records", "export", "--format", "csv", "--db", db, "--out", out).returncode == 0
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline="")))
    header, row = rows[0], rows[1]
    assert row[header.index("电话")].startswith("'\t=")
    assert row[header.index("账号")].startswith("'\r=")


@pytest.mark.parametrize("argv", [["export", "--format", "json"], ["show", "c1", "--json"], ["list", "--json"]])
def test_json_has_no_infinity_or_nan(db, argv):
    proc = cli("records", *argv, "--db", db)
    assert proc.returncode == 0, proc.stderr

    def refuse(name):
        raise AssertionError(f"{name} in JSON output")

    data = json.loads(proc.stdout, parse_constant=refuse)
    assert data
