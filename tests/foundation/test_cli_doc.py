"""docs/cli.md names every command and option the ``callassist`` parser defines, and nothing it does not.

The parser is walked (no list is kept here): a new option without its line in the reference fails, and so
does a heading for a command that was removed or renamed.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from assist.cli.main import build_parser

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
HEADING = re.compile(r"^#{1,6} .*?`callassist ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)*)", re.MULTILINE)


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(path, parser) of every command and subcommand."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield path + (name,), sub
                yield from _commands(sub, path + (name,))


def _options(parser: argparse.ArgumentParser) -> list[str]:
    return [s for a in parser._actions if not isinstance(a, argparse._HelpAction) for s in a.option_strings]


def _sections(text: str) -> dict[str, str]:
    """Command path ("records list") → the text from its heading to the next heading naming a command."""
    marks = [(m.start(), m.group(1)) for m in HEADING.finditer(text)]
    return {name: text[start:(marks[i + 1][0] if i + 1 < len(marks) else len(text))]
            for i, (start, name) in enumerate(marks)}


def _named(text: str, option: str) -> bool:
    return re.search(rf"`{re.escape(option)}(?![\w-])", text) is not None


def test_every_command_and_option_is_in_the_reference():
    sections = _sections(DOC.read_text(encoding="utf-8"))
    missing = []
    for path, parser in _commands(build_parser()):
        name = " ".join(path)
        if name not in sections:
            missing.append(f"command `callassist {name}`: no heading")
            continue
        missing += [f"`callassist {name} {opt}`" for opt in _options(parser) if not _named(sections[name], opt)]
    assert not missing, f"missing from {DOC.name}:\n" + "\n".join(missing)


def test_every_command_in_the_reference_exists():
    known = {" ".join(path) for path, _ in _commands(build_parser())}
    stale = sorted(set(_sections(DOC.read_text(encoding="utf-8"))) - known)
    assert not stale, f"{DOC.name} documents commands the parser does not have: {stale}"


def test_the_walk_sees_a_new_option_and_command():
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    extra = sub.add_parser("frobnicate")
    extra.add_argument("--level")
    found = dict(_commands(parser))
    assert "--level" in _options(found[("frobnicate",)]) and ("records", "purge-audio") in found
    sections = _sections("# `callassist check`\nuse `--json`\n## `callassist records list`\n`--json-lines`\n")
    assert _named(sections["check"], "--json") and not _named(sections["records list"], "--json")


def test_the_spec_copy_is_the_shared_spec():
    # docs/spec/ keeps the repo complete on its own; when the shared folder is there, the copy must not drift.
    from tests.conftest import SHARED

    if not (SHARED / "spec").is_dir():
        import pytest

        pytest.skip(f"no shared spec to compare with at {SHARED / 'spec'}")
    for name in ("cli.md", "taxonomy.md"):
        mine = (DOC.parent / "spec" / name).read_text(encoding="utf-8")
        assert mine == (SHARED / "spec" / name).read_text(encoding="utf-8"), f"docs/spec/{name} differs from the shared"
