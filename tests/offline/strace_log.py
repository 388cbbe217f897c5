"""Reading an ``strace -f -y`` log: the sockets a process tree opened and the files it wrote.

Only what the offline test needs: socket families and peer addresses of connect/sendto/sendmsg/bind, and the
paths of successful writing syscalls (open with a write flag, mkdir, rename, unlink, link, truncate).
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass

# what `strace -e trace=...` must trace for `problems()` to see everything it checks
TRACED = ("network,open,openat,creat,mkdir,mkdirat,rename,renameat,renameat2,unlink,unlinkat,"
          "link,linkat,symlink,symlinkat,truncate")

_LINE = re.compile(r"^(?P<pid>\d+)\s+(?P<call>\w+)\((?P<args>.*)\)\s+=\s+(?P<ret>-?\d+|\?)(?P<rest>.*)$")
_STR = re.compile(r'"((?:[^"\\]|\\.)*)"')
_DIRFD = re.compile(r"^(\d+)<([^>]*)>")
_WRITE_FLAGS = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND")
_PEER = re.compile(r"sa_family=(AF_\w+)(?:, sin6?_port=htons\((\d+)\))?"
                   r"(?:, (?:sin_addr=inet_addr\(\"([^\"]+)\"\)|sin6_flowinfo=[^,]*, inet_pton\(AF_INET6, \"([^\"]+)\""
                   r"|inet_pton\(AF_INET6, \"([^\"]+)\"))?")


@dataclass(frozen=True)
class Syscall:
    pid: int
    name: str
    args: str
    ret: str


def merge(lines) -> list[Syscall]:
    """Join ``<unfinished ...>`` / ``<... resumed>`` pairs (one line per call per pid) and parse each call."""
    pending: dict[str, str] = {}
    calls: list[Syscall] = []
    for raw in lines:
        raw = raw.rstrip("\n")
        pid, _, rest = raw.partition(" ")
        rest = rest.lstrip()
        if rest.endswith("<unfinished ...>"):
            pending[pid] = rest[: -len("<unfinished ...>")].rstrip()
            continue
        m = re.match(r"<\.\.\. \w+ resumed>\s?(.*)$", rest)
        if m:
            rest = pending.pop(pid, "") + m.group(1)
        m = _LINE.match(f"{pid} {rest}")
        if m:
            calls.append(Syscall(int(m["pid"]), m["call"], m["args"], m["ret"]))
    return calls


def _unescape(s: str) -> str:
    return s.encode("latin-1", "backslashreplace").decode("unicode_escape").encode("latin-1").decode("utf-8", "replace")


def _paths(call: Syscall, cwd: str) -> list[str]:
    """Absolute paths a path-taking call names (a dirfd printed by -y as ``3</dir>`` is honoured)."""
    out = []
    args = call.args
    strings = _STR.findall(args)
    base = cwd
    m = _DIRFD.match(args)
    if m:
        base = m.group(2)
    for s in strings:
        p = _unescape(s)
        out.append(os.path.normpath(p if p.startswith("/") else os.path.join(base, p)))
    return out


def _ok(call: Syscall) -> bool:
    return call.ret != "?" and not call.ret.startswith("-")


def written_paths(calls: list[Syscall], cwd: str) -> set[str]:
    """Paths successfully created, opened for writing, renamed, removed, linked or truncated."""
    found: set[str] = set()
    for c in calls:
        if not _ok(c):
            continue
        if c.name in ("open", "openat", "openat2"):
            if any(f in c.args for f in _WRITE_FLAGS):
                found.update(_paths(c, cwd)[:1])
        elif c.name == "creat" or c.name.startswith(("mkdir", "rename", "unlink", "link", "symlink", "truncate")):
            found.update(_paths(c, cwd))
    return found


def network_use(calls: list[Syscall]) -> list[str]:
    """Every socket that is not AF_UNIX, and every connect/send/bind to a peer that is not loopback."""
    bad = []
    for c in calls:
        if c.name == "socket":
            family = c.args.split(",", 1)[0].strip()
            if family not in ("AF_UNIX", "AF_LOCAL", "AF_INET", "AF_INET6"):
                bad.append(f"{c.name}({c.args})")   # AF_PACKET, AF_NETLINK…: nothing here needs them
        elif c.name in ("connect", "sendto", "sendmsg", "bind"):
            for fam, _port, v4, v6a, v6b in _PEER.findall(c.args):
                if fam in ("AF_UNIX", "AF_LOCAL", "AF_UNSPEC"):
                    continue
                addr = v4 or v6a or v6b
                if not addr or not ipaddress.ip_address(addr).is_loopback:
                    bad.append(f"{c.name}({c.args[:160]}) = {c.ret}")
    return bad
