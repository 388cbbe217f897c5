"""Evaluate next-line suggestions on the dev calls: does the top suggestion name the stage the agent used next?

    .venv/bin/python -m bench.eval_suggest [--calls clean|strict|all] [--truth] [--noisy] [--verbose]

For every agent utterance except a call's last, the Suggester runs on the call state after that utterance and
its top suggestion's stage (and the top three) is compared with the labelled stage of the next utterance.
The call state comes from the real CallAnalyzer when it exists (what runs live); ``--truth`` (or a missing
analyzer) builds it from the labelled stages plus a crude keyword checklist instead.

Call sets: ``clean`` = calls whose labels hold no utterance-kind rule (taxonomy: a call rule such as call_time
or missing_agent_id may be present) → d01–d06, d15, d16; ``strict`` = calls with no rule labels at all
(d01–d06); ``all`` = every call. Latency is the wall time of after_utterance (median / p95) on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

from assist.analysis.state import UTTERANCE_RULES, CallState
from assist.case import CaseData
from assist.events import Alert, Suggestion
from assist.suggest import ScriptLibrary, Suggester

ROOT = Path(__file__).resolve().parent.parent

_CN_NUM = "零一二三四五六七八九十百千万两"
_TRUTH_ITEMS = {
    "agent_id": (None, re.compile(r"工号")),
    "identity": ("greet", re.compile(r"本人|身份证|请问(您)?是.{1,8}(吗|先生|女士)")),
    "recording_notice": (None, re.compile(r"录音")),
    "debt_stated": ("confirm_debt", re.compile(r".")),
    "reason_asked": ("willingness", re.compile(r"原因|困难|手头|收入|怎么|为什么|情况")),
    "ptp_amount": ("plan", re.compile(rf"[\d{_CN_NUM}]+(块|元)")),
    "ptp_date": ("plan", re.compile(r"明天|今天|后天|周[一二三四五六日天]|[\d{_CN_NUM}]+号|月底")),
    "ptp_channel": ("plan", re.compile(r"App|app|微信|支付宝|扣款|对公|柜台|转账|银行卡|服务号")),
    "closing": (None, re.compile(r"再见|拜拜")),
}


# ASR-style damage for --noisy: lost punctuation, homophones the domain corrector should undo, digits.
_HOMOPHONES = (("还款", "海款"), ("逾期", "预期"), ("工号", "公号"), ("征信", "征性"), ("本人", "本仁"))


def asr_like(text: str) -> str:
    from assist.text.normalize import numerals_to_digits, strip_punct

    out = numerals_to_digits(strip_punct(text))
    for right, wrong in _HOMOPHONES:
        out = out.replace(right, wrong)
    return out


def truth_state(call: dict, upto: int) -> CallState:
    """A CallState from the labels (stages) and a crude keyword checklist — a stand-in for the analyzer."""
    state = CallState(started_at=datetime.fromisoformat(call["started_at"]))
    for i, utt in enumerate(call["utterances"][: upto + 1]):
        text, stage = utt["text"], utt["stage"]
        state.texts.append(text)
        state.raw_texts.append(text)
        if stage != state.stage or not state.stage_history:
            state.stage_history.append((i, stage))
        state.stage = stage
        for item, (need_stage, pat) in _TRUTH_ITEMS.items():
            if (need_stage is None or need_stage == stage) and pat.search(text):
                state.covered.add(item)
        if stage == "plan" and {"ptp_amount", "ptp_date", "ptp_channel"} <= state.covered \
                and re.search(r"确认|核对|再说一遍|定了|说好了|说定了", text):
            state.covered.add("readback")
    return state


def case_for(call: dict) -> CaseData:
    # The dev calls carry no case file; the suggester must work without one (fallback wording).
    return CaseData()


def run_call(call: dict, library: ScriptLibrary, use_truth: bool, verbose: bool, noisy: bool = False):
    analyzer = None
    if not use_truth:
        from assist.analysis import CallAnalyzer

        analyzer = CallAnalyzer(started_at=datetime.fromisoformat(call["started_at"]), case=case_for(call))
    sugg = Suggester(case=case_for(call), library=library)
    utts = call["utterances"]
    rows, times = [], []
    for i, utt in enumerate(utts):
        heard = asr_like(utt["text"]) if noisy else utt["text"]
        if analyzer is not None:
            events = analyzer.on_final(i, heard, float(i), float(i) + 0.9, float(i) + 1.0)
            state = analyzer.state
            alerts = [e for e in events if isinstance(e, Alert)]
        else:
            state = truth_state(call, i)
            alerts = [Alert(rule=r, severity="critical", utterance=i, evidence="", source="final", t=float(i))
                      for r in utt["rules"] if r in UTTERANCE_RULES]
        t0 = time.perf_counter()
        out = sugg.after_utterance(state, heard, alerts, float(i) + 1.0)
        times.append((time.perf_counter() - t0) * 1000)
        if i + 1 >= len(utts):
            break
        top = next((e for e in out if isinstance(e, Suggestion)), None)
        stages = [top.stage] + [a.stage for a in top.alternatives] if top else []
        want = utts[i + 1]["stage"]
        rows.append((want, stages))
        if verbose:
            mark = "✓" if stages[:1] == [want] else ("3" if want in stages[:3] else "✗")
            print(f"  {call['id']} {i:2d} {mark} now={state.stage:<12} next={want:<12} got={','.join(stages)}")
            if top:
                print(f"        ↳ {top.text}  〔{top.reason}〕")
    return rows, times


def select(calls: list[dict], which: str) -> list[dict]:
    if which == "clean":
        return [c for c in calls if not any(r in UTTERANCE_RULES for u in c["utterances"] for r in u["rules"])]
    if which == "strict":
        return [c for c in calls if not any(u["rules"] for u in c["utterances"])]
    return list(calls)


def evaluate(calls: list[dict], *, use_truth: bool = False, verbose: bool = False, noisy: bool = False,
             library: ScriptLibrary | None = None) -> tuple[int, int, int, list[float]]:
    """→ (top-1 hits, top-3 hits, predictions, sorted after_utterance times in ms)."""
    library = library or ScriptLibrary()
    rows, times = [], []
    for call in calls:
        r, t = run_call(call, library, use_truth, verbose, noisy)
        rows += r
        times += t
    top1 = sum(1 for want, got in rows if got[:1] == [want])
    top3 = sum(1 for want, got in rows if want in got[:3])
    return top1, top3, len(rows), sorted(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--calls", choices=("clean", "strict", "all"), default="clean")
    ap.add_argument("--truth", action="store_true", help="build call state from the labels, not the analyzer")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "dev" / "calls.json")
    ap.add_argument("--noisy", action="store_true",
                    help="feed ASR-like text: no punctuation, digits, homophones (海款, 预期, 公号 …)")
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args(argv)

    calls = select(json.loads(args.data.read_text(encoding="utf-8")), args.calls)
    use_truth = args.truth
    if not use_truth:
        try:
            from assist.analysis import CallAnalyzer  # noqa: F401
        except ImportError:
            print("(assist.analysis.CallAnalyzer not available: using the labelled stages instead)")
            use_truth = True

    top1, top3, n, times = evaluate(calls, use_truth=use_truth, verbose=args.verbose, noisy=args.noisy)
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    print(f"calls: {', '.join(c['id'] for c in calls)}  ({args.calls}; state from "
          f"{'labels' if use_truth else 'CallAnalyzer'}{'; ASR-like text' if args.noisy else ''})")
    print(f"next-stage top-1: {top1}/{n} = {top1 / n:.1%}   top-3: {top3}/{n} = {top3 / n:.1%}")
    print(f"after_utterance latency: median {statistics.median(times):.2f} ms, p95 {p95:.2f} ms, "
          f"max {times[-1]:.2f} ms over {len(times)} utterances (shared 2-core machine: pessimistic)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
