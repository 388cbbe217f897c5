"""Domain-lexicon homophone correction: fixes ASR homophones, leaves ordinary words alone, validates its file."""

from __future__ import annotations

import time

import pytest

from assist.correct import correct, load_lexicon
from assist.resources import ResourceError

CASE = ["陈建国", "华信银行", "刘晓雯", "王丽娟"]


@pytest.mark.parametrize("wrong, right", [
    ("您的信用卡已经于七三十五天了", "您的信用卡已经逾期三十五天了"),
    ("您的账单已经预期三十天", "您的账单已经逾期三十天"),
    ("通过支付宝先还舞百元", "通过支付宝先还五百元"),          # a digit's homophone before an amount's unit
    ("欠款酒千块", "欠款九千块"),
    ("于期记录会报送征信", "逾期记录会报送征信"),
    ("您委号6601的信用卡已经于735天", "您尾号6601的信用卡已经逾期35天"),   # digits read aloud: 于7 = yu qi
    ("请您尽快海款", "请您尽快还款"),
    ("我是客服张磊，公号1357", "我是客服张磊，工号1357"),
    ("我的功耗是八零二六", "我的工号是八零二六"),
    ("会产生发吸", "会产生罚息"),
    ("正信记录会受影响", "征信记录会受影响"),
    ("您可以申请分析还款", "您可以申请分期还款"),
    ("有问题请拨打克服热线", "有问题请拨打客服热线"),
    ("那您看明天能不能一次性海上", "那您看明天能不能一次性还上"),
    ("跟您和对一下身份证后思维", "跟您核对一下身份证后四位"),
    ("以审和结果未准", "以审核结果为准"),
    # session 9: general homophone classes seen without case data
    ("您别著急，慢慢说", "您别着急，慢慢说"),                     # Whisper's traditional-script 著 for 着
    ("你要再躲著不接电话", "你要再躲着不接电话"),
    ("按合同约定，逾期七间的罚息", "按合同约定，逾期期间的罚息"),
    ("以审核节果为准", "以审核结果为准"),
    ("这笔借款需要跟日本人确认", "这笔借款需要跟您本人确认"),      # a longer term over the protected 本人
    ("我的公后是4408", "我的工号是4408"),
    ("请提供律师事物所的函", "请提供律师事务所的函"),
    ("我们会联系您通讯路里的人", "我们会联系您通讯录里的人"),
    ("麻烦保证卡里娱娥充足", "麻烦保证卡里余额充足"),
    ("您能不能先海一点", "您能不能先还一点"),
    ("两个月一分美海", "两个月一分没还"),
    ("受优品分期尾脱联系您", "受优品分期委托联系您"),
    ("您的意义我已经记下来了", "您的异议我已经记下来了"),
    ("短性已经发到您手机上", "短信已经发到您手机上"),
])
def test_fixes_domain_homophones(wrong, right):
    assert correct(wrong) == right


@pytest.mark.parametrize("text", [
    "于七月一日之前到账",            # 于 + 七月: a date, not 逾期
    "我喜欢跳舞百元一次",            # 舞 belongs to 跳舞: not an amount's digit
    "你是万元户吗",                  # 是 sounds like 十 but is never taken for it
    "我们每期百元",
    "结果超出预期",                  # 预期 as "expected", no collection cue
    "我们公司的规定是这样的",
    "请您按时还款，避免产生罚息",     # already right
    "这个数据分析很重要",
    "克服一下困难",
    "这有什么意义呢",
    "请问是王女士吗",                # 女士 must not become 律师 by the n/l fold
    "他说还是不行",
    "您预期什么时候能还上",
    "他的思维很清楚",                # 思维 only becomes 后四位 next to 身份证/尾号
    "海上风浪很大",
    "要是明天还不上怎么办",          # 还 has an archaic reading fú, 不 has fū: never 还还上
    "那您看明天能不能还3680元",       # amounts are never eaten by a sound-alike (3 san ~ 上 shang)
    "先还三万两千，剩下的下个月",
    "今天还三千二百元",
    "他是著名的律师",                # 著 stays in the zhù words
    "这本专著很好",
    "第一期11月5号自动扣款",          # all-numeral 11 (yi yi) is a number, never 异议
    "他是日本人",                    # 日本人 → 您本人 only next to a cue (跟, 借款, 确实是...)
    "日本人很守时",
    "站台尾部有人",                  # 台尾 read tai wei, not by its rare readings yi yi (异议)
    "我们一直没还价",
    "台风天别出门",
    "他说话很有意义",
    "这个平台很好用",
    "你儿子以后当兵政审都过不了",      # 信's archaic reading shen made 政审 sound like 征信
    "这里是信和消费金融",            # 和 he/huo ~ 核: 信和 is not 审核
    "也就是十二月十一号，先还两千元",
])
def test_leaves_ordinary_words_alone(text):
    assert correct(text) == text


