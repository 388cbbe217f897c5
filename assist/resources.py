"""Loading the editable files under resources/: errors that point to file and line (``ResourceError``), and the
one loader, ``open_resources(folder)``, that every part of the engine receives."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


class ResourceError(ValueError):
    """A resource file is broken. ``str()`` reads ``path:line: message`` so a QA lead can find it."""

    def __init__(self, path: str | Path, line: int | None, message: str):
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {message}")


def read_text(path: str | Path, what: str) -> str:
    """A resource file's UTF-8 text; a missing or mis-encoded file is a ResourceError naming ``what`` it is."""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ResourceError(p, None, f"{what} is missing") from None
    except UnicodeDecodeError as exc:
        raise ResourceError(p, None, f"{what} is not UTF-8 text ({exc.reason})") from None


# ---------------------------------------------------------------- the one loader

@dataclass(frozen=True)
class RuleLabel:
    """What a rule file says a rule is called and rests on: shown on the alert card, by the CLI, in exports."""

    id: str
    name: str
    basis: str
    severity: str


class Resources:
    """Everything the engine reads from one resources folder, each part loaded and validated once, on first use.

    Every part of the engine receives one of these (``open_resources(config.resources_dir)``) instead of reading
    the global ``paths.resources_dir()`` itself, so two folders in one process (a QA lead's edited copy beside
    the shipped one, a test's copy) never serve each other's files. A part that fails to load (ResourceError,
    ``path:line: message``) is not remembered: fixing the file and asking again loads it. Thread-safe: each part
    has its own lock, so a slow part (the rule packs) never holds up another (the script library).
    """

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._lock = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._parts: dict[str, object] = {}

    def __repr__(self) -> str:
        return f"Resources({str(self.root)!r})"

    def _get(self, name: str, load: Callable[[], T]) -> T:
        try:
            return self._parts[name]  # type: ignore[return-value]
        except KeyError:
            pass
        with self._lock:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            if name not in self._parts:
                self._parts[name] = load()
            return self._parts[name]  # type: ignore[return-value]

    def once(self, name: str, work: Callable[[], T]) -> T:
        """Run ``work`` once for this folder and keep its result (warm-up uses it; a failure is not kept)."""
        return self._get("once:" + name, work)

    def loaded(self, name: str) -> bool:
        return name in self._parts

    # -- analysis
    def rules(self):
        """The rule packs (``assist.analysis.rules.RulePack``)."""
        from .analysis.rules import load_pack

        return self._get("rules", lambda: load_pack(self.root))

    def stage_cues(self):
        from .analysis.stages import load_cues

        return self._get("stage_cues", lambda: load_cues(self.root))

    def ptp_cues(self):
        from .analysis.ptp import load_cues

        return self._get("ptp_cues", lambda: load_cues(self.root / "stages" / "ptp.yaml"))

    def debtor_cues(self):
        from .analysis.debtor import CUE_FILE, load_cues

        return self._get("debtor_cues", lambda: load_cues(self.root / CUE_FILE))

    def detector(self):
        from .detect import model as detect

        return self._get("detector", lambda: detect.load(detect.model_path(self.root)))

    def tokenizer(self):
        """jieba with the domain user dictionary (checked first, so a broken file is ``path:line``)."""
        from .text.segment import user_tokenizer
        from .userdict import check_userdict, userdict_path

        def load():
            check_userdict(self.root)
            return user_tokenizer(userdict_path(self.root))

        return self._get("tokenizer", load)

    def rule_labels(self) -> dict[str, RuleLabel]:
        """Name, basis and severity of every rule, from the rule files (the one source: a QA lead's edit reaches
        the alert card, the CLI and exports). Taken from the loaded rule packs when they are loaded; otherwise
        only these fields are read (the records CLI and exports must not compile every pattern)."""
        if self.loaded("rules"):
            return self._get("rule_labels", lambda: {r.id: RuleLabel(r.id, r.name, r.basis, r.severity)
                                                     for r in self.rules().rules.values()})
        from .analysis.rules import read_labels

        return self._get("rule_labels", lambda: read_labels(self.root))

    # -- recogniser
    def corrector(self):
        """The homophone corrector over ``lexicon/terms.tsv`` (``assist.correct.Corrector``)."""
        from .correct import Corrector, load_lexicon

        return self._get("corrector", lambda: Corrector(load_lexicon(self.root / "lexicon" / "terms.tsv")))

    def hallucinations(self) -> tuple[str, ...]:
        from .asr.guards import load_phrases

        return self._get("hallucinations", lambda: load_phrases(self.root / "lexicon" / "hallucinations.txt"))

    def unfinished_words(self) -> tuple[str, ...]:
        from .asr.endpoint import load_unfinished_words

        return self._get("unfinished", lambda: load_unfinished_words(self.root / "lexicon" / "unfinished_endings.txt"))

    def prompt_lines(self) -> list[str]:
        from .asr.prompt import load_prompt_lines

        return list(self._get("prompt_lines", lambda: tuple(load_prompt_lines(self.root / "lexicon" / "prompt.txt"))))

    def hotwords(self) -> list[str]:
        from .asr.prompt import load_hotwords

        return list(self._get("hotwords", lambda: tuple(load_hotwords(self.root / "lexicon" / "hotwords.txt"))))

    # -- suggestions
    def script_library(self):
        """The script library of this folder, one per process: every Suggester (each call's, the app's library
        search, warm-up's) shares it, so its files are parsed once and an edit is reloaded once."""
        from .suggest.library import ScriptLibrary

        return self._get("scripts", lambda: ScriptLibrary(self.root / "scripts"))


_registry_lock = threading.Lock()
_registry: dict[Path, Resources] = {}     # absolute folder → its loader
_by_name: dict[object, Resources] = {}    # the folder as callers give it (str or Path) → the same loader
_by_env: dict[str | None, Resources] = {}  # CALLASSIST_RESOURCES (None: unset) → the folder in use


def open_resources(root: str | Path | Resources | None = None) -> Resources:
    """The loader of a resources folder (the same object for the same folder). ``None`` means the folder in use
    now (``paths.resources_dir()``: CALLASSIST_RESOURCES or the shipped one), looked up at each call, never
    remembered as "the default"."""
    if isinstance(root, Resources):
        return root
    if root is None or root == "":
        # paths.resources_dir() is CALLASSIST_RESOURCES or the fixed shipped folder: key on the variable itself,
        # which costs a dict lookup where building the Path cost ~20 µs on every corrected utterance
        env = os.environ.get("CALLASSIST_RESOURCES")
        res = _by_env.get(env)
        if res is None:
            from . import paths

            res = _by_env[env] = open_resources(paths.resources_dir())
        return res
    res = _by_name.get(root)   # per-utterance callers: a dict hit, not a path resolution (measured 48 → 3 µs)
    if res is None:
        key = Path(root).absolute()
        with _registry_lock:
            res = _registry.setdefault(key, Resources(key))
            _by_name[root] = res
    return res
