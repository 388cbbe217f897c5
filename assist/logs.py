"""Logging setup shared by the CLI and the app: a rotating file in the user's log folder, terse stderr.

Agents' PCs are locked down and support staff ask for "the log": it must exist, stay small and never
stop the program when it cannot be written.
"""

from __future__ import annotations

import logging
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

from . import paths, private

LOG_NAME = "callassist.log"
MAX_BYTES = 2_000_000
BACKUPS = 5
_FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"
_TAG = "_callassist_handler"  # marks handlers we installed, so a second call replaces them


class _PrivateRotatingFileHandler(RotatingFileHandler):
    """The log may quote case data in tracebacks: 0600 (rotation renames, so old files keep the mode)."""

    def _open(self):
        private.create_file(self.baseFilename)
        return super()._open()


def setup_logging(verbose: bool = False, *, log_dir: Path | None = None, quiet: tuple[str, ...] = ()) -> Path | None:
    """Configure the root logger; returns the log file path (None when no file could be opened).

    File: INFO (DEBUG when verbose), rotated at ~2 MB keeping 5 old files. Stderr: WARNING (DEBUG when
    verbose). Calling it again replaces our handlers instead of stacking duplicates. ``quiet``: loggers
    (and their children) kept off stderr, for a caller that reports their news to the user itself.
    """
    root = logging.getLogger()
    for h in [h for h in root.handlers if getattr(h, _TAG, False)]:
        root.removeHandler(h)
        h.close()
    level = logging.DEBUG if verbose else logging.INFO
    root.setLevel(level)

    err = logging.StreamHandler(sys.stderr)
    err.setLevel(logging.DEBUG if verbose else logging.WARNING)
    err.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    setattr(err, _TAG, True)
    if quiet:
        err.addFilter(lambda rec: verbose or not any(rec.name == q or rec.name.startswith(q + ".") for q in quiet))
    root.addHandler(err)

    path: Path | None = (Path(log_dir) if log_dir else paths.log_dir()) / LOG_NAME
    try:
        private.make_dir(path.parent, tighten=True)
        fh = _PrivateRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=False)
    except OSError as e:
        logging.getLogger(__name__).warning("cannot write the log file %s (%s); logging to stderr only", path, e)
        path = None
    else:
        fh.setLevel(level)
        fh.setFormatter(logging.Formatter(_FORMAT))
        setattr(fh, _TAG, True)
        root.addHandler(fh)

    # Third-party chatter (faster-whisper prints per-segment info at INFO) only when asked for.
    for noisy in ("faster_whisper", "numba", "urllib3", "filelock", "jieba"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)
    return path
