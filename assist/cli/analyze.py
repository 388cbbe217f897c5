"""``callassist analyze INPUT``: run one recorded call (audio or ``.txt`` transcript) through the live pipeline.

Everything that can fail on bad input (the input file, --started-at, --case, the model, the database) is
checked BEFORE the call is begun in the database, so a failure leaves no call row behind.
See docs/cli.md for the options, output and exit statuses.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path

from assist import private
from assist.events import CONTRACT_EVENTS, Event
from assist.labels import STAGE_NAMES, rule_name

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1      # the analysis itself failed (a bug, the disk vanished)
EXIT_BAD_INPUT = 2   # bad input file, option, case file, model or database: nothing was recorded
EXIT_INTERRUPTED = 130


class InputError(Exception):
    """Bad input: reported as one line on stderr with EXIT_BAD_INPUT."""


def add_parser(sub) -> None:
    p = sub.add_parser(
        "analyze",
        help="analyze one recorded call (audio or .txt transcript) through the live pipeline",
        description="Run a recorded call (wav/flac/mp3/m4a/ogg, any sample rate; or a .txt transcript with one "
        "agent utterance per line) through the live-call pipeline: streaming ASR, stage tracking, compliance "
        "alerts, next-line suggestions, and a call record in the database.",
    )
    p.add_argument("input", metavar="INPUT", help="audio recording or .txt transcript")
    p.add_argument("--json", action="store_true", help="print one JSON event per line to stdout")
    p.add_argument("--realtime", action="store_true",
                   help="feed the input at wall-clock speed, like a live microphone (t = real latency)")
    p.add_argument("--started-at", metavar="ISO8601",
                   help="local start time of the call, e.g. 2026-10-12T10:15:00+08:00 (naive = local time; "
                   "default: now)")
    p.add_argument("--case", metavar="PATH", help="case data JSON (debtor_name, amount, agent_id, ...)")
    p.add_argument("--db", metavar="PATH", help="records database (default: the app's database)")
    p.add_argument("--model", metavar="DIR", help="Whisper model directory (default: the configured model)")
    p.add_argument("--no-record", action="store_true", help="do not write the call to the database")
    p.add_argument("--partials", action="store_true", help="also print partial (in-progress) transcripts")
    p.add_argument("--channel", type=int, metavar="N",
                   help="use channel N (0 = first) of a multi-channel recording as the agent's, alone (no debtor side)")
    p.add_argument("--agent-channel", type=int, metavar="N",
                   help="two-party recording: the agent's channel (stereo default 0)")
    p.add_argument("--debtor-channel", type=int, metavar="N",
                   help="two-party recording: the debtor's channel (stereo default 1), recognised at lower priority")
    p.add_argument("--separate-speakers", action="store_true",
                   help="a mono mix of both parties: split it by speaker turns (the agent speaks first) into the "
                   "agent's and the debtor's side")


# ---- option parsing -----------------------------------------------------------------------------

def parse_started_at(value: str | None) -> datetime:
    """ISO 8601 local time; naive means the machine's local timezone; None means now."""
    if not value:
        return datetime.now().astimezone().replace(microsecond=0)
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    bad = InputError(f"bad --started-at {value!r}: expected a local date and time in ISO 8601, "
                     f"such as 2026-10-12T10:15:00+08:00")
    # A date alone would silently mean midnight (and fire call_time): the time of day is required.
    if not _DATE_TIME.match(text):
        raise bad
    try:
        dt = datetime.fromisoformat(text)
        dt = dt if dt.tzinfo is not None else dt.astimezone()
        dt.astimezone(timezone.utc)   # 9999-12-31T23:59:59-23:59 parses, but is past what a datetime holds
    except (ValueError, OverflowError):
        raise bad from None
    if not MIN_YEAR <= dt.year <= MAX_YEAR:
        raise InputError(f"bad --started-at {value!r}: the year must be between {MIN_YEAR} and {MAX_YEAR}")
    return dt


# A call record's start time: anything outside these years is a typo, and 9999 overflowed the date arithmetic.
MIN_YEAR, MAX_YEAR = 2000, 2100
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _one_line(msg: object) -> str:
    return " ".join(str(msg).split())


def _is_transcript(path: Path) -> bool:
    return path.suffix.lower() == ".txt"


# ---- building the call --------------------------------------------------------------------------

