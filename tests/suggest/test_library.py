"""The shipped script library: coverage, and the loader's validation (errors name file and line)."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from assist.analysis.state import CALL_RULES, OBJECTIONS, STAGES, UTTERANCE_RULES
from assist.resources import ResourceError
from assist.suggest import ScriptLibrary


def test_every_stage_objection_and_rule_has_at_least_three_lines(library):
    for stage in STAGES:
        assert len(library.stage_lines(stage)) >= 3, stage
    for key in OBJECTIONS:
        assert len(library.objection_lines(key)) >= 3, key
    for rule in UTTERANCE_RULES + CALL_RULES:
        assert len(library.correction_lines(rule)) >= 1, rule
    assert library.objection_labels() == {k: library.objection_lines(k)[0].label for k in OBJECTIONS}


def test_line_ids_are_unique_and_stable(library):
    ids = [ln.id for ln in library.lines]
    assert len(ids) == len(set(ids))
    assert library.by_id["greet.intro.1"].covers == ("agent_id",)
    assert library.by_id["objection.no_money.1"].stage == "support"
    assert library.by_id["correction.threat.1"].kind == "correction"


def _lib(tmp_path, text: str, name: str = "greet.txt") -> ScriptLibrary:
    d = tmp_path / f"scripts-{name}-{abs(hash(text))}"
    d.mkdir(exist_ok=True)
    (d / name).write_text(text, encoding="utf-8")
    return ScriptLibrary(d)


GOOD = "[intro]\ncovers: agent_id\nreason: 开场\n- 您好，我是{坐席|工作人员}，工号{工号|（您的工号）}。\n"


@pytest.mark.parametrize("text, line, words", [
    ("- 您好\n", 1, "before the first [section]"),
    ("[intro]\nreason: 开场\nfoo: bar\n- 您好\n", 3, "unknown key 'foo'"),
    ("[intro]\ncovers: nonsense\nreason: 开场\n- 您好\n", 2, "unknown checklist item 'nonsense'"),
    ("[intro]\nwhen: raining\nreason: 开场\n- 您好\n", 2, "unknown situation 'raining'"),
    ("[intro]\nreason: 开场\nunless: snowing\n- 您好\n", 3, "unknown situation 'snowing'"),
    ("[intro]\nreason: 开场\n- 您好\n[intro]\nreason: 又来\n- 再见\n", 4, "already defined at line 1"),
    ("[intro]\nreason: 开场\n- 您好，{名字|您}\n", 3, "unknown placeholder {名字}"),
    ("[intro]\nreason: 开场\n- 您好，{姓名}\n", 3, "has no fallback"),
    ("[intro]\nreason: 开场\n- 您好[，{姓名}\n", 3, "'[' without a closing ']'"),
    ("[intro]\nreason: 开场\n- 您好{姓名|您\n", 3, "without a closing '}'"),
    ("[intro]\nreason: 开场\n- 您好[，[{姓名}]]\n", 3, "cannot nest"),
    ("[intro]\nreason: 开场\n- 您好[，先生]\n", 3, "must hold a placeholder"),
    ("[intro]\nreason: 开场\n", 1, "has no lines"),
    ("[intro]\ncovers: agent_id\n- 您好\n", 1, "needs 'reason:'"),
    ("[intro]\nreason: 开场\n- 您好\nreason: 晚了\n", 4, "must come before"),
    ("[Intro Section]\nreason: 开场\n- 您好\n", 1, "malformed section header"),
    ("[intro]\nreason: 开场\n这行没有短横线\n", 3, "expected '- a script line'"),
    ("[intro]\nstage: plan\nreason: 开场\n- 您好\n", 2, "only for objections.txt"),
])
def test_loader_errors_name_file_and_line(tmp_path, text, line, words):
    with pytest.raises(ResourceError) as err:
        _lib(tmp_path, text)
    assert err.value.line == line
    assert err.value.path.name == "greet.txt"
    assert words in str(err.value)
    assert str(err.value).startswith(f"{err.value.path}:{line}: ")


def test_objection_and_correction_files_are_checked(tmp_path):
    with pytest.raises(ResourceError, match=r"objections.txt:1: unknown objection \[broke\]"):
        _lib(tmp_path, "[broke]\nlabel: 没钱\nstage: support\nreason: x\n- 好的\n", "objections.txt")
    with pytest.raises(ResourceError, match=r"objections.txt:1: .*needs 'label:'"):
        _lib(tmp_path, "[no_money]\nstage: support\nreason: x\n- 好的\n", "objections.txt")
    with pytest.raises(ResourceError, match=r"corrections.txt:2: unknown stage 'middle'"):
        _lib(tmp_path, "[threat]\nstage: middle\nreason: x\n- 抱歉\n", "corrections.txt")
    with pytest.raises(ResourceError, match=r"corrections.txt:1: unknown rule \[rudeness\]"):
        _lib(tmp_path, "[rudeness]\nstage: support\nreason: x\n- 抱歉\n", "corrections.txt")


def test_unknown_file_empty_folder_and_bad_encoding(tmp_path):
    with pytest.raises(ResourceError, match="unknown script file"):
        _lib(tmp_path, GOOD, "greeting.txt")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ResourceError, match="no lines"):
        ScriptLibrary(empty)
    with pytest.raises(ResourceError, match="folder not found"):
        ScriptLibrary(tmp_path / "missing")
    d = tmp_path / "gbk"
    d.mkdir()
    (d / "greet.txt").write_bytes(GOOD.encode("gbk"))
    with pytest.raises(ResourceError, match="greet.txt: not UTF-8"):
        ScriptLibrary(d)


def test_reload_picks_up_edits_and_keeps_old_lines_on_error(tmp_path):
    lib = _lib(tmp_path, GOOD)
    path = lib.directory / "greet.txt"
    assert [ln.id for ln in lib.lines] == ["greet.intro.1"]
    assert lib.maybe_reload() is False

    path.write_text(GOOD + "- 您好，这里是{机构|我们公司}。\n", encoding="utf-8")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))   # a coarse-mtime filesystem still sees it
    assert lib.maybe_reload() is True
    assert [ln.id for ln in lib.lines] == ["greet.intro.1", "greet.intro.2"]

    path.write_text(GOOD + "- 坏的{姓名\n", encoding="utf-8")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 2 * 10**9))
    with pytest.raises(ResourceError, match=r"greet.txt:5:"):
        lib.maybe_reload()
    assert [ln.id for ln in lib.lines] == ["greet.intro.1", "greet.intro.2"]   # nothing lost


def test_shipped_library_copies_load(tmp_path, library):
    # The folder can move (packaged builds point CALLASSIST_RESOURCES elsewhere).
    shutil.copytree(library.directory, tmp_path / "scripts")
    copy = ScriptLibrary(tmp_path / "scripts")
    assert [ln.id for ln in copy.lines] == [ln.id for ln in library.lines]


def test_search_by_words_ids_and_pinyin(library):
    gh = library.search("gh")
    assert gh and gh[0].section == "intro" and "工号" in gh[0].source
    assert [ln.id for ln in library.search("工号")][:3] == [ln.id for ln in gh][:3]
    assert library.search("gonghao")[0].section == "intro"
    assert all("分期" in ln.source or "分期" in ln.tags for ln in library.search("分期")[:3])
    assert {ln.section for ln in library.search("没钱")} == {"no_money"}
    assert {ln.section for ln in library.search("no_money")} == {"no_money"}
    assert library.search("分期 审核")
    assert library.search("xyzzy") == []
    assert library.search("   ") == []
    # Traditional input finds simplified lines.
    assert library.search("徵信")[0].stage == "consequence"
