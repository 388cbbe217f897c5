"""Sync against a real PostgreSQL: once and only once, revisions, a server that is down, kill -9 mid-sync, two
workstations at once, and a workstation login refused on another's call."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time

import psycopg
import pytest

from assist.store import RecordStore
from assist.team import sync
from assist.team.sync import SyncWorker
from tests.store.conftest import feed_call, wait_for

from .conftest import PASSWORDS
from .helpers import fill, local_final_utterances, make_calls, server_counts


def worker(path, config, login, **kw) -> SyncWorker:
    kw.setdefault("backoff_s", (0.05, 0.3))
    return SyncWorker(path, config(login), password=PASSWORDS[login], **kw)


def outbox(path) -> dict[str, tuple[int, int]]:
    with sqlite3.connect(path) as conn:
        return {r[0]: (r[1], r[2]) for r in conn.execute("SELECT call_id, revision, synced_revision FROM sync_outbox")}


def test_finished_calls_reach_the_server_once_with_every_row(tmp_path, team_db, team_config, dev_calls):
    path = fill(tmp_path / "a.sqlite3", dev_calls, active=make_calls(dev_calls, 1, first=90))
    w = worker(path, team_config, "ws_a")
    try:
        status = w.sync_once()
        assert status.state == sync.SYNCED and status.text() == "已同步"
        assert w.sent == len(dev_calls)
        on_server = server_counts(team_db)
        assert set(on_server) == {c["id"] for c in dev_calls}  # the active call d90 is not sent
        local_utts = local_final_utterances(path)
        assert local_utts.pop("d90") == 10
        assert server_counts(team_db, "utterances") == local_utts
        # Every kind of row came along, as the local review shows it.
        with RecordStore(path) as store:
            local = store.get_call("d01")
        n_alerts = team_db.execute("SELECT count(*) FROM callassist.alerts WHERE call_id = 'd01'").fetchone()[0]
        assert n_alerts == len(local["alerts"])
        ws, agent = team_db.execute("SELECT workstation, agent_id FROM callassist.calls WHERE id = 'd01'").fetchone()
        assert ws == "ws_a" and agent == local["agent_id"]
        # A second pass sends only the call the reopened store found left active: interrupted, it is finished.
        assert w.sync_once().pending == 0 and w.sent == len(dev_calls) + 1
        assert team_db.execute("SELECT status FROM callassist.calls WHERE id = 'd90'").fetchone() == ("interrupted",)
    finally:
        w.stop()


def test_a_later_note_edit_replaces_the_old_revision(tmp_path, team_db, team_config, dev_calls):
    path = fill(tmp_path / "a.sqlite3", dev_calls[:3])
    w = worker(path, team_config, "ws_a")
    try:
        w.sync_once()
        rev1 = server_counts(team_db)["d02"]
        utts = server_counts(team_db, "utterances")["d02"]
        with RecordStore(path) as store:
            store.set_notes("d02", "客户说下周一再联系")
            store.dismiss_alert("d02", None, "anything")  # no such alert: no change, no new revision needed
            assert store.flush(10)
        assert sync.local_status(sqlite3.connect(path)).text() == "待同步 1 通"
        w.sync_once()
        rev2, notes = team_db.execute("SELECT revision, notes FROM callassist.calls WHERE id = 'd02'").fetchone()
        assert rev2 > rev1 and notes == "客户说下周一再联系"
        assert server_counts(team_db, "utterances")["d02"] == utts  # replaced, not duplicated
        assert outbox(path)["d02"][0] == outbox(path)["d02"][1] == rev2
    finally:
        w.stop()


def test_a_resend_of_a_revision_the_server_has_changes_nothing(tmp_path, team_db, team_config, dev_calls):
    path = fill(tmp_path / "a.sqlite3", dev_calls[:2])
    w = worker(path, team_config, "ws_a")
    try:
        w.sync_once()
        before = team_db.execute("SELECT id, revision, received_at FROM callassist.calls ORDER BY id").fetchall()
        with sqlite3.connect(path) as conn:  # as if the worker died after the server's commit, before its own
            conn.execute("UPDATE sync_outbox SET synced_revision = 0")
        w.sync_once()
        assert w.skipped == 2 and w.sent == 2
        assert team_db.execute("SELECT id, revision, received_at FROM callassist.calls ORDER BY id").fetchall() == before
    finally:
        w.stop()


def test_server_down_at_call_end_then_back_receives_everything_once(tmp_path, pg_cluster, team_db, team_config,
                                                                      dev_calls):
    path = tmp_path / "a.sqlite3"
    store = RecordStore(path)
    seen: list[sync.SyncStatus] = []
    w = worker(path, team_config, "ws_a", on_status=seen.append, poll_s=0.2)
    try:
        feed_call(store, dev_calls[0])
        assert store.flush(10)
        w.start()
        assert wait_for(lambda: w.status().state == sync.SYNCED, 20)
        pg_cluster.stop()
        try:
            # Calls end while the server is down: nothing waits on it, nothing is lost.
            t0 = time.monotonic()
            for call in dev_calls[1:6]:
                feed_call(store, call)
            assert store.flush(10) and time.monotonic() - t0 < 5
            w.poke()
            assert wait_for(lambda: w.status().text() == "服务器不可达（待同步 5 通）", 20), w.status()
            assert "服务器不可达" in w.status().message
        finally:
            pg_cluster.start(pg_cluster.port)
        assert wait_for(lambda: w.status().state == sync.SYNCED, 30), w.status()
        with psycopg.connect(pg_cluster.dsn(dbname=team_db.info_dbname)) as admin:  # the restart closed team_db
            assert set(server_counts(admin)) == {c["id"] for c in dev_calls[:6]}
            assert server_counts(admin, "utterances") == local_final_utterances(path)
        assert [s.state for s in seen][-3:] == [sync.PENDING, sync.UNREACHABLE, sync.SYNCED] or \
            [s.state for s in seen][-2:] == [sync.UNREACHABLE, sync.SYNCED]
    finally:
        w.stop()
        store.close()


KILL_SCRIPT = textwrap.dedent("""
    import sys
    from assist.team.config import TeamConfig
    from assist.team.sync import SyncWorker
    host, port, db, user, pw, root, path = sys.argv[1:]
    cfg = TeamConfig(host=host, port=int(port), dbname=db, user=user, sslrootcert=root)
    w = SyncWorker(path, cfg, password=pw, batch=2)
    print("ready", flush=True)
    while True:
        w.sync_once(max_batches=1)
