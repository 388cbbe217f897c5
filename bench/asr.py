#!/usr/bin/env python
"""Benchmark the streaming recogniser on the dev calls (and the real clips): CER, latency, partials, RTF, RSS,
segmentation. Prints figures; asserts nothing.

    .venv/bin/python -m bench.asr                       # all 16 dev calls, fast mode, + real clips
    .venv/bin/python -m bench.asr --calls d01,d02 --realtime
    .venv/bin/python -m bench.asr --case                # with the CRM case data of bench/asr_cases.json
    .venv/bin/python -m bench.asr --no-partials --threads 1 --no-real --prompt '' --dump /tmp/d.json
    .venv/bin/python -m bench.asr --rescore /tmp/d.json --show   # re-apply assist/correct.py, no model
    .venv/bin/python -m bench.asr --case --dialogues --compare --cpu-clock --no-real   # greedy vs the default
    .venv/bin/python -m bench.asr --sweep '' --sweep 'beam=5,case=1,ctx=2'   # finals-only settings, CER + CPU

Decoding experiments: ``--prompt``, ``--beam``, ``--tail-frames``, ``--opt NAME=VALUE`` (CTranslate2 generate()
options such as length_penalty, repetition_penalty, no_repeat_ngram_size). The summary prints the final decode
time per utterance (compute of the decode that produced each final).

Modes
- ``--realtime``: blocks are fed at wall-clock pace (0.1 s blocks, as a microphone would); latency = wall time
  when the final arrives − the utterance's end in the manifest. Slow: ~80 s per call.
- fast (default): all audio is queued at once and the recogniser runs its *virtual clock* (audio arrives at
  real-time pace, each decode advances the clock by its measured compute time; partials are only decoded when
  the virtual clock is caught up, exactly as live). latency = virtual clock at the final − utterance end. Also
  printed: the simple figure (audio consumed when the final was produced − utterance end) + compute of the final.

CER is over ``assist.text.normalize.for_scoring`` (t2s, no punctuation, numerals as digits), per expected utterance
against all finals overlapping it in time; text of finals overlapping no utterance counts as insertions.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from assist.case import CaseData
from assist.config import AsrConfig
from assist.text.normalize import edit_distance, for_scoring

ROOT = Path(__file__).resolve().parent.parent

SR = 16000
BLOCK = 1600


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def pct(values, q):
    return float(np.percentile(values, q)) if values else float("nan")


class CpuTimedDecoder:
    """A WhisperDecoder whose results report the decode's process CPU time as ``compute_s`` (--cpu-clock).

    Fast mode advances the virtual clock by each decode's compute time; measured as wall time on a loaded machine
    that is the load's figure, not ours. CPU time does not grow with the load: latency on this clock is what a
    machine with one core free for us would give (the decoder's two threads counted as if run one after the
    other), a figure for "one core busy" that the load around the bench does not change."""

    def __init__(self, inner):
        self.inner = inner

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def __setattr__(self, name, value):
        if name == "inner":
            object.__setattr__(self, name, value)
        else:
            setattr(self.inner, name, value)

    def decode(self, audio, **kw):
        c0 = time.process_time()
        res = self.inner.decode(audio, **kw)
        return replace(res, compute_s=time.process_time() - c0)


def run_stream(model, cfg, audio, *, realtime, case=None, prompt=None, gen_opts=None, tail_frames=None,
               cpu_clock=False):
    from assist.asr import AsrFinal, AsrHealth, AsrPartial, StreamingRecognizer
    from assist.asr.decoder import WhisperDecoder

    events = []
    wall0 = [None]

    def on_event(ev):
        events.append((ev, time.monotonic() - wall0[0] if wall0[0] else 0.0))

    decoder = CpuTimedDecoder(WhisperDecoder(model, language=cfg.language)) if cpu_clock else None
    rec = StreamingRecognizer(cfg, model=model, decoder=decoder, case=case, on_event=on_event, realtime=realtime,
                              prompt=prompt)
    if tail_frames is not None:
        rec.decoder.tail_frames = tail_frames
    if gen_opts:
        rec.decoder.generate_options = {**rec.decoder.generate_options, **gen_opts}
    t0 = time.monotonic()
    wall0[0] = t0
    for i in range(0, len(audio), BLOCK):
        if realtime:
            delay = t0 + i / SR - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        rec.feed(audio[i:i + BLOCK])
    if realtime:
        delay = t0 + len(audio) / SR - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    rec.finish()
    wall = time.monotonic() - t0
    finals = [(e, w) for e, w in events if isinstance(e, AsrFinal)]
    partials = [(e, w) for e, w in events if isinstance(e, AsrPartial)]
    health = [e for e, _ in events if isinstance(e, AsrHealth)]
    return finals, partials, health, wall, rec


def overlap(a0, a1, b0, b1):
    return max(0.0, min(a1, b1) - max(a0, b0))


def score_call(call, finals, partials, realtime):
    utts = call["utterances"]
    res = {"expected": len(utts), "found": len(finals), "ok": 0, "merged": 0, "lost": 0, "split": 0, "invented": 0,
           "err_raw": 0, "err_cor": 0, "ref_chars": 0, "lat": [], "lat_simple": [], "first_partial": [],
           "long_utts": 0, "no_partial": 0, "rows": [], "late": []}
    hits = {i: [] for i in range(len(utts))}
    for k, (f, _) in enumerate(finals):
        ov = [i for i, u in enumerate(utts) if overlap(f.start, f.end, u["start"], u["end"]) > 0.05]
        if not ov:
            res["invented"] += 1
            res["err_raw"] += len(for_scoring(f.raw_text))
            res["err_cor"] += len(for_scoring(f.text))
        if len(ov) > 1:
            res["merged"] += 1
        for i in ov:
            hits[i].append(k)
    for i, u in enumerate(utts):
        ks = hits[i]
        ref = for_scoring(u["text"])
        res["ref_chars"] += len(ref)
        raw = "".join(finals[k][0].raw_text for k in ks)
        cor = "".join(finals[k][0].text for k in ks)
        er, ec = edit_distance(ref, for_scoring(raw)), edit_distance(ref, for_scoring(cor))
        res["err_raw"] += er
        res["err_cor"] += ec
        res["rows"].append((u["text"], cor, er, ec))
        res.setdefault("dump", []).append({"ref": u["text"], "raw": [finals[k][0].raw_text for k in ks],
                                           "compute_s": [round(finals[k][0].compute_s, 4) for k in ks]})
        if not ks:
            res["lost"] += 1
            continue
        if len(ks) > 1:
            res["split"] += 1
        elif all(len([j for j in hits if ks[0] in hits[j]]) == 1 for _ in [0]):
            res["ok"] += 1
        last, wall = finals[ks[-1]]
        res["lat"].append((wall if realtime else last.clock_t) - u["end"])
        res["lat_simple"].append(last.audio_t - u["end"] + last.compute_s)
        if u["end"] - u["start"] > 2.0:
            res["long_utts"] += 1
            # first partial produced after this utterance began, before its final (of any piece, if it was split)
            pieces = {finals[k][0].index for k in ks}
            cands = [(p, w) for p, w in partials if p.audio_t >= u["start"] and p.audio_t <= last.audio_t + 1e-6
                     and p.index in pieces]
            if cands:
                p, w = cands[0]
                delay = (w if realtime else p.clock_t) - u["start"]
                res["first_partial"].append(delay)
                if delay > 1.5:
                    # audio_t − onset: when the audio it decoded ended; clock − audio_t: the thread was behind
                    res["late"].append(f"utt {i} ({u['end'] - u['start']:.1f} s) first partial {delay:.2f} s: "
                                       f"audio +{p.audio_t - u['start']:.2f} s, clock − audio {delay - (p.audio_t - u['start']):.2f} s "
                                       f"{p.text[:16]!r}")
            else:
                res["no_partial"] += 1
                res["late"].append(f"utt {i} ({u['end'] - u['start']:.1f} s) no partial")
    return res


def rescore(path: Path, show: bool) -> int:
    """CER of a --dump file's raw finals, corrected by the current assist/correct.py."""
    from assist.correct import correct

    e_raw = e_cor = chars = 0
    for call in json.loads(path.read_text(encoding="utf-8")):
        extra = call.get("case_terms", [])
        for u in call["utts"]:
            ref = for_scoring(u["ref"])
            raw = "".join(u["raw"])
            cor = "".join(correct(t, extra) for t in u["raw"])
            er, ec = edit_distance(ref, for_scoring(raw)), edit_distance(ref, for_scoring(cor))
            e_raw, e_cor, chars = e_raw + er, e_cor + ec, chars + len(ref)
            if show and ec:
                print(f"    {call['call']} {u['ref']} | {cor}  ({er}->{ec})")
        for t in call.get("invented", []):
            e_raw += len(for_scoring(t))
            e_cor += len(for_scoring(correct(t, extra)))
    print(f"CER raw {e_raw / max(chars, 1):.3%}  corrected {e_cor / max(chars, 1):.3%}  ({chars} reference characters)")
    return 0



