"""Validator of the JSON-event contract of ``callassist analyze --json`` (docs/spec/cli.md + docs/spec/taxonomy.md).

``problems(events)`` lists every violation found in one call's event stream (dicts, as printed);
``assert_valid(events)`` fails a test with all of them. Other test areas and eval scripts may import it.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from assist.analysis.state import CALL_RULES, CHANNELS, OBJECTIONS, STAGES, UTTERANCE_RULES
from assist.events import ALERT_SOURCES, CONTRACT_EVENTS, SEVERITIES, SPEAKERS

RULES = UTTERANCE_RULES + CALL_RULES

# Exactly the keys each event carries (besides "event" and "t").
FIELDS = {
    "call_started": {"call_id", "started_at"},
    "partial": {"utterance", "text"},
    "utterance": {"utterance", "start", "end", "text", "stage", "speaker"},
    "stage": {"stage"},
    "alert": {"rule", "severity", "utterance", "evidence", "source"},
    "suggestion": {"stage", "text", "reason"},
    "ptp": {"amount", "date", "channel"},
    "debtor": {"utterance", "objection", "wrong_party", "hardship"},
    "call_ended": {"call_id", "duration", "alerts", "ptp"},
}
assert set(FIELDS) == set(CONTRACT_EVENTS)


def parse_stream(stdout: str) -> list[dict]:
    """Every stdout line must be one JSON object (nothing else may reach stdout in --json mode)."""
    events = []
    for n, line in enumerate(stdout.splitlines(), 1):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AssertionError(f"stdout line {n} is not JSON: {line[:120]!r} ({exc})") from None
        if not isinstance(obj, dict):
            raise AssertionError(f"stdout line {n} is not a JSON object: {line[:120]!r}")
        events.append(obj)
    return events


def _num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _check_ptp_slots(d: dict, where: str, out: list[str]) -> None:
    amount, day, channel = d.get("amount"), d.get("date"), d.get("channel")
    if amount is not None and not (_num(amount) and amount > 0):
        out.append(f"{where}: amount must be a positive number or null, got {amount!r}")
    if day is not None:
        try:
            if not isinstance(day, str) or len(day) != 10:
                raise ValueError
            date.fromisoformat(day)
        except ValueError:
            out.append(f"{where}: date must be YYYY-MM-DD or null, got {day!r}")
    if channel is not None and channel not in CHANNELS:
        out.append(f"{where}: channel {channel!r} is not a taxonomy channel id")


def problems(events: list[dict], *, partials: bool = False) -> list[str]:
    out: list[str] = []
    if not events:
        return ["no events"]
    if events[0].get("event") != "call_started":
        out.append(f"first event is {events[0].get('event')!r}, not call_started")
    if events[-1].get("event") != "call_ended":
        out.append(f"last event is {events[-1].get('event')!r}, not call_ended")

    last_t = None
    call_id = None
    n_utt = 0
    stage = None
    alert_keys: set = set()
    alert_events: dict[str, int] = {}
    last_ptp = None
    speakers: dict = {}

    for i, ev in enumerate(events):
        name = ev.get("event")
        where = f"event {i} ({name})"
        if name not in CONTRACT_EVENTS:
            out.append(f"{where}: not a contract event")
            continue
        keys = set(ev) - {"event", "t"}
        if keys != FIELDS[name]:
            out.append(f"{where}: fields {sorted(keys)} != {sorted(FIELDS[name])}")
            continue
        t = ev.get("t")
        if not _num(t) or t < 0:
            out.append(f"{where}: t must be a number >= 0, got {t!r}")
        else:
            if last_t is not None and t < last_t:
                out.append(f"{where}: t went backwards ({t} < {last_t})")
            last_t = t

        if name == "call_started":
            if i != 0:
                out.append(f"{where}: call_started must be first and only once")
            call_id = ev["call_id"]
            if not isinstance(call_id, str) or not call_id:
                out.append(f"{where}: call_id must be a non-empty string")
            try:
                if datetime.fromisoformat(ev["started_at"]).tzinfo is None:
                    out.append(f"{where}: started_at has no UTC offset")
            except (TypeError, ValueError):
                out.append(f"{where}: started_at is not ISO 8601: {ev['started_at']!r}")
            if t != 0:
                out.append(f"{where}: call_started must be at t = 0")
        elif name == "partial":
            if not partials:
                out.append(f"{where}: partial events only with --partials")
            if not _int(ev["utterance"]) or ev["utterance"] < n_utt:
                out.append(f"{where}: partial of utterance {ev['utterance']!r} after {n_utt} finals")
            if not isinstance(ev["text"], str):
                out.append(f"{where}: text must be a string")
        elif name == "utterance":
            if ev["utterance"] != n_utt or not _int(ev["utterance"]):
                out.append(f"{where}: utterance index {ev['utterance']!r}, expected {n_utt}")
            n_utt += 1
            if not (_num(ev["start"]) and _num(ev["end"]) and 0 <= ev["start"] <= ev["end"]):
                out.append(f"{where}: bad start/end {ev['start']!r}/{ev['end']!r}")
            if not isinstance(ev["text"], str) or not ev["text"].strip():
                out.append(f"{where}: text must be a non-empty string")
            if ev["stage"] not in STAGES:
                out.append(f"{where}: stage {ev['stage']!r} is not a taxonomy stage id")
            if ev["speaker"] not in SPEAKERS:
                out.append(f"{where}: speaker {ev['speaker']!r} is not one of {SPEAKERS}")
            speakers[ev["utterance"]] = ev["speaker"]
        elif name == "stage":
            if ev["stage"] not in STAGES:
                out.append(f"{where}: stage {ev['stage']!r} is not a taxonomy stage id")
            elif ev["stage"] == stage:
                out.append(f"{where}: stage event without a change (still {stage!r})")
            stage = ev["stage"]
        elif name == "alert":
            rule, utt, src = ev["rule"], ev["utterance"], ev["source"]
            if rule not in RULES:
                out.append(f"{where}: rule {rule!r} is not a taxonomy rule id")
            if ev["severity"] not in SEVERITIES:
                out.append(f"{where}: severity {ev['severity']!r}")
            if src not in ALERT_SOURCES:
                out.append(f"{where}: source {src!r}")
            if not isinstance(ev["evidence"], str):
                out.append(f"{where}: evidence must be a string")
            if rule in UTTERANCE_RULES:
                if src == "call":
                    out.append(f"{where}: utterance rule {rule} with source 'call'")
                if not _int(utt):
                    out.append(f"{where}: utterance rule {rule} needs an utterance index, got {utt!r}")
                elif src == "final" and utt >= n_utt:
                    out.append(f"{where}: final alert on utterance {utt} before that utterance was emitted")
                elif speakers.get(utt, "agent") != "agent":
                    out.append(f"{where}: rule {rule} fired on the debtor's utterance {utt} (rules are the agent's)")
            elif rule in CALL_RULES:
                if src != "call":
                    out.append(f"{where}: call rule {rule} must have source 'call', got {src!r}")
                if utt is not None and not (_int(utt) and 0 <= utt < max(n_utt, 1)):
                    out.append(f"{where}: call rule utterance must be null or a known index, got {utt!r}")
            key = (rule, utt)
            if key in alert_keys:
                out.append(f"{where}: alert {key} emitted twice")
            alert_keys.add(key)
            alert_events[rule] = alert_events.get(rule, 0) + 1
        elif name == "suggestion":
            if ev["stage"] not in STAGES:
                out.append(f"{where}: stage {ev['stage']!r} is not a taxonomy stage id")
            if not isinstance(ev["text"], str) or not ev["text"].strip():
                out.append(f"{where}: suggestion text must be a non-empty string")
            if not isinstance(ev["reason"], str):
                out.append(f"{where}: reason must be a string")
        elif name == "debtor":
            if speakers.get(ev["utterance"]) != "debtor":
                out.append(f"{where}: debtor cue on utterance {ev['utterance']!r}, not an emitted debtor utterance")
            if ev["objection"] is not None and ev["objection"] not in OBJECTIONS:
                out.append(f"{where}: objection {ev['objection']!r} is not an objection id")
            if not isinstance(ev["wrong_party"], bool) or not isinstance(ev["hardship"], bool):
                out.append(f"{where}: wrong_party and hardship must be booleans")
        elif name == "ptp":
            _check_ptp_slots(ev, where, out)
            last_ptp = {k: ev[k] for k in ("amount", "date", "channel")}
        elif name == "call_ended":
            if i != len(events) - 1:
                out.append(f"{where}: call_ended must be last")
            if ev["call_id"] != call_id:
                out.append(f"{where}: call_id {ev['call_id']!r} != call_started's {call_id!r}")
            if not _num(ev["duration"]) or ev["duration"] < 0:
                out.append(f"{where}: duration must be a number >= 0")
            alerts = ev["alerts"]
            if not isinstance(alerts, dict):
                out.append(f"{where}: alerts must be an object of counts by rule")
            else:
                for rule, n in alerts.items():
                    if rule not in RULES:
                        out.append(f"{where}: alerts has unknown rule {rule!r}")
                    if not _int(n) or n < 1:
                        out.append(f"{where}: alerts[{rule!r}] must be a positive count, got {n!r}")
                    elif n > alert_events.get(rule, 0):
                        out.append(f"{where}: alerts[{rule!r}] = {n} but only {alert_events.get(rule, 0)} alert events")
                # A partial alert may be retracted (that is not in the JSON stream), so a count may be below
                # the number of alert events of its rule, never above it.
            ptp = ev["ptp"]
            if ptp is None:
                if last_ptp is not None and any(v is not None for v in last_ptp.values()):
                    out.append(f"{where}: ptp is null though ptp events set {last_ptp}")
            elif not isinstance(ptp, dict) or set(ptp) != {"amount", "date", "channel"}:
                out.append(f"{where}: ptp must be null or {{amount, date, channel}}, got {ptp!r}")
            else:
                _check_ptp_slots(ptp, where, out)
                if all(v is None for v in ptp.values()):
                    out.append(f"{where}: ptp with no slot set must be null")
                if last_ptp is not None and ptp != last_ptp:
                    out.append(f"{where}: ptp {ptp} != last ptp event {last_ptp}")
                if last_ptp is None:
                    out.append(f"{where}: ptp set but no ptp event was emitted")
    if sum(1 for e in events if e.get("event") == "call_ended") != 1:
        out.append("call_ended must occur exactly once")
    return out


def assert_valid(events: list[dict], *, partials: bool = False) -> None:
    found = problems(events, partials=partials)
    assert not found, "event stream breaks the contract:\n  " + "\n  ".join(found)
