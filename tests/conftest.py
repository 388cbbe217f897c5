"""Fixtures shared by every test area: where the shared dev data and the provisioned model are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assist import paths

SHARED = Path(os.environ.get("CALLASSIST_SHARED", paths.PROJECT_ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    assert SHARED.is_dir(), f"the shared data folder is missing: {SHARED} (set CALLASSIST_SHARED)"
    return SHARED


@pytest.fixture(scope="session")
def dev_dir(shared_dir) -> Path:
    return shared_dir / "data" / "dev"


@pytest.fixture(scope="session")
def model_dir() -> Path:
    d = paths.default_model_dir()
    assert (d / "model.bin").is_file(), f"the Whisper model is not provisioned at {d}: run `make model`"
    return d


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path, monkeypatch):
    # No test may touch the real user's records, settings or logs.
    monkeypatch.setenv("CALLASSIST_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CALLASSIST_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("CALLASSIST_LOG_DIR", str(tmp_path / "logs"))
