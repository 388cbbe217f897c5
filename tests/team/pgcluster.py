"""A throwaway PostgreSQL cluster for the tests and the benchmark: initdb + pg_ctl in a temporary folder, on a
free port of 127.0.0.1 only, with TLS (a self-signed certificate made here), stopped and deleted afterwards.

PostgreSQL refuses to run as root, so under root (CI) the cluster belongs to the ``postgres`` system user that
the Debian package creates, and the server is started through ``runuser``.
"""

from __future__ import annotations

import datetime as _dt
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def bin_dir() -> Path | None:
    """The newest installed server's binaries (Debian keeps them out of PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    which = shutil.which("initdb") or shutil.which("pg_ctl")
    return Path(which).parent if which else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _make_cert(folder: Path) -> tuple[Path, Path]:
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = _dt.datetime.now(_dt.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - _dt.timedelta(days=1))
        .not_valid_after(now + _dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                    x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    crt, pem = folder / "server.crt", folder / "server.key"
    crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                      serialization.NoEncryption()))
    pem.chmod(0o600)
    return crt, pem


class Cluster:
    """``Cluster().start()``; ``dsn(user, password)``; ``stop()`` / ``start()`` again (same data); ``destroy()``."""

    def __init__(self, root: Path | None = None, *, fast: bool = True):
        bins = bin_dir()
        if bins is None:
            raise RuntimeError("PostgreSQL is not installed (scripts/setup_system.sh installs the postgresql package)")
        self.bin = bins
        self.root = Path(root or tempfile.mkdtemp(prefix="callassist-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.admin = "team_admin"
        self.admin_password = secrets.token_urlsafe(16)
        self.port = 0
        self.fast = fast
        self._as: list[str] = []
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise RuntimeError("running as root needs the postgres system user (the postgresql package)") from exc
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            self.root.chmod(0o755)
            self._as = ["runuser", "-u", "postgres", "--"]
            self._uid = pw.pw_uid, pw.pw_gid
        else:
            self._uid = None
        self.root_cert: Path | None = None
        self._init()

    @classmethod
    def adopt(cls, root: Path, admin_password: str, port: int) -> Cluster:
        """A cluster an earlier run made in ``root`` and kept (the benchmark's filled database), started if it
        is not running."""
        self = cls.__new__(cls)
        self.bin = bin_dir()
        self.root = Path(root)
        self.data, self.log = self.root / "data", self.root / "server.log"
        self.admin, self.admin_password, self.port, self.fast = "team_admin", admin_password, port, False
        self.root_cert = self.root / "server.crt"
        self._as, self._uid = [], None
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            self._as, self._uid = ["runuser", "-u", "postgres", "--"], (pw.pw_uid, pw.pw_gid)
        if not self.running():
            self.start(port)
        return self

    def _run(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([*self._as, *args], check=check, capture_output=True, text=True, timeout=timeout,
                              cwd=self.root)

    def _own(self, path: Path) -> None:
        if self._uid:
            os.chown(path, *self._uid)

    def _init(self) -> None:
        pwfile = self.root / "pw"
        pwfile.write_text(self.admin_password + "\n")
        pwfile.chmod(0o600)
        self._own(pwfile)
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", self.admin, f"--pwfile={pwfile}",
                  "-E", "UTF8", "--locale=C.UTF-8", "--auth-local=scram-sha-256", "--auth-host=scram-sha-256",
                  "--no-sync")
        pwfile.unlink()
        crt, key = _make_cert(self.root)
        for p in (crt, key):
            shutil.copy(p, self.data / p.name)
            self._own(self.data / p.name)
            (self.data / p.name).chmod(0o600)
        self.root_cert = crt
        conf = [
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{self.root}'",
            "ssl = on", "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'",
            "max_connections = 60", "shared_buffers = 128MB", "log_min_messages = warning",
        ]
        if self.fast:  # a throwaway cluster: durability of the server's own disk is not under test
            conf += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        with open(self.data / "postgresql.conf", "a") as fh:
            fh.write("\n".join(conf) + "\n")
        # Loopback only, and only over TLS for TCP.
        (self.data / "pg_hba.conf").write_text(
            "local all all scram-sha-256\n"
            "hostssl all all 127.0.0.1/32 scram-sha-256\n"
            "hostnossl all all 127.0.0.1/32 reject\n"
        )

    def start(self, port: int | None = None) -> Cluster:
        for _attempt in range(5):
            self.port = port or self.port or free_port()
            res = self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                            "-o", f"-p {self.port}", "start", check=False)
            if res.returncode == 0:
                return self
            if port:
                break
            self.port = 0  # the port was taken meanwhile: another
        raise RuntimeError(f"pg_ctl start failed: {res.stdout}{res.stderr}\n{self.log_tail()}")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def running(self) -> bool:
        res = self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "status", check=False)
        return res.returncode == 0

    def destroy(self) -> None:
        if self.data.exists():
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def dsn(self, user: str | None = None, password: str | None = None, dbname: str = "postgres",
            sslmode: str = "verify-full") -> str:
        user = user or self.admin
        password = self.admin_password if password is None and user == self.admin else password
        parts = [f"host=localhost port={self.port} dbname={dbname} user={user} sslmode={sslmode}",
                 f"sslrootcert={self.root_cert}", "connect_timeout=5"]
        if password:
            parts.append(f"password={password}")
        return " ".join(parts)

    def wait_ready(self, timeout: float = 30) -> None:
        import psycopg

        deadline = time.monotonic() + timeout
        while True:
            try:
                psycopg.connect(self.dsn(), autocommit=True).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
