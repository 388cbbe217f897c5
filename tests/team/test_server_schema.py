"""The server schema: numbered migrations, the version table, partitions, roles and row-level security."""

from __future__ import annotations

import pytest

from assist.team import server


def test_migrations_are_numbered_without_gaps():
    found = server.migrations()
    assert [v for v, _, _ in found] == list(range(1, len(found) + 1)) and server.LATEST == len(found) >= 1


def test_migrate_applies_once_and_records_the_version(pg_admin):
    assert server.current_version(pg_admin) == 0
    applied = server.migrate(pg_admin)
    assert applied == [name for _, name, _ in server.migrations()]
    assert server.current_version(pg_admin) == server.LATEST
    assert server.migrate(pg_admin) == []  # a second run changes nothing
    parts = [r[0] for r in pg_admin.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = 'callassist.utterances'::regclass ORDER BY 1")]
    assert len(parts) == 3 and all(p.startswith("utterances_20") for p in parts)


def test_a_failing_migration_rolls_back_alone(pg_admin, tmp_path, monkeypatch):
    import psycopg

    server.migrate(pg_admin)
    bad = tmp_path / "sql"
    bad.mkdir()
    for _, name, sql in server.migrations():
        (bad / name).write_text(sql, encoding="utf-8")
    n = server.LATEST + 1
    (bad / f"{n:04d}_broken.sql").write_text(
        "CREATE TABLE callassist.half_done (x int);\nSELECT no_such_function();\n", encoding="utf-8")
    monkeypatch.setattr(server, "SQL_DIR", bad)
    monkeypatch.setattr(server, "LATEST", n)
    with pytest.raises(psycopg.errors.UndefinedFunction):
        server.migrate(pg_admin)
    assert server.current_version(pg_admin) == n - 1
    assert pg_admin.execute("SELECT to_regclass('callassist.half_done')").fetchone()[0] is None


def test_init_creates_login_roles_in_their_groups(team_db):
    rows = team_db.execute(
        "SELECT r.rolname, g.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member"
        " JOIN pg_roles g ON g.oid = m.roleid WHERE r.rolname IN ('ws_a', 'ws_b', 'qa_lead') ORDER BY 1").fetchall()
    assert rows == [("qa_lead", "callassist_supervisor"), ("ws_a", "callassist_workstation"),
                    ("ws_b", "callassist_workstation")]
    flags = team_db.execute("SELECT rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = 'ws_a'").fetchone()
    assert flags == (False, False, False)
    with pytest.raises(server.TeamServerError):
        server.check_login("Robert'); DROP TABLE x;--")
