"""Whisper model provisioning (fetch, install from a folder, list, verify) and offline loading.

``files`` (folder checks, manifest, hashing) ← ``loader`` ← ``provision``: no module imports one that imports it.
"""

# (loader imports faster-whisper only inside load_whisper: provisioning does not pay for it)
from .loader import load_whisper
from .provision import (
    DEFAULT_SPEC,
    FetchResult,
    ModelError,
    ModelInfo,
    ModelSpec,
    WheelPart,
    check_files,
    fetch,
    install_from,
    list_models,
    verify,
)

__all__ = [
    "DEFAULT_SPEC", "FetchResult", "ModelError", "ModelInfo", "ModelSpec", "WheelPart",
    "check_files", "fetch", "install_from", "list_models", "load_whisper", "verify",
]  # fmt: skip