def test_leaves_the_dev_reference_sentences_alone(manifest):
    # Correct collection-call text, with and without case names, must come out unchanged (3 changed before
    # session 9: 政审 → 征信, 信和 → 审核, 十二月十一号 → 十二女士一号).
    changed = []
    for call in manifest.values():
        for u in call["utterances"]:
            for extra in ((), CASE):
                if correct(u["text"], extra) != u["text"]:
                    changed.append((u["text"], correct(u["text"], extra)))
    assert not changed, changed


def test_case_names_by_pinyin():
    assert correct("我是刘小文，请问是王立捐女士吗", CASE) == "我是刘晓雯，请问是王丽娟女士吗"
    assert correct("我是刘小文") == "我是刘小文"   # without the case data nothing to restore


def test_idempotent_and_fast():
    texts = ["您好,我是华熙银行系用卡中心的留小文,功耗8026", "提醒您一下,于七纪录会按规定报送征信,尽早环清",
             "先还一部分也行,能少算点发息,您看3000块可以不", "如果何时确实是你本人借款,与七记录还是会报送征信"]
    once = [correct(t, CASE) for t in texts]
    assert once[0] == "您好,我是华熙银行信用卡中心的刘晓雯,工号8026"
    assert [correct(t, CASE) for t in once] == once
    t0 = time.perf_counter()
    for _ in range(50):
        for t in texts:
            correct(t, CASE)
    per_sentence_ms = (time.perf_counter() - t0) / (50 * len(texts)) * 1000
    assert per_sentence_ms < 2.0, per_sentence_ms


def test_non_chinese_and_empty_untouched():
    assert correct("") == ""
    assert correct("OK 123") == "OK 123"


def test_lexicon_validation(tmp_path):
    good = tmp_path / "terms.tsv"
    good.write_text("# comment\nterm\tvariants\tcues\n逾期\t\t天 <NUM>\n还款\t海款\n", encoding="utf-8")
    lex = load_lexicon(good)
    assert [t.word for t in lex.terms] == ["逾期", "还款"]
    bad_cases = {
        "逾期\n逾期\n": "line 1",                 # duplicate → reported at line 2
        "ok\n": "Chinese characters only",
        "逾期\t\t<DATE>\n": "unknown cue",
        "逾期\ta\tb\tc\n": "at most 3",
        "还款\t还款\n": "the term itself",
    }
    for content, msg in bad_cases.items():
        p = tmp_path / "bad.tsv"
        p.write_text(content, encoding="utf-8")
        with pytest.raises(ResourceError) as exc:
            load_lexicon(p)
        assert msg in str(exc.value)
        assert str(p) in str(exc.value)
    dup = tmp_path / "dup.tsv"
    dup.write_text("逾期\n逾期\n", encoding="utf-8")
    with pytest.raises(ResourceError, match=r"dup\.tsv:2: term '逾期' is already defined on line 1"):
        load_lexicon(dup)
    with pytest.raises(ResourceError, match="missing"):
        load_lexicon(tmp_path / "nope.tsv")


def test_shipped_lexicon_loads():
    lex = load_lexicon()
    words = {t.word for t in lex.terms}
    assert {"逾期", "还款", "工号", "征信", "罚息", "分期", "支付宝"} <= words
