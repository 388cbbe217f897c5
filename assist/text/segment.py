"""jieba, set up in one place. Two tokenizers, for two jobs:

- ``default_jieba()``: jieba's own dictionary, nothing added. The homophone corrector asks it whether a span is
  an ordinary word (its frequencies must not include the domain words it rewrites toward) and the records
  search index cuts utterances with it (tokens already stored in databases must keep being produced the same).
- ``user_tokenizer(userdict)``: a private tokenizer with the domain user dictionary
  (``resources/dict/userdict.txt``), for the rule matcher and the detector's word features. One per resources
  folder: ``assist.resources.Resources.tokenizer()`` owns it.

Why not jieba's own loading: its dictionary (≈500,000 words and prefixes) is read whole, ~1 s holding the GIL
even from jieba's marshal cache (1.0–1.3 s measured on the 2-core dev machine), and the user tokenizer read it a
second time — most of the 3–4 s that ``callassist check`` of one sentence took. Here each dictionary (jieba's,
or jieba's plus the user dictionary, exactly as ``load_userdict`` leaves it) is written once into an SQLite file
in the user's cache folder (0600, named by a hash of the dictionaries' bytes and jieba's version, so an edit of
``userdict.txt`` builds a new one), and a tokenizer fetches only the entries a text can touch — the strings jieba's
walk over a block looks up — before jieba's own DAG/route code runs on them. The segmentation is
jieba's, entry for entry (``tests/foundation/test_segment_cache.py`` compares it with a plain jieba).
Long runs stop paying per text: past ``_PROMOTE_AFTER`` looked-up strings the whole dictionary is loaded once
(``preload()``; ``assist.warmup`` calls it for a call's process, where a call start must not stall on it).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import sqlite3
import sys
import tempfile
import threading
from pathlib import Path

_lock = threading.Lock()
_default = None

_FORMAT = 1            # bump when the cache file's layout changes
_PROMOTE_AFTER = 400_000   # strings resolved (found or not) before the whole dictionary is loaded instead


def _import_jieba():
    """``import jieba`` without pkg_resources: jieba's _compat imports it only to open its own data files (it
    falls back to plain ``open`` next to its modules, which is what an installed jieba is), and importing
    pkg_resources scans every installed distribution — 0.18 s of each start-up."""
    if "jieba" in sys.modules:
        return sys.modules["jieba"]
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None   # makes `import pkg_resources` raise ImportError
    try:
        import jieba
    finally:
        if blocked and sys.modules.get("pkg_resources", 0) is None:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(logging.WARNING)   # it logs "Building prefix dict…" on every load
    return jieba


def _cache_root() -> Path:
    from assist.paths import cache_dir
    from assist.private import make_dir

    return make_dir(cache_dir() / "jieba")


def _key(userdict: Path | None) -> str:
    jieba = _import_jieba()
    h = hashlib.sha256(f"callassist-jieba/{_FORMAT}/{jieba.__version__}\0".encode())
    main = Path(jieba.__file__).with_name("dict.txt")
    h.update(main.read_bytes())
    h.update(b"\0user\0")
    if userdict is not None and Path(userdict).is_file():
        h.update(Path(userdict).read_bytes())
    return h.hexdigest()[:32]


def _build(path: Path, userdict: Path | None) -> None:
    """Load the dictionaries the way jieba does and write what it ends with (FREQ, total, force-split words)."""
    jieba = _import_jieba()
    tok = jieba.Tokenizer()
    tok.tmp_dir = str(path.parent)   # jieba's own marshal cache beside ours, not in the shared /tmp
    forced_before = set(jieba.finalseg.Force_Split_Words)
    if userdict is not None and Path(userdict).is_file():
        tok.load_userdict(str(userdict))
    tok.initialize()
    forced = sorted(set(jieba.finalseg.Force_Split_Words) - forced_before)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".build-", suffix=".sqlite3")
    os.close(fd)   # mkstemp made it 0600; SQLite opens it by name
    try:
        con = sqlite3.connect(tmp)
        with con:
            con.execute("PRAGMA journal_mode=OFF")
            con.execute("CREATE TABLE freq (w TEXT PRIMARY KEY, f INTEGER NOT NULL) WITHOUT ROWID")
            con.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)")
            con.executemany("INSERT INTO freq VALUES (?, ?)", tok.FREQ.items())
            longest = max(map(len, tok.FREQ)) if tok.FREQ else 1
            con.executemany("INSERT INTO meta VALUES (?, ?)", [
                ("total", str(tok.total)), ("longest", str(longest)), ("forced", json.dumps(forced))])
        con.close()
        os.replace(tmp, path)   # atomic: a process reading the old name never sees half a file
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _open_store(userdict: Path | None) -> Path:
    root = _cache_root()
    path = root / f"{'user' if userdict is not None else 'default'}-{_key(userdict)}.sqlite3"
    if not path.is_file():
        _build(path, userdict)
    return path


@functools.lru_cache(maxsize=1)
def _tokenizer_class():
    jieba = _import_jieba()

    class CachedTokenizer(jieba.Tokenizer):
        """jieba's Tokenizer whose FREQ holds only the entries fetched so far from the cache file; every
        entry a text can reach is fetched before jieba's code looks (``get_DAG`` is where each cut starts)."""

        def __init__(self, store: Path):
            super().__init__()
            self._store = store
            self._db_lock = threading.Lock()
            self._con = sqlite3.connect(f"file:{store}?mode=ro", uri=True, check_same_thread=False)
            meta = dict(self._con.execute("SELECT k, v FROM meta"))
            self.total = int(meta["total"])
            self._longest = int(meta["longest"])
            for w in json.loads(meta["forced"]):
                jieba.finalseg.add_force_split(w)   # what load_userdict does for a word given frequency 0
            self._absent: set[str] = set()
            self._full = False
            self.initialized = True
            self.dictionary = f"cache:{store.name}"

        def initialize(self, dictionary=None):   # the cache file is the dictionary: nothing to read
            self.initialized = True

        def _fetch(self, text: str) -> None:
            # jieba's walk from each position goes on while the string so far is in FREQ (every prefix of a word
            # is, with frequency 0), so the same walk, one length at a time, finds every entry it can reach; a
            # length's strings not known yet are fetched in one query. A text seen before costs what jieba's
            # own walk costs.
            if self._full:
                return
            freq, absent = self.FREQ, self._absent
            n = len(text)
            alive = range(n)
            for size in range(1, min(n, self._longest) + 1):
                nxt, need = [], {}
                for k in alive:
                    if k + size > n:
                        continue
                    w = text[k:k + size]
                    if w in freq:
                        nxt.append(k)
                    elif w not in absent:
                        need.setdefault(w, []).append(k)
                if need:
                    found = self._query(list(need))
                    for w, ks in need.items():
                        if w in found:
                            nxt.extend(ks)
                if not nxt:
                    return
                alive = nxt

        def _query(self, words: list[str]) -> dict[str, int]:
            with self._db_lock:
                if self._full:
                    return {w: self.FREQ[w] for w in words if w in self.FREQ}
                found = dict(self._con.execute(
                    "SELECT w, f FROM freq WHERE w IN (SELECT value FROM json_each(?))", (json.dumps(words),)))
                self.FREQ.update(found)
                self._absent.update(w for w in words if w not in found)
                if len(self.FREQ) + len(self._absent) > _PROMOTE_AFTER:
                    self._load_all()
            return found

        def _load_all(self) -> None:
            self.FREQ.update(self._con.execute("SELECT w, f FROM freq"))
            self._full = True
            self._absent = set()

        def preload(self) -> None:
            """Load the whole dictionary now (a long run or a live call: no fetch per text from here on)."""
            with self._db_lock:
                if not self._full:
                    self._load_all()

        def get_DAG(self, sentence):
            self._fetch(sentence)
            return super().get_DAG(sentence)

        def freq(self, word: str) -> int:
            """The dictionary frequency of ``word`` (0 when it is only a prefix or unknown)."""
            self._fetch(word)
            return self.FREQ.get(word, 0) or 0

    return CachedTokenizer


def default_jieba():
    """A tokenizer over jieba's default dictionary (once per process, thread-safe): ``lcut``, ``cut``,
    ``cut_for_search`` as jieba's, plus ``freq(word)``."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = _tokenizer_class()(_open_store(None))
    return _default


def user_tokenizer(userdict: Path | None):
    """A tokenizer with ``userdict`` added when that file exists (checked by assist.userdict first)."""
    if userdict is not None and not Path(userdict).is_file():
        userdict = None
    with _lock:   # two folders' first uses at once must not both build the same file
        store = _open_store(Path(userdict) if userdict is not None else Path(os.devnull))
    return _tokenizer_class()(store)
