"""The team server's schema: numbered SQL files in ``sql/`` applied in order, each in one transaction, with the
version recorded in ``callassist.schema_version``; and the login roles ``team init`` creates.

Roles: ``callassist_workstation`` (group) may insert and update only the rows its members sent (row-level
security on ``workstation = current_user``); ``callassist_supervisor`` (group) reads everything. Each
workstation or agent gets a LOGIN role in the first group, each QA lead or team leader one in the second.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path

SQL_DIR = Path(__file__).with_name("sql")
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_LOGIN = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_AGENT_SEP = re.compile(r"[,，;；\s]+")
_AGENT_ID = re.compile(r"^[0-9A-Za-z_.-]{1,32}$")
MIGRATE_LOCK = 0x43415254  # advisory lock key: one migrate at a time


class TeamServerError(RuntimeError):
    """A problem a person must act on; ``str()`` is Chinese with the cause."""


def migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) in order; the numbers must run 1, 2, 3… without gaps."""
    found = []
    for path in sorted(SQL_DIR.glob("*.sql")):
        m = _NAME.match(path.name)
        if not m:
            raise TeamServerError(f"迁移文件名不合规范: {path.name} (expected NNNN_name.sql)")
        found.append((int(m.group(1)), path.name, path.read_text(encoding="utf-8")))
    for i, (version, name, _) in enumerate(found, start=1):
        if version != i:
            raise TeamServerError(f"迁移编号不连续: {name} 应为 {i:04d}")
    return found


LATEST = len(migrations())


def current_version(conn) -> int:
    row = conn.execute("SELECT to_regclass('callassist.schema_version')").fetchone()
    if row[0] is None:
        return 0
    return int(conn.execute("SELECT coalesce(max(version), 0) FROM callassist.schema_version").fetchone()[0])


def migrate(conn, *, upto: int | None = None, months_ahead: int = 2) -> list[str]:
    """Apply what is missing to ``conn`` (an admin's autocommit connection). Returns the files applied.

    A failing file rolls back alone (the versions before it stay applied). Also makes sure the utterance
    partitions of this month and the next ``months_ahead`` exist.
    """
    upto = LATEST if upto is None else upto
    applied = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
        conn.execute("CREATE SCHEMA IF NOT EXISTS callassist")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS callassist.schema_version ("
            " version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
        )
    have = current_version(conn)
    if have > LATEST:
        raise TeamServerError(f"服务器数据库版本 {have} 比本程序支持的 {LATEST} 新，请升级程序")
    for version, name, sql in migrations():
        if version <= have or version > upto:
            continue
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
            if current_version(conn) >= version:  # another admin got there first
                continue
            conn.execute(sql)
            conn.execute("INSERT INTO callassist.schema_version (version, name) VALUES (%s, %s)", (version, name))
        applied.append(name)
    if current_version(conn) >= 1:
        today = date.today().replace(day=1)
        for k in range(months_ahead + 1):
            y, m = divmod(today.month - 1 + k, 12)
            conn.execute("SELECT callassist.ensure_month(%s::timestamptz)", (f"{today.year + y}-{m + 1:02d}-15",))
    return applied


@dataclass
class Member:
    login: str
    kind: str                   # workstation | supervisor
    agent_id: str = ""
    agent_name: str = ""
    team: str = ""
    password: str = ""          # set when created here (printed once)


def check_login(login: str) -> str:
    if not _LOGIN.match(login or ""):
        raise TeamServerError(f"登录名不合规范: {login!r} (lower-case letters, digits and _, starting with a letter)")
    return login


def agent_ids(text: str) -> list[str]:
    """The 工号 a login is registered with: one, or several separated by commas (a workstation agents share).
    The server's trigger (migration 0002) refuses a call whose 工号 is not among them."""
    ids = [x for x in _AGENT_SEP.split(text or "") if x]
    for x in ids:
        if not _AGENT_ID.match(x):
            raise TeamServerError(f"工号不合规范: {x!r} (letters, digits, _ . -; several separated by commas)")
    return list(dict.fromkeys(ids))


def add_member(conn, member: Member, *, password: str | None = None) -> list[str]:
    """Create (or update) a LOGIN role in the workstation or supervisor group and its members row.
    Returns what was done, one line each. A new role gets ``password`` or a generated one (member.password)."""
    from psycopg import sql

    check_login(member.login)
    member.agent_id = ",".join(agent_ids(member.agent_id))
    group = {"workstation": "callassist_workstation", "supervisor": "callassist_supervisor"}[member.kind]
    other = "callassist_supervisor" if member.kind == "workstation" else "callassist_workstation"
    done = []
    with conn.transaction():
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (member.login,)).fetchone()
        ident = sql.Identifier(member.login)
        if not exists:
            member.password = password or secrets.token_urlsafe(18)
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS")
                         .format(ident, sql.Literal(member.password)))
            done.append(f"创建登录角色 {member.login}")
        elif password:
            member.password = password
            conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(ident, sql.Literal(password)))
            done.append(f"更新 {member.login} 的密码")
        conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), ident))
        conn.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(other), ident))
        done.append(f"{member.login} 属于 {group}")
        member.agent_id, member.team = conn.execute(
            "INSERT INTO callassist.members (login, kind, agent_id, agent_name, team) VALUES (%s, %s, %s, %s, %s)"
            # A spec that leaves the 工号 or team out keeps what the login has: `team init --workstation ws_0101`
            # run again must not unbind the login's 工号 (its uploads would all be refused).
            " ON CONFLICT (login) DO UPDATE SET kind = excluded.kind,"
            " agent_id = CASE WHEN excluded.agent_id <> '' THEN excluded.agent_id ELSE members.agent_id END,"
            " agent_name = CASE WHEN excluded.agent_name <> '' THEN excluded.agent_name ELSE members.agent_name END,"
            " team = CASE WHEN excluded.team <> '' THEN excluded.team ELSE members.team END"
            " RETURNING agent_id, team",
            (member.login, member.kind, member.agent_id, member.agent_name, member.team),
        ).fetchone()
        done.append(f"成员表: {member.login} 工号={member.agent_id or '-'} 组={member.team or '-'}")
    return done


def database_grants(conn) -> list[str]:
    """Let the group roles connect to this database (PUBLIC may be revoked on a hardened server)."""
    from psycopg import sql

    db = conn.execute("SELECT current_database()").fetchone()[0]
    conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO callassist_workstation, callassist_supervisor")
                 .format(sql.Identifier(db)))
    return [f"允许 callassist_workstation / callassist_supervisor 连接数据库 {db}"]
