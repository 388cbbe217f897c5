"""Call stage tracking, checklist items and echoed objections, from cue files in resources/stages/.

Each ``<stage>.yaml`` gives weighted cue patterns (and optionally rule ids that count as cues); an utterance's
stage is the best-scoring stage, with the call's history as tie-breaker: staying where we are is favoured, and
going back to ``greet`` needs strong cues. An utterance without any cue (好的 / 嗯) keeps the current stage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from assist.resources import ResourceError
from assist.text.cjk import HAN
from assist.text.normalize import to_simplified

from . import yamlfile
from .patterns import Pattern, PatternError, TextView, compile_list, compile_pattern, find_all
from .rules import ALL_RULE_IDS
from .state import CHECKLIST, OBJECTIONS, STAGES

STAY_BONUS = 1.5        # the current stage wins ties and near-ties
BACK_TO_GREET = -4.0    # once past the greeting, going back needs a strong reason


@dataclass(frozen=True)
class StageCues:
    stage: str
    cues: tuple[tuple[float, Pattern], ...]
    rules: tuple[tuple[str, float], ...]


def load_stage(path: Path) -> StageCues:
    root = yamlfile.load(path)
    data = yamlfile.check_keys(root, {"stage", "cues", "rules"}, {"stage", "cues"}, "a stage cue file")
    stage = data["stage"].text("stage")
    if stage != path.stem:
        raise data["stage"].error(f"stage {stage!r} must match the file name {path.stem!r}")
    if stage not in STAGES:
        raise data["stage"].error(f"unknown stage {stage!r} (known: {', '.join(STAGES)})")
    cues: list[tuple[float, Pattern]] = []
    for key, node in data["cues"].mapping("cues").items():
        try:
            weight = float(key)
        except ValueError:
            raise node.error(f"cue weights must be numbers, not {key!r}") from None
        cues.extend((weight, p) for p in compile_list(node, f"cues {key}"))
    rules = []
    if "rules" in data:
        for rid, node in data["rules"].mapping("rules").items():
            if rid not in ALL_RULE_IDS:
                raise node.error(f"unknown rule id {rid!r}")
            if not isinstance(node.value, (int, float)) or isinstance(node.value, bool):
                raise node.error("a rule weight must be a number")
            rules.append((rid, float(node.value)))
    return StageCues(stage, tuple(cues), tuple(rules))


@dataclass(frozen=True)
class Cues:
    stages: dict[str, StageCues]
    checklist: dict[str, tuple[Pattern, ...]]
    markers: Pattern | None
    objections: dict[str, tuple[Pattern, ...]]


def load_cues(resources: Path) -> Cues:
    d = resources / "stages"
    stages = {}
    for stage in STAGES:
        path = d / f"{stage}.yaml"
        if not path.is_file():
            raise ResourceError(path, None, f"missing stage cue file for {stage!r}")
        stages[stage] = load_stage(path)
    root = yamlfile.load(d / "checklist.yaml")
    allowed = set(CHECKLIST) - {"ptp_amount", "ptp_date", "ptp_channel"}
    data = yamlfile.check_keys(root, allowed, allowed, "the checklist cue file")
    checklist = {k: compile_list(v, k) for k, v in data.items()}
    root = yamlfile.load(d / "objections.yaml")
    data = yamlfile.check_keys(root, {"markers", "objections"}, {"markers", "objections"}, "the objection cue file")
    markers = "|".join(n.text("markers") for n in data["markers"].strings("markers"))
    objections = {}
    for key, node in data["objections"].mapping("objections").items():
        if key not in OBJECTIONS:
            raise node.error(f"unknown objection key {key!r} (known: {', '.join(OBJECTIONS)})")
        words = "|".join(n.text(key) for n in node.strings(key))
        try:
            objections[key] = (compile_pattern(f"{markers} ++ {words}"),)
        except PatternError as exc:
            raise node.error(f"bad objection words: {exc}") from None
    return Cues(stages, checklist, None, objections)


def stage_scores(tv: TextView, rule_ids: set[str], cues: Cues) -> dict[str, float]:
    scores = {}
    for stage, sc in cues.stages.items():
        total = sum(w for w, p in sc.cues if find_all(p, tv))
        total += sum(w for rid, w in sc.rules if rid in rule_ids)
        scores[stage] = total
    return scores


def choose_stage(scores: dict[str, float], current: str | None, left_greet: bool) -> str:
    """The utterance's stage. ``current`` None: a lone sentence without history (callassist check)."""
    if not any(scores.values()):
        return current or "greet"
    best, best_val = current or "greet", float("-inf")
    for stage in STAGES:  # taxonomy order breaks exact ties toward the earlier stage
        val = scores[stage]
        if val <= 0:
            continue
        if stage == current:
            val += STAY_BONUS
        if stage == "greet" and left_greet:
            val += BACK_TO_GREET
        if val > best_val:
            best, best_val = stage, val
    return best


# --------------------------------------------------------------- checklist helpers decided in code

_HAN = f"[{HAN}]"
_ORG = r"(银行|金融|公司|中心|资产|机构|平台|分期|借款|贷|服务|集团|事务所)"
_GENERIC = ("工作人员", "客服", "专员", "同事", "员工", "催收员", "负责人", "业务员")
_AGENT_NAME = re.compile(rf"(我是|我叫|这里是|这边是)[^，,。！？!?；;]*?{_ORG}[^，,。！？!?；;]*?的({_HAN}{{2,4}})")
_AGENT_NAME2 = re.compile(rf"{_ORG}[^，,。！？!?；;]{{0,8}}(我是|我叫)({_HAN}{{2,3}})")
_NAME_CALL = re.compile(
    rf"(^|[，,。！？!?\s]|喂|您好|你好|请问|是)({_HAN}{{2,4}}?)(先生|女士|小姐|哥|姐)?(本人)?(吗|是吧|对吧|吧|不|嘛)([，,。！？!?\s]|我|您|你|$)"
)


def states_agent(text: str) -> bool:
    """Institution + name (我是华信银行的刘晓雯 / 鼎诚资产…我是郑伟); 工号 is in checklist.yaml."""
    text = to_simplified(text)
    for rx in (_AGENT_NAME, _AGENT_NAME2):
        for m in rx.finditer(text):
            name = m.group(m.lastindex)
            if not any(g in name or name in g for g in _GENERIC):
                return True
    return False


_ADDRESS = re.compile(rf"{_HAN}{{1,3}}(先生|女士|小姐)")


def attempts_identity(text: str) -> bool:
    """A right-party check without the usual words: 徐海峰先生是吧 / 喂，杨帆吗 / 是孙立伟不？ — or addressing the
    debtor by name in the greeting (联系赵春梅女士, 黄先生您好): the agent knows whom they are talking to."""
    text = to_simplified(text)
    return bool(_NAME_CALL.search(text) or _ADDRESS.search(text))
