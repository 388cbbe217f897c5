"""Stored text shown to people and tools safely: no terminal control codes, no non-standard JSON.

Notes and case data are typed or pasted by people: ``\\x1b[2J`` in a note cleared the terminal of whoever ran
``records show``, a bell rang. JSON has no Infinity/NaN (Python writes them, other tools then fail to parse).
"""

from __future__ import annotations

import math
import unicodedata


def printable(text, *, keep_newlines: bool = False) -> str:
    """``text`` with control and format characters (ESC, BEL, CR, bidi overrides…) shown as ``\\xNN`` /
    ``\\uNNNN`` escapes; newlines kept only when asked (multi-line fields such as notes)."""
    text = "" if text is None else str(text)
    out = []
    for ch in text:
        if ch == "\n" and keep_newlines:
            out.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cf") and ch != "\u200d":   # ZWJ joins emoji: harmless
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def finite(obj):
    """A copy of ``obj`` (dicts, lists, scalars) with every non-finite float replaced by None."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite(v) for v in obj]
    return obj
