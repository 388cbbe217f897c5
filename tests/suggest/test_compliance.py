"""Every line of the script library passes the compliance rules, rendered with and without case data,
so a suggestion can never lead an agent into a violation."""

from __future__ import annotations

from assist.case import CaseData
from assist.suggest.render import call_values


def _renderings(library, case):
    promise = {"amount": 3680, "date": "2026-10-13", "channel": "app"}
    for values in (call_values(case.placeholders(), promise), call_values(CaseData().placeholders(), None)):
        for ln in library.lines:
            yield ln, ln.render(values)


def test_every_library_line_passes_check_text(library, case):
    from assist.analysis import check_text

    bad = []
    for ln, text in _renderings(library, case):
        hits, _stage = check_text(text)
        if hits:
            bad.append(f"{ln.path}:{ln.line}: {ln.id} {text} → {[(h.rule, h.evidence) for h in hits]}")
    assert not bad, "\n".join(bad)


def test_stage_lines_read_as_their_stage_often(library, case):
    # A sanity check that the library and the stage tracker speak the same language: most stage lines are
    # recognised as their own stage (not all: a line can sit between two stages).
    from assist.analysis import check_text

    lines = [(ln, text) for ln, text in _renderings(library, case) if ln.kind == "stage"]
    agree = sum(1 for ln, text in lines if check_text(text)[1] == ln.stage)
    assert agree / len(lines) >= 0.6, f"only {agree}/{len(lines)} library lines read as their own stage"
