"""``callassist team …``: the team server — set it up (migrate, init), point a workstation at it (configure),
see and drive the sync (status, sync), and read the team's figures (report).

Exit status: 0 ok; 1 the server cannot be reached or refused; 2 bad input or not configured.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

EXIT_OK, EXIT_SERVER, EXIT_BAD = 0, 1, 2


def add_parser(sub) -> None:
    p = sub.add_parser("team", help="team records on a central PostgreSQL: set up, sync, report",
                       description="团队记录：各工作站的通话同步到中心 PostgreSQL，主管查看团队数据。")
    tsub = p.add_subparsers(dest="team_command", metavar="ACTION")
    tsub.required = True

    def admin(sp):
        sp.add_argument("--dsn", required=True, metavar="DSN",
                        help="an admin's libpq connection string, e.g. 'host=db.lan dbname=callassist user=postgres"
                             " sslmode=verify-full sslrootcert=ca.crt' (password: PGPASSWORD or ~/.pgpass)")

    sp = tsub.add_parser("migrate", help="apply the server schema's numbered migrations (an admin)")
    admin(sp)
    sp = tsub.add_parser("init", help="migrate, then create the roles, row-level security and logins (an admin)")
    admin(sp)
    sp.add_argument("--workstation", action="append", default=[], metavar="LOGIN[:工号[,工号…][:组]]",
                    help="a workstation/agent login that may write only its own calls, under the 工号 listed"
                         " (several for a workstation agents share; repeatable)")
    sp.add_argument("--supervisor", action="append", default=[], metavar="LOGIN[:组]",
                    help="a read-only login that sees the whole team (repeatable)")

    sp = tsub.add_parser("configure", help="point this workstation at the team server (password kept safely)")
    sp.add_argument("--host", required=True)
    sp.add_argument("--port", type=int, default=5432)
    sp.add_argument("--dbname", default="callassist")
    sp.add_argument("--user", required=True, metavar="LOGIN")
    sp.add_argument("--sslmode", default="verify-full",
                    choices=("disable", "allow", "prefer", "require", "verify-ca", "verify-full"),
                    help="TLS to the server (default verify-full: certificate checked against --sslrootcert)")
    sp.add_argument("--sslrootcert", default="", metavar="PATH", help="the CA certificate that signed the server's")
    sp.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    sp.add_argument("--check", action="store_true", help="also try to log in now")

    sp = tsub.add_parser("status", help="this workstation's sync status (已同步 / 待同步 N 通 / 服务器不可达)")
    sp.add_argument("--db", metavar="PATH")
    sp = tsub.add_parser("sync", help="push what is pending now, in the foreground")
    sp.add_argument("--db", metavar="PATH")

    sp = tsub.add_parser("report", help="per-agent / per-week figures of the team (a supervisor login)")
    sp.add_argument("--since", metavar="DATE")
    sp.add_argument("--until", metavar="DATE")
    sp.add_argument("--agent", metavar="ID")
    sp.add_argument("--team", metavar="TEAM")
    sp.add_argument("--by", choices=("agent", "week", "team"), default="agent")
    sp.add_argument("--tz", default="Asia/Shanghai", help="time zone of weeks and dates (default Asia/Shanghai)")
    out = sp.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true")
    out.add_argument("--csv", action="store_true")
    sp.add_argument("--dsn", metavar="DSN", help="connect with this instead of team.ini's login")


def _err(msg: str) -> None:
    print(f"callassist team: {msg}", file=sys.stderr)


def run(args) -> int:
    import psycopg

    try:
        return {"migrate": _migrate, "init": _init, "configure": _configure, "status": _status, "sync": _sync,
                "report": _report}[args.team_command](args)
    except psycopg.OperationalError as exc:
        from assist.team.sync import server_error_message

        _err(server_error_message(exc))
        return EXIT_SERVER
    except psycopg.Error as exc:
        _err(f"服务器拒绝了操作: {str(exc).strip().splitlines()[0]}")
        return EXIT_SERVER


def _admin(args):
    import psycopg

    return psycopg.connect(args.dsn, autocommit=True, application_name="callassist-admin")


def _migrate(args) -> int:
    from assist.team import server

    with _admin(args) as conn:
        before = server.current_version(conn)
        applied = server.migrate(conn)
        for name in applied:
            print(f"已应用 {name}")
        print(f"服务器架构版本 {before} → {server.current_version(conn)}" if applied else
              f"服务器架构已是最新版本 {server.current_version(conn)}")
    return EXIT_OK


def _init(args) -> int:
    from assist.team import server

    members = []
    try:
        for spec in args.workstation:
            login, agent, team = (spec.split(":") + ["", ""])[:3]
            members.append(server.Member(server.check_login(login), "workstation", agent_id=",".join(server.agent_ids(agent)), team=team))
        for spec in args.supervisor:
            login, team = (spec.split(":") + [""])[:2]
            members.append(server.Member(server.check_login(login), "supervisor", team=team))
    except server.TeamServerError as exc:
        _err(str(exc))
        return EXIT_BAD
    with _admin(args) as conn:
        for name in server.migrate(conn):
            print(f"已应用迁移 {name}")
        print(f"服务器架构版本 {server.current_version(conn)}；角色 callassist_workstation（只能写入本登录的通话，"
              "行级安全）与 callassist_supervisor（只读，全团队）已就绪")
        for line in server.database_grants(conn):
            print(line)
        for m in members:
            for line in server.add_member(conn, m):
                print(line)
            if m.password:
                print(f"  {m.login} 的初始密码（只显示这一次）: {m.password}")
    return EXIT_OK


def _configure(args) -> int:
    from assist.team import config

    cfg = config.TeamConfig(host=args.host, port=args.port, dbname=args.dbname, user=args.user,
                            sslmode=args.sslmode, sslrootcert=str(Path(args.sslrootcert).resolve()) if args.sslrootcert else "")
    problems = [p for p in cfg.problems()]
    if problems:
        _err("；".join(problems))
        return EXIT_BAD
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass(f"{cfg.user} 的密码: ")
    else:
        _err("需要密码：用 --password-stdin 从标准输入读取")
        return EXIT_BAD
    if not password:
        _err("密码为空")
        return EXIT_BAD
    if args.check:
        import psycopg

        psycopg.connect(**cfg.conninfo(password)).close()
        print("登录成功")
    where = config.store_password(cfg.user, password)
    path = config.save(cfg)
    print(f"团队服务器: {cfg.address()}，设置已写入 {path}；密码保存在 {where}")
    if cfg.sslmode not in ("verify-full", "verify-ca"):
        print("注意: sslmode 不是 verify-full，服务器身份未校验（仅建议在测试环境使用）")
    return EXIT_OK


def _db(args) -> Path:
    from assist import paths

    return Path(args.db) if getattr(args, "db", None) else paths.default_db_path()


def _status(args) -> int:
    import sqlite3

    from assist.team import config
    from assist.team.sync import local_status

    db = _db(args)
    if not db.is_file():
        _err(f"记录数据库不存在: {db}")
        return EXIT_BAD
    cfg = config.load()
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        status = local_status(conn, configured=cfg.configured)
    finally:
        conn.close()
    print(f"团队同步: {status.text()}" + (f"  ({cfg.address()})" if cfg.configured else ""))
    if status.message:
        print(f"  最近错误: {status.message}")
    return EXIT_OK


def _sync(args) -> int:
    from assist.store import RecordStore, RecordStoreError
    from assist.team import config
    from assist.team.sync import SYNCED, SyncWorker

    cfg = config.load()
    if not cfg.configured:
        _err("未配置团队服务器：先运行 callassist team configure")
        return EXIT_BAD
    db = _db(args)
    try:  # opening migrates an older database (the outbox) and recovers interrupted calls
        RecordStore(db, create=False).close()
    except RecordStoreError as exc:
        _err(str(exc))
        return EXIT_BAD
    try:
        worker = SyncWorker(db, cfg)
        status = worker.sync_once()
        worker.stop()
    except config.PasswordError as exc:
        _err(str(exc))
        return EXIT_BAD
    print(f"团队同步: {status.text()}（本次上传 {worker.sent} 通）")
    if status.message and status.state != SYNCED:
        print(f"  {status.message}", file=sys.stderr)
    return EXIT_OK if status.state == SYNCED else EXIT_SERVER


def _report(args) -> int:
    import psycopg

    from assist.team import config, report

    if args.dsn:
        conn = psycopg.connect(args.dsn, autocommit=True)
    else:
        cfg = config.load()
        if not cfg.configured:
            _err("未配置团队服务器：先运行 callassist team configure，或给出 --dsn")
            return EXIT_BAD
        try:
            conn = psycopg.connect(**cfg.conninfo(config.load_password(cfg.user)), autocommit=True)
        except config.PasswordError as exc:
            _err(str(exc))
            return EXIT_BAD
    filters = {k: getattr(args, k) for k in ("since", "until", "agent", "team") if getattr(args, k)}
    try:
        with conn:
            rep = report.team_report(conn, by=args.by, tz=args.tz, **filters)
    except report.ReportError as exc:
        _err(str(exc))
        return EXIT_BAD
    if args.json:
        print(report.report_json(rep))
    elif args.csv:
        sys.stdout.write(report.report_csv(rep))
    else:
        _print_table(rep)
    return EXIT_OK


def _print_table(rep: dict) -> None:
    label = {"agent": "坐席", "week": "周", "team": "组"}[rep["by"]]
    print(f"{label:<12}{'通话':>6}{'时长(分)':>10}{'承诺率':>8}  严重告警/百通")
    for g in rep["rows"] + [rep["total"]]:
        crit = ", ".join(f"{r} {v}" for r, v in g["critical_per_100"].items()) or "-"
        print(f"{str(g['key'] or '-'):<12}{g['calls']:>6}{g['talk_s'] / 60:>10.1f}{g['ptp_rate']:>8.0%}  {crit}")
    gaps = rep["total"]["gap_rate"]
    if gaps:
        print("要素缺失（占通话）: " + ", ".join(f"{r} {v:.0%}" for r, v in gaps.items()))