# ---- the finals sweep (--sweep): decoding settings compared on the same utterances ----------------------------
# The production VAD cuts each call once; every setting then decodes the same utterances in call order (so the
# previous finals of the context are that setting's own), and is scored like the streaming run (score_call).
# Compute is the *process CPU time* of each decode (time.process_time: all of CTranslate2's threads, nothing
# else runs meanwhile), not wall time: wall time depends on what else the machine runs, CPU time much less.

def parse_setting(spec: str) -> dict:
    """'beam=5,ctx=2,case=1,pre=0.3,lp=1.0,patience=1,blank=1' → a dict (missing keys = today's greedy)."""
    out = {"beam": 1, "ctx": 0, "case": 0, "pre": 0.0, "lp": None, "patience": None, "blank": 1, "echo": 1}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        k, _, v = part.partition("=")
        if k not in out:
            raise SystemExit(f"--sweep: unknown setting {k!r} in {spec!r} (known: {', '.join(out)})")
        out[k] = float(v) if k in ("pre", "lp", "patience") else int(v)
    return out


def sweep_items(shared: Path, wanted: list[str], cases: dict, dialogues: bool):
    """(id, agent audio, reference utterances, case) of the dev calls and the dialogues' agent channel."""
    from faster_whisper import decode_audio

    manifest = json.loads((shared / "data" / "dev" / "manifest.json").read_text(encoding="utf-8"))
    for c in manifest:
        if not wanted or c["id"] in wanted:
            audio = decode_audio(str(shared / "data" / "dev" / c["audio"]), sampling_rate=SR)
            yield c["id"], audio, c["utterances"], cases.get(c["id"])
    if not dialogues:
        return
    dman = json.loads((shared / "data" / "dialogues" / "manifest.json").read_text(encoding="utf-8"))
    for c in dman:
        if wanted and c["id"] not in wanted:
            continue
        left, _right = decode_audio(str(shared / "data" / "dialogues" / c["audio"]), sampling_rate=SR,
                                    split_stereo=True)
        utts = [t for t in c["turns"] if t["channel"] == 0]
        yield c["id"], left, utts, cases.get(c["id"])


