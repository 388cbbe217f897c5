"""``callassist listen``: a live call from the command line — the agent's microphone and, with
``--debtor-source``, what the agent hears (an output's monitor / WASAPI loopback, or a second input device) in
the debtor lane. Same pipeline, events and output as ``analyze`` (docs/cli.md); ends on Ctrl+C or
``--seconds``. ``--list-sources`` prints the choices for ``--debtor-source``.
"""

from __future__ import annotations

import sys
import time

from . import analyze as _a

EXIT_OK, EXIT_BAD_INPUT, EXIT_FAILED = _a.EXIT_OK, _a.EXIT_BAD_INPUT, _a.EXIT_FAILED


def add_parser(sub) -> None:
    p = sub.add_parser(
        "listen",
        help="a live call on the microphone; --debtor-source adds what the agent hears (the debtor's side)",
        description="Run a live call: the microphone is the agent's side; --debtor-source adds the other party "
        "(the monitor of the output the softphone plays to, or a second input device such as a USB line "
        "adapter), recognised at lower priority. Prints the same events as `analyze`; Ctrl+C ends the call.",
    )
    p.add_argument("--device", metavar="MIC", help="microphone: name, part of a name, or PortAudio index "
                   "(default: the system's default input)")
    p.add_argument("--debtor-source", metavar="SPEC", default="",
                   help="monitor (the default output's) | monitor:<output id> | input:<device name>; "
                   "see --list-sources. A source that cannot be opened is reported and the call goes on")
    p.add_argument("--list-sources", action="store_true", help="print the choices for --debtor-source and exit")
    p.add_argument("--seconds", type=float, metavar="N", help="end the call after N seconds (default: Ctrl+C)")
    p.add_argument("--json", action="store_true", help="print one JSON event per line to stdout")
    p.add_argument("--partials", action="store_true", help="also print partial (in-progress) transcripts")
    p.add_argument("--started-at", metavar="ISO8601", help="local start time of the call (default: now)")
    p.add_argument("--case", metavar="PATH", help="case data JSON (debtor_name, amount, agent_id, ...)")
    p.add_argument("--db", metavar="PATH", help="records database (default: the app's database)")
    p.add_argument("--model", metavar="DIR", help="Whisper model directory (default: the configured model)")
    p.add_argument("--no-record", action="store_true", help="do not write the call to the database")


def _err(message: str) -> None:
    print(f"callassist listen: error: {_a._one_line(message)}", file=sys.stderr)


def run(args) -> int:
    _a._setup_logging()
    if args.list_sources:
        from assist.audio.second import list_second_sources

        choices, problems = list_second_sources()
        for c in choices:
            print(f"{c.spec or '(none)'}\t{c.label}")
        for p in problems:
            print(f"callassist listen: 警告: {p}", file=sys.stderr)
        return EXIT_OK
    if args.seconds is not None and args.seconds <= 0:
        _err(f"bad --seconds {args.seconds}: must be positive")
        return EXIT_BAD_INPUT
    from assist.audio import DeviceError, MicSource
    from assist.audio.second import open_second_source, parse
    from assist.case import CaseData, CaseDataError
    from assist.session import CallSession

    try:
        parse(args.debtor_source)
        started_at = _a.parse_started_at(args.started_at)
        case = CaseData.load(args.case) if args.case else None
    except (ValueError, _a.InputError, CaseDataError) as exc:
        _err(str(exc))
        return EXIT_BAD_INPUT
    try:
        mic = MicSource(args.device)
    except DeviceError as exc:
        _err(str(exc))
        return EXIT_BAD_INPUT
    debtor, problem = None, None
    try:
        debtor = open_second_source(args.debtor_source)
    except DeviceError as exc:
        problem = f"对方声音来源不可用：{exc}。本次通话只识别坐席一方。"
        print(f"callassist listen: 警告: {problem}", file=sys.stderr)
    config = _a._build_config(args)
    out = _a._Output(json_mode=bool(args.json), partials=args.partials)
    out.resources = config.resources_dir
    heard = getattr(debtor, "device_name", None) or getattr(getattr(debtor, "device", None), "name", "")
    out.input_name = f"mic:{mic.device.name}" + (f" + 对方:{heard}" if debtor is not None else "")
    try:
        model = _a._load_model(config)
        store = _a._open_store(config.db_path, on_error=lambda m: print(f"callassist listen: 警告: {m}",
                                                                       file=sys.stderr)) if config.record else None
    except _a.InputError as exc:
        _err(str(exc))
        return EXIT_BAD_INPUT
    session = CallSession(mic, config=config, case=case, started_at=started_at, store=store, model=model,
                          debtor_source=debtor)
    session.subscribe(out.write)
    session.subscribe(lambda ev: ev.name == "device_error" and print(f"callassist listen: 警告: {ev.message}",
                                                                       file=sys.stderr, flush=True))
    if problem:
        session.debtor_unavailable(problem)
    status = EXIT_OK
    try:
        session.start()
        deadline = None if args.seconds is None else time.monotonic() + args.seconds
        try:
            while not session.wait(0.25):
                if deadline is not None and time.monotonic() >= deadline:
                    session.stop()
                    deadline = None
        except KeyboardInterrupt:
            session.stop()
            session.wait(60)
    except Exception as exc:
        _err(str(exc))
        status = EXIT_FAILED
        session.wait(10)
    finally:
        if store is not None:
            store.flush(10.0)
            store.close(timeout=1.0)
    if session.ended is None and status == EXIT_OK:
        _err("the call did not end cleanly (see the log file)")
        status = EXIT_FAILED
    return status
