"""Every UI string the app passes through tr() is in the zh_CN translation source, so a translator sees it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from assist import paths

TR_CALL = re.compile(r"""\btr\(\s*(?P<q>["'])(?P<s>(?:\\.|(?!(?P=q)).)*)(?P=q)\s*[,)]""")


def _tr_strings() -> dict[str, str]:
    found = {}
    for py in sorted((paths.PROJECT_ROOT / "app").rglob("*.py")):
        for m in TR_CALL.finditer(py.read_text(encoding="utf-8")):
            found.setdefault(m.group("s").encode().decode("unicode_escape").encode("latin-1").decode("utf-8"),
                             py.name)
    return found


def test_every_tr_string_is_in_the_ts_file():
    ts = paths.resources_dir() / "i18n" / "callassist_zh_CN.ts"
    sources = {el.text for el in ET.parse(ts).getroot().iter("source")}
    strings = _tr_strings()
    assert len(strings) > 50                                        # the scan does find the UI strings
    missing = {s: f for s, f in strings.items() if s not in sources}
    assert not missing, f"tr() strings missing from {ts.name}: {missing}"
