"""Labelled sentence files (``rules<TAB>text``, the format of the dev ``lines.tsv``): reading and checking.

The training corpus (``corpus/compliance/*.tsv``), the blind split (``corpus/blind/``), the probe sets and the dev
lines all use it. A broken line is a ResourceError at ``path:line`` so whoever added it can find it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assist.analysis.state import UTTERANCE_RULES
from assist.resources import ResourceError, read_text


@dataclass(frozen=True)
class Labelled:
    rules: frozenset[str]
    text: str
    source: str      # "file.tsv:line"


def read_labelled(path: str | Path) -> list[Labelled]:
    p = Path(path)
    lines = read_text(p, "a labelled sentence file").lstrip("\ufeff").splitlines()
    if not lines or lines[0].split("\t")[:2] != ["rules", "text"]:
        raise ResourceError(p, 1, "the first line must be the header 'rules<TAB>text'")
    rows: list[Labelled] = []
    seen: dict[str, int] = {}
    for no, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        if line.count("\t") != 1:
            raise ResourceError(p, no, "a line holds the rule ids, one tab, then the sentence")
        labels, text = line.split("\t")
        text = text.strip()
        if not text:
            raise ResourceError(p, no, "the sentence is empty")
        rules = frozenset(r.strip() for r in labels.split(",") if r.strip())
        unknown = sorted(rules - set(UTTERANCE_RULES))
        if unknown:
            raise ResourceError(p, no, f"unknown rule id(s) {', '.join(unknown)} (known: {', '.join(UTTERANCE_RULES)})")
        if text in seen:
            raise ResourceError(p, no, f"the same sentence is already on line {seen[text]}")
        seen[text] = no
        rows.append(Labelled(rules, text, f"{p.name}:{no}"))
    return rows


def read_folder(folder: str | Path) -> list[Labelled]:
    """Every ``*.tsv`` of a folder, in name order; the same sentence in two files is an error too."""
    rows: list[Labelled] = []
    where: dict[str, str] = {}
    for path in sorted(Path(folder).glob("*.tsv")):
        for row in read_labelled(path):
            if row.text in where:
                file, line = row.source.rsplit(":", 1)
                raise ResourceError(path, int(line), f"the same sentence is already in {where[row.text]}")
            where[row.text] = row.source
            rows.append(row)
    return rows
