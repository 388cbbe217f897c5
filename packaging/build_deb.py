#!/usr/bin/env python3
"""Build the Debian package: `make deb` runs `.venv/bin/python packaging/build_deb.py`.

    packaging/build_deb.py            freeze (PyInstaller, packaging/callassist.spec) + package, unless the
                                      .deb in dist/ was built from exactly these inputs (then: "up to date")
    packaging/build_deb.py --force    rebuild anyway
    packaging/build_deb.py --hash     print the inputs' hash and exit

Output: dist/callassist/ (the frozen folder) and dist/callassist_<version>_amd64.deb, with
dist/callassist_<version>_amd64.deb.inputs holding the hash of what it was built from: our code, resources/,
packaging/, pyproject.toml, the venv's installed distributions, the Python version and the model's checksum.
The smoke test (tests/packaging/test_deb_smoke.py) uses the same hash to tell a current .deb from a stale one.

The package: /opt/callassist (the frozen app, read-only), /usr/bin/callassist, a desktop entry (Chinese name,
Office menu) and the icon under /usr/share. Depends are the system libraries the frozen app links to but does
not carry (libGL, libEGL, libxcb, libc...): ldd finds them, dpkg -S names their packages on the building machine, plus libc6's
minimum version from the GLIBC symbol versions the binaries need. No maintainer scripts: dpkg's triggers refresh
the menu and icon caches, and removal leaves the users' folders alone (records, settings, logs).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import importlib.metadata as md
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
WORK = ROOT / "build"
FROZEN = DIST / "callassist"
SPEC = ROOT / "packaging" / "callassist.spec"
MODEL_MANIFEST = ROOT / "models" / "whisper-base" / ".callassist-model.json"
INPUT_DIRS = ("assist", "app", "resources", "packaging")
NOT_INPUTS = {ROOT / "packaging" / "README.md"}   # documentation only: not in the package
PREFIX = "opt/callassist"
MAINTAINER = "callassist developers <callassist@localhost>"
RECOMMENDS = "fonts-noto-cjk | fonts-wqy-microhei | fonts-wqy-zenhei"
# Libraries the app opens at run time (dlopen), which the ELF scan of depends() cannot see: soundcard (对方声音来源,
# the output's monitor) loads libpulse through cffi.
DLOPENED = ("libpulse0",)


class BuildError(Exception):
    pass


def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def deb_path() -> Path:
    return DIST / f"callassist_{version()}_amd64.deb"


def stamp_path() -> Path:
    return deb_path().with_name(deb_path().name + ".inputs")


def inputs_hash() -> str:
    """What the package is built from. Any change here means the .deb in dist/ is stale."""
    h = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        h.update(label.encode() + b"\0" + hashlib.sha256(data).digest())

    for top in INPUT_DIRS:
        for p in sorted((ROOT / top).rglob("*")):
            if (p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
                    and p not in NOT_INPUTS):
                add(p.relative_to(ROOT).as_posix(), p.read_bytes())
    add("pyproject.toml", (ROOT / "pyproject.toml").read_bytes())
    # A set: under pytest the checkout's callassist.egg-info is on sys.path too and is listed a second time.
    dists = sorted({f"{d.metadata['Name'].lower()}=={d.version}" for d in md.distributions()})
    add("distributions", "\n".join(dists).encode())
    add("python", sys.version.encode())
    try:
        model = json.loads(MODEL_MANIFEST.read_text(encoding="utf-8")).get("model_bin_sha256", "")
    except (OSError, ValueError):
        model = "missing"
    add("model", model.encode())
    return h.hexdigest()


def is_current() -> bool:
    try:
        return deb_path().is_file() and stamp_path().read_text().strip() == inputs_hash()
    except OSError:
        return False


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(cmd, check=True, **kw)
    except FileNotFoundError as e:
        raise BuildError(f"{cmd[0]} is not installed ({e})") from e
    except subprocess.CalledProcessError as e:
        raise BuildError(f"{' '.join(map(str, cmd[:3]))} ... failed with exit status {e.returncode}") from e


def freeze() -> None:
    try:
        import PyInstaller  # noqa: F401
    except ImportError as e:
        raise BuildError("PyInstaller is not installed in this Python: "
                         f"{sys.executable} -m pip install -e '.[packaging]' (make deb does it)") from e
    if not MODEL_MANIFEST.is_file():
        raise BuildError(f"the default model is not installed ({MODEL_MANIFEST.parent}): run `make model`")
    run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(DIST), "--workpath", str(WORK / "pyinstaller"), str(SPEC)], cwd=ROOT)
    if not (FROZEN / "callassist").is_file():
        raise BuildError(f"PyInstaller finished but {FROZEN / 'callassist'} is missing")


def _elf_files(tree: Path):
    for p in sorted(tree.rglob("*")):
        if p.is_file() and not p.is_symlink():
            with p.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    yield p


def _needed(elf: Path) -> list[tuple[str, str | None]]:
    """(soname, resolved system path or None) of what elf links to, through PyInstaller's ldd-based reader
    (no binutils needed)."""
    from PyInstaller.depend.bindepend import get_imports

    return sorted((Path(name).name, path) for name, path in get_imports(str(elf)))


@functools.cache
def _owner(path: str) -> str | None:
    candidates = [path, os.path.realpath(path)]
    for c in list(candidates):
        if c.startswith("/lib"):
            candidates.append("/usr" + c)
        elif c.startswith("/usr/lib"):
            candidates.append(c[len("/usr"):])
    for c in candidates:
        r = subprocess.run(["dpkg", "-S", c], capture_output=True, text=True)
        if r.returncode == 0 and ":" in r.stdout:
            return r.stdout.split(":", 1)[0].strip()
    return None


def depends(tree: Path) -> str:
    """The system packages the frozen tree links to, and libc6's minimum version."""
    bundled = {p.name for p in tree.rglob("*")}
    packages: dict[str, set[str]] = {}
    glibc = (2, 17)
    missing = []
    for elf in _elf_files(tree):
        data = elf.read_bytes()
        for v in re.findall(rb"GLIBC_2\.(\d+)(?:\.(\d+))?\x00", data):
            glibc = max(glibc, (2, int(v[0])))
        for lib, where in _needed(elf):
            if lib in bundled:
                continue
            owner = _owner(where) if where else None
            if owner is None:
                missing.append(f"{lib} (needed by {elf.relative_to(tree)})")
                continue
            packages.setdefault(owner.split(":")[0], set()).add(lib)
    if missing:
        raise BuildError("libraries the frozen app needs are neither bundled nor owned by a system package:\n  "
                         + "\n  ".join(sorted(set(missing))))
    packages.pop("libc6", None)
    return ", ".join([f"libc6 (>= {glibc[0]}.{glibc[1]})"] + sorted(packages))