def sweep_segments(cfg, audio):
    from assist.asr.core import make_segmenter
    from assist.asr.vad import SpeechEnd

    seg = make_segmenter(cfg)
    out = []
    for i in range(0, len(audio), BLOCK):
        out += [e for e in seg.push(audio[i:i + BLOCK]) if isinstance(e, SpeechEnd)]
    out += [e for e in seg.flush() if isinstance(e, SpeechEnd)]
    return out


def sweep_call(decoder, resources, st: dict, audio, segs, case_dict):
    """Decode one call's utterances with setting ``st`` the way the recogniser decodes finals."""
    from assist.asr.context import FinalContext
    from assist.asr.core import AsrFinal
    from assist.asr.guards import judge
    from assist.asr.prompt import build_prompt, case_terms

    case = CaseData.from_dict(case_dict) if (st["case"] and case_dict) else None
    extra = tuple(dict.fromkeys(case_terms(case)))
    ctx = FinalContext(st["ctx"], build_prompt(case, resources=resources))
    base_tokens = decoder.encode_prompt(ctx.base_text)
    phrases, correct = resources.hallucinations(), resources.corrector().correct
    finals, cpu, wall, echoes = [], [], [], 0
    for ev in segs:
        a = ev.audio
        if st["pre"] > 0:   # the segmenter's lead (as AsrConfig.final_lead_s gives it), cut to this setting's
            from assist.asr.vad import FRAME

            n = round(st["pre"] * SR / FRAME) * FRAME
            a = np.concatenate([ev.lead[-n:], a])
        c0, w0 = time.process_time(), time.perf_counter()
        res = decoder.decode(a, prompt_tokens=decoder.encode_prompt(ctx.text()), beam_size=st["beam"])
        v = judge(res.text, audio_s=res.audio_s, avg_logprob=res.avg_logprob, no_speech_prob=res.no_speech_prob,
                  phrases=phrases)
        echoed = bool(st["echo"]) and bool(v.text) and ctx.echoes(v.text)
        if echoed:
            echoes += 1
            res = decoder.decode(a, prompt_tokens=base_tokens, beam_size=st["beam"])
            v = judge(res.text, audio_s=res.audio_s, avg_logprob=res.avg_logprob,
                      no_speech_prob=res.no_speech_prob, phrases=phrases)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
        if not v.text:
            continue
        text = correct(v.text, extra)
        finals.append((AsrFinal(index=len(finals), start=ev.start, end=ev.end, text=text, raw_text=v.text,
                                audio_t=ev.end, compute_s=res.compute_s, suspect=v.suspect), 0.0))
        ctx.add(text, suspect=v.suspect or echoed)
    return finals, cpu, wall, echoes


