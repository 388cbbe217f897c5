"""Entry point of the ``callassist`` console script.

No arguments: start the desktop app. Subcommands live one per module in this package; each module has
``add_parser(subparsers)`` and ``run(args) -> int``. They are imported lazily so that ``callassist check``
does not pay for loading Qt or Whisper.
"""

from __future__ import annotations

import argparse
import importlib
import sys

SUBCOMMANDS = {
    "analyze": "assist.cli.analyze",
    "listen": "assist.cli.listen",
    "check": "assist.cli.check",
    "records": "assist.cli.records",
    "model": "assist.cli.model",
    "team": "assist.cli.team",
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    # only: build just that subcommand, so a command never depends on the others importing cleanly
    # (`callassist model fetch` is the repair command and must work in a half-broken install).
    parser = argparse.ArgumentParser(
        prog="callassist",
        description="催收通话助手 — offline live assist for collection calls. Without a subcommand, starts the desktop app.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in SUBCOMMANDS.items():
        if only is None or name == only:
            importlib.import_module(module).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        from app.launch import launch  # Qt is imported only when the app is wanted

        return launch()
    parser = build_parser(argv[0] if argv[0] in SUBCOMMANDS else None)
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    module = importlib.import_module(SUBCOMMANDS[args.command])
    try:
        return int(module.run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