""")


def test_kill_9_mid_sync_then_a_new_worker_completes_without_duplicates(tmp_path, team_db, team_config, dev_calls):
    calls = make_calls(dev_calls, 120)
    path = fill(tmp_path / "a.sqlite3", calls)
    cfg = team_config("ws_a")
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, cfg.host, str(cfg.port), cfg.dbname, "ws_a",
                             PASSWORDS["ws_a"], cfg.sslrootcert, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        assert wait_for(lambda: len(server_counts(team_db)) >= 20, 60)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    got = len(server_counts(team_db))
    assert 20 <= got < len(calls), "the kill must land mid-sync"
    marked = sum(1 for rev, synced in outbox(path).values() if synced == rev)
    assert marked <= got  # the local note never runs ahead of the server's commit
    w = worker(tmp_path and path, team_config, "ws_a")
    try:
        assert w.sync_once().state == sync.SYNCED
    finally:
        w.stop()
    assert set(server_counts(team_db)) == {c["id"] for c in calls}
    assert server_counts(team_db, "utterances") == local_final_utterances(path)
    assert team_db.execute("SELECT count(*), count(DISTINCT (call_id, idx)) FROM callassist.utterances").fetchone() \
        == (sum(local_final_utterances(path).values()),) * 2


def test_two_workstations_sync_at_once_into_a_new_month(tmp_path, team_db, team_config, dev_calls):
    a = fill(tmp_path / "a.sqlite3", make_calls(dev_calls, 40, first=100, month="2031-03"))
    b = fill(tmp_path / "b.sqlite3", make_calls(dev_calls, 40, first=200, month="2031-03"))
    workers = [worker(a, team_config, "ws_a", batch=5), worker(b, team_config, "ws_b", batch=5)]
    results = []
    threads = [threading.Thread(target=lambda w=w: results.append(w.sync_once())) for w in workers]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    finally:
        for w in workers:
            w.stop()
    assert [r.state for r in results] == [sync.SYNCED, sync.SYNCED]
    rows = team_db.execute("SELECT workstation, count(*) FROM callassist.calls GROUP BY 1 ORDER BY 1").fetchall()
    assert rows == [("ws_a", 40), ("ws_b", 40)]
    assert server_counts(team_db, "utterances") == local_final_utterances(a) | local_final_utterances(b)
    # Each workstation sees only its own calls; the supervisor sees the team.
    cfg = team_config("ws_a")
    with psycopg.connect(**cfg.conninfo(PASSWORDS["ws_a"])) as conn:
        assert conn.execute("SELECT count(*) FROM callassist.calls").fetchone()[0] == 40
        assert conn.execute("SELECT count(*) FROM callassist.utterances WHERE workstation = 'ws_b'").fetchone()[0] == 0
    with psycopg.connect(**team_config("qa_lead").conninfo(PASSWORDS["qa_lead"])) as conn:
        assert conn.execute("SELECT count(*) FROM callassist.calls").fetchone()[0] == 80


@pytest.mark.logs_errors("assist.team.sync")  # the server's refusal of the forged call is logged
def test_a_workstation_cannot_change_another_agents_call(tmp_path, team_db, team_config, dev_calls):
    a = fill(tmp_path / "a.sqlite3", dev_calls[:2])
    wa = worker(a, team_config, "ws_a")
    wa.sync_once()
    wa.stop()
    # ws_b's database holds a call with ws_a's call id d01 (a copied file, a forged id) and one of its own.
    b_calls = [dict(dev_calls[0], id="d01"), dict(dev_calls[2], id="d77")]
    b = fill(tmp_path / "b.sqlite3", b_calls)
    with sqlite3.connect(b) as conn:
        conn.execute("UPDATE sync_outbox SET revision = 50 WHERE call_id = 'd01'")
        conn.execute("UPDATE calls SET notes = '篡改' WHERE id = 'd01'")
    wb = worker(b, team_config, "ws_b")
    try:
        status = wb.sync_once()
    finally:
        wb.stop()
    assert status.pending == 1 and status.refused == 1 and "被服务器拒绝" in status.text()
    with sqlite3.connect(b) as conn:
        err, next_ts = conn.execute("SELECT last_error, next_ts FROM sync_outbox WHERE call_id = 'd01'").fetchone()
    assert "拒绝" in err and next_ts > time.time() + 30
    assert team_db.execute("SELECT workstation, notes FROM callassist.calls WHERE id = 'd01'").fetchone() == ("ws_a", "")
    assert team_db.execute("SELECT workstation FROM callassist.calls WHERE id = 'd77'").fetchone() == ("ws_b",)
    # Straight SQL as ws_b: the rows of ws_a are invisible to UPDATE/DELETE, forging the owner is refused,
    # deleting calls is not granted, and the supervisor cannot write at all.
    with psycopg.connect(**team_config("ws_b").conninfo(PASSWORDS["ws_b"]), autocommit=True) as conn:
        assert conn.execute("UPDATE callassist.calls SET notes = 'x' WHERE id = 'd01'").rowcount == 0
        assert conn.execute("DELETE FROM callassist.utterances WHERE call_id = 'd01'").rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE callassist.calls SET workstation = 'ws_a' WHERE id = 'd77'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM callassist.calls WHERE id = 'd77'")
    with psycopg.connect(**team_config("qa_lead").conninfo(PASSWORDS["qa_lead"]), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE callassist.calls SET notes = 'x'")
    assert team_db.execute("SELECT count(*) FROM callassist.utterances WHERE call_id = 'd01'").fetchone()[0] > 0


def test_wrong_password_and_untrusted_certificate_are_clear_errors(tmp_path, team_db, team_config, dev_calls,
                                                                    pg_cluster):
    from assist.team.config import TeamConfig

    path = fill(tmp_path / "a.sqlite3", dev_calls[:1])
    w = SyncWorker(path, team_config("ws_a"), password="wrong")
    try:
        status = w.sync_once()
    finally:
        w.stop()
    assert status.state == sync.UNREACHABLE and "用户名或密码错误" in status.message
    assert "wrong" not in status.message
    other_ca = tmp_path / "other.crt"
    from .pgcluster import _make_cert
    crt, _ = _make_cert(tmp_path)
    other_ca.write_bytes(crt.read_bytes())
    cfg = TeamConfig(**{**team_config("ws_a").__dict__, "sslrootcert": str(other_ca)})
    w = SyncWorker(path, cfg, password=PASSWORDS["ws_a"])
    try:
        status = w.sync_once()
    finally:
        w.stop()
    assert status.state == sync.UNREACHABLE and "证书" in status.message
    cfg = TeamConfig(**{**team_config("ws_a").__dict__, "sslmode": "disable"})
    w = SyncWorker(path, cfg, password=PASSWORDS["ws_a"])
    try:  # the server takes TLS only (pg_hba hostnossl reject)
        assert w.sync_once().state == sync.UNREACHABLE
    finally:
        w.stop()
    assert server_counts(team_db) == {}


@pytest.mark.logs_errors("assist.team.sync")  # the server's refusal of d03 (8000 not registered) is logged
def test_a_workstation_may_upload_only_under_its_registered_agent_ids(tmp_path, team_db, team_config, dev_calls):
    from assist.team import server

    # ws_b is one agent's login now: 8002. d02 is 8002's call, d03 8000's; d06 lost its 工号 locally.
    server.add_member(team_db, server.Member("ws_b", "workstation", agent_id="8002", team="一组"))
    b = fill(tmp_path / "b.sqlite3", [dev_calls[1], dev_calls[2], dev_calls[5]])
    with sqlite3.connect(b) as conn:
        assert dict(conn.execute("SELECT id, agent_id FROM calls")) == {"d02": "8002", "d03": "8000", "d06": "8000"}
        conn.execute("UPDATE calls SET agent_id = '' WHERE id = 'd06'")
    wb = worker(b, team_config, "ws_b")
    try:
        status = wb.sync_once()
        assert status.pending == 1 and status.refused == 1
        with sqlite3.connect(b) as conn:
            err = conn.execute("SELECT last_error FROM sync_outbox WHERE call_id = 'd03'").fetchone()[0]
        assert "工号未登记" in err and "8000" in err
        assert dict(team_db.execute("SELECT id, agent_id FROM callassist.calls").fetchall()) == \
            {"d02": "8002", "d06": "8002"}  # the call without a 工号 is stamped with the login's one
        assert team_db.execute("SELECT count(*) FROM callassist.utterances WHERE call_id = 'd03'").fetchone()[0] == 0

        # Straight SQL as ws_b: renaming its own call to another agent is refused too.
        with psycopg.connect(**team_config("ws_b").conninfo(PASSWORDS["ws_b"]), autocommit=True) as conn:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="agent id 8001 is not registered"):
                conn.execute("UPDATE callassist.calls SET agent_id = '8001' WHERE id = 'd02'")
        # A login in the workstation group but not registered as a member may put no 工号 on a call.
        team_db.execute("CREATE ROLE ws_x LOGIN PASSWORD 'pw-ws-x-secret' IN ROLE callassist_workstation")
        cfg = team_config("ws_x")
        with psycopg.connect(**cfg.conninfo("pw-ws-x-secret"), autocommit=True) as conn:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="registered: none"):
                conn.execute("INSERT INTO callassist.calls (id, revision, started_at, started_local, status, agent_id)"
                             " VALUES ('x1', 1, now(), '2026-01-01T00:00:00+08:00', 'completed', '8002')")

        # The admin registers 8000 at ws_b as well: the set-aside call goes through at its next try.
        server.add_member(team_db, server.Member("ws_b", "workstation", agent_id="8002，8000", team="一组"))
        with sqlite3.connect(b) as conn:
            conn.execute("UPDATE sync_outbox SET next_ts = 0")
        assert wb.sync_once().pending == 0
    finally:
        wb.stop()
    assert team_db.execute("SELECT agent_id FROM callassist.members WHERE login = 'ws_b'").fetchone()[0] == "8002,8000"
    # `team init --workstation ws_b` again (no 工号 given) keeps the login's 工号 and team.
    again = server.Member("ws_b", "workstation")
    server.add_member(team_db, again)
    assert (again.agent_id, again.team) == ("8002,8000", "一组")
    assert team_db.execute("SELECT agent_id FROM callassist.calls WHERE id = 'd03'").fetchone()[0] == "8000"
    with pytest.raises(server.TeamServerError, match="工号不合规范"):
        server.agent_ids("8001:一组")


def test_the_sync_leaves_the_cpu_to_a_live_call(tmp_path, team_db, team_config, dev_calls):
    """While a call is being recorded (an active call in the records database) the worker pauses after each
    batch; with no live call it does not pause. Everything still reaches the server once."""
    calls = make_calls(dev_calls, 12, first=500)
    live = fill(tmp_path / "live.sqlite3", calls, active=[dict(dev_calls[0], id="d999")])
    idle = fill(tmp_path / "idle.sqlite3", make_calls(dev_calls, 12, first=600))
    w_live = worker(live, team_config, "ws_a", batch=4, live_share=0.25)
    w_idle = worker(idle, team_config, "ws_b", batch=4, live_share=0.25)
    try:
        t0 = time.monotonic()
        assert w_live.sync_once().pending == 0
        took = time.monotonic() - t0
        assert w_idle.sync_once().pending == 0
    finally:
        w_live.stop()
        w_idle.stop()
    assert w_live.paused_s > 0 and took > w_live.paused_s and w_idle.paused_s == 0
    assert sync.call_is_live(sqlite3.connect(live)) and not sync.call_is_live(sqlite3.connect(idle))
    counts = server_counts(team_db)
    assert len(counts) == 24 and "d999" not in counts and set(counts.values()) == {1}
