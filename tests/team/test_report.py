"""The supervisor's reads on the server agree with the local review: search over the same tokens, the same
filters, one call in the same shape (so the same 催收记录表 row), and the team figures."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest

from assist.store import RecordStore
from assist.store.export import csv_row
from assist.team import report, server
from assist.team.sync import SyncWorker

from .conftest import PASSWORDS
from .helpers import fill, make_calls


@pytest.fixture
def synced(tmp_path, team_db, team_config, dev_calls):
    """ws_a (一组) sent the sixteen dev calls, ws_b (二组) twenty more; a supervisor's connection."""
    server.add_member(team_db, server.Member("ws_b", "workstation", agent_id="8000,8001,8002", team="二组"))
    a = fill(tmp_path / "a.sqlite3", dev_calls)
    b = fill(tmp_path / "b.sqlite3", make_calls(dev_calls, 20, first=300))
    for path, login in ((a, "ws_a"), (b, "ws_b")):
        w = SyncWorker(path, team_config(login), password=PASSWORDS[login])
        assert w.sync_once().pending == 0
        w.stop()
    conn = psycopg.connect(**team_config("qa_lead").conninfo(PASSWORDS["qa_lead"]), autocommit=True)
    yield conn, a, b
    conn.close()


QUERIES = ["逾期", "三千", "3680", "家人", "逾期 信用卡", "款", "app", "信用卡中心", "征信"]


@pytest.mark.parametrize("query", QUERIES)
def test_search_finds_what_the_local_search_finds(synced, query):
    conn, a, _ = synced
    with RecordStore(a) as store:
        local = {(h["call_id"], h["utterance"]) for h in store.search(query, limit=5000)}
    remote = {(h["call_id"], h["utterance"]) for h in report.search(conn, query, limit=5000, workstation="ws_a")}
    assert local, f"the dev calls should contain {query!r}"
    assert remote == local


@pytest.mark.parametrize("first_calls", [1, 5])
def test_a_page_of_hits_is_the_newest_whatever_the_time_slices(synced, monkeypatch, first_calls):
    """The search reads newest-first in time slices and stops when a page is full: every page must be the one
    an unsliced newest-first sort of all the hits gives."""
    conn, _, _ = synced
    for query in ("逾期", "征信", "款"):  # 款: a lone character, found by the substring path
        monkeypatch.setattr(report, "FIRST_CALLS", 10 ** 9)  # one slice: everything, sorted once
        everything = report.search(conn, query, limit=5000)
        assert len(everything) >= 6, query
        order = [(h["started_at"], h["call_id"]) for h in everything]
        assert order == sorted(order, reverse=True)
        monkeypatch.setattr(report, "FIRST_CALLS", first_calls)
        for limit, offset in ((1, 0), (3, 0), (3, 2), (len(everything), 0), (5, len(everything) - 2)):
            page = report.search(conn, query, limit=limit, offset=offset)
            assert page == everything[offset:offset + limit], (query, limit, offset)
        one = report.search(conn, query, limit=5000, team="二组", since="2026-10-01", until="2026-11-15")
        assert one == [h for h in everything if h["team"] == "二组" and h["started_at"][:10] <= "2026-11-15"]
    assert report.search(conn, "逾期", since="2030-01-01") == []


def test_filters_agree_with_the_local_review(synced):
    conn, a, _ = synced
    with RecordStore(a) as store:
        for filters in ({"rule": "threat"}, {"ptp": True}, {"ptp": False}, {"stage": "plan"}, {"agent": "8001"},
                        {"since": "2026-10-13", "until": "2026-10-20"}, {"status": "completed"}):
            local = {c["id"] for c in store.list_calls(**filters)}
            remote = {c["id"] for c in report.list_calls(conn, workstation="ws_a", **filters)}
            assert remote == local, filters
    assert {c["team"] for c in report.list_calls(conn, team="二组")} == {"二组"}
    assert len(report.list_calls(conn, team="二组")) == 20
    with pytest.raises(report.ReportError, match="日期格式"):
        report.list_calls(conn, since="13/10/2026")


def test_a_call_has_the_local_shape_and_the_same_export_row(synced):
    conn, a, _ = synced
    with RecordStore(a) as store:
        for cid in ("d01", "d04", "d09"):
            local, remote = store.get_call(cid), report.get_call(conn, cid)
            assert csv_row(remote) == csv_row(local)
            assert [x["rule"] for x in remote["alerts"]] == [x["rule"] for x in local["alerts"]]
            assert remote["workstation"] == "ws_a" and remote["team"] == "一组"
    assert report.get_call(conn, "no-such-call") is None


def test_team_report_figures(synced):
    conn, a, b = synced
    rep = report.team_report(conn, by="team")
    assert [r["key"] for r in rep["rows"]] == ["一组", "二组"] and rep["total"]["calls"] == 36

    def expected(path):
        with sqlite3.connect(path) as db:
            calls, talk, ptp = db.execute("SELECT count(*), sum(duration), count(ptp_amount) FROM calls").fetchone()
            crit = dict(db.execute("SELECT rule, count(*) FROM alerts WHERE severity = 'critical' AND retracted = 0"
                                   " AND utterance IS NOT NULL GROUP BY rule"))
            gaps = dict(db.execute("SELECT rule, count(DISTINCT call_id) FROM alerts WHERE retracted = 0"
                                   " AND utterance IS NULL GROUP BY rule"))
        return calls, talk, ptp, crit, gaps

    for row, path in zip(rep["rows"], (a, b)):
        calls, talk, ptp, crit, gaps = expected(path)
        assert row["calls"] == calls and row["talk_s"] == pytest.approx(talk)
        assert row["ptp_rate"] == round(ptp / calls, 4)
        assert row["critical_per_100"] == {r: round(100.0 * n / calls, 2) for r, n in sorted(crit.items())}
        assert row["gap_rate"] == {r: round(n / calls, 4) for r, n in sorted(gaps.items())}
        assert 0 < row["stage_rate"]["greet"] <= 1
    by_agent = report.team_report(conn, by="agent", team="一组")
    assert sum(r["calls"] for r in by_agent["rows"]) == 16
    weeks = report.team_report(conn, by="week", since="2026-10-01", until="2026-12-31")
    assert sum(r["calls"] for r in weeks["rows"]) == weeks["total"]["calls"] > 0
    assert all(len(r["key"]) == 10 for r in weeks["rows"])
    assert report.report_csv(rep).splitlines()[-1].startswith("合计,")


def test_a_workstation_login_reads_only_its_own_calls(synced, team_config):
    _, _, _ = synced
    with psycopg.connect(**team_config("ws_b").conninfo(PASSWORDS["ws_b"]), autocommit=True) as conn:
        assert {c["workstation"] for c in report.list_calls(conn)} == {"ws_b"}
        assert report.get_call(conn, "d01") is None
        assert report.team_report(conn)["total"]["calls"] == 20
