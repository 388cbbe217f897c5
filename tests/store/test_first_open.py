"""The first ``records`` command after a crash already shows the truth: the dead call as 中断 (not
``active``) and the calls of a replayed rescue file, in Chinese. Real files, the real console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from assist import paths

DIE_MID_CALL = textwrap.dedent(
    """
    import os, sys
    from datetime import datetime, timezone
    from assist import events as ev
    from assist.store import RecordStore

    store = RecordStore(sys.argv[1])
    store.begin_call("dead", started_at=datetime(2026, 11, 3, 10, 0, tzinfo=timezone.utc), source="mic")
    store.record("dead", ev.UtteranceFinal(utterance=0, start=0, end=1, text="您好", stage="greet", t=1))
    assert store.flush(30)
    os._exit(0)   # the process dies mid-call: no close, the OS drops its lock
    """
)

RESCUE = textwrap.dedent(
    """
    import sqlite3, sys
    from datetime import datetime, timezone
    from assist import events as ev
    from assist.store import RecordStore

    store = RecordStore(sys.argv[1], busy_timeout_s=0.1, backoff_s=(0.02, 0.1))
    blocker = sqlite3.connect(sys.argv[1], isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")   # the database refuses every write of this call
    store.begin_call("rescued", started_at=datetime(2026, 11, 4, 10, 0, tzinfo=timezone.utc), source="mic")
    store.record("rescued", ev.UtteranceFinal(utterance=0, start=0, end=1, text="请问是张伟先生吗", stage="greet", t=1))
    store.record("rescued", ev.CallEnded(call_id="rescued", duration=2.0, alerts={}, ptp=None, t=2.0))
    store.close(timeout=0.5)
    blocker.execute("ROLLBACK")
    """
)


def _py(code, *args):
    proc = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True,
                          timeout=60, cwd=paths.PROJECT_ROOT)
    assert proc.returncode == 0, proc.stderr


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "assist.cli.main", *map(str, args)], capture_output=True,
                          text=True, encoding="utf-8", timeout=60, cwd=paths.PROJECT_ROOT, env=dict(os.environ))


def test_first_list_after_a_crash_shows_the_dead_call_interrupted_in_chinese(tmp_path):
    db = tmp_path / "records.sqlite3"
    _py(DIE_MID_CALL, db)
    proc = _cli("records", "list", "--db", db)
    assert proc.returncode == 0, proc.stderr
    row = next(line for line in proc.stdout.splitlines() if line.startswith("dead"))
    assert "中断" in row and "interrupted" not in row and "active" not in row, proc.stdout
    shown = _cli("records", "show", "dead", "--db", db)
    assert "[中断]" in shown.stdout.splitlines()[0], shown.stdout


def test_first_open_after_a_rescue_shows_the_replayed_call(tmp_path):
    db = tmp_path / "records.sqlite3"
    _py(RESCUE, db)
    assert list(tmp_path.glob("records.sqlite3.pending-*.jsonl"))
    proc = _cli("records", "list", "--db", db, "--json")
    assert proc.returncode == 0, proc.stderr
    calls = {c["id"]: c for c in json.loads(proc.stdout)}
    assert calls["rescued"]["status"] == "completed" and calls["rescued"]["utterances"] == 1
    assert not list(tmp_path.glob("records.sqlite3.pending-*.jsonl"))
