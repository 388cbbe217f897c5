"""Rule names and legal basis come from the rule files only (issue 13, point 7): a QA lead who renames a rule in
resources/rules/<id>.yaml sees the new name in `callassist check`, `callassist analyze` and the 催收记录表
export, with nothing else to edit."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assist import paths

EXE = Path(sys.executable).parent / "callassist"
THREAT = "再不还钱，我就找人去你单位堵你，让你好看。"
NEW_NAME = "威胁恐吓（质检新名）"


@pytest.fixture(scope="module")
def renamed(tmp_path_factory) -> Path:
    res = tmp_path_factory.mktemp("renamed") / "resources"
    shutil.copytree(paths.resources_dir(), res)
    path = res / "rules" / "threat.yaml"
    text = path.read_text(encoding="utf-8")
    assert "\nname: 威胁恐吓\n" in text
    path.write_text(text.replace("\nname: 威胁恐吓\n", f"\nname: {NEW_NAME}\n"), encoding="utf-8")
    return res


def _cli(*args, resources: Path | None, tmp: Path, timeout=240) -> subprocess.CompletedProcess:
    env = dict(os.environ, CALLASSIST_DATA_DIR=str(tmp / "data"), CALLASSIST_LOG_DIR=str(tmp / "logs"))
    env.pop("CALLASSIST_RESOURCES", None)
    if resources is not None:
        env["CALLASSIST_RESOURCES"] = str(resources)
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, encoding="utf-8", timeout=timeout,
                          env=env, cwd=paths.PROJECT_ROOT)


def test_the_rule_files_names_are_the_only_ones():
    import assist.labels as labels
    from assist.analysis.rules import ALL_RULE_IDS, load_rule

    assert not hasattr(labels, "RULE_NAMES") and not hasattr(labels, "RULE_BASIS")
    for rid in ALL_RULE_IDS:
        rule = load_rule(paths.resources_dir() / "rules" / f"{rid}.yaml")
        assert labels.rule_name(rid) == rule.name and labels.rule_basis(rid) == rule.basis
    assert list(labels.rule_names()) == list(ALL_RULE_IDS)     # the taxonomy's order for filters and tables
    assert labels.rule_name("no_such_rule") == "no_such_rule"  # a new id never shows up blank


def test_check_prints_the_name_of_the_rule_file_in_use(renamed, tmp_path):
    # (the shipped name, 威胁恐吓, is the rule file's: test_the_rule_files_names_are_the_only_ones)
    edited = _cli("check", THREAT, resources=renamed, tmp=tmp_path)
    assert edited.returncode == 0, edited.stderr
    assert f"{NEW_NAME}（threat）" in edited.stdout


def test_analyze_and_the_export_print_the_edited_name(renamed, tmp_path):
    txt = tmp_path / "call.txt"
    txt.write_text("您好，我是华信银行的客服，工号8026。\n" + THREAT + "\n", encoding="utf-8")
    db = tmp_path / "records.sqlite3"
    run = _cli("analyze", str(txt), "--db", str(db), resources=renamed, tmp=tmp_path)
    assert run.returncode == 0, run.stderr
    assert f"{NEW_NAME} (threat)" in run.stdout                 # the alert line and the call's summary
    assert f"{NEW_NAME}×1" in run.stdout
    out = _cli("records", "export", "--format", "csv", "--db", str(db), resources=renamed, tmp=tmp_path)
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(io.StringIO(out.stdout.lstrip("\ufeff"))))
    assert any(NEW_NAME in cell for row in rows[1:] for cell in row)
    # the same records exported with the shipped rule files: the shipped name
    out = _cli("records", "export", "--format", "csv", "--db", str(db), resources=None, tmp=tmp_path)
    assert out.returncode == 0, out.stderr
    assert NEW_NAME not in out.stdout and "威胁恐吓" in out.stdout