def _normalise_modes(root: Path) -> None:
    for p in root.rglob("*"):
        if p.is_symlink():
            continue
        if p.is_dir():
            p.chmod(0o755)
        else:
            p.chmod(0o755 if p.stat().st_mode & 0o111 else 0o644)


def package() -> Path:
    stage = WORK / "deb" / "root"
    if stage.parent.exists():
        shutil.rmtree(stage.parent)
    app = stage / PREFIX
    shutil.copytree(FROZEN, app, symlinks=True)
    linux = ROOT / "packaging" / "linux"
    (stage / "usr/bin").mkdir(parents=True)
    shutil.copyfile(linux / "callassist.sh", stage / "usr/bin/callassist")
    (stage / "usr/bin/callassist").chmod(0o755)
    (stage / "usr/share/applications").mkdir(parents=True)
    shutil.copyfile(linux / "callassist.desktop", stage / "usr/share/applications/callassist.desktop")
    icons = stage / "usr/share/icons/hicolor/scalable/apps"
    icons.mkdir(parents=True)
    shutil.copyfile(ROOT / "resources/icons/callassist.svg", icons / "callassist.svg")
    _normalise_modes(stage)

    deps = ", ".join([depends(app), *DLOPENED])
    size_kib = sum(p.lstat().st_size for p in stage.rglob("*") if not p.is_dir()) // 1024
    debian = stage / "DEBIAN"
    debian.mkdir()
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    control = f"""\
Package: callassist
Version: {version()}
Architecture: amd64
Maintainer: {MAINTAINER}
Installed-Size: {size_kib}
Depends: {deps}
Recommends: {RECOMMENDS}
Section: utils
Priority: optional
Description: 催收通话助手 — offline live assist for debt-collection calls
 {meta['description']}
 .
 Everything runs on this PC: Mandarin speech recognition (faster-whisper with the Whisper base model,
 included), call stages, compliance alerts, next-line suggestions and call records in SQLite. Nothing goes
 over the network. Records, settings and logs live in each user's own folders and are kept when the
 package is removed.
"""
    (debian / "control").write_text(control, encoding="utf-8")
    sums = []
    for p in sorted(stage.rglob("*")):
        if p.is_file() and not p.is_symlink() and debian not in p.parents:
            sums.append(f"{hashlib.md5(p.read_bytes()).hexdigest()}  {p.relative_to(stage).as_posix()}")
    (debian / "md5sums").write_text("\n".join(sums) + "\n", encoding="utf-8")
    _normalise_modes(debian)

    # gzip: every dpkg reads it (UOS and Kylin ship dpkg 1.19, which has no zstd); xz saves ~12 % of the size
    # but takes four times as long on a 2-core builder, the model and libraries being mostly incompressible.
    out = deb_path()
    tmp = out.with_name(out.name + ".part")
    run(["dpkg-deb", "--root-owner-group", "-Zgzip", "-z6", "--build", str(stage), str(tmp)], stdout=subprocess.DEVNULL)
    tmp.replace(out)
    shutil.rmtree(stage.parent)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--force", action="store_true", help="rebuild even when the .deb is up to date")
    ap.add_argument("--hash", action="store_true", help="print the inputs' hash and exit")
    args = ap.parse_args(argv)
    if args.hash:
        print(inputs_hash())
        return 0
    if not args.force and is_current():
        print(f"{deb_path().relative_to(ROOT)} is up to date ({deb_path().stat().st_size / 1e6:.0f} MB)")
        return 0
    digest = inputs_hash()
    try:
        t0 = time.monotonic()
        freeze()
        t1 = time.monotonic()
        out = package()
        t2 = time.monotonic()
    except BuildError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    stamp_path().write_text(digest + "\n")
    frozen_mb = sum(p.lstat().st_size for p in FROZEN.rglob("*") if not p.is_dir()) / 1e6
    print(f"built {out.relative_to(ROOT)}: {out.stat().st_size / 1e6:.0f} MB "
          f"(installed {frozen_mb:.0f} MB); freeze {t1 - t0:.0f} s, package {t2 - t1:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
