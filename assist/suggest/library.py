"""The script library 话术库: files under resources/scripts/ that a team lead edits, loaded and validated.

One file per stage (``greet.txt`` … ``close.txt``), plus ``objections.txt`` (answers to what debtors say, one
section per objection key) and ``corrections.txt`` (what to say after a violation, one section per rule id).
The format is line-oriented so every error can name its line (resources/scripts/README.md explains it)::

    # comment
    [identity]                      ← a section: one conversational move, id unique in the file
    covers: identity                ← checklist items this move fulfils (assist.analysis.state.CHECKLIST)
    reason: 还未核实对方是否本人      ← why an agent would say it now (shown with the suggestion)
    when: ptp_complete              ← only offered when the call is in this situation (WHEN_FLAGS)
    unless: hardship                ← never offered in this situation
    tags: 核身 本人                   ← extra search words
    - 请问您是{姓名|机主}本人吗？       ← a line (placeholders: see render.py)

Line ids are ``<file>.<section>.<n>`` (n from 1, in file order), e.g. ``greet.identity.2``.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .. import paths
from ..analysis.state import CALL_RULES, CHECKLIST, OBJECTIONS, STAGES, UTTERANCE_RULES
from ..labels import STAGE_NAMES
from ..resources import ResourceError
from ..text.cjk import HAN_RE
from ..text.normalize import to_simplified
from .render import Template, TemplateError, parse_template

log = logging.getLogger(__name__)

# Situations a section can be restricted to; the suggester works them out from the call state.
WHEN_FLAGS = {
    "wrong_party": "接电话的不是本人",
    "right_party": "已确认是本人",
    "no_ptp": "还没谈到还款金额/日期/渠道",
    "ptp_partial": "还款三要素谈了一部分",
    "ptp_complete": "还款金额、日期、渠道都已谈定",
    "hardship": "客户说了经济困难（没钱/失业/生病）",
    "dispute": "客户对欠款有异议（不是我借的/已经还了）",
}

KEYS = ("covers", "reason", "when", "unless", "tags", "label", "stage")
OBJECTIONS_FILE = "objections"
CORRECTIONS_FILE = "corrections"
_SECTION_RE = re.compile(r"^\[([a-z][a-z0-9_]*)\]$")
_HAN = HAN_RE
_KEY_RE = re.compile(r"^([a-z_]+)\s*[:：]\s*(.*)$")


@dataclass(frozen=True)
class ScriptLine:
    id: str                   # greet.identity.2
    kind: str                 # "stage", "objection" or "correction"
    section: str              # section id (for objections the objection key, for corrections the rule id)
    stage: str                # the stage the line belongs to
    template: Template
    reason: str
    covers: tuple[str, ...] = ()
    when: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    label: str = ""           # objections: the Chinese label (没钱)
    path: str = ""
    line: int = 0
    text: str = ""            # the line rendered for a call (Suggester.search fills it); "" in the library

    @property
    def source(self) -> str:
        return self.template.source

    def render(self, values: dict[str, str]) -> str:
        return self.template.render(values)


@dataclass
class _Section:
    id: str
    line: int
    attrs: dict[str, str] = field(default_factory=dict)
    lines: list[tuple[int, str]] = field(default_factory=list)


def _split_words(value: str) -> tuple[str, ...]:
    return tuple(w for w in re.split(r"[\s,，、;；]+", value.strip()) if w)


def _parse_file(path: Path) -> list[ScriptLine]:
    stem = path.stem
    if stem in STAGES:
        kind = "stage"
    elif stem == OBJECTIONS_FILE:
        kind = "objection"
    elif stem == CORRECTIONS_FILE:
        kind = "correction"
    else:
        raise ResourceError(path, None, f"unknown script file; expected one of "
                                        f"{', '.join(s + '.txt' for s in STAGES)}, objections.txt, corrections.txt")
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ResourceError(path, None, f"not UTF-8 text: {exc}") from exc
    except OSError as exc:
        raise ResourceError(path, None, f"cannot read: {exc}") from exc

    sections: list[_Section] = []
    seen: dict[str, int] = {}
    for lineno, line in enumerate(raw.splitlines(), start=1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        m = _SECTION_RE.match(s)
        if m:
            sid = m.group(1)
            if sid in seen:
                raise ResourceError(path, lineno, f"section [{sid}] already defined at line {seen[sid]}")
            if kind == "objection" and sid not in OBJECTIONS:
                raise ResourceError(path, lineno, f"unknown objection [{sid}]; expected one of {', '.join(OBJECTIONS)}")
            if kind == "correction" and sid not in UTTERANCE_RULES + CALL_RULES:
                raise ResourceError(path, lineno, f"unknown rule [{sid}]; expected one of "
                                                  f"{', '.join(UTTERANCE_RULES + CALL_RULES)}")
            seen[sid] = lineno
            sections.append(_Section(sid, lineno))
            continue
        if s.startswith("["):
            raise ResourceError(path, lineno, "malformed section header; write [lower_case_id]")
        if not sections:
            raise ResourceError(path, lineno, "text before the first [section]")
        sec = sections[-1]
        if s.startswith("-"):
            text = s[1:].strip()
            if not text:
                raise ResourceError(path, lineno, "empty script line")
            sec.lines.append((lineno, text))
            continue
        m = _KEY_RE.match(s)
        if not m:
            raise ResourceError(path, lineno, "expected '- a script line', 'key: value', '[section]' or '# comment'")
        key, value = m.group(1), m.group(2).strip()
        if key not in KEYS:
            raise ResourceError(path, lineno, f"unknown key '{key}'; expected one of {', '.join(KEYS)}")
        if sec.lines:
            raise ResourceError(path, lineno, f"'{key}:' must come before the section's lines")
        if key in sec.attrs:
            raise ResourceError(path, lineno, f"'{key}:' given twice in [{sec.id}]")
        if not value:
            raise ResourceError(path, lineno, f"'{key}:' has no value")
        sec.attrs[key] = value
        _check_attr(path, lineno, kind, key, value)

    out: list[ScriptLine] = []
    for sec in sections:
        if not sec.lines:
            raise ResourceError(path, sec.line, f"section [{sec.id}] has no lines ('- …')")
        if "reason" not in sec.attrs:
            raise ResourceError(path, sec.line, f"section [{sec.id}] needs 'reason:' (why say it now, in Chinese)")
        if kind == "objection" and "label" not in sec.attrs:
            raise ResourceError(path, sec.line, f"objection [{sec.id}] needs 'label:' (the quick-pick button text)")
        if kind != "stage" and "stage" not in sec.attrs:
            raise ResourceError(path, sec.line, f"section [{sec.id}] needs 'stage:' (one of {', '.join(STAGES)})")
        stage = stem if kind == "stage" else sec.attrs["stage"]
        prefix = stem if kind == "stage" else ("objection" if kind == "objection" else "correction")
        for n, (lineno, text) in enumerate(sec.lines, start=1):
            try:
                template = parse_template(text)
            except TemplateError as exc:
                raise ResourceError(path, lineno, str(exc)) from None
            out.append(ScriptLine(
                id=f"{prefix}.{sec.id}.{n}", kind=kind, section=sec.id, stage=stage, template=template,
                reason=sec.attrs["reason"], covers=_split_words(sec.attrs.get("covers", "")),
                when=_split_words(sec.attrs.get("when", "")), unless=_split_words(sec.attrs.get("unless", "")),
                tags=_split_words(sec.attrs.get("tags", "")),
                label=sec.attrs.get("label", ""), path=str(path), line=lineno,
            ))
    return out


def _check_attr(path: Path, lineno: int, kind: str, key: str, value: str) -> None:
    if key == "covers":
        for item in _split_words(value):
            if item not in CHECKLIST:
                raise ResourceError(path, lineno, f"unknown checklist item '{item}'; expected {', '.join(CHECKLIST)}")
    elif key in ("when", "unless"):
        for flag in _split_words(value):
            if flag not in WHEN_FLAGS:
                raise ResourceError(path, lineno, f"unknown situation '{flag}'; expected {', '.join(WHEN_FLAGS)}")
    elif key == "stage":
        if kind == "stage":
            raise ResourceError(path, lineno, "'stage:' is only for objections.txt and corrections.txt "
                                              "(a stage file's name is its stage)")
        if value not in STAGES:
            raise ResourceError(path, lineno, f"unknown stage '{value}'; expected one of {', '.join(STAGES)}")
    elif key == "label" and kind != "objection":
        raise ResourceError(path, lineno, "'label:' is only for objections.txt")


class ScriptLibrary:
    """All script lines, loaded from a folder; ``maybe_reload()`` picks up edits without a restart."""

    def __init__(self, directory: str | Path | None = None):
        self.directory = Path(directory) if directory is not None else paths.resources_dir() / "scripts"
        self._lock = threading.Lock()
        self._stamp: tuple = ()
        self.lines: tuple[ScriptLine, ...] = ()
        self.by_id: dict[str, ScriptLine] = {}
        self.reload()

    @classmethod
    def default(cls) -> ScriptLibrary:
        """The shared library of the resources folder in use now (``Resources.script_library``)."""
        from ..resources import open_resources

        return open_resources().script_library()

    def _files(self) -> list[Path]:
        if not self.directory.is_dir():
            raise ResourceError(self.directory, None, "script library folder not found")
        # Stage files in call order, then objections and corrections: the order ties are broken in.
        order = {name: i for i, name in enumerate(STAGES + (OBJECTIONS_FILE, CORRECTIONS_FILE))}
        return sorted((p for p in self.directory.glob("*.txt") if p.is_file()),
                      key=lambda p: (order.get(p.stem, len(order)), p.name))

    def _current_stamp(self) -> tuple:
        return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in self._files())

    def reload(self) -> None:
        """Read every file again. On an error the previous lines stay in use and ResourceError is raised."""
        with self._lock:
            stamp = self._current_stamp()
            lines: list[ScriptLine] = []
            for p in self._files():
                lines += _parse_file(p)
            if not lines:
                raise ResourceError(self.directory, None, "the script library has no lines")
            self.lines = tuple(lines)
            self.by_id = {ln.id: ln for ln in lines}
            self._stamp = stamp
            self._index = None

    def maybe_reload(self) -> bool:
        """Reload when a file changed, appeared or went away since the last load; True when reloaded."""
        try:
            changed = self._current_stamp() != self._stamp
        except (OSError, ResourceError):
            return False
        if changed:
            self.reload()
        return changed

    # -- views -------------------------------------------------------------------------------------------
    def stage_lines(self, stage: str) -> list[ScriptLine]:
        return [ln for ln in self.lines if ln.kind == "stage" and ln.stage == stage]

    def objection_lines(self, key: str) -> list[ScriptLine]:
        return [ln for ln in self.lines if ln.kind == "objection" and ln.section == key]

    def correction_lines(self, rule: str) -> list[ScriptLine]:
        return [ln for ln in self.lines if ln.kind == "correction" and ln.section == rule]

    def objection_labels(self) -> dict[str, str]:
        labels: dict[str, str] = {}
        for ln in self.lines:
            if ln.kind == "objection":
                labels.setdefault(ln.section, ln.label)
        return labels

    # -- search ------------------------------------------------------------------------------------------
    def _search_index(self):
        # one library serves every Suggester of its folder (a call's pipeline thread, the GUI's search): read
        # (index, vocab) once into locals, so a reload on another thread cannot hand back half of a pair
        built = self._index
        if built is None:
            lines = self.lines
            from ..text.pinyin import initials as pinyin_initials
            from ..text.pinyin import toneless

            # Curated words (tags, labels, stage names) tell a word match (gh = 工号) from a chance one (个号码).
            vocab = {t for ln in lines for t in ln.tags} | {ln.label for ln in lines if ln.label}
            vocab |= set(STAGE_NAMES.values()) | set(OBJECTIONS.values())
            index = []
            for ln in lines:
                plain = re.sub(r"[{}\[\]|]", "", ln.source)
                words = " ".join((plain, ln.reason, ln.label, " ".join(ln.tags), ln.section, ln.stage,
                                  STAGE_NAMES.get(ln.stage, ""), OBJECTIONS.get(ln.section, "")))
                hanzi = "".join(_HAN.findall(plain + "，" + "".join(ln.tags)))
                initials = [p[:1].lower() for p in pinyin_initials(hanzi)]
                full = [p.lower() for p in toneless(hanzi, errors="default")]
                index.append((ln, words.lower(), hanzi, initials, full))
            built = self._index = (index, vocab)
        return built

    def search(self, query: str, limit: int = 20) -> list[ScriptLine]:
        """Lines matching every word of ``query``: Chinese words, ids, or pinyin (gh / gonghao → 工号)."""
        terms = [to_simplified(t).lower() for t in query.split() if t.strip()]
        if not terms:
            return []
        scored = []
        index, vocab = self._search_index()
        for order, (ln, words, hanzi, initials, full) in enumerate(index):
            score = 0
            for term in terms:
                s = _term_score(term, ln, words, hanzi, initials, full, vocab)
                if not s:
                    score = 0
                    break
                score += s
            if score:
                scored.append((-score, order, ln))
        scored.sort(key=lambda x: (x[0], x[1]))
        return [ln for _, _, ln in scored[:limit]]


def _term_score(term: str, ln: ScriptLine, words: str, hanzi: str, initials: list[str], full: list[str],
                vocab: set[str]) -> int:
    if term in ln.source.lower() or term in ln.tags:
        return 6
    if term in words:
        return 5
    if not (term.isascii() and term.isalpha()):
        return 0
    best = 0
    for i in range(len(hanzi)):
        n = 0
        if "".join(initials[i:i + len(term)]) == term:
            n = len(term)                           # initials: gh → 工号
        elif len(term) > 2:
            acc = ""
            for j in range(i, min(len(full), i + len(term))):
                acc += full[j]
                if acc == term:
                    n = j - i + 1                   # full pinyin: gonghao → 工号
                    break
                if not term.startswith(acc):
                    break
        if n:
            best = max(best, 4 if hanzi[i:i + n] in vocab else 2)
            if best == 4:
                break
    return best
