"""jieba, set up in one place. Two tokenizers, for two jobs:

- ``default_jieba()``: jieba's own dictionary, nothing added. The homophone corrector asks it whether a span is
  an ordinary word (its frequencies must not include the domain words it rewrites toward) and the records
  search index cuts utterances with it (tokens already stored in databases must keep being produced the same).
- ``user_tokenizer(userdict)``: a private ``jieba.Tokenizer`` with the domain user dictionary
  (``resources/dict/userdict.txt``), for the rule matcher and the detector's word features. One per resources
  folder: ``assist.resources.Resources.tokenizer()`` owns it.

The first use of either loads a dictionary (~1 s, holding the GIL): ``assist.session.warm_up`` does it early.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

_lock = threading.Lock()
_ready = False


def _quiet(jieba) -> None:
    # jieba logs "Building prefix dict…" on every load; real problems still reach the log as warnings
    jieba.setLogLevel(logging.WARNING)


def default_jieba():
    """The ``jieba`` module with its default dictionary loaded (once per process, thread-safe)."""
    global _ready
    import jieba

    if not _ready:
        with _lock:
            if not _ready:
                _quiet(jieba)
                jieba.initialize()
                _ready = True
    return jieba


def user_tokenizer(userdict: Path | None):
    """A new jieba Tokenizer with ``userdict`` loaded when that file exists (checked by assist.userdict first)."""
    import jieba

    _quiet(jieba)
    tok = jieba.Tokenizer()
    if userdict is not None and Path(userdict).is_file():
        tok.load_userdict(str(userdict))
    tok.initialize()
    return tok
