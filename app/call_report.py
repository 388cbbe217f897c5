"""One recorded call (RecordStore.get_call dict) as HTML for the review window: header, promise to pay,
call-level alerts, then the transcript with each utterance's stage and its alerts highlighted in place,
and the suggestions that were shown (✓ when the agent used one). Qt-free."""

from __future__ import annotations

import math
from html import escape
from pathlib import PureWindowsPath

from assist.labels import KIND_NAMES, SEVERITY_NAMES, format_clock, format_ptp, rule_name, stage_name

STATUS_NAMES = {"active": "进行中", "completed": "已完成", "interrupted": "中断", "failed": "失败"}
_BG = {"critical": "#ffcdd2", "warning": "#ffe0b2", "info": "#e3f2fd"}
_PLAYING = "#fff59d"   # the utterance the recording is at (the review player following along)
_FG = {"critical": "#b71c1c", "warning": "#e65100", "info": "#0d47a1"}


def call_title(call: dict) -> str:
    """Who the call was with; an analysed recording without case data is named by its file."""
    case = call.get("case") or {}
    name = call.get("debtor_name") or case.get("debtor_name")
    if name:
        return name
    if call.get("kind") in ("file", "test") and call.get("source"):
        return f"录音 {PureWindowsPath(call['source']).name}"   # PureWindowsPath splits on / and \ alike
    return "未填姓名"


def source_text(source: str) -> str:
    """'mic:USB Headset' → '麦克风：USB Headset'; a file → '录音文件：d01.wav'."""
    if not source or source == "mic":
        return "麦克风（系统默认）"
    if source.startswith("mic:"):
        return f"麦克风：{source[4:]}"
    return f"录音文件：{PureWindowsPath(source).name}"


def skipped_seconds(call: dict) -> int:
    """Whole seconds of audio the recogniser skipped (0 when none worth mentioning)."""
    seconds = float(call.get("skipped_s") or 0)
    return math.ceil(seconds) if seconds >= 0.05 else 0


def kind_note(call: dict) -> str:
    """'（测试）' for calls that are not real calls with a debtor, '' for the others."""
    kind = call.get("kind") or "call"
    return f"（{KIND_NAMES.get(kind, kind)}）" if kind in ("test", "empty") else ""


def _alert_html(a: dict) -> str:
    sev = a.get("severity", "info")
    state = []
    if a.get("dismissed"):
        state.append("坐席已确认")
    if a.get("source") == "partial":
        state.append("识别中触发")
    extra = f"（{'，'.join(state)}）" if state else ""
    msg = escape(a.get("message") or rule_name(a.get("rule", "")))
    parts = [f"<b>{SEVERITY_NAMES.get(sev, sev)} · {escape(rule_name(a.get('rule', '')))}</b>：{msg}{extra}"]
    if a.get("evidence"):
        parts.append(f"原话：“{escape(a['evidence'])}”")
    if a.get("advice"):
        parts.append(f"建议改说：{escape(a['advice'])}")
    if a.get("basis"):
        parts.append(f"依据：{escape(a['basis'])}")
    return (f'<div style="background:{_BG.get(sev, "#eee")}; color:{_FG.get(sev, "#000")}; '
            f'margin:2px 0 6px 24px; padding:4px;">' + "<br>".join(parts) + "</div>")


def utterance_at(call: dict, t: float) -> int | None:
    """The utterance the recording is at ``t`` seconds: the last one (either side) that has started by then;
    None before the first. Utterance times and the kept audio share the call's audio clock."""
    current = None
    for u in call.get("utterances", []):
        if u.get("is_final", True) and u.get("start") is not None and u["start"] <= t + 0.05:
            if current is None or u["start"] >= current[0]:
                current = (u["start"], u["utterance"])
    return None if current is None else current[1]


def _clock_link(u: dict, playable: bool) -> str:
    """The utterance's start time; with a recording, a link that plays from there (seek:<seconds>)."""
    clock = format_clock(u.get("start") or 0)
    if not playable:
        return f'<span style="color:#8a8f98;">{clock}</span>'
    return f'<a href="seek:{float(u.get("start") or 0):.2f}" style="color:#1565c0;">▶{clock}</a>'


