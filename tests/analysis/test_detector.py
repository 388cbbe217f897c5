"""The learned detector beside the rule packs: it catches paraphrases, names its evidence, stays quiet on hard
negatives, alerts early on partials only when sure, loads cleanly or fails with a clear error, and never falls
below the figures recorded on the blind split."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from assist import paths
from assist.analysis import CallAnalyzer, check_text
from assist.analysis.rules import Utterance, rule_hits
from assist.config import EngineConfig
from assist.detect import model as detect
from assist.detect.corpus import read_folder, read_labelled
from assist.detect.scoring import score
from assist.events import Alert
from assist.resources import ResourceError

ROOT = paths.PROJECT_ROOT
CORPUS = ROOT / "corpus"
TZ = timezone(timedelta(hours=8))


def pattern_rules(text: str) -> set[str]:
    from assist.analysis import load_resources

    return {h.rule for h in rule_hits(Utterance(text), load_resources().pack)}


# Our own sentences, in wording that is in neither the corpus nor any rule pattern (checked below): the model
# alone must carry them.
PARAPHRASES = [
    ("threat", "天黑以后路不好走，你自己掂不清轻重的话，家里老人孩子也跟着操心"),
    ("insult", "活到四十岁还要靠赖账过日子，您这辈子也算是活明白了"),
    ("third_party", "麻烦您跟您儿媳妇说一声，她在我们平台那笔一万二的分期已经拖了两个多月"),
    ("privacy", "你上礼拜六下午是不是开着那辆白色的车去了趟奥特莱斯"),
    ("improper_payment", "平台那边到账慢，你先把钱放我这儿，我明天帮你存进去"),
    ("unauthorized_promise", "听我的，今天把本金结了，后面那些滞纳金就当没发生过"),
    ("deception", "你这个编号已经进了省里的失联名单，以后办什么手续都卡着"),
    ("impersonation", "我们这边直接对接的是执行口，你的情况我这能查到底"),
]

HARD_NEGATIVES = [
    # the taxonomy's lawful look-alikes
    "逾期记录会按规定报送征信", "如协商不成我们可能依法起诉", "减免需要申请，以审核结果为准",
    "请通过官方渠道还款，不要转到个人账户", "麻烦您转告他回电", "我不是法院的工作人员",
    # our own
    "您放心，我们不会去您家，也不会给您单位打电话", "凡是让您转到私人账户或者交什么停催费的，都是骗子",
    "您上次说这个月十五号还两千，今天想跟您确认一下还能不能做到", "请问您是王建国先生本人吗",
    "麻烦报一下您身份证的后四位，我核实一下身份", "您可以提交分期申请，能不能通过以审核结果为准",
    "您说我们威胁您，我们绝对没有这个意思，只是提醒您按时还款",
    "这个事情我没办法替您做主，我能做的是把您的情况如实反映上去",
]


def test_model_file_is_small_and_loads_with_numpy_only():
    path = detect.model_path(paths.resources_dir())
    assert path.stat().st_size <= 20 * 1024 * 1024
    det = detect.load(path)
    assert set(det.rules) == {"impersonation", "threat", "insult", "third_party", "deception",
                              "unauthorized_promise", "improper_payment", "privacy"}
    assert np.all(det.partial_threshold >= det.threshold)   # partials are held to a stricter bar
    code = ("import sys; from assist.analysis import check_text; check_text('你给我等着'); "
            "print(sorted(m for m in ('sklearn', 'scipy', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("rule,text", PARAPHRASES)
def test_model_catches_what_no_pattern_names_with_evidence(rule, text):
    corpus = {r.text for r in read_folder(CORPUS / "compliance")}
    assert text not in corpus and rule not in pattern_rules(text)
    hits = {h.rule: h for h in check_text(text)[0]}
    assert rule in hits, sorted(hits)
    hit = hits[rule]
    assert hit.by == "model"
    assert hit.evidence and hit.evidence in text and len(hit.evidence) <= detect.EVIDENCE_MAX + 2
    assert hit.message and hit.advice and hit.basis


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negatives_stay_quiet(text):
    assert check_text(text)[0] == []


def test_pattern_match_is_the_evidence_when_both_fire():
    hits = {h.rule: h for h in check_text("不还钱你就等着坐牢吧")[0]}
    assert hits["threat"].by == "pattern" and "坐牢" in hits["threat"].evidence


@pytest.mark.parametrize("folder", ["blind", "blind_2"])
def test_blind_split_never_falls_below_the_recorded_figures(folder):
    recorded = json.loads((CORPUS / folder / "figures.json").read_text(encoding="utf-8"))
    rows = read_labelled(CORPUS / folder / "blind.tsv")
    assert len(rows) >= 400 and recorded["sentences"] == len(rows)
    f = score(rows, [{h.rule for h in check_text(r.text)[0]} for r in rows])
    tol = 5e-5  # the record is rounded to four places
    assert f.precision >= recorded["precision"] - tol, (f.precision, recorded["precision"])
    assert f.recall >= recorded["recall"] - tol, (f.recall, recorded["recall"])
    assert f.lawful_alerted <= recorded["lawful_alerted"] + tol


def test_corpus_is_large_enough_and_apart_from_the_blind_split():
    rows = read_folder(CORPUS / "compliance")
    for rule in ("impersonation", "threat", "insult", "third_party", "deception", "unauthorized_promise",
                 "improper_payment", "privacy"):
        assert sum(rule in r.rules for r in rows) >= 250, rule
    assert sum(not r.rules for r in rows) >= 1500
    for folder in ("blind", "blind_2"):
        blind = {r.text for r in read_labelled(CORPUS / folder / "blind.tsv")}
        assert not blind & {r.text for r in rows}, folder


def _analyzer(**kw) -> CallAnalyzer:
    return CallAnalyzer(started_at=datetime(2026, 10, 12, 10, 0, tzinfo=TZ), **kw)


def test_model_alert_comes_on_a_partial_and_is_confirmed_by_the_final():
    rule, text = PARAPHRASES[4]  # improper_payment, said in full
    a = _analyzer()
    # the model's verdict on a partial waits for the next partial to hold it (a garbled first partial fired once)
    assert not [e for e in a.on_partial(0, text, 2.4) if isinstance(e, Alert)]
    early = [e for e in a.on_partial(0, text + "，你看行不行", 3.0) if isinstance(e, Alert) and e.utterance == 0]
    assert [e.rule for e in early] == [rule] and early[0].source == "partial"
    final = a.on_final(0, text + "，你看行不行", 0.0, 5.0, 5.5)
    assert not [e for e in final if isinstance(e, Alert) and e.rule == rule]  # already shown, not repeated
    assert [x.rule for x in a.state.alerts if x.utterance == 0] == [rule]


def test_partial_threshold_is_stricter_than_the_final_one():
    det = detect.load(detect.model_path(paths.resources_dir()))
    utt = Utterance("你上礼拜六下午是不是开着那辆白色的车去了趟奥特莱斯")
    feats = detect.extract(utt.tv, utt.words)
    r = det.rules.index("privacy")

    def fires(fired: frozenset, partial: bool) -> bool:
        return any(h.rule == "privacy" for h in det.hits(utt.tv, utt.words, fired, partial=partial))

    p = det.probabilities(feats)[r]
    assert fires(frozenset(), False) == (p >= det.threshold[r])
    assert fires(frozenset(), True) == (p >= det.partial_threshold[r])
    # with a pattern of the rule matched, a partial needs only the finals' bar
    pp = det.probabilities(feats, frozenset({"privacy"}))[r]
    assert pp > p
    assert fires(frozenset({"privacy"}), True) == (pp >= det.threshold[r])


def _resources_copy(tmp_path: Path) -> Path:
    res = tmp_path / "resources"
    shutil.copytree(paths.resources_dir(), res)
    return res


def test_missing_model_is_a_clear_error(tmp_path):
    from assist.analysis.analyzer import load_resources

    res = _resources_copy(tmp_path)
    (res / "detector" / "model.npz").unlink()
    with pytest.raises(ResourceError, match=r"model\.npz.*missing.*train_detector"):
        load_resources(str(res))


def test_corrupt_model_is_refused_by_check_with_exit_2(tmp_path, monkeypatch):
    res = _resources_copy(tmp_path)
    (res / "detector" / "model.npz").write_bytes(b"PK\x03\x04 not really a zip")
    env = {"CALLASSIST_RESOURCES": str(res)}
    import os

    proc = subprocess.run([sys.executable, "-m", "assist.cli.main", "check", "你好"], capture_output=True,
                          text=True, timeout=120, env={**os.environ, **env}, cwd=ROOT)
    assert proc.returncode == 2
    assert "model.npz" in proc.stderr and "cannot be read" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_analyzer_honours_a_second_resources_folder(tmp_path):
    # a resources folder whose model never fires (bias far below every threshold) silences model-only hits
    res = _resources_copy(tmp_path)
    path = res / "detector" / "model.npz"
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["bias"] = np.full_like(arrays["bias"], -50.0)
    np.savez_compressed(path, **arrays)
    rule, text = PARAPHRASES[4]
    quiet = _analyzer(config=EngineConfig(resources_dir=res))
    loud = _analyzer()
    def utterance_alerts(a):
        return [e.rule for e in a.on_final(0, text, 0, 3, 3.5) if isinstance(e, Alert) and e.utterance == 0]

    assert utterance_alerts(quiet) == []
    assert utterance_alerts(loud) == [rule]


def _small_corpus(tmp_path) -> Path:
    small = tmp_path / "corpus"
    small.mkdir()
    rows = read_folder(CORPUS / "compliance")
    pick = [r for r in rows if r.rules][:: 25] + [r for r in rows if not r.rules][:: 25]
    (small / "s.tsv").write_text("rules\ttext\n" + "".join(f"{','.join(sorted(r.rules))}\t{r.text}\n" for r in pick),
                                 encoding="utf-8")
    return small


def _train(small: Path, out: Path, *extra: str) -> detect.Detector:
    proc = subprocess.run([sys.executable, "-m", "bench.train_detector", "--corpus", str(small),
                           "--out", str(out), "--folds", "2", "--copies", "1", "--grid", "2", *extra],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "micro P" in proc.stdout
    return detect.load(out)


def test_training_is_reproducible_on_a_small_corpus(tmp_path):
    pytest.importorskip("sklearn")
    small = _small_corpus(tmp_path)
    a, b = (_train(small, tmp_path / f"m{k}.npz") for k in (1, 2))
    assert a.meta["kind"] == "linear" and a.hidden is None   # the default kind is the shipped one
    assert np.array_equal(a.weights, b.weights) and np.array_equal(a.bias, b.bias)
    assert np.array_equal(a.threshold, b.threshold) and np.array_equal(a.partial_threshold, b.partial_threshold)


def test_hidden_model_trains_loads_and_names_what_each_ngram_adds(tmp_path):
    """--kind hidden: the file loads with numpy, scores like the trainer, and the evidence span reads each n-gram's
    share of a rule's logit — the gradient through the units that are on, so taking the n-gram away must lower the
    logit by exactly that much whenever no unit switches on or off."""
    pytest.importorskip("sklearn")
    det = _train(_small_corpus(tmp_path), tmp_path / "h.npz", "--kind", "hidden")
    assert det.meta["kind"] == "hidden" and det.hidden is not None and det.weights.size == 0
    utt = Utterance("你最好想清楚，你老婆每天几点下班走哪条路我们都清楚得很")
    feats = detect.extract(utt.tv, utt.words)
    r = det.rules.index("threat")
    share = det.input_weights(feats, r)
    inputs, values = det._inputs(detect.indexes(feats), frozenset())
    z, pre = det._logits(inputs, values)
    assert 1 / (1 + np.exp(-z[r])) == pytest.approx(det.probabilities(feats)[r])
    checked = 0
    for k, i in enumerate(inputs):
        z2, pre2 = det._logits(inputs[:k] + inputs[k + 1:], np.delete(values, k))
        if np.array_equal(pre > 0, pre2 > 0):
            assert z[r] - z2[r] == pytest.approx(share[i], abs=1e-4)
            checked += 1
    assert checked >= len(inputs) // 2
    start, end = det.evidence_span(feats, r, len(utt.tv.clean), utt.words)
    assert 0 <= start < end <= len(utt.tv.clean)


def test_model_evidence_is_words_a_reader_can_act_on():
    """The evidence of a model alert is a run of whole words with content, never a lone pronoun or particle
    (the first span finder named 们, 是 or 我 for about one model alert in nine on the probe set)."""
    rows = read_labelled(CORPUS / "probe" / "lead.tsv")
    spans = []
    for row in rows:
        for hit in check_text(row.text)[0]:
            if hit.by == "model":
                spans.append(hit.evidence)
    assert len(spans) >= 20
    bare = [s for s in spans if len(s.strip("，。？！、 ")) < 2 or s.strip("，。？！、 ") in detect.FUNCTION_WORDS]
    assert bare == []
    assert all(len(s) <= detect.EVIDENCE_MAX + 2 for s in spans)
