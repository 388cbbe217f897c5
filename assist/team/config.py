"""Where the team server is, and its password.

The connection settings live in ``team.ini`` in the app's config folder (beside callassist.ini): host, port,
database, login, sslmode (default ``verify-full``: the server's certificate must be signed by ``sslrootcert``
and name the host), sslrootcert. Never the password: it is kept in the OS credential store (``keyring``:
Windows Credential Manager, macOS Keychain, Secret Service) when one works, otherwise in ``team-password`` in
the same folder, readable by the user only (0600). Neither is ever logged.
"""

from __future__ import annotations

import configparser
import logging
import os
import stat
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from assist import paths

log = logging.getLogger(__name__)

KEYRING_SERVICE = "callassist-team"
SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


def config_file() -> Path:
    return paths.config_dir() / "team.ini"


def password_file() -> Path:
    return paths.config_dir() / "team-password"


@dataclass(frozen=True)
class TeamConfig:
    host: str = ""
    port: int = 5432
    dbname: str = "callassist"
    user: str = ""
    sslmode: str = "verify-full"
    sslrootcert: str = ""
    connect_timeout: int = 5

    @property
    def configured(self) -> bool:
        return bool(self.host and self.user)

    def problems(self) -> list[str]:
        out = []
        if not self.host:
            out.append("未设置团队服务器地址")
        if not self.user:
            out.append("未设置登录名")
        if self.sslmode not in SSLMODES:
            out.append(f"sslmode 应为 {' / '.join(SSLMODES)} 之一")
        if not 0 < int(self.port) < 65536:
            out.append("端口应在 1–65535 之间")
        if self.sslrootcert and not Path(self.sslrootcert).is_file():
            out.append(f"找不到服务器根证书: {self.sslrootcert}")
        return out

    def conninfo(self, password: str | None) -> dict:
        """Keyword arguments for psycopg.connect (the password only in memory)."""
        kw = dict(host=self.host, port=int(self.port), dbname=self.dbname, user=self.user, sslmode=self.sslmode,
                  connect_timeout=int(self.connect_timeout), application_name="callassist-sync")
        if self.sslrootcert:
            kw["sslrootcert"] = self.sslrootcert
        if password:
            kw["password"] = password
        return kw

    def address(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.dbname} (sslmode={self.sslmode})"


def load(path: Path | None = None) -> TeamConfig:
    path = Path(path) if path else config_file()
    cp = configparser.ConfigParser()
    try:
        cp.read(path, encoding="utf-8")
    except (OSError, configparser.Error) as exc:
        log.warning("team.ini unreadable (%s): team sync off", exc)
        return TeamConfig()
    if not cp.has_section("server"):
        return TeamConfig()
    sec = cp["server"]
    values = {}
    for f in fields(TeamConfig):
        if f.name in sec:
            raw = sec[f.name].strip()
            try:
                values[f.name] = int(raw) if f.type in (int, "int") else raw
            except ValueError:
                log.warning("team.ini: bad %s=%r ignored", f.name, raw)
    return replace(TeamConfig(), **values)


def save(cfg: TeamConfig, path: Path | None = None) -> Path:
    path = Path(path) if path else config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    cp = configparser.ConfigParser()
    cp["server"] = {k: str(v) for k, v in asdict(cfg).items()}
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write("# callassist team server (the password is not kept here: see `callassist team configure`)\n")
        cp.write(fh)
    os.replace(tmp, path)
    return path


# --- the password -------------------------------------------------------------------------------------------

def _keyring():
    """The OS credential store when a real one works here, else None (the fail/null backends do not count)."""
    if os.environ.get("CALLASSIST_NO_KEYRING"):
        return None
    try:
        import keyring
        from keyring.backends import fail, null

        backend = keyring.get_keyring()
        if isinstance(backend, (fail.Keyring, null.Keyring)):
            return None
        try:
            from keyring.backends import chainer

            if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
                return None
        except ImportError:
            pass
        return keyring
    except Exception:  # noqa: BLE001 - any broken keyring means: use the file
        return None


def store_password(user: str, password: str) -> str:
    """Keep the password; returns where (for the user: '系统凭据库' or the file path)."""
    kr = _keyring()
    if kr is not None:
        try:
            kr.set_password(KEYRING_SERVICE, user, password)
            _remove_file()
            return "系统凭据库 (keyring)"
        except Exception as exc:  # noqa: BLE001 - e.g. a locked Secret Service: fall back to the file
            log.warning("keyring unavailable (%s); keeping the password in a user-only file", type(exc).__name__)
    path = password_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(f"{user}\n{password}\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return str(path)


def _remove_file() -> None:
    try:
        password_file().unlink()
    except FileNotFoundError:
        pass


class PasswordError(RuntimeError):
    pass


def load_password(user: str) -> str | None:
    """The stored password for ``user``, or None. A password file others can read is refused (PasswordError)."""
    kr = _keyring()
    if kr is not None:
        try:
            pw = kr.get_password(KEYRING_SERVICE, user)
            if pw:
                return pw
        except Exception:  # noqa: BLE001
            pass
    path = password_file()
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    if os.name == "posix" and st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise PasswordError(f"密码文件权限过宽，已拒绝使用: {path} (run: chmod 600 {path})")
    lines = path.read_text(encoding="utf-8").splitlines()
    if len(lines) >= 2 and lines[0] == user:
        return lines[1]
    return None
