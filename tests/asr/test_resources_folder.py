"""The recogniser honours the resources folder it is given (issue 13, point 1): real Whisper on a real dev
utterance, with a second folder whose hallucination list names a word the agent really says."""

from __future__ import annotations

import shutil

import pytest

from assist import paths
from assist.asr import AsrFinal, StreamingRecognizer
from assist.case import CaseData
from assist.config import AsrConfig

pytestmark = pytest.mark.model


def test_the_recognizers_guards_prompt_and_endpoint_come_from_its_folder(whisper, dev_dir, load_wav, manifest,
                                                                          tmp_path):
    res = tmp_path / "resources"
    shutil.copytree(paths.resources_dir(), res)
    with (res / "lexicon" / "hallucinations.txt").open("a", encoding="utf-8") as f:
        f.write("\n用卡中心\n")                   # a clause the agent really says, now taken for an invented one
    with (res / "lexicon" / "unfinished_endings.txt").open("a", encoding="utf-8") as f:
        f.write("\n紫色\n")
    with (res / "lexicon" / "prompt.txt").open("a", encoding="utf-8") as f:
        f.write("\n蓝鲸卡中心{机构}\n")

    utt = manifest["d01"]["utterances"][0]
    audio = load_wav(dev_dir / "d01.wav")[: int((utt["end"] + 1.5) * 16000)]
    case = CaseData(debtor_name="陈建国", institution="华信银行", agent_name="刘晓雯", agent_id="8026")
    events: list = []
    # greedy finals: they write the greeting in clauses (below); beam 5 writes it as one, which the phrase drops whole
    rec = StreamingRecognizer(AsrConfig(partials=False, beam_size_final=1), model=whisper, case=case,
                              on_event=events.append, realtime=False, resources=res)
    assert "蓝鲸卡中心华信银行" in rec.core.prompt_text
    assert rec.core.endpoint.hold_s("您看那个紫色") == rec.core.endpoint.max_s
    for i in range(0, len(audio), 1600):
        rec.feed(audio[i:i + 1600])
    rec.finish()
    assert rec.error is None
    finals = [e for e in events if isinstance(e, AsrFinal)]
    # the shipped folder keeps that clause (Whisper writes 您好 我是华信银行 用卡中心的刘晓雯 工号8026); this
    # folder's list drops it and marks the final suspect, the rest of the utterance stays
    assert len(finals) == 1 and finals[0].suspect
    assert "用卡中心" not in finals[0].text and "8026" in finals[0].text
