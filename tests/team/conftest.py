"""A real PostgreSQL for the team tests: one throwaway cluster per session (tests/team/pgcluster.py), a fresh
database per test with the team schema migrated and three logins: two workstations and a supervisor."""

from __future__ import annotations

import itertools
import json

import pytest

from assist.team import server
from assist.team.config import TeamConfig

from .pgcluster import Cluster

PASSWORDS = {"ws_a": "pw-ws-a-secret", "ws_b": "pw-ws-b-secret", "qa_lead": "pw-qa-secret"}
_seq = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster():
    psycopg = pytest.importorskip("psycopg")  # noqa: F841 - a declared dependency: its absence fails below
    cluster = Cluster()
    try:
        cluster.start()
        cluster.wait_ready()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def pg_admin(pg_cluster):
    """An admin connection to a fresh database (dropped after the test)."""
    import psycopg

    name = f"team_t{next(_seq)}"
    with psycopg.connect(pg_cluster.dsn(), autocommit=True) as root:
        root.execute(f"CREATE DATABASE {name}")
    conn = psycopg.connect(pg_cluster.dsn(dbname=name), autocommit=True)
    conn.info_dbname = name
    try:
        yield conn
    finally:
        conn.close()
        with psycopg.connect(pg_cluster.dsn(), autocommit=True) as root:
            root.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def team_db(pg_cluster, pg_admin):
    """The fresh database, migrated, with logins ws_a and ws_b (both shared by agents 8000, 8001, 8002: the dev
    calls' 工号) and qa_lead (supervisor)."""
    server.migrate(pg_admin)
    server.database_grants(pg_admin)
    for login, kind, agent in (("ws_a", "workstation", "8000,8001,8002"), ("ws_b", "workstation", "8000,8001,8002"),
                               ("qa_lead", "supervisor", "")):
        server.add_member(pg_admin, server.Member(login, kind, agent_id=agent, team="一组"),
                          password=PASSWORDS[login])
    return pg_admin


@pytest.fixture
def team_config(pg_cluster, pg_admin):
    """config_for('ws_a') → a TeamConfig pointing at the test database over verified TLS."""
    def config_for(login: str) -> TeamConfig:
        return TeamConfig(host="localhost", port=pg_cluster.port, dbname=pg_admin.info_dbname, user=login,
                          sslmode="verify-full", sslrootcert=str(pg_cluster.root_cert), connect_timeout=3)
    return config_for


@pytest.fixture(scope="session")
def dev_calls(dev_dir) -> list[dict]:
    return json.loads((dev_dir / "calls.json").read_text(encoding="utf-8"))