def _open_source(args, path: Path):
    if _is_transcript(path):
        from assist.transcript import TranscriptError, TranscriptSource

        try:
            return TranscriptSource(path, realtime=args.realtime)
        except TranscriptError as exc:
            raise InputError(str(exc)) from None
    if not path.exists():
        raise InputError(f"input file not found: {path}")
    if path.is_dir():
        raise InputError(f"input is a directory, not a file: {path}")
    from assist.audio import AudioFileError, FileSource

    try:
        # FileSource decodes the header and the first block here: undecodable or empty audio fails now.
        if getattr(args, "separate_speakers", False):
            return FileSource(path, realtime=args.realtime, split_speakers=True)
        src = FileSource(path, realtime=args.realtime, channel=args.channel)
        agent, debtor = args.agent_channel, args.debtor_channel
        if args.channel is None and (agent is not None or debtor is not None or src.channels == 2):
            n = src.channels
            agent = 0 if agent is None else agent
            debtor = (1 if agent != 1 else 0) if debtor is None else debtor
            if n < 2:
                src.stop()
                raise InputError(f"--agent-channel/--debtor-channel need a recording with two channels; "
                                 f"{path.name} has {n}")
            if agent == debtor:
                src.stop()
                raise InputError(f"--agent-channel and --debtor-channel are both {agent}")
            src.stop()
            src = FileSource(path, realtime=args.realtime, channel=agent, debtor_channel=debtor)
        return src
    except AudioFileError as exc:
        raise InputError(str(exc)) from None


def _load_model(config):
    from assist.model import ModelError, load_whisper

    model_dir = Path(config.asr.model_dir)
    try:
        return load_whisper(model_dir, config.asr)
    except ModelError as exc:
        raise InputError(str(exc)) from None
    except Exception as exc:  # CTranslate2 raises RuntimeError on a corrupt model.bin
        raise InputError(f"cannot load the speech model from {model_dir}: {_one_line(exc)}") from None


def _open_store(db_path: Path, on_error):
    from assist.store import RecordStore

    try:
        private.make_dir(db_path.parent)
        return RecordStore(db_path, on_error=on_error)
    except Exception as exc:
        raise InputError(f"cannot open the records database {db_path}: {_one_line(exc)}") from None


def _build_config(args):
    from assist.config import EngineConfig

    config = EngineConfig()
    changes: dict = {"record": not args.no_record}
    if args.db:
        changes["db_path"] = Path(args.db).expanduser()
    if args.model:
        from dataclasses import replace

        changes["asr"] = replace(config.asr, model_dir=Path(args.model).expanduser())
    return config.with_changes(**changes)


def _setup_logging() -> None:
    """Logs go to the log file, never to stdout (stdout carries the JSON stream)."""
    from assist.logs import setup_logging

    # The store's warnings (disk full, locked) reach the user as store_error lines of our own: not twice.
    setup_logging(quiet=("assist.store",))


