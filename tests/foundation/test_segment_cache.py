"""The cached jieba dictionaries (assist/text/segment.py) cut exactly as a plain jieba does, stay private, and
follow an edit of the user dictionary."""

from __future__ import annotations

import random
import stat

import pytest

from assist import paths
from assist.text import segment


def _corpus_texts() -> list[str]:
    texts = []
    for f in sorted((paths.PROJECT_ROOT / "corpus" / "compliance").glob("*.tsv"))[:4]:
        for line in f.read_text(encoding="utf-8").splitlines()[1:]:
            texts.append(line.split("\t", 1)[-1])
    rnd = random.Random(16)
    pool = "".join(sorted(set("".join(texts))))
    # random strings reach dictionary entries no sentence does (long prefixes, odd runs, Latin and digits)
    texts += ["".join(rnd.choice(pool) for _ in range(rnd.randint(1, 60))) for _ in range(300)]
    texts += ["ABC123还款-5%，逾期 30 天", "", "　", "工号9527，中华人民共和国国务院总理"]
    return texts


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CALLASSIST_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(segment, "_default", None)
    return tmp_path / "cache" / "jieba"


def test_default_tokenizer_cuts_as_jieba(cache):
    import jieba

    plain = jieba.Tokenizer()
    plain.tmp_dir = str(cache.parent)
    cached = segment.default_jieba()
    for text in _corpus_texts():
        assert cached.lcut(text) == plain.lcut(text), text
        assert cached.lcut(text, HMM=False) == plain.lcut(text, HMM=False), text
        assert list(cached.cut_for_search(text)) == list(plain.cut_for_search(text)), text
    for word in ("还款", "逾期", "中华", "中华人民共和国", "不存在的词语", "x"):
        assert cached.freq(word) == (plain.FREQ.get(word) or 0)


def test_user_tokenizer_cuts_as_jieba_with_the_userdict(cache, monkeypatch):
    import jieba

    userdict = paths.PROJECT_ROOT / "resources" / "dict" / "userdict.txt"
    plain = jieba.Tokenizer()
    plain.tmp_dir = str(cache.parent)
    plain.load_userdict(str(userdict))
    monkeypatch.setattr(segment, "_PROMOTE_AFTER", 20_000)   # the whole-dictionary switch happens mid-way
    cached = segment.user_tokenizer(userdict)
    texts = _corpus_texts()
    for text in texts:
        assert cached.lcut(text) == plain.lcut(text), text
    assert cached._full, "past _PROMOTE_AFTER strings the whole dictionary is loaded"
    assert len(cached.FREQ) == len(plain.FREQ)
    for text in texts[:50]:
        assert cached.lcut(text) == plain.lcut(text), text


def test_cache_files_are_private_and_follow_the_userdict(cache, tmp_path):
    userdict = tmp_path / "userdict.txt"
    userdict.write_text("催收助手 20 n\n", encoding="utf-8")
    tok = segment.user_tokenizer(userdict)
    assert "催收助手" in tok.lcut("我是催收助手")
    files = sorted(cache.glob("user-*.sqlite3"))
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    userdict.write_text("催收助手 20 n\n我是催收助手 50000 n\n", encoding="utf-8")   # an edit: a new cache file
    tok2 = segment.user_tokenizer(userdict)
    assert tok2.lcut("我是催收助手") == ["我是催收助手"]
    assert len(list(cache.glob("user-*.sqlite3"))) == 2
    assert not list(cache.glob(".build-*")), "no half-built file left behind"
    # jieba's own marshal cache of the build goes beside ours (not the shared /tmp), also 0600
    marshal = [p for p in cache.iterdir() if p.name.startswith("jieba")]
    assert marshal and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in marshal)
