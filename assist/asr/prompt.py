"""Whisper's initial prompt: the domain sentences of resources/lexicon/prompt.txt filled with the call's case data,
plus hotwords (resources/lexicon/hotwords.txt, the caller's, and the case's names), and the extra terms the
pinyin correction should know about for this call."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from ..case import CaseData
from ..resources import ResourceError, read_text
from ..text.cjk import all_han

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def _lexicon_dir() -> Path:
    from .. import paths

    return paths.resources_dir() / "lexicon"


def _read_lines(p: Path) -> list[tuple[int, str]]:
    text = read_text(p, "the file")
    return [(no, line.strip()) for no, line in enumerate(text.splitlines(), 1)
            if line.strip() and not line.strip().startswith("#")]


def load_prompt_lines(path: str | Path | None = None) -> list[str]:
    p = Path(path) if path is not None else _lexicon_dir() / "prompt.txt"
    known = set(CaseData().placeholders())
    lines = []
    for no, line in _read_lines(p):
        for name in _PLACEHOLDER.findall(line):
            if name not in known:
                raise ResourceError(p, no, f"unknown placeholder {{{name}}}; known: {', '.join(sorted(known))}")
        if "{" in _PLACEHOLDER.sub("", line) or "}" in _PLACEHOLDER.sub("", line):
            raise ResourceError(p, no, "unbalanced { } in the prompt line")
        lines.append(line)
    if not lines:
        raise ResourceError(p, None, "the prompt file has no sentences")
    return lines


def load_hotwords(path: str | Path | None = None) -> list[str]:
    p = Path(path) if path is not None else _lexicon_dir() / "hotwords.txt"
    out = []
    for no, line in _read_lines(p):
        if " " in line or "\t" in line:
            raise ResourceError(p, no, f"one hotword per line, got {line!r}")
        out.append(line)
    return out


def case_terms(case: CaseData | None) -> list[str]:
    """Names from the case data that the correction may restore (Chinese, 2+ characters)."""
    if case is None:
        return []
    out = []
    for v in (case.debtor_name, case.institution, case.creditor, case.agent_name):
        v = (v or "").strip()
        if len(v) >= 2 and all_han(v):
            out.append(v)
    return out


def build_prompt(case: CaseData | None = None, hotwords: Sequence[str] = (), *,
                 lines: list[str] | None = None, resource_hotwords: list[str] | None = None, resources=None) -> str:
    """The prompt text, space-joined: the filled lines of prompt.txt when the case gives any value, otherwise the
    resource hotwords; then the caller's hotwords. A line with an empty placeholder is left out. ``resources``:
    the folder (or its ``Resources``) whose lexicon files to use when ``lines``/``resource_hotwords`` are not
    given; None = the folder in use now."""
    from ..resources import open_resources

    values = (case or CaseData()).placeholders()
    lines = open_resources(resources).prompt_lines() if lines is None else lines
    filled = []
    for line in lines:
        names = _PLACEHOLDER.findall(line)
        if any(not values.get(n) for n in names):
            continue
        filled.append(_PLACEHOLDER.sub(lambda m: values[m.group(1)], line))
    if any(_PLACEHOLDER.search(line) for line in lines) and not any(
            _PLACEHOLDER.search(line) and all(values.get(n) for n in _PLACEHOLDER.findall(line)) for line in lines):
        # no case value at all: fall back to the generic domain hotwords
        base = resource_hotwords if resource_hotwords is not None else open_resources(resources).hotwords()
        filled = [line for line in filled] + list(base)
    words = [*filled, *[h.strip() for h in hotwords if h and h.strip()]]
    return " ".join(dict.fromkeys(words))
