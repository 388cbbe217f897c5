"""Read a small YAML resource file keeping line numbers, so every later check can say ``path:line: message``.

PyYAML's ``compose`` gives nodes with marks; we turn them into ``Node`` values that remember their line.
Only plain mappings, lists and scalars are needed by the analysis resources. Aliases (``*name``) are refused:
none is needed, and a 1 KB file of nested aliases (a "billion laughs") expands to billions of nodes and hung
``check`` for minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assist.resources import ResourceError


@dataclass(frozen=True)
class Node:
    value: Any          # str | int | float | bool | None | list[Node] | dict[str, Node]
    line: int
    path: Path

    def error(self, message: str) -> ResourceError:
        return ResourceError(self.path, self.line, message)

    def text(self, what: str) -> str:
        if not isinstance(self.value, (str, int, float)) or isinstance(self.value, bool) or self.value == "":
            raise self.error(f"{what} must be a non-empty text")
        return str(self.value).strip()

    def strings(self, what: str) -> list[Node]:
        """A list of texts (a single text is accepted as a one-item list)."""
        if isinstance(self.value, list):
            for item in self.value:
                item.text(f"each item of {what}")
            return self.value
        self.text(what)
        return [self]

    def mapping(self, what: str) -> dict[str, Node]:
        if not isinstance(self.value, dict):
            raise self.error(f"{what} must be a mapping (key: value lines)")
        return self.value


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader whose composer stops at the first alias instead of expanding it."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ResourceError(self.name, event.start_mark.line + 1,
                                f"YAML aliases (*{event.anchor}) are not allowed in resource files: write the "
                                f"values out")
        return super().compose_node(parent, index)


def _scalar(node: yaml.ScalarNode):
    # the tag the resolver gave the node (quoting respected) decides int/bool/str, as safe_load would; a fresh
    # constructor each time keeps nothing between files (it caches every node it constructs)
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


def _convert(node: yaml.Node, path: Path) -> Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise ResourceError(path, key_node.start_mark.line + 1, "keys must be plain words")
            key = str(_scalar(key_node))
            if key in out:
                raise ResourceError(path, key_node.start_mark.line + 1, f"duplicate key {key!r}")
            out[key] = _convert(value_node, path)
        return Node(out, line, path)
    if isinstance(node, yaml.SequenceNode):
        return Node([_convert(item, path) for item in node.value], line, path)
    # A scalar: let YAML's own resolver decide int/bool/str, quoting respected.
    return Node(_scalar(node), line, path)


def load(path: Path) -> Node:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ResourceError(path, None, f"not UTF-8 text: {exc}") from exc
    try:
        loader = _NoAliasLoader(text)
        loader.name = str(path)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        # point at the construct that is broken (an unclosed [ or quote), not where the parser gave up
        problem = exc.problem_mark.line + 1 if exc.problem_mark else None
        context = exc.context_mark.line + 1 if exc.context_mark else None
        line = context or problem
        where = f" (noticed on line {problem})" if problem and context and problem != context else ""
        raise ResourceError(path, line, f"YAML syntax error: {exc.problem or exc}{where}") from exc
    except RecursionError:
        # "[[[[…" thousands deep: PyYAML's composer recurses per level (a traceback, found by the fault probe)
        raise ResourceError(path, None, "nested too deeply (lists or mappings inside each other) for a "
                                        "resource file") from None
    if root is None:
        raise ResourceError(path, 1, "the file is empty")
    try:
        return _convert(root, path)
    except RecursionError:
        raise ResourceError(path, None, "nested too deeply (lists or mappings inside each other) for a "
                                        "resource file") from None


def check_keys(node: Node, allowed: set[str], required: set[str], what: str) -> dict[str, Node]:
    data = node.mapping(what)
    for key, value in data.items():
        if key not in allowed:
            raise value.error(f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})")
    for key in sorted(required - set(data)):
        raise node.error(f"{what}: missing required key {key!r}")
    return data
