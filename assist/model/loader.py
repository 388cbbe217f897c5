"""Load a Whisper model for inference, strictly from local files.

Run time never touches the network: faster-whisper is told ``local_files_only`` and the Hugging Face hub
is switched offline before it is imported. Anything wrong with the folder becomes a ``ModelError`` whose
message names the command that fixes it.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from ..config import AsrConfig
from .files import FIX_HINT, ModelError, changed_since_install, check_files

log = logging.getLogger(__name__)


def load_whisper(model_dir: Path | str | None = None, asr_cfg: AsrConfig | None = None):
    """A ``faster_whisper.WhisperModel`` for ``model_dir`` (default: ``asr_cfg.model_dir``) on the CPU."""
    cfg = asr_cfg or AsrConfig()
    d = Path(model_dir) if model_dir is not None else Path(cfg.model_dir)
    if not d.exists():
        raise ModelError(f"no Whisper model at {d}: {FIX_HINT} (or `callassist model fetch --from DIR`)")
    problems = check_files(d)
    if problems:
        raise ModelError(f"the Whisper model at {d} is incomplete: {'; '.join(problems)}. Fix: {FIX_HINT}")
    changed = changed_since_install(d)
    if changed:
        raise ModelError(f"the Whisper model at {d} is corrupt: {changed}. Check with `callassist model verify`, "
                         f"then {FIX_HINT}")

    # Defensive: even a code path we did not foresee must not reach for the hub on a locked-down PC.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from faster_whisper import WhisperModel

    try:
        model = WhisperModel(
            str(d),
            device="cpu",
            compute_type=cfg.compute_type,
            cpu_threads=cfg.cpu_threads,
            local_files_only=True,
        )
    except Exception as e:  # CTranslate2 raises RuntimeError/ValueError with terse texts on a bad file
        raise ModelError(
            f"the Whisper model at {d} cannot be loaded ({type(e).__name__}: {e}). "
            f"Its files may be corrupt: check with `callassist model verify`, then {FIX_HINT}"
        ) from e
    log.info("loaded Whisper model %s (compute_type=%s, threads=%d)", d, cfg.compute_type, cfg.cpu_threads)
    return model