def run(args) -> int:
    _setup_logging()
    json_mode = bool(args.json)
    out = _Output(json_mode=json_mode, partials=args.partials)
    try:
        session, store = _prepare(args, out)
    except InputError as exc:
        print(f"callassist analyze: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT

    status = EXIT_OK
    try:
        session.start()
        try:
            while not session.wait(0.25):
                pass
        except KeyboardInterrupt:
            # End the call properly: what was heard so far is transcribed and recorded, then call_ended.
            status = EXIT_INTERRUPTED
            session.stop()
            session.wait(60)
    except Exception as exc:
        log.exception("analysis failed")
        print(f"callassist analyze: error: {_one_line(exc)}", file=sys.stderr)
        status = EXIT_FAILED
        session.wait(10)  # a failed start still ends the call row it began
    finally:
        if store is not None:
            # A few more seconds of retries for writes the database refused (space may come back).
            store.flush(3.0 if store.failing else 10.0)
            store.close(timeout=1.0)
    if store is not None and status in (EXIT_OK, EXIT_INTERRUPTED):
        problem = _unrecorded(store)
        if problem:
            print(f"callassist analyze: error: {problem}", file=sys.stderr)
            return EXIT_FAILED
    if session.error and status == EXIT_OK:
        print(f"callassist analyze: error: {_one_line(session.error)} (the call was ended and recorded)",
              file=sys.stderr)
        status = EXIT_FAILED
    if session.ended is None and status == EXIT_OK:
        print("callassist analyze: error: the call did not end cleanly (see the log file)", file=sys.stderr)
        status = EXIT_FAILED
    return status


def _unrecorded(store) -> str:
    """One line when the call did not fully reach the database (empty when it did)."""
    rescued, lost = store.unrecorded
    if lost:
        return (f"本通电话有 {lost} 条记录未能保存（数据库和暂存文件都无法写入，例如磁盘已满）；已写入的记录完好: "
                f"{store.path} ({lost} record writes lost)")
    if rescued:
        return (f"通话未能全部写入数据库，{rescued} 条已暂存到 {store.rescue_path.name}，下次打开时自动补写: "
                f"{store.path} (not recorded yet; {rescued} writes saved for replay)")
    return ""


def _prepare(args, out: _Output):
    from assist.case import CaseData, CaseDataError
    from assist.resources import ResourceError
    from assist.session import CallSession

    path = Path(args.input).expanduser()
    started_at = parse_started_at(args.started_at)
    case = None
    if args.case:
        try:
            case = CaseData.load(args.case)
        except CaseDataError as exc:
            raise InputError(str(exc)) from None
    if args.channel is not None and args.channel < 0:
        raise InputError(f"bad --channel {args.channel}: channels are numbered from 0")
    if args.channel is not None and _is_transcript(path):
        raise InputError("--channel applies to audio input, not to a .txt transcript")
    for name in ("agent_channel", "debtor_channel"):
        value = getattr(args, name)
        flag = "--" + name.replace("_", "-")
        if value is not None and value < 0:
            raise InputError(f"bad {flag} {value}: channels are numbered from 0")
        if value is not None and _is_transcript(path):
            raise InputError(f"{flag} applies to audio input, not to a .txt transcript")
        if value is not None and args.channel is not None:
            raise InputError(f"--channel (one channel alone) cannot be combined with {flag}")
        if value is not None and args.separate_speakers:
            raise InputError(f"--separate-speakers (one mix of both parties) cannot be combined with {flag}")
    if args.separate_speakers and (args.channel is not None or _is_transcript(path)):
        raise InputError("--separate-speakers applies to a mono audio mix: not with --channel or a .txt transcript")
    config = _build_config(args)
    out.resources = config.resources_dir
    source = _open_source(args, path)
    if getattr(source, "warning", None):
        print(f"callassist analyze: 警告: {source.warning}", file=sys.stderr)
    model = None if _is_transcript(path) else _load_model(config)
    holder: dict = {}
    store = None
    if config.record:
        store = _open_store(Path(config.db_path), on_error=lambda msg: holder["s"].store_error(msg)
                            if "s" in holder else log.warning("store: %s", msg))
    try:
        session = CallSession(source, config=config, case=case, started_at=started_at, store=store, model=model)
    except ResourceError as exc:  # a rule pack or the script library was edited into a broken state
        if store is not None:
            store.close()
        raise InputError(str(exc)) from None
    except BaseException:
        if store is not None:
            store.close()
        raise
    holder["s"] = session
    session.subscribe(out.write)
    out.input_name = path.name
    return session, store


# ---- output -------------------------------------------------------------------------------------

SEVERITY_ZH = {"critical": "严重", "warning": "警告", "info": "提示"}
CHANNEL_ZH = {
    "bank_transfer": "银行转账", "alipay": "支付宝", "wechat": "微信", "app": "官方App",
    "card_autodebit": "银行卡扣款", "cash": "柜台现金", "other": "其他",
}


def _clock(t: float) -> str:
    m, s = divmod(max(0.0, float(t)), 60.0)
    return f"{int(m):02d}:{s:04.1f}"


def _ptp_text(ptp: dict | None) -> str:
    if not ptp:
        return "无"
    amount = ptp.get("amount")
    parts = [
        "金额 " + ("?" if amount is None else f"{amount:g} 元"),
        "日期 " + (ptp.get("date") or "?"),
        "渠道 " + (CHANNEL_ZH.get(ptp.get("channel") or "", ptp.get("channel") or "?")),
    ]
    return " · ".join(parts)


def _contract_dict(ev: Event) -> dict | None:
    """The event as the JSON contract has it. The engine may run extra checks beyond the taxonomy (e.g.
    debt_before_identity); the agent sees them in the app and the readable output, but the JSON stream
    carries taxonomy rule ids only, so its consumers can rely on the stable vocabulary."""
    from assist.analysis.state import CALL_RULES, UTTERANCE_RULES

    data = ev.to_dict()
    known = set(UTTERANCE_RULES) | set(CALL_RULES)
    if ev.name == "alert" and data["rule"] not in known:
        return None
    if ev.name == "call_ended":
        data["alerts"] = {r: n for r, n in data["alerts"].items() if r in known}
    return data


class _Output:
    """The subscriber that prints: JSON lines (contract events only) or a readable timeline."""

    def __init__(self, *, json_mode: bool, partials: bool, stream=None):
        self.json_mode = json_mode
        self.partials = partials
        self.stream = stream or sys.stdout
        self.input_name = ""
        self.resources = None       # the call's resources folder (its rule files name the alerts); set by _prepare
        self._broken = False
        self._lock = threading.Lock()
        self._color = (not json_mode) and hasattr(self.stream, "isatty") and self.stream.isatty()
        try:  # JSON consumers and pipes expect UTF-8 regardless of the console's code page
            self.stream.reconfigure(encoding="utf-8", errors="replace")
        except Exception:
            pass

    def _print(self, text: str) -> None:
        if self._broken:
            return
        try:
            with self._lock:
                self.stream.write(text + "\n")
                self.stream.flush()
        except BrokenPipeError:
            self._broken = True  # the reader went away (| head); the call is still analysed and recorded

    def _c(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self._color else text

    def write(self, ev: Event) -> None:
        if ev.name == "store_error":
            # On stderr in both modes (stdout may be the JSON stream): the user learns at once that what
            # follows is not on disk yet.
            print(f"callassist analyze: 警告: {ev.message}", file=sys.stderr, flush=True)
            return
        if ev.name not in CONTRACT_EVENTS or (ev.name == "partial" and not self.partials):
            return
        if self.json_mode:
            data = _contract_dict(ev)
            if data is not None:
                self._print(json.dumps(data, ensure_ascii=False))
            return
        getattr(self, "_h_" + ev.name)(ev)

    # readable timeline, one handler per contract event
    def _h_call_started(self, ev) -> None:
        self._print(self._c(f"通话开始  {ev.call_id}  开始时间 {ev.started_at}  输入 {self.input_name}", "1"))

    def _h_partial(self, ev) -> None:
        self._print(self._c(f"[{_clock(ev.t)}]    …#{ev.utterance} {ev.text}", "2"))

    def _h_utterance(self, ev) -> None:
        stage = STAGE_NAMES.get(ev.stage, ev.stage)
        if getattr(ev, "speaker", "agent") == "debtor":
            self._print(self._c(f"[{_clock(ev.t)}] #{ev.utterance:<2} 〔对方〕 {ev.text}  ({ev.start:.1f}–{ev.end:.1f}s)",
                                "2"))
            return
        self._print(f"[{_clock(ev.t)}] #{ev.utterance:<2} 〔{stage}〕 {ev.text}"
                    f"  ({ev.start:.1f}–{ev.end:.1f}s)")

    def _h_stage(self, ev) -> None:
        self._print(self._c(f"           ▶ 进入阶段：{STAGE_NAMES.get(ev.stage, ev.stage)}", "36"))

    def _h_alert(self, ev) -> None:
        sev = SEVERITY_ZH.get(ev.severity, ev.severity)
        rule = rule_name(ev.rule, self.resources)
        where = "整通电话" if ev.utterance is None else f"第{ev.utterance}句"
        head = f"           ⚠ [{sev}] {rule} ({ev.rule}) · {where}"
        if ev.evidence:
            head += f" · 依据「{ev.evidence}」"
        if ev.source == "partial":
            head += " · 实时"
        self._print(self._c(head, "1;31" if ev.severity == "critical" else "33"))
        if getattr(ev, "message", ""):
            self._print(f"             {ev.message}")
        if getattr(ev, "advice", ""):
            self._print(f"             建议：{ev.advice}")

    def _h_debtor(self, ev) -> None:
        from assist.analysis.state import OBJECTIONS

        parts = []
        if ev.objection:
            parts.append(f"异议：{OBJECTIONS.get(ev.objection, ev.objection)}")
        if ev.wrong_party:
            parts.append("非本人接听")
        if ev.hardship:
            parts.append("困难情况")
        self._print(self._c("           ◆ 对方：" + "，".join(parts), "35"))

    def _h_suggestion(self, ev) -> None:
        reason = f"（{ev.reason}）" if ev.reason else ""
        self._print(self._c(f"           → 下一句：{ev.text}{reason}", "32"))

    def _h_ptp(self, ev) -> None:
        self._print(self._c(f"           ✔ 还款承诺：{_ptp_text(ev.to_dict())}", "34"))

    def _h_call_ended(self, ev) -> None:
        alerts = "、".join(f"{rule_name(r, self.resources)}×{n}" for r, n in sorted(ev.alerts.items())) or "无"
        self._print(self._c(f"通话结束  时长 {ev.duration:.1f}s · 合规提醒：{alerts} · 还款承诺：{_ptp_text(ev.ptp)}",
                            "1"))
