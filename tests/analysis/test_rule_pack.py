"""Rule packs and cue files: they load, and a broken file is reported as path:line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assist import paths
from assist.analysis import load_resources
from assist.analysis.rules import ALL_RULE_IDS, load_pack
from assist.analysis.state import CALL_RULES, UTTERANCE_RULES
from assist.events import SEVERITIES
from assist.resources import ResourceError

TAXONOMY_SEVERITY = {
    "impersonation": "critical", "threat": "critical", "insult": "critical", "third_party": "critical",
    "deception": "critical", "unauthorized_promise": "warning", "improper_payment": "critical",
    "privacy": "critical", "call_time": "critical", "missing_agent_id": "warning", "ptp_incomplete": "info",
}


def test_one_file_per_rule_with_taxonomy_severity():
    pack = load_pack()
    files = sorted(p.stem for p in (paths.resources_dir() / "rules").glob("*.yaml"))
    assert files == sorted(ALL_RULE_IDS)
    assert set(UTTERANCE_RULES) | set(CALL_RULES) <= set(pack.rules)
    for rid, sev in TAXONOMY_SEVERITY.items():
        assert pack.rules[rid].severity == sev, rid
    for rule in pack.rules.values():
        assert rule.severity in SEVERITIES
        assert rule.message and rule.basis and rule.advice
        assert (rule.kind == "utterance") == bool(rule.patterns)


@pytest.fixture
def res_copy(tmp_path) -> Path:
    dst = tmp_path / "resources"
    for sub in ("rules", "stages", "dict", "detector"):
        shutil.copytree(paths.resources_dir() / sub, dst / sub)
    return dst


def _edit(path: Path, old: str, new: str) -> int:
    """Replace the first line containing ``old``; return its 1-based line number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if old in line:
            lines[i] = line.replace(old, new)
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            return i + 1
    raise AssertionError(f"{old!r} not in {path}")


@pytest.mark.parametrize("old,new,words", [
    ("severity: critical", "severity: urgent", "severity"),
    ("  - 坐牢|", "  - 坐牢| |", "empty alternative"),
    ("  - 找人 + =收拾", "  - 找人 +=收拾", "spaces"),
    ("name: 威胁恐吓", "nmae: 威胁恐吓", "unknown key"),
    ("id: threat", "id: threats", "file name"),
    ("severity: critical", "severity: [critical", "YAML"),
])
def test_broken_rule_file_names_file_and_line(res_copy, old, new, words):
    path = res_copy / "rules" / "threat.yaml"
    line = _edit(path, old, new)
    with pytest.raises(ResourceError) as exc:
        load_pack(res_copy)
    assert exc.value.path == path
    assert exc.value.line == line
    assert str(exc.value).startswith(f"{path}:{line}: ")
    assert words.lower() in exc.value.message.lower()


def test_missing_rule_file_is_named(res_copy):
    (res_copy / "rules" / "privacy.yaml").unlink()
    with pytest.raises(ResourceError, match="privacy.yaml"):
        load_pack(res_copy)


def test_broken_stage_and_ptp_cue_files(res_copy):
    path = res_copy / "stages" / "plan.yaml"
    line = _edit(path, "stage: plan", "stage: planning")
    with pytest.raises(ResourceError) as exc:
        load_resources(str(res_copy))
    assert (exc.value.path, exc.value.line) == (path, line)

    # nothing to clear: the loader never keeps a part that failed to load
    _edit(path, "stage: planning", "stage: plan")
    ptp = res_copy / "stages" / "ptp.yaml"
    line = _edit(ptp, "  alipay: [支付宝]", "  paypal: [支付宝]")
    with pytest.raises(ResourceError) as exc:
        load_resources(str(res_copy))
    assert (exc.value.path, exc.value.line) == (ptp, line)
    assert "paypal" in exc.value.message
    # nothing to clear: the loader never keeps a part that failed to load


def test_edited_rule_takes_effect(res_copy):
    # A QA lead adds a phrase: it is detected with the copy, not with the shipped pack.
    from assist.analysis.rules import Utterance, rule_hits

    path = res_copy / "rules" / "insult.yaml"
    _edit(path, "  - 老赖|赖皮", "  - 铁公鸡|老赖|赖皮")
    text = "你真是个铁公鸡"
    assert "insult" in {h.rule for h in rule_hits(Utterance(text), load_pack(res_copy))}
    assert "insult" not in {h.rule for h in rule_hits(Utterance(text), load_pack())}


def test_yaml_alias_bomb_is_refused_at_once_with_file_and_line(res_copy):
    import subprocess
    import sys
    import time

    path = res_copy / "rules" / "threat.yaml"
    bomb = ['a0: &a0 ["哈哈哈哈哈哈哈哈"]'] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\n".join(bomb) + "\n", encoding="utf-8")
    assert len("\n".join(bomb)) < 1024
    line = len(text.splitlines()) + 2          # the first alias
    t0 = time.monotonic()
    with pytest.raises(ResourceError) as exc:
        load_pack(res_copy)
    assert time.monotonic() - t0 < 2
    assert (exc.value.path, exc.value.line) == (path, line) and "alias" in exc.value.message
    env = dict(__import__("os").environ, CALLASSIST_RESOURCES=str(res_copy))
    proc = subprocess.run([sys.executable, "-m", "assist.cli.main", "check", "您好"], capture_output=True,
                          text=True, encoding="utf-8", timeout=60, env=env, cwd=paths.PROJECT_ROOT)
    assert proc.returncode == 2 and f"{path}:{line}:" in proc.stderr and "Traceback" not in proc.stderr


def test_yaml_nested_thousands_deep_is_a_clear_error_not_a_traceback(res_copy):
    # found by bench/fault_probe.py: "[[[[…]]]]" 5,000 deep made PyYAML's composer hit the recursion limit
    import subprocess
    import sys

    path = res_copy / "rules" / "threat.yaml"
    path.write_text("[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(ResourceError) as exc:
        load_pack(res_copy)
    assert exc.value.path == path and "nested too deeply" in exc.value.message
    env = dict(__import__("os").environ, CALLASSIST_RESOURCES=str(res_copy))
    proc = subprocess.run([sys.executable, "-m", "assist.cli.main", "check", "您好"], capture_output=True,
                          text=True, encoding="utf-8", timeout=60, env=env, cwd=paths.PROJECT_ROOT)
    assert proc.returncode == 2 and str(path) in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
