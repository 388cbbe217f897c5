"""A model folder's files: what must be there, the checksum manifest, hashing, and ``ModelError``.

Shared by provisioning (``provision.py``: fetch, install, list, verify) and loading (``loader.py``), so neither
imports the other's module for these.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import BinaryIO

MANIFEST = ".callassist-model.json"
CHUNK = 1 << 20  # 1 MiB: copy and hash in pieces, never hold the model in memory
FIX_HINT = "run `make model` or `callassist model fetch`"


class ModelError(RuntimeError):
    """A model is missing, corrupt, unverifiable or cannot be fetched. The message says how to fix it."""


def copy_hashing(src: BinaryIO, h, out: BinaryIO | None = None) -> int:
    """Read ``src`` to its end in pieces, feeding ``h`` (a hashlib object) and writing to ``out`` if given;
    the bytes read. The model never sits in memory whole, and a copy is hashed on the way, not read twice."""
    n = 0
    for chunk in iter(lambda: src.read(CHUNK), b""):
        h.update(chunk)
        if out is not None:
            out.write(chunk)
        n += len(chunk)
    return n


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        copy_hashing(f, h)
    return h.hexdigest()


def read_manifest(d: Path) -> dict | None:
    try:
        data = json.loads((d / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_manifest(d: Path, *, sha256: str, source: str, verified: bool) -> None:
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



def changed_since_install(model_dir: Path) -> str | None:
    """Why model.bin is not the file that was installed (None: it is, or there is no manifest to tell).

    Cheap on every load: the size and mtime recorded at install time are compared first; only when the
    mtime moved (a copy, or bytes overwritten in place) is the file hashed (about 0.3 s for Whisper base).
    A damaged model.bin often still loads and then recognises nothing at all, which looks like silence."""
    d = Path(model_dir)
    manifest = read_manifest(d)
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
