"""``callassist check [TEXT ...] [--file PATH] [--json]``: vet single agent sentences against the rule packs.

``--file`` takes one sentence per line; the evaluation ``lines.tsv`` format (header ``rules<TAB>text`` and a
leading label column) is accepted and only the text column is checked. Exit status: 0 when the sentences were
checked (whatever they hold), 2 on bad input (missing/unreadable file, nothing to check, broken rule pack).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from assist.resources import ResourceError


def add_parser(sub) -> None:
    p = sub.add_parser("check", help="check agent sentences against the compliance rules",
                       description="Check single agent sentences against the compliance rules (话术合规检查).")
    p.add_argument("text", nargs="*", help="sentences to check")
    p.add_argument("--file", type=Path, help="a text file with one sentence per line (lines.tsv format accepted)")
    p.add_argument("--json", action="store_true", help="one JSON object per sentence")


def read_lines(path: Path) -> list[str]:
    """Sentences of a file: blank lines skipped; a ``rules<TAB>text`` header and label column are dropped."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ValueError(f"file not found: {path}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not UTF-8 text") from None
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    lines = raw.splitlines()
    tsv = bool(lines) and lines[0].split("\t")[0].strip().lower() == "rules" and "\t" in lines[0]
    if tsv:
        lines = lines[1:]
    out = []
    for line in lines:
        if tsv or "\t" in line:
            line = line.split("\t", 1)[1] if "\t" in line else line
        if line.strip():
            out.append(line.strip())
    return out


def run(args) -> int:
    from assist.analysis import check_text, load_resources

    texts = [t for t in args.text if t.strip()]
    if args.file:
        try:
            texts += read_lines(args.file)
        except ValueError as exc:
            print(f"callassist check: {exc}", file=sys.stderr)
            return 2
    if not texts and not sys.stdin.isatty() and not args.file and not args.text:
        texts = [line.strip() for line in sys.stdin if line.strip()]
    if not texts:
        print("callassist check: nothing to check (give sentences or --file PATH)", file=sys.stderr)
        return 2
    from assist.userdict import check_userdict

    try:
        load_resources()   # the folder in use now (CALLASSIST_RESOURCES or the shipped one), through its loader
    except ResourceError as exc:
        print(f"callassist check: broken rule pack: {exc}", file=sys.stderr)
        return 2
    try:
        check_userdict()
    except ResourceError as exc:
        print(f"callassist check: broken dictionary: {exc}", file=sys.stderr)
        return 2
    try:
        _report(texts, args.json, check_text)
    except BrokenPipeError:  # `callassist check … | head` closed the pipe: not an error
        sys.stderr.close()
    return 0


def _report(texts: list[str], as_json: bool, check_text) -> None:
    from assist.labels import rule_name

    for text in texts:
        hits, stage = check_text(text)
        if as_json:
            print(json.dumps({"text": text, "rules": [{"rule": h.rule, "severity": h.severity, "evidence": h.evidence,
                                                       "by": h.by} for h in hits], "stage": stage},
                             ensure_ascii=False))
            continue
        print(text)
        if not hits:
            print(f"  ✓ 未发现违规（阶段：{stage}）")
        for h in hits:
            # the rule's name as its rule file gives it (a QA lead's edit shows here), then the stable id
            print(f"  ✗ [{h.severity}] {rule_name(h.rule)}（{h.rule}）：{h.message}")
            print(f"      依据：{h.basis}")
            print(f"      触发词：{h.evidence}" + ("（模型判断：与规则库之外的说法相似）" if h.by == "model" else ""))
            print(f"      建议：{h.advice}")
    sys.stdout.flush()
