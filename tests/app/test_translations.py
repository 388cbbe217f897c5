"""Every UI string the app passes through tr() is in the zh_CN translation source, so a translator sees it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from assist import paths

# tr("…") with one literal or several adjacent ones (a long message split over lines, as lupdate reads it)
_LITERAL = r"""(?:"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')"""
TR_CALL = re.compile(rf"""\btr\(\s*(?P<s>{_LITERAL}(?:\s*{_LITERAL})*)\s*[,)]""")
PIECE = re.compile(_LITERAL)


def _unquote(literal: str) -> str:
    return literal[1:-1].encode().decode("unicode_escape").encode("latin-1").decode("utf-8")


def _tr_strings() -> dict[str, str]:
    found = {}
    for py in sorted((paths.PROJECT_ROOT / "app").rglob("*.py")):
        for m in TR_CALL.finditer(py.read_text(encoding="utf-8")):
            found.setdefault("".join(_unquote(p) for p in PIECE.findall(m.group("s"))), py.name)
    return found


def test_a_message_split_over_lines_is_seen_whole():
    message = ("现在是 {now}，不在允许的催收时段（{start}–{end}）内。\n"
               "此时拨打催收电话违反规定，并会被记录为“非允许时段催收”。\n\n仍要开始吗？")
    assert message in _tr_strings()


def test_every_tr_string_is_in_the_ts_file():
    ts = paths.resources_dir() / "i18n" / "callassist_zh_CN.ts"
    sources = {el.text for el in ET.parse(ts).getroot().iter("source")}
    strings = _tr_strings()
    assert len(strings) > 50                                        # the scan does find the UI strings
    missing = {s: f for s, f in strings.items() if s not in sources}
    assert not missing, f"tr() strings missing from {ts.name}: {missing}"


# Windows whose every user-visible Chinese literal must go through tr() (docstrings and comments aside).
FULLY_TRANSLATABLE = ("live_window.py",)


def test_the_live_window_has_no_chinese_literal_outside_tr():
    import ast

    cjk = re.compile(r"[\u4e00-\u9fff]")
    for name in FULLY_TRANSLATABLE:
        tree = ast.parse((paths.PROJECT_ROOT / "app" / name).read_text(encoding="utf-8"))
        inside_tr, docstrings = set(), set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "tr":
                inside_tr.update(id(n) for a in node.args for n in ast.walk(a))
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body \
                    and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
                docstrings.add(id(node.body[0].value))
        bare = [(n.lineno, n.value) for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                and cjk.search(n.value) and id(n) not in inside_tr and id(n) not in docstrings]
        assert not bare, f"{name}: Chinese text outside tr(): {bare}"
