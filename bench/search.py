"""Search speed over many synthetic calls: builds a records database through RecordStore (the real write path,
jieba tokens and all) and times ``RecordStore.search`` and ``list_calls``.

    .venv/bin/python -m bench.search [--calls 10000] [--db PATH] [--reuse] [--repeat 5] [--recall ../shared]

Prints the build time and p50/p95/max query times (target: search ≤ 100 ms over 10,000 calls).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import cn2an

from assist import events as ev
from assist.case import CaseData
from assist.store import RecordStore

ROOT = Path(__file__).resolve().parents[1]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志强海峰晓雯俊文涛春梅立伟"
ORGS = ["华信银行信用卡中心", "恒通消费金融", "小鹿分期", "瑞丰银行", "安易借贷后服务中心", "鼎诚资产管理",
        "东岳银行", "广信恒达", "聚信服务", "金川银行", "信和消费金融", "乐融消费金融", "速贷宝", "米多多"]
PRODUCTS = ["信用卡", "消费贷", "分期", "借款", "网贷", "车贷"]
CHANNELS = [("官方App", "app"), ("支付宝", "alipay"), ("微信服务号", "wechat"), ("对公账户转账", "bank_transfer"),
            ("银行卡自动扣款", "card_autodebit"), ("柜台现金", "cash")]
REASONS = ["最近失业了", "生意周转不开", "家里老人住院", "孩子开学开销大", "忘记还款日了", "工资拖欠"]

STAGES = [
    ("greet", ["您好，我是{org}的{agent}，工号{gid}。", "请问是{name}本人吗？麻烦报一下身份证后四位。",
               "本次通话会全程录音，请您知悉。", "喂，{name}是吧，我这边是{org}的。"]),
    ("confirm_debt", ["您的{product}已经逾期{days}天，欠款{amount}元。", "系统显示您在{org}的{product}目前应还{amount}元。",
                      "您尾号{tail}的{product}已经逾期{days}天了。"]),
    ("willingness", ["请问是什么原因没能按时还款呢？", "听您说{reason}，是吗？", "那您这个月最多能先拿出来多少？",
                     "您现在每个月收入大概多少，能承担多少还款？"]),
    ("plan", ["那您看{date}能不能把{amount}元一次性还上？", "好的，{date}通过{channel}先还{part}元。",
              "跟您确认一下，{date}，{channel}还{part}元，对吧？", "您可以申请个性化分期，以审核结果为准。"]),
    ("consequence", ["逾期记录会按规定报送征信，尽早还清影响会小一些。", "逾期期间的罚息和违约金会按合同继续计算。",
                     "如协商不成我们可能依法起诉。"]),
    ("support", ["理解您的难处，我们一起想办法。", "您可以申请延期还款，需要提供相关证明。"]),
    ("close", ["感谢您的配合，再见。", "有问题可以拨打我们的客服热线，祝您生活顺利。"]),
]
VIOLATIONS = [
    ("threat", "你再不还钱，我们就上门找你，让你在小区待不下去。"),
    ("insult", "欠钱不还还这么横，真是个老赖。"),
    ("impersonation", "实话跟你说，我是{org}法院执行局的。"),
    ("third_party", "再不处理，我们就打给您通讯录里的同事和家人。"),
    ("deception", "您已经上了全国黑名单，高铁飞机都坐不了。"),
    ("improper_payment", "您把钱转到我个人的支付宝账户上就行。"),
    ("unauthorized_promise", "您今天还一半，剩下的我直接给您全免了。"),
]


def _cn_amount(n: int) -> str:
    return cn2an.an2cn(n) if random.random() < 0.6 else str(n)


def synth_call(i: int, start: datetime) -> tuple[CaseData, list[tuple[str, str]], list[tuple[int, str]], dict | None]:
    name = random.choice(SURNAMES) + "".join(random.sample(GIVEN, random.choice((1, 2))))
    agent = random.choice(SURNAMES) + random.choice(GIVEN)
    amount = random.choice((1, 2, 3, 5, 8, 12, 36, 51)) * random.choice((100, 1000)) + random.choice((0, 200, 460, 680))
    part = max(100, amount // random.choice((1, 2, 3)) // 100 * 100)
    channel_text, channel = random.choice(CHANNELS)
    date = start + timedelta(days=random.randint(1, 10))
    slots = {
        "org": random.choice(ORGS), "agent": agent, "gid": cn2an.an2cn(random.randint(1000, 9999)).replace("千", "")
        if random.random() < 0.3 else str(random.randint(1000, 9999)), "name": name,
        "product": random.choice(PRODUCTS), "days": _cn_amount(random.randint(3, 150)), "amount": _cn_amount(amount),
        "tail": str(random.randint(1000, 9999)), "reason": random.choice(REASONS),
        "date": f"{date.month}月{date.day}号", "channel": channel_text, "part": _cn_amount(part),
    }
    utts: list[tuple[str, str]] = []
    alerts: list[tuple[int, str]] = []
    for stage, lines in STAGES:
        for line in random.sample(lines, random.randint(1, min(2, len(lines)))):
            utts.append((stage, line.format(**slots)))
        if random.random() < 0.06:
            rule, line = random.choice(VIOLATIONS)
            alerts.append((len(utts), rule))
            utts.append((stage, line.format(**slots)))
    case = CaseData(debtor_name=name, account=f"6222{random.randint(10**14, 10**15 - 1)}",
                    phone=f"1{random.randint(3, 9)}{random.randint(10**8, 10**9 - 1)}", amount=float(amount),
                    agent_name=agent, agent_id=str(random.randint(1000, 1100)))
    ptp = {"amount": float(part), "date": date.date().isoformat(), "channel": channel} if random.random() < 0.7 else None
    return case, utts, alerts, ptp


def build(path: Path, n: int) -> float:
    random.seed(20261129)
    tz = timezone(timedelta(hours=8))
    t0 = time.perf_counter()
    with RecordStore(path) as store:
        base = datetime(2026, 1, 5, 9, 0, tzinfo=tz)
        for i in range(n):
            start = base + timedelta(minutes=37 * i)
            case, utts, alerts, ptp = synth_call(i, start)
            cid = f"bench-{i:05d}"
            store.begin_call(cid, started_at=start, case=case, source="mic")
            stage = None
            for k, (st, text) in enumerate(utts):
                store.record(cid, ev.UtteranceFinal(utterance=k, start=k * 5.0, end=k * 5.0 + 3.5, text=text, stage=st,
                                                    t=k * 5.0 + 4.0, raw_text=text))
                if st != stage:
                    stage = st
                    store.record(cid, ev.StageChanged(stage=st, t=k * 5.0 + 4.0))
            for k, rule in alerts:
                store.record(cid, ev.Alert(rule=rule, severity="critical", utterance=k, evidence="", source="final",
                                           t=k * 5.0 + 4.1))
            if ptp:
                store.record(cid, ev.PromiseToPay(t=len(utts) * 5.0, **ptp))
            store.record(cid, ev.CallEnded(call_id=cid, duration=len(utts) * 5.0, alerts={}, ptp=ptp,
                                           t=len(utts) * 5.0))
            if i % 500 == 499:
                store.flush(600)
                print(f"  {i + 1} calls written ({time.perf_counter() - t0:.0f} s)", flush=True)
        store.flush(600)
    return time.perf_counter() - t0


QUERIES = [
    ("征信", {}), ("逾期", {}), ("还款", {}), ("罚息 征信", {}), ("黑名单", {}), ("上门", {}), ("老赖", {}),
    ("法院执行局", {}), ("个性化分期", {}), ("支付宝", {}), ("3680", {}), ("三千六百八十", {}), ("微信服务号", {}),
    ("徵信", {}), ("全免", {}), ("延期还款", {}), ("不存在的词语组合", {}), ("款", {}), ("客服热线", {}),
    ("逾期", {"since": "2026-06-01", "until": "2026-06-30"}), ("还款", {"rule": "threat"}),
    ("征信", {"agent": "1042"}), ("分期", {"stage": "support", "ptp": True}), ("", {"rule": "insult"}),
    ("逾期", {"sounds_like": True}), ("工号 还款", {"sounds_like": True}),
]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def recall(shared: Path) -> None:
    """Search recall on the dev calls: every jieba word and random 2-4 character spans of the transcripts;
    truth = the utterances containing the literal string."""
    import json

    import jieba

    calls = json.loads((shared / "data" / "dev" / "calls.json").read_text(encoding="utf-8"))
    texts = {(c["id"], i): u["text"] for c in calls for i, u in enumerate(c["utterances"])}
    with tempfile.TemporaryDirectory() as d, RecordStore(Path(d) / "dev.sqlite3") as store:
        for c in calls:
            store.begin_call(c["id"], started_at=datetime.fromisoformat(c["started_at"]))
            for i, u in enumerate(c["utterances"]):
                store.record(c["id"], ev.UtteranceFinal(utterance=i, start=i, end=i + 1, text=u["text"],
                                                        stage=u["stage"], t=i + 1))
        store.flush(60)
        cjk = lambda w: all("\u4e00" <= ch <= "\u9fff" for ch in w)  # noqa: E731
        words = {w for t in texts.values() for w in jieba.cut(t) if len(w) >= 2 and cjk(w)}
        rng = random.Random(1)
        spans = set()
        for t in texts.values():
            for _ in range(3):
                n = rng.randint(2, 4)
                i = rng.randint(0, max(0, len(t) - n))
                if cjk(t[i:i + n]):
                    spans.add(t[i:i + n])
        for name, queries in (("words", words), ("spans", spans)):
            tp = fn = extra = 0
            for q in queries:
                truth = {k for k, t in texts.items() if q in t}
                got = {(h["call_id"], h["utterance"]) for h in store.search(q, limit=5000)}
                tp, fn, extra = tp + len(truth & got), fn + len(truth - got), extra + len(got - truth)
            print(f"recall on dev {name}: {len(queries)} queries, recall {tp / (tp + fn):.4f}, "
                  f"hits without the literal string {extra / max(1, tp + extra):.4f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=10000)
    ap.add_argument("--db", type=Path, help="database to build (default: a temporary file)")
    ap.add_argument("--reuse", action="store_true", help="reuse --db if it exists instead of rebuilding")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--recall", type=Path, metavar="SHARED",
                    help="also measure search recall on the dev calls in SHARED/data/dev (e.g. ../shared)")
    args = ap.parse_args()
    if args.recall:
        recall(args.recall)
    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory()
        args.db = Path(tmp.name) / "bench.sqlite3"
    if args.db.exists() and not args.reuse:
        for p in args.db.parent.glob(args.db.name + "*"):
            if p.is_file():
                p.unlink()
    if not args.db.exists():
        print(f"building {args.calls} synthetic calls in {args.db} ...", flush=True)
        secs = build(args.db, args.calls)
        print(f"build: {secs:.1f} s ({secs / args.calls * 1000:.1f} ms per call, through RecordStore)")
    with RecordStore(args.db) as store:
        n_calls = len(store.list_calls())
        import sqlite3

        with sqlite3.connect(args.db) as c:
            n_utts = c.execute("SELECT count(*) FROM utterances").fetchone()[0]
        print(f"database: {n_calls} calls, {n_utts} utterances, {args.db.stat().st_size / 1e6:.1f} MB")
        store.search("预热", sounds_like=True)  # jieba and pypinyin dictionary loads are one-offs (~1 s each)
        times: list[float] = []
        print(f"{'query':<24}{'filters':<40}{'hits':>5}{'median ms':>11}{'max ms':>9}")
        for query, filters in QUERIES:
            per = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                hits = store.search(query, **filters)
                per.append((time.perf_counter() - t0) * 1000)
            times += per
            print(f"{query or '(none)':<24}{str(filters):<40}{len(hits):>5}{statistics.median(per):>11.1f}{max(per):>9.1f}")
        print(f"search: n={len(times)} p50={pct(times, 50):.1f} ms  p95={pct(times, 95):.1f} ms  max={max(times):.1f} ms"
              f"  (target ≤ 100 ms)")
        lt = []
        for _ in range(args.repeat):
            for f in ({"limit": 50}, {"rule": "threat", "limit": 50}, {"since": "2026-06-01", "ptp": True, "limit": 50}):
                t0 = time.perf_counter()
                store.list_calls(**f)
                lt.append((time.perf_counter() - t0) * 1000)
        print(f"list_calls: p50={pct(lt, 50):.1f} ms  p95={pct(lt, 95):.1f} ms")
    # Commit latency of one live event: record() → committed (one transaction, fsync'd, with jieba tokens).
    with tempfile.TemporaryDirectory() as d, RecordStore(Path(d) / "latency.sqlite3") as store:
        store.begin_call("lat", started_at=datetime.now().astimezone())
        store.flush(30)
        store.search("预热")
        lat = []
        for k in range(100):
            t0 = time.perf_counter()
            store.record("lat", ev.UtteranceFinal(utterance=k, start=k, end=k + 1, text="您的信用卡已经逾期三十五天，欠款三千六百八十元。",
                                                  stage="confirm_debt", t=k + 1))
            store.flush(30)
            lat.append((time.perf_counter() - t0) * 1000)
        print(f"commit latency per utterance: p50={pct(lat, 50):.1f} ms  p95={pct(lat, 95):.1f} ms")
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