def sweep(args, model, cfg) -> int:
    from assist.asr.decoder import WhisperDecoder
    from assist.resources import open_resources

    shared = Path(args.shared)
    wanted = [c.strip() for c in args.calls.split(",") if c.strip()]
    cases = json.loads((Path(__file__).with_name("asr_cases.json")).read_text(encoding="utf-8"))
    resources = open_resources(None)
    items = []
    # one segmentation for all settings, with the longest lead any of them wants (the lead changes no cut)
    seg_cfg = replace(cfg, final_lead_s=max(parse_setting(spec)["pre"] for spec in args.sweep))
    for cid, audio, utts, case in sweep_items(shared, wanted, cases, not args.no_dialogues):
        items.append((cid, audio, utts, case, sweep_segments(seg_cfg, audio)))
    results = []
    for spec in args.sweep:
        st = parse_setting(spec)
        decoder = WhisperDecoder(model, language=cfg.language)
        opts = {}
        if st["lp"] is not None:
            opts["length_penalty"] = st["lp"]
        if st["patience"] is not None:
            opts["patience"] = st["patience"]
        if not st["blank"]:
            opts["suppress_blank"] = False
        decoder.generate_options = opts
        agg = {g: {"err_raw": 0, "err_cor": 0, "ref_chars": 0, "audio": 0.0} for g in ("dev", "dlg")}
        cpu_all, wall_all, echoes, n_final = [], [], 0, 0
        for cid, audio, utts, case, segs in items:
            finals, cpu, wall, e = sweep_call(decoder, resources, st, audio, segs, case)
            r = score_call({"utterances": utts}, finals, [], False)
            g = agg["dlg" if cid.startswith("dlg") else "dev"]
            for k in ("err_raw", "err_cor", "ref_chars"):
                g[k] += r[k]
            g["audio"] += len(audio) / SR
            cpu_all += cpu
            wall_all += wall
            echoes += e
            n_final += len(finals)
        audio_s = sum(g["audio"] for g in agg.values())
        row = {"setting": spec, "cpu_per_audio": sum(cpu_all) / audio_s, "cpu_p50": pct(cpu_all, 50),
               "cpu_p95": pct(cpu_all, 95), "wall_p50": pct(wall_all, 50), "wall_p95": pct(wall_all, 95),
               "echoes": echoes, "finals": n_final}
        for name, g in agg.items():
            if g["ref_chars"]:
                row[f"{name}_raw"] = g["err_raw"] / g["ref_chars"]
                row[f"{name}_cor"] = g["err_cor"] / g["ref_chars"]
        results.append(row)
        cers = "  ".join(f"{name} CER raw {row[f'{name}_raw']:.2%} corr {row[f'{name}_cor']:.2%}"
                         for name in ("dev", "dlg") if f"{name}_raw" in row)
        print(f"{spec or 'greedy':<44} {cers} | finals CPU ÷ audio {row['cpu_per_audio']:.3f}, per final CPU p50 "
              f"{row['cpu_p50']:.3f} p95 {row['cpu_p95']:.3f} s (wall p50 {row['wall_p50']:.2f} p95 "
              f"{row['wall_p95']:.2f}) | echoes {echoes}", flush=True)
    if args.sweep_out:
        Path(args.sweep_out).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def run_calls(args, model, cfg, label: str = "", gen_opts=None) -> dict:
    """The streaming recogniser over the calls with ``cfg``: per-call lines and the summary; its figures."""
    shared = Path(args.shared)
    wanted = [c.strip() for c in args.calls.split(",") if c.strip()]
    cases = json.loads((Path(__file__).with_name("asr_cases.json")).read_text(encoding="utf-8")) if args.case else {}
    calls = [{"id": cid, "utterances": utts, "_audio": audio}
             for cid, audio, utts, _case in sweep_items(shared, wanted, {}, args.dialogues)]

    tot = {k: 0 for k in ("expected", "found", "ok", "merged", "lost", "split", "invented", "err_raw", "err_cor",
                          "ref_chars", "long_utts", "no_partial")}
    lat, lat_simple, first, lags, qdepth = [], [], [], [], []
    audio_total = compute_total = cpu_total = 0.0
    dump, finals_compute, rec_dropped = [], [], []
    for call in calls:
        audio = call["_audio"]
        if args.repeat > 1:
            call = dict(call, utterances=[dict(u, start=u["start"] + k * len(audio) / SR, end=u["end"] + k * len(audio) / SR)
                                          for k in range(args.repeat) for u in call["utterances"]])
            audio = np.tile(audio, args.repeat)
        case = CaseData.from_dict({k: v for k, v in cases[call["id"]].items()}) if call["id"] in cases else None
        cpu0 = time.process_time()
        finals, partials, health, wall, rec = run_stream(model, cfg, audio, realtime=args.realtime, case=case,
                                                         prompt=args.prompt, gen_opts=gen_opts,
                                                         tail_frames=args.tail_frames, cpu_clock=args.cpu_clock)
        cpu_total += time.process_time() - cpu0
        r = score_call(call, finals, partials, args.realtime)
        dump.append({"call": call["id"], "case_terms": list(rec.extra_terms), "utts": r["dump"],
                     "invented": [f.raw_text for f, _ in finals
                                  if not any(overlap(f.start, f.end, u["start"], u["end"]) > 0.05
                                             for u in call["utterances"])]})
        finals_compute += [f.compute_s for f, _ in finals]
        for k in tot:
            tot[k] += r[k]
        lat += r["lat"]
        lat_simple += r["lat_simple"]
        first += r["first_partial"]
        audio_total += len(audio) / SR
        compute_total += rec.compute_s
        rec_dropped.append(rec.dropped_s)
        if health and args.repeat > 1:
            q = len(health) // 4 or 1
            print(f"  long call: RTF by quarter {[round(h.rtf, 3) for h in health[q - 1::q]]}; "
                  f"lag by quarter {[round(h.lag_s, 2) for h in health[q - 1::q]]}; RSS now {rss_mb():.0f} MB")
        if health:
            lags.append(max(h.lag_s for h in health))
            qdepth.append(max(h.queue_depth for h in health))
        print(f"{call['id']}: utts {r['found']}/{r['expected']} ok {r['ok']} merged {r['merged']} lost {r['lost']} "
              f"split {r['split']} invented {r['invented']} | CER raw {r['err_raw'] / r['ref_chars']:.3f} "
              f"corr {r['err_cor'] / r['ref_chars']:.3f} | lat p50 {pct(r['lat'], 50):.2f} | "
              f"rtf {rec.compute_s / (len(audio) / SR):.3f} | partials {len(partials)} | wall {wall:.1f} s", flush=True)
        if args.show_partials:
            for line in r["late"]:
                print(f"    late partial: {line}")
        if args.show:
            for ref, hyp, er, ec in r["rows"]:
                if ec:
                    print(f"    {ref} | {hyp}  ({er}->{ec})")
    n = tot["ref_chars"] or 1
    mode = "realtime (wall clock)" if args.realtime else (
        "fast (virtual clock on decode CPU time)" if args.cpu_clock else "fast (virtual clock)")
    print()
    print(f"== {label}{len(calls)} calls, {audio_total:.0f} s audio, mode {mode}, case data {'on' if args.case else 'off'}")
    print(f"CER raw {tot['err_raw'] / n:.3%}  corrected {tot['err_cor'] / n:.3%}  ({n} reference characters)")
    print(f"segmentation: expected {tot['expected']} found {tot['found']} ok {tot['ok']} merged {tot['merged']} "
          f"lost {tot['lost']} split {tot['split']} invented {tot['invented']}")
    print(f"final latency after speech end: p50 {pct(lat, 50):.2f} s  p95 {pct(lat, 95):.2f} s  max {max(lat or [0]):.2f} s")
    if not args.realtime:
        print(f"  (simple fast-mode formula: audio_t at final − end + compute: p50 {pct(lat_simple, 50):.2f} s  "
              f"p95 {pct(lat_simple, 95):.2f} s)")
    print(f"first partial after onset (utterances > 2 s): p50 {pct(first, 50):.2f} s  p95 {pct(first, 95):.2f} s  "
          f"max {max(first or [0]):.2f} s; utterances without a partial {tot['no_partial']}/{tot['long_utts']}")
    print(f"compute ÷ audio (RTF): {compute_total / max(audio_total, 1e-9):.3f} decodes "
          f"({'CPU' if args.cpu_clock else 'wall'} time), "
          f"{cpu_total / max(audio_total, 1e-9):.3f} process CPU time; max lag {max(lags or [0]):.2f} s; "
          f"max queue depth {max(qdepth or [0])}")
    print(f"final decode time per utterance: mean {np.mean(finals_compute or [0]):.3f} s  "
          f"p50 {pct(finals_compute, 50):.3f} s  p95 {pct(finals_compute, 95):.3f} s")
    print(f"peak RSS {rss_mb():.0f} MB")
    if args.dump:
        Path(args.dump).write_text(json.dumps(dump, ensure_ascii=False, indent=1), encoding="utf-8")
    return {"label": label.strip(" :"), "cer_raw": tot["err_raw"] / n, "cer_cor": tot["err_cor"] / n,
            "lat_p50": pct(lat, 50), "lat_p95": pct(lat, 95), "rtf_wall": compute_total / max(audio_total, 1e-9),
            "rtf_cpu": cpu_total / max(audio_total, 1e-9), "final_p50": pct(finals_compute, 50),
            "final_p95": pct(finals_compute, 95), "dropped": sum(rec_dropped)}