def call_html(call: dict, playing: int | None = None) -> str:
    """``playing``: the utterance the player is at (highlighted). Every utterance carries an anchor ``u<idx>``;
    with a kept recording its time is a link that plays from there."""
    alerts = [a for a in call.get("alerts", []) if not a.get("retracted")]
    by_utt: dict = {}
    for a in alerts:
        by_utt.setdefault(a.get("utterance"), []).append(a)
    used = [s for s in call.get("suggestions", []) if s.get("used")]
    out = [
        f"<h3>{escape(call.get('started_at', '')[:19].replace('T', ' '))} · "
        f"{escape(call_title(call))}{escape(kind_note(call))}</h3>",
        "<p>",
        f"坐席：{escape(call.get('agent_name') or '')} 工号 {escape(call.get('agent_id') or '—')}<br>",
        f"电话：{escape(call.get('phone') or '—')} 账户：{escape(call.get('account') or '—')}<br>",
        f"时长：{format_clock(call.get('duration') or 0)} · 状态：{STATUS_NAMES.get(call.get('status'), call.get('status'))}"
        f" · 来源：{escape(source_text(call.get('source') or ''))}<br>",
        f"<b>还款承诺：{escape(format_ptp(call.get('ptp')))}</b>",
        "</p>",
    ]
    if call.get("error"):
        # a problem with the call's input (录音文件不完整…) or why it failed: the transcript below is not all of it
        out.append(f'<p style="color:#e65100;"><b>⚠ {escape(call["error"])}</b></p>')
    if skipped_seconds(call):
        out.append(f'<p style="color:#e65100;"><b>⚠ 电脑太忙，有 {skipped_seconds(call)} 秒语音没有识别</b>'
                   "（这部分不在下面的文字里，也没有检查违规）</p>")
    stage_ids = [s["stage"] for s in call.get("stages", [])]
    first = next((u.get("stage") for u in call.get("utterances", []) if u.get("stage")), None)
    if first and (not stage_ids or stage_ids[0] != first):
        stage_ids.insert(0, first)   # the opening stage is the starting point, not a change
    stages = [stage_name(s) for s in stage_ids]
    if stages:
        out.append(f"<p>阶段：{' → '.join(escape(s) for s in stages)}</p>")
    if by_utt.get(None):
        out.append("<p><b>整通电话的问题</b></p>")
        out += [_alert_html(a) for a in by_utt[None]]
    out.append("<hr><p><b>通话文字</b></p>")
    utterances = [u for u in call.get("utterances", []) if u.get("is_final", True)]
    if not utterances:
        out.append("<p>（没有识别到坐席的话）</p>")
    audio = call.get("audio")
    playable = bool(audio and audio.get("path") and not audio.get("purged_at"))
    for u in utterances:
        anchor = f'<a name="u{u["utterance"]}"></a>'
        now = playing is not None and u["utterance"] == playing
        if u.get("speaker") == "debtor":   # the other party: marked 对方, indented, grey and smaller
            bg = f" background:{_PLAYING};" if now else ""
            out.append(
                f'<p style="margin-left:24px; color:#5f6670; font-size:small;{bg}">{anchor}<i>对方：</i>'
                f'{_clock_link(u, playable)} <i>{escape(u.get("text") or "")}</i></p>'
            )
            continue
        hits = by_utt.get(u["utterance"], [])
        colour = _PLAYING if now else (_BG[hits[0]["severity"]] if hits and hits[0].get("severity") in _BG else "")
        style = f' style="background:{colour};"' if colour else ""
        out.append(
            f'<p{style}>{anchor}<span style="color:#1565c0;">【{escape(stage_name(u.get("stage")))}】</span>'
            f'{_clock_link(u, playable)} {escape(u.get("text") or "")}</p>'
        )
        out += [_alert_html(a) for a in hits]
    if call.get("suggestions"):
        out.append(f"<hr><p><b>建议话术</b>（共显示 {len(call['suggestions'])} 次，采用 {len(used)} 次）</p><ul>")
        seen = set()
        for s in call["suggestions"]:
            key = s.get("line_id") or s.get("text")
            if key in seen:
                continue
            seen.add(key)
            mark = "✓ " if any((x.get("line_id") or x.get("text")) == key for x in used) else ""
            out.append(f"<li>{mark}【{escape(stage_name(s.get('stage')))}】{escape(s.get('text') or '')}</li>")
        out.append("</ul>")
    return "\n".join(out)
