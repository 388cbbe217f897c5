"""One loader per resources folder (assist.resources.open_resources): a second folder in the same process is
honoured by every part — the analyser (rule packs, cues, detector), the corrector's lexicon, the ASR guards'
phrase list, the endpoint's word list, the prompt, the script library and the Suggester, the debtor cues, the
rule names — and neither folder is ever served the other's files (issue 13, point 1). The recogniser itself, on
real audio, is in tests/asr/test_resources_folder.py."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from assist import paths
from assist.resources import ResourceError, open_resources

HOMOPHONE = "您的篮经卡已经逾期了"       # 篮经卡: a variant the second folder's lexicon knows
CORRECTED = "您的蓝鲸卡已经逾期了"


def _append(path: Path, text: str) -> int:
    """Append lines to a resource file; returns the line number of the first one appended."""
    old = path.read_text(encoding="utf-8")
    if not old.endswith("\n"):
        old += "\n"
    path.write_text(old + text, encoding="utf-8")
    return len(old.splitlines()) + 1


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _make_alt(folder: Path) -> Path:
    """A second resources folder, a copy of the shipped one with one recognisable edit per part."""
    res = folder / "alt-resources"
    shutil.copytree(paths.resources_dir(), res)
    _append(res / "lexicon" / "terms.tsv", "蓝鲸卡\t篮经卡\t\n")
    _append(res / "lexicon" / "hallucinations.txt", "紫色大象\n")
    _append(res / "lexicon" / "unfinished_endings.txt", "紫色\n")
    _append(res / "lexicon" / "prompt.txt", "蓝鲸卡客服中心{机构}\n")
    _replace(res / "stages" / "debtor.yaml", "scam: [骗子,", "scam: [紫色大象, 骗子,")
    _replace(res / "rules" / "threat.yaml", "name: 威胁恐吓", "name: 威胁恐吓（质检改名）")
    _replace(res / "rules" / "insult.yaml", "  - 老赖|赖皮", "  - 铁公鸡|老赖|赖皮")
    _replace(res / "scripts" / "greet.txt", "- 本次通话会全程录音，请您知悉。",
             "- 本次通话会全程录音，请您知悉。\n- 蓝鲸卡客服提醒您本次通话全程录音。")
    return res


@pytest.fixture(scope="module")
def alt(tmp_path_factory) -> Path:
    """Shared by the tests that only read it (its rule packs load once); edited copies are made apart."""
    return _make_alt(tmp_path_factory.mktemp("alt"))


def test_same_folder_same_loader_and_none_is_the_folder_in_use_now(alt, monkeypatch):
    shipped = open_resources()
    assert open_resources(str(paths.resources_dir())) is shipped is open_resources(paths.resources_dir())
    assert open_resources(alt) is open_resources(str(alt)) is not shipped
    monkeypatch.setenv("CALLASSIST_RESOURCES", str(alt))
    assert open_resources() is open_resources(alt)       # None is looked up at each call, never remembered
    monkeypatch.delenv("CALLASSIST_RESOURCES")
    assert open_resources() is shipped


def test_every_part_reads_its_own_folder(alt):
    from assist.analysis.debtor import DebtorTracker
    from assist.asr.endpoint import EndpointPolicy, looks_unfinished
    from assist.asr.guards import drop_phrases, judge
    from assist.asr.prompt import build_prompt
    from assist.case import CaseData
    from assist.correct import correct
    from assist.labels import rule_name
    from assist.suggest import Suggester

    a, shipped = open_resources(alt), open_resources()
    # corrector
    assert correct(HOMOPHONE, resources=alt) == CORRECTED and correct(HOMOPHONE) == HOMOPHONE
    # ASR guards: the phrase list of the folder given, the shipped one otherwise
    said = "紫色大象很好看，您的账单已经出了"
    assert drop_phrases(said, a.hallucinations()) == "您的账单已经出了"
    assert drop_phrases(said) == said
    assert judge(said, audio_s=3.0, avg_logprob=-0.3, no_speech_prob=0.1, phrases=a.hallucinations()).suspect
    # endpoint words
    assert looks_unfinished("您看一下那个紫色", a.unfinished_words()) and not looks_unfinished("您看一下那个紫色")
    assert EndpointPolicy(min_s=0.7, max_s=1.0, words=a.unfinished_words()).hold_s("那个紫色") == 1.0
    # prompt
    case = CaseData(institution="华信银行")
    assert "蓝鲸卡客服中心华信银行" in build_prompt(case, resources=alt)
    assert "蓝鲸卡" not in build_prompt(case)
    # script library and the Suggester
    assert [ln.id for ln in Suggester(resources=alt).search("蓝鲸卡")]
    assert not Suggester().search("蓝鲸卡")
    assert a.script_library() is Suggester(resources=alt).library is not shipped.script_library()
    # debtor cues, and the corrector the debtor lane uses
    assert DebtorTracker(date(2026, 12, 1), resources=alt).turn("你们是紫色大象吧").objection == "scam"
    assert DebtorTracker(date(2026, 12, 1)).turn("你们是紫色大象吧").objection is None
    # rule names
    assert rule_name("threat", alt) == "威胁恐吓（质检改名）" and rule_name("threat") == "威胁恐吓"


def test_the_analyzer_uses_the_folder_of_its_config(alt):
    from assist.analysis import CallAnalyzer
    from assist.analysis.rules import Utterance, rule_hits
    from assist.config import EngineConfig
    from assist.events import UtteranceFinal

    started = datetime(2026, 12, 1, 10, 0).astimezone()
    on_alt = CallAnalyzer(started_at=started, config=EngineConfig(resources_dir=alt))
    on_shipped = CallAnalyzer(started_at=started, config=EngineConfig())
    final = next(e for e in on_alt.on_final(0, HOMOPHONE, 0.0, 1.0, 1.0) if isinstance(e, UtteranceFinal))
    assert final.text == CORRECTED
    final = next(e for e in on_shipped.on_final(0, HOMOPHONE, 0.0, 1.0, 1.0) if isinstance(e, UtteranceFinal))
    assert final.text == HOMOPHONE
    # the edited rule pack: its pattern fires with the folder's own tokenizer and pack, not the shipped one's
    assert on_alt.res.pack is open_resources(alt).rules() is not on_shipped.res.pack
    text = "你真是个铁公鸡"
    assert "insult" in {h.rule for h in rule_hits(Utterance(text, alt), on_alt.res.pack)}
    assert "insult" not in {h.rule for h in rule_hits(Utterance(text), on_shipped.res.pack)}


def test_a_broken_file_in_one_folder_keeps_path_and_line_and_leaves_the_other_alone(tmp_path):
    from assist.analysis import CallAnalyzer
    from assist.config import EngineConfig

    alt = _make_alt(tmp_path)
    phrases = alt / "lexicon" / "hallucinations.txt"
    line = _append(phrases, "啊\n")
    with pytest.raises(ResourceError) as exc:
        open_resources(alt).hallucinations()
    assert (exc.value.path, exc.value.line) == (phrases, line) and str(exc.value).startswith(f"{phrases}:{line}:")
    assert open_resources().hallucinations()            # the shipped folder is unaffected
    # a failed part is not remembered: fixing the file is enough
    phrases.write_text(phrases.read_text(encoding="utf-8").replace("啊\n", ""), encoding="utf-8")
    assert "紫色大象" in open_resources(alt).hallucinations()

    (alt / "detector" / "model.npz").unlink()
    with pytest.raises(ResourceError, match=r"alt-resources/detector/model\.npz"):
        CallAnalyzer(started_at=datetime.now().astimezone(), config=EngineConfig(resources_dir=alt))
    CallAnalyzer(started_at=datetime.now().astimezone(), config=EngineConfig())


def test_the_folder_in_use_follows_the_environment(alt, monkeypatch):
    # the stale-cache bug endpoint.py once had, and guards.py / correct.py kept: the default is not remembered
    from assist.asr.endpoint import looks_unfinished
    from assist.asr.guards import drop_phrases
    from assist.correct import correct

    assert correct(HOMOPHONE) == HOMOPHONE and drop_phrases("紫色大象") and not looks_unfinished("那个紫色")
    monkeypatch.setenv("CALLASSIST_RESOURCES", str(alt))
    assert correct(HOMOPHONE) == CORRECTED and drop_phrases("紫色大象") == "" and looks_unfinished("那个紫色")


def test_a_call_session_wires_its_folder_into_every_part(alt, tmp_path):
    from assist.config import EngineConfig
    from assist.events import UtteranceFinal
    from assist.session import CallSession
    from assist.transcript import TranscriptSource

    txt = tmp_path / "call.txt"
    txt.write_text("您好，我是华信银行的客服，工号8026。\n" + HOMOPHONE + "\n", encoding="utf-8")
    session = CallSession(TranscriptSource(txt), config=EngineConfig(resources_dir=alt, record=False))
    events: list = []
    session.subscribe(events.append)
    session.start()
    assert session.wait(60) and session.error is None
    texts = [e.text for e in events if isinstance(e, UtteranceFinal)]
    assert texts[1] == CORRECTED
    assert session.resources is open_resources(alt)
    assert session.suggester.library is open_resources(alt).script_library()
    assert session._debtor.resources is open_resources(alt)
