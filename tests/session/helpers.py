"""Helpers for the session tests: dev calls as transcripts, running the CLI in-process or as a process."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from assist import paths
from assist.cli import analyze

from .contract import parse_stream


def dev_calls(dev_dir: Path) -> list[dict]:
    return json.loads((dev_dir / "manifest.json").read_text(encoding="utf-8"))


def dev_call(dev_dir: Path, call_id: str) -> dict:
    return next(c for c in dev_calls(dev_dir) if c["id"] == call_id)


def write_transcript(call: dict, folder: Path) -> Path:
    path = folder / f"{call['id']}.txt"
    path.write_text("\n".join(u["text"] for u in call["utterances"]) + "\n", encoding="utf-8")
    return path


def run_analyze(*args) -> int:
    """``callassist analyze ARGS`` in this process (the subprocess tests cover the console script itself)."""
    parser = argparse.ArgumentParser(prog="callassist")
    analyze.add_parser(parser.add_subparsers(dest="command"))
    return analyze.run(parser.parse_args(["analyze", *map(str, args)]))


def analyze_inprocess(capsys, *args) -> tuple[int, list[dict], str]:
    """Run ``callassist analyze ARGS --json`` in this process; returns (status, events, stderr)."""
    capsys.readouterr()
    status = run_analyze(*args, "--json")
    out = capsys.readouterr()
    return status, parse_stream(out.out), out.err


def cli_process(*args: str, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    """The console script as a separate process (the user's view: exit status, stdout, stderr)."""
    return subprocess.run(
        [sys.executable, "-m", "assist.cli.main", *map(str, args)],
        capture_output=True, text=True, encoding="utf-8", timeout=timeout, cwd=paths.PROJECT_ROOT,
        env=dict(os.environ), **kw,
    )


def call_rows(db: Path) -> list[tuple]:
    """(call id, status) of every call in the database, read with plain sqlite3 (no store code involved)."""
    if not db.exists():
        return []
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return sorted(con.execute("SELECT id, status FROM calls").fetchall())
    finally:
        con.close()


def utterance_texts(db: Path, call_id: str) -> dict[int, str]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return dict(con.execute("SELECT idx, text FROM utterances WHERE call_id = ? ORDER BY idx", (call_id,)))
    finally:
        con.close()