def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=os.environ.get("CALLASSIST_SHARED", str(ROOT.parent / "shared")),
                    help="the shared data folder (default: $CALLASSIST_SHARED, else ../shared)")
    ap.add_argument("--calls", default="", help="comma-separated call ids (default: all)")
    ap.add_argument("--realtime", action="store_true", help="feed at wall-clock pace (slow)")
    ap.add_argument("--case", action="store_true", help="use bench/asr_cases.json as the calls' case data")
    ap.add_argument("--prompt", default=None, help="override the prompt text ('' = none)")
    ap.add_argument("--no-partials", action="store_true")
    ap.add_argument("--beam", type=int, default=None, help="beam size for finals (AsrConfig.beam_size_final)")
    ap.add_argument("--context", type=int, default=None,
                    help="previous good finals in the finals' prompt (AsrConfig.final_context; 0 = none)")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--no-real", action="store_true", help="skip the real clips")
    ap.add_argument("--show", action="store_true", help="print every utterance with errors")
    ap.add_argument("--opt", action="append", default=[], metavar="NAME=VALUE",
                    help="extra CTranslate2 generate() option for every decode, e.g. length_penalty=0.8 "
                         "(decoder.generate_options); repeatable")
    ap.add_argument("--tail-frames", type=int, default=None,
                    help="silence frames (10 ms) padded after the speech in the decode window (decoder default 400)")
    ap.add_argument("--dump", default=None, help="write every utterance's reference, raw finals and decode times "
                                                 "(JSON) for --rescore")
    ap.add_argument("--rescore", default=None, help="no model: re-apply assist/correct.py to the raw finals of a "
                                                    "--dump file and print the CER (correction experiments)")
    ap.add_argument("--show-partials", action="store_true",
                    help="list utterances > 2 s whose first partial came later than 1.5 s after onset")
    ap.add_argument("--repeat", type=int, default=1,
                    help="feed each call N times back to back as one long call (memory/queue/RTF stability)")
    ap.add_argument("--sweep", action="append", default=[], metavar="SETTING",
                    help="finals only: decode the VAD's utterances of the dev calls and the dialogues' agent "
                         "channel with SETTING (e.g. 'beam=5,ctx=2,case=1,pre=0.3,lp=1.0,patience=1,blank=1'; "
                         "'' = greedy as before) and print CER and decode CPU time; repeatable")
    ap.add_argument("--no-dialogues", action="store_true", help="--sweep: the dev calls only")
    ap.add_argument("--cpu-clock", action="store_true",
                    help="fast mode: advance the virtual clock by each decode's CPU time instead of its wall time "
                         "(latency independent of the machine's load; see CpuTimedDecoder)")
    ap.add_argument("--dialogues", action="store_true",
                    help="streaming run: the dialogues' agent channel (left) after the dev calls")
    ap.add_argument("--compare", action="store_true",
                    help="streaming run twice: today's greedy finals without context, then the configured default; "
                         "a side-by-side table at the end")
    ap.add_argument("--sweep-out", default=None, help="--sweep: write the figures as JSON")
    args = ap.parse_args(argv)
    for spec in args.sweep:
        parse_setting(spec)          # a misspelt setting fails before the model loads
    if args.rescore:
        return rescore(Path(args.rescore), args.show)
    gen_opts = {}
    for o in args.opt:
        k, _, v = o.partition("=")
        gen_opts[k.strip()] = json.loads(v) if v.strip() not in ("", "None") else None

    from faster_whisper import decode_audio

    from assist.model import load_whisper

    cfg = AsrConfig()
    changes = {}
    if args.no_partials:
        changes["partials"] = False
    if args.beam:
        changes["beam_size_final"] = args.beam
    if args.context is not None:
        changes["final_context"] = args.context
    if args.threads:
        changes["cpu_threads"] = args.threads
    if changes:
        cfg = replace(cfg, **changes)
    t = time.perf_counter()
    model = load_whisper(None, cfg)
    print(f"model load {time.perf_counter() - t:.2f} s; threads {cfg.cpu_threads}; RSS after load {rss_mb():.0f} MB")
    if args.sweep:
        return sweep(args, model, cfg)

    if args.compare:
        # today's greedy finals (no context) beside the configured setting, same calls, same process
        today = replace(cfg, beam_size_final=1, final_context=0)
        rows = [run_calls(args, model, today, "greedy, no context: ", gen_opts),
                run_calls(args, model, cfg, "default: ", gen_opts)]
        print()
        print(f"{'setting':<22} {'CER raw':>8} {'CER corr':>9} {'final p50':>10} {'final p95':>10} "
              f"{'decode p50':>11} {'decode p95':>11} {'CPU ÷ audio':>12} {'decodes ÷ audio':>16}")
        for r in rows:
            print(f"{r['label']:<22} {r['cer_raw']:>8.2%} {r['cer_cor']:>9.2%} {r['lat_p50']:>9.2f}s "
                  f"{r['lat_p95']:>9.2f}s {r['final_p50']:>10.3f}s {r['final_p95']:>10.3f}s {r['rtf_cpu']:>12.3f} "
                  f"{r['rtf_wall']:>16.3f}")
        print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end; CPU ÷ audio is the "
              f"process CPU time of the run, decodes ÷ audio the decodes' "
              f"{'CPU' if args.cpu_clock else 'wall'} time)")
    else:
        run_calls(args, model, cfg, gen_opts=gen_opts)

    if not args.no_real:
        real = Path(args.shared) / "data" / "real"
        rows = [line.split("\t") for line in (real / "transcripts.tsv").read_text(encoding="utf-8").splitlines()[1:]
                if line.strip()]
        e_raw = e_cor = chars = 0
        for name, ref, *_ in rows:
            audio = decode_audio(str(real / name), sampling_rate=SR)
            finals, *_rest = run_stream(model, cfg, audio, realtime=False, prompt=args.prompt, gen_opts=gen_opts,
                                        tail_frames=args.tail_frames)
            raw = "".join(f.raw_text for f, _ in finals)
            cor = "".join(f.text for f, _ in finals)
            r = for_scoring(ref)
            e_raw += edit_distance(r, for_scoring(raw))
            e_cor += edit_distance(r, for_scoring(cor))
            chars += len(r)
            print(f"real {name}: {cor}  (ref {ref})")
        print(f"real clips CER raw {e_raw / max(chars, 1):.3%} corrected {e_cor / max(chars, 1):.3%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
