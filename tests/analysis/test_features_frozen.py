"""The detector's features must not move: resources/detector/model.npz was trained on them.

The fixture (data/features_frozen.json) was recorded from the code as it stood before the Chinese-text helpers
were gathered into assist/text/ (issue 13): ~30 varied probe sentences plus a few edge cases (digits, traditional
script, Extension A characters, Latin letters, punctuation only). Any refactor of the text helpers that changes a
single hash bucket, span or pattern input fails here before it silently degrades the trained model.

    .venv/bin/python tests/analysis/test_features_frozen.py --record   # only when the model is retrained
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).with_name("data") / "features_frozen.json"
PROBE = ROOT / "corpus" / "probe" / "probe.tsv"

EDGE = [
    "您好，我是工号3680的客服，请问是张三先生吗？",
    "你再不還錢，我們就找你家人單位。",
    "㐀㑇这个字很少见，但也得能处理",
    "OK的，APP里面点还款就行，2500.50元",
    "。。。！！",
    "先还舞百元，下周三之前还清",
    "",
]


def sentences() -> list[str]:
    rows = [ln.split("\t", 1)[1] for ln in PROBE.read_text(encoding="utf-8").splitlines()[1:] if "\t" in ln]
    return rows[::9][:30] + EDGE


def compute(texts: list[str]) -> list[dict]:
    from assist.analysis.analyzer import load_resources
    from assist.analysis.rules import Utterance, rule_hits
    from assist.detect.features import extract, indexes, pattern_inputs

    res = load_resources(str(ROOT / "resources"))
    out = []
    for text in texts:
        utt = Utterance(text, res.root)
        fired = frozenset(h.rule for h in rule_hits(utt, res.pack))
        feats = extract(utt.tv, utt.words)
        out.append({
            "text": text,
            "clean": utt.tv.clean,
            "tokens": utt.tv.tokens,
            "words": [list(w) for w in utt.words],
            "features": [[f.index, f.start, f.end] for f in feats],
            "indexes": indexes(feats),
            "pattern_inputs": pattern_inputs(fired, tuple(res.detector.rules)),
        })
    return out


def test_features_are_bit_identical_to_the_recorded_ones():
    recorded = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert len(recorded) >= 30
    now = compute([r["text"] for r in recorded])
    for old, new in zip(recorded, now):
        assert new == old, f"features changed for {old['text']!r}"


def test_the_fixture_covers_varied_sentences():
    recorded = json.loads(FIXTURE.read_text(encoding="utf-8"))
    # the probe lines cover every rule and lawful text; at least some fire patterns, some do not
    assert any(r["pattern_inputs"] for r in recorded) and any(not r["pattern_inputs"] for r in recorded)
    assert any(any(c.isdigit() for c in r["clean"]) for r in recorded)


if __name__ == "__main__" and "--record" in sys.argv:
    sys.path.insert(0, str(ROOT))
    rows = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in compute(sentences())]
    FIXTURE.write_text("[\n" + ",\n".join(rows) + "\n]\n", encoding="utf-8")   # one sentence per line
    print(f"wrote {FIXTURE}")
