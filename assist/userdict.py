"""Checking ``resources/dict/userdict.txt`` (the jieba user dictionary) the way the rule packs are checked.

jieba reads it itself and, given a file Notepad saved as GBK, raises a bare ValueError deep inside the first
analysis (a traceback for the agent). This check runs before jieba does and names the file and line.
Format per line: ``word [frequency] [part-of-speech]``; blank lines and ``#`` comments are allowed.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import paths
from .resources import ResourceError

_LINE = re.compile(r"^(\S+)(?: +(\d+))?(?: +([A-Za-z]+))?$")


def userdict_path(resources: str | Path | None = None) -> Path:
    return (Path(resources) if resources else paths.resources_dir()) / "dict" / "userdict.txt"


def check_userdict(resources: str | Path | None = None) -> None:
    """Raise ResourceError(path, line, message) for a mis-encoded or malformed line; a missing file is fine
    (jieba's own dictionary is used alone)."""
    path = userdict_path(resources)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ResourceError(path, None, f"无法读取用户词典 ({exc.strerror})") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for n, raw in enumerate(data.split(b"\n"), 1):
        try:
            line = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise ResourceError(path, n, "用户词典不是 UTF-8 编码（记事本请用“另存为 → 编码 UTF-8”保存）"
                                         " (not UTF-8 text)") from None
        if not line or line.startswith("#"):
            continue
        if not _LINE.match(line):
            raise ResourceError(path, n, f"格式应为“词语 [词频] [词性]”，词频是整数: {line[:40]!r}")
