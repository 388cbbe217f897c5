"""A process killed mid-call: everything it committed is there, and the call is marked interrupted by the
next open — but not while the writing process is still alive."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from assist.store import RecordStore

CHILD = textwrap.dedent(
    """
    import json, sys, time
    from datetime import datetime
    from assist import events as ev
    from assist.store import RecordStore

    call = json.loads(sys.argv[2])
    store = RecordStore(sys.argv[1])
    store.begin_call("live", started_at=datetime.fromisoformat(call["started_at"]), source="mic")
    for i, u in enumerate(call["utterances"][:5]):
        store.record("live", ev.UtteranceFinal(utterance=i, start=i * 6.0, end=i * 6.0 + 4, text=u["text"],
                                               stage=u["stage"], t=i * 6.0 + 4.5))
    store.record("live", ev.Alert(rule="threat", severity="critical", utterance=4, evidence="x", source="final", t=28.6))
    assert store.flush(30)
    print("ready", flush=True)
    time.sleep(120)  # mid-call: killed here
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_killed_writer_leaves_an_interrupted_call_with_its_utterances(tmp_path, dev_calls):
    import json

    path = tmp_path / "records.sqlite3"
    call = dev_calls[0]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), json.dumps(call, ensure_ascii=False)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = child.stdout.readline()
        assert line.strip() == "ready", child.stderr.read()
        # While the child lives, another open (e.g. `callassist records list`) must not call its call dead.
        with RecordStore(path) as other:
            assert other.flush(10)
            assert other.get_call("live")["status"] == "active"
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
        child.stdout.close()
        child.stderr.close()
    with RecordStore(path) as store:
        assert store.flush(10)
        got = store.get_call("live")
        assert store.interrupted == ["live"]
    assert got["status"] == "interrupted"
    assert "未正常结束" in got["error"]
    assert [u["text"] for u in got["utterances"]] == [u["text"] for u in call["utterances"][:5]]
    assert [a["rule"] for a in got["alerts"]] == ["threat"]
    assert got["duration"] == pytest.approx(28.6)


def test_dead_writers_lock_files_are_swept_live_ones_kept(tmp_path):
    from assist.store import owner

    path = tmp_path / "records.sqlite3"
    live = owner.OwnerLock(path)
    try:
        stale = owner.owners_dir(path) / "deadbeef.lock"
        stale.write_text("")
        for p in (stale, live.path):
            os.utime(p, (0, 0))  # both look old; only the unlocked one belongs to a dead writer
        assert owner.is_alive(path, live.token) and not owner.is_alive(path, "deadbeef")
        owner.sweep(path)
        assert not stale.exists() and live.path.exists()
    finally:
        live.release()
    assert not live.path.exists()
    assert not owner.is_alive(path, live.token)
