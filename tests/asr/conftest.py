from __future__ import annotations

import json

import numpy as np
import pytest

from assist.config import AsrConfig


@pytest.fixture(scope="session")
def whisper(model_dir):
    from assist.model import load_whisper

    return load_whisper(model_dir, AsrConfig(model_dir=model_dir))


@pytest.fixture(scope="session")
def manifest(dev_dir):
    return {c["id"]: c for c in json.loads((dev_dir / "manifest.json").read_text(encoding="utf-8"))}


@pytest.fixture(scope="session")
def load_wav():
    from faster_whisper import decode_audio

    cache = {}

    def load(path) -> np.ndarray:
        if str(path) not in cache:
            cache[str(path)] = decode_audio(str(path), sampling_rate=16000)
        return cache[str(path)]

    return load
