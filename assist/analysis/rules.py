"""Compliance rule packs (resources/rules/<rule id>.yaml) and the utterance matcher.

A rule file holds what the agent sees (message, basis, advice) and the detection knowledge: ``patterns``
(see assist.analysis.patterns), ``exceptions`` (lawful look-alikes: a hit in the same clause is dropped) and
whether a negation before the key word cancels it (我们不会联系您的家人). Negation words, clause-break words
and the debtor's verbs (你不还…: a condition, not a negation) live in resources/dict/negation.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assist import paths
from assist.events import SEVERITIES
from assist.resources import ResourceError, open_resources
from assist.text.cjk import is_han

from . import yamlfile
from .patterns import Match, Pattern, TextView, compile_list, find_all, view
from .state import UTTERANCE_RULES

# Beyond the taxonomy: the right-party order rule (debt stated before any identity check), a call rule.
EXTRA_CALL_RULES = ("debt_before_identity",)
CALL_RULE_IDS = ("call_time", "missing_agent_id", "ptp_incomplete") + EXTRA_CALL_RULES
ALL_RULE_IDS = UTTERANCE_RULES + CALL_RULE_IDS

NEGATION_LOOKBACK = 10  # characters before a hit searched for a negation word


@dataclass(frozen=True)
class RuleHit:
    rule: str
    severity: str
    evidence: str
    message: str
    advice: str
    basis: str
    start: int = field(default=0, compare=False)  # clean-text span of the evidence (partial stability)
    end: int = field(default=0, compare=False)
    by: str = field(default="pattern", compare=False)  # "pattern" (a rule file's match) or "model" (the detector)


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str                   # "utterance" | "call"
    severity: str
    name: str
    message: str
    basis: str
    advice: str
    patterns: tuple[Pattern, ...] = ()
    exceptions: tuple[Pattern, ...] = ()
    negation: bool = True
    early: bool = True          # may fire on partial text
    path: Path | None = None

    def hit(self, evidence: str, start: int = 0, end: int = 0, by: str = "pattern") -> RuleHit:
        return RuleHit(self.id, self.severity, evidence, self.message, self.advice, self.basis, start, end, by)


_ADVERBS = ("绝对", "从来", "永远", "根本", "肯定", "一定", "绝", "决", "并", "也", "从", "都", "再", "可", "就", "还", "更")


@dataclass(frozen=True)
class Negation:
    negations: frozenset[str]
    breaks: frozenset[str]
    debtor_verbs: frozenset[str]

    def is_negation(self, word: str) -> bool:
        """A negation word, also behind an adverb jieba glued to it (绝不会, 也不会, 从来没有)."""
        if word in self.negations:
            return True
        for adv in _ADVERBS:
            if word.startswith(adv) and word[len(adv):] in self.negations:
                return True
        return False


_RULE_KEYS = {"id", "kind", "severity", "name", "message", "basis", "advice", "patterns", "exceptions",
              "negation", "early"}


def _bool(node: yamlfile.Node | None, default: bool, what: str) -> bool:
    if node is None:
        return default
    if not isinstance(node.value, bool):
        raise node.error(f"{what} must be true or false")
    return node.value


def load_rule(path: Path) -> Rule:
    root = yamlfile.load(path)
    data = yamlfile.check_keys(root, _RULE_KEYS, {"id", "severity", "message", "basis", "advice"}, "a rule file")
    rid = data["id"].text("id")
    if rid != path.stem:
        raise data["id"].error(f"id {rid!r} must match the file name {path.stem!r}")
    if rid not in ALL_RULE_IDS:
        raise data["id"].error(f"unknown rule id {rid!r} (known: {', '.join(ALL_RULE_IDS)})")
    kind = "call" if rid in CALL_RULE_IDS else "utterance"
    if "kind" in data and data["kind"].text("kind") != kind:
        raise data["kind"].error(f"rule {rid} is a {kind} rule")
    severity = data["severity"].text("severity")
    if severity not in SEVERITIES:
        raise data["severity"].error(f"severity must be one of {', '.join(SEVERITIES)}, not {severity!r}")
    patterns = compile_list(data.get("patterns"), "patterns")
    if kind == "utterance" and not patterns:
        raise root.error(f"utterance rule {rid} needs at least one entry under 'patterns'")
    if kind == "call" and patterns:
        raise data["patterns"].error(f"call rule {rid} is decided by the call's course; it takes no patterns")
    return Rule(
        id=rid, kind=kind, severity=severity,
        name=data["name"].text("name") if "name" in data else rid,
        message=data["message"].text("message"), basis=data["basis"].text("basis"),
        advice=data["advice"].text("advice"), patterns=patterns,
        exceptions=compile_list(data.get("exceptions"), "exceptions"),
        negation=_bool(data.get("negation"), True, "negation"), early=_bool(data.get("early"), True, "early"),
        path=path,
    )


def load_negation(path: Path) -> Negation:
    root = yamlfile.load(path)
    data = yamlfile.check_keys(root, {"negations", "breaks", "debtor_verbs"}, {"negations", "breaks", "debtor_verbs"},
                               "the negation file")
    sets = {k: frozenset(n.text(k) for n in v.strings(k)) for k, v in data.items()}
    return Negation(sets["negations"], sets["breaks"], sets["debtor_verbs"])


@dataclass(frozen=True)
class RulePack:
    rules: dict[str, Rule]
    negation: Negation

    @property
    def utterance_rules(self) -> list[Rule]:
        return [r for r in self.rules.values() if r.kind == "utterance"]


def load_pack(resources: Path | None = None) -> RulePack:
    """Load and validate every rule file; raises ResourceError naming the file and line of the first problem."""
    base = Path(resources) if resources else paths.resources_dir()
    rules_dir = base / "rules"
    if not rules_dir.is_dir():
        raise ResourceError(rules_dir, None, "the rules folder is missing")
    rules: dict[str, Rule] = {}
    for path in sorted(rules_dir.glob("*.yaml")):
        rule = load_rule(path)
        rules[rule.id] = rule
    missing = [r for r in ALL_RULE_IDS if r not in rules]
    if missing:
        raise ResourceError(rules_dir, None, f"missing rule file(s): {', '.join(m + '.yaml' for m in missing)}")
    return RulePack(rules, load_negation(base / "dict" / "negation.yaml"))


def read_labels(resources: Path) -> dict:
    """Only the display fields (id, name, basis, severity) of every rule file, without compiling patterns: what the
    records CLI and exports need. Errors are ``path:line`` like the full load's."""
    from assist.resources import RuleLabel

    rules_dir = Path(resources) / "rules"
    if not rules_dir.is_dir():
        raise ResourceError(rules_dir, None, "the rules folder is missing")
    out: dict[str, RuleLabel] = {}
    for path in sorted(rules_dir.glob("*.yaml")):
        data = yamlfile.check_keys(yamlfile.load(path), _RULE_KEYS, {"id", "severity", "message", "basis", "advice"},
                                   "a rule file")
        rid = data["id"].text("id")
        out[rid] = RuleLabel(rid, data["name"].text("name") if "name" in data else rid, data["basis"].text("basis"),
                             data["severity"].text("severity"))
    return out


