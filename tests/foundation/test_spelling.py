"""One spelling per word in identifiers: the public CLI says ``analyze``, so names are American
(recognizer, analyze, analyzer); prose (comments, docstrings, messages) is British (recogniser, analyse).
A British spelling in a Python name would make ``grep -r Recognizer`` miss it."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BRITISH_IN_NAMES = re.compile(r"recognis|analys(e|ed|es|ing|er)(?![a-z])|analyser", re.IGNORECASE)


def _names(path: Path):
    for tok in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
        if tok.type == tokenize.NAME:
            yield tok.start[0], tok.string


def test_python_names_use_the_clis_spelling():
    offenders = []
    for top in ("assist", "app", "tests", "bench", "scripts", "packaging"):
        for path in sorted((ROOT / top).rglob("*.py")):
            offenders += [f"{path.relative_to(ROOT)}:{line}: {name}" for line, name in _names(path)
                          if BRITISH_IN_NAMES.search(name)]
    assert not offenders, "British spelling in identifiers (use recognize/analyze):\n" + "\n".join(offenders)


def test_the_check_catches_a_british_name(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("def reanalyse(recogniser):\n    analysis = 1  # the recogniser\n", encoding="utf-8")
    assert [n for _, n in _names(probe) if BRITISH_IN_NAMES.search(n)] == ["reanalyse", "recogniser"]
