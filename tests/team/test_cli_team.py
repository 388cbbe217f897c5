"""``callassist team`` end to end against the test server: init as an admin, configure a workstation (the
password in a 0600 file or the keyring, never in team.ini), sync, status in `records list`, report."""

from __future__ import annotations

import io
import json
import os
import stat

import pytest

from assist.cli.main import main
from assist.team import config

from .helpers import fill


@pytest.fixture
def no_keyring(monkeypatch):
    monkeypatch.setenv("CALLASSIST_NO_KEYRING", "1")


def _admin_dsn(pg_cluster, pg_admin) -> str:
    return pg_cluster.dsn(dbname=pg_admin.info_dbname)


def _configure(monkeypatch, pg_cluster, pg_admin, login, password, capsys) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    rc = main(["team", "configure", "--host", "localhost", "--port", str(pg_cluster.port), "--dbname",
               pg_admin.info_dbname, "--user", login, "--sslrootcert", str(pg_cluster.root_cert),
               "--password-stdin", "--check"])
    out = capsys.readouterr().out
    assert rc == 0, out
    return out


def test_init_configure_sync_status_report(tmp_path, pg_cluster, pg_admin, dev_calls, capsys, monkeypatch,
                                           no_keyring):
    dsn = _admin_dsn(pg_cluster, pg_admin)
    assert main(["team", "init", "--dsn", dsn, "--workstation", "ws_cli:8000,8001,8002:一组",
                 "--supervisor", "qa_cli:一组"]) == 0
    out = capsys.readouterr().out
    assert "已应用迁移 0001_team_schema.sql" in out and "创建登录角色 ws_cli" in out
    passwords = dict(line.strip().split(" 的初始密码（只显示这一次）: ") for line in out.splitlines() if "初始密码" in line)
    assert set(passwords) == {"ws_cli", "qa_cli"}
    # A second init changes nothing and prints no new password.
    assert main(["team", "init", "--dsn", dsn, "--workstation", "ws_cli:8000,8001,8002:一组"]) == 0
    assert "初始密码" not in capsys.readouterr().out

    out = _configure(monkeypatch, pg_cluster, pg_admin, "ws_cli", passwords["ws_cli"], capsys)
    assert "登录成功" in out and str(config.password_file()) in out
    ini = config.config_file().read_text(encoding="utf-8")
    assert passwords["ws_cli"] not in ini and "verify-full" in ini
    assert stat.S_IMODE(config.password_file().stat().st_mode) == 0o600

    db = fill(tmp_path / "records.sqlite3", dev_calls[:4])
    assert main(["records", "list", "--db", str(db)]) == 0
    assert "团队同步: 待同步 4 通" in capsys.readouterr().out
    assert main(["team", "sync", "--db", str(db)]) == 0
    assert "已同步（本次上传 4 通）" in capsys.readouterr().out
    assert main(["records", "list", "--db", str(db)]) == 0
    assert "团队同步: 已同步" in capsys.readouterr().out

    # The supervisor's report, from the supervisor's own configured login.
    _configure(monkeypatch, pg_cluster, pg_admin, "qa_cli", passwords["qa_cli"], capsys)
    assert main(["team", "report", "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["total"]["calls"] == 4 and sum(r["calls"] for r in rep["rows"]) == 4
    assert main(["team", "report", "--csv", "--by", "week"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("周,姓名,通话数") and lines[-1].startswith("合计,")


def test_server_down_shows_unreachable_in_records_list(tmp_path, pg_cluster, team_db, dev_calls, capsys,
                                                       monkeypatch, no_keyring):
    from .conftest import PASSWORDS

    _configure(monkeypatch, pg_cluster, team_db, "ws_a", PASSWORDS["ws_a"], capsys)
    cfg = config.load()
    config.save(config.TeamConfig(**{**cfg.__dict__, "port": pg_cluster.port + 1 if pg_cluster.port < 65535 else 1}))
    db = fill(tmp_path / "records.sqlite3", dev_calls[:2])
    assert main(["team", "sync", "--db", str(db)]) == 1
    assert "服务器不可达" in capsys.readouterr().out
    assert main(["records", "list", "--db", str(db)]) == 0
    assert "团队同步: 服务器不可达（待同步 2 通）" in capsys.readouterr().out


def test_a_password_file_others_can_read_is_refused(no_keyring):
    where = config.store_password("ws_x", "s3cret")
    assert where == str(config.password_file())
    assert config.load_password("ws_x") == "s3cret" and config.load_password("other") is None
    os.chmod(config.password_file(), 0o644)
    with pytest.raises(config.PasswordError, match="权限过宽"):
        config.load_password("ws_x")


def test_the_password_goes_to_the_os_credential_store_when_there_is_one(monkeypatch):
    import keyring
    from keyring.backend import KeyringBackend

    class DictKeyring(KeyringBackend):  # stands in for Credential Manager / Keychain / Secret Service
        priority = 1
        items: dict = {}

        def get_password(self, service, username):
            return self.items.get((service, username))

        def set_password(self, service, username, password):
            self.items[(service, username)] = password

        def delete_password(self, service, username):
            self.items.pop((service, username), None)

    monkeypatch.delenv("CALLASSIST_NO_KEYRING", raising=False)
    old = keyring.get_keyring()
    keyring.set_keyring(DictKeyring())
    try:
        assert config.store_password("ws_k", "kr-secret") == "系统凭据库 (keyring)"
        assert not config.password_file().exists()
        assert DictKeyring.items[(config.KEYRING_SERVICE, "ws_k")] == "kr-secret"
        assert config.load_password("ws_k") == "kr-secret"
    finally:
        keyring.set_keyring(old)