# ---------------------------------------------------------------- jieba (own instance, domain dictionary)

def tokenizer(resources=None):
    """jieba with the domain user dictionary of a resources folder (``Resources.tokenizer``: one per folder)."""
    return open_resources(resources).tokenizer()


class Utterance:
    """One text prepared once for all rules: pinyin tokens and jieba words."""

    def __init__(self, text: str, resources=None):
        """``resources``: the folder (or its ``Resources``) whose user dictionary cuts the words; None = the
        folder in use now."""
        self.tv: TextView = view(text)
        self._resources = resources
        self._words: list[tuple[str, int, int]] | None = None
        self._clauses = sorted(self.tv.breaks | {0, len(self.tv.clean)})

    @property
    def words(self) -> list[tuple[str, int, int]]:
        """jieba words with their offsets — only needed (and computed) when some pattern matched."""
        if self._words is None:
            self._words = list(tokenizer(self._resources).tokenize(self.tv.clean)) if self.tv.clean else []
        return self._words

    def cuts_word(self, m: Match, pattern: Pattern) -> bool:
        """A sound-alike at either end of the match is half of a longer word of the text: 何文套先生 holds 套先,
        which sounds like 套现, but 先 belongs to 先生. ASR mishears words, it does not fuse halves of two."""
        clean = self.tv.clean
        for i, outside in ((m.start, lambda s, e: s < m.start), (m.end - 1, lambda s, e: e > m.end)):
            if not 0 <= i < len(clean) or clean[i] in pattern.literals or not is_han(clean[i]):
                continue
            for _w, s, e in self.words:
                if s <= i < e:
                    if e - s > 1 and outside(s, e):
                        return True
                    break
        return False

    def clause_of(self, i: int) -> tuple[int, int]:
        lo, hi = 0, len(self.tv.clean)
        for b in self._clauses:
            if b <= i:
                lo = b
            elif b > i:
                hi = b
                break
        return lo, hi

    def negated(self, m: Match, neg: Negation) -> bool:
        lo = max(0, m.start - NEGATION_LOOKBACK)
        hi = m.key_start
        # a clause boundary (punctuation or a word like 就/否则) between a negation and the hit ends its scope
        for b in self.tv.breaks:
            if lo < b <= hi:
                lo = b
        words = self.words
        for w, s, e in words:
            if s >= lo and e <= hi and w in neg.breaks:
                lo = e
        for idx, (w, s, _e) in enumerate(words):
            if s < lo or s >= hi or not neg.is_negation(w):  # a word may run into the key (没有|义务)
                continue
            if m.start <= s < m.first_end:  # part of the pattern's own first word
                continue
            nxt = words[idx + 1][0] if idx + 1 < len(words) else ""
            if nxt in neg.debtor_verbs:   # 你不还(钱)… / 不接电话… is the debtor's condition, not our denial
                continue
            return True
        return False

    def excepted(self, m: Match, exceptions: tuple[Pattern, ...]) -> bool:
        lo, hi = self.clause_of(m.start)
        for p in exceptions:
            for x in find_all(p, self.tv):
                if x.start < m.end and x.end > m.start:
                    return True
                if lo <= x.start < hi or lo < x.end <= hi:
                    return True
        return False


def rule_hits(utt: Utterance, pack: RulePack) -> list[RuleHit]:
    """The utterance rules that fire on this text: one hit per rule, the first surviving match as evidence."""
    hits = []
    for rule in pack.utterance_rules:
        hit = first_hit(utt, rule, pack.negation)
        if hit:
            hits.append(hit)
    return hits


def first_hit(utt: Utterance, rule: Rule, neg: Negation) -> RuleHit | None:
    for p in rule.patterns:
        for m in find_all(p, utt.tv):
            if utt.cuts_word(m, p):
                continue
            if rule.negation and utt.negated(m, neg):
                continue
            if rule.exceptions and utt.excepted(m, rule.exceptions):
                continue
            return rule.hit(utt.tv.evidence(m.start, m.end), m.start, m.end)
    return None
