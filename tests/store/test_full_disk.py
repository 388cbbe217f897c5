"""A full disk loses nothing that was committed, stalls no utterance, never passes an unsaved utterance off
as recorded and ends with one clear line: on a real 2 MB tmpfs (mounting needs root; CI runs as root)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

import pytest

from assist import paths
from tests.tmpfs import NEEDS_ROOT, fill, tmpfs

pytestmark = NEEDS_ROOT

LINES = ["喂，刘洋是吧，我是鼎诚资产管理的郑伟，工号四四零八。", "我们受闪借花平台委托，跟您本人沟通一下借款的事。",
         "您在平台的借款已经逾期六十二天，欠款本金一万二。", "您今天之内必须还清，不然后果自负。",
         "我们会联系您的单位和家人。", "好的，那您今天先还两千可以吗？", "通过官方App还款就可以。",
         "那就说好十月十五号之前还两千。", "请您按时还款，避免影响征信。", "感谢您的配合，再见。"]


@pytest.fixture
def disk(tmp_path):
    with tmpfs(tmp_path / "disk", "2m") as mnt:
        yield mnt


def analyze(txt, db, *extra, **kw):
    env = dict(os.environ)
    return subprocess.Popen([sys.executable, "-m", "assist.cli.main", "analyze", str(txt), "--db", str(db), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                            cwd=paths.PROJECT_ROOT, env=env, **kw)


def calls(db):
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT id, status FROM calls ORDER BY started_ts").fetchall()
        counts = dict(conn.execute("SELECT call_id, count(*) FROM utterances WHERE is_final GROUP BY call_id"))
    return [(cid, status, counts.get(cid, 0)) for cid, status in rows]


@pytest.fixture
def transcript(tmp_path):
    path = tmp_path / "call.txt"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return path


def test_disk_filling_during_a_call_keeps_committed_calls_and_the_rest_for_replay(disk, transcript):
    db = disk / "records.sqlite3"
    first = analyze(transcript, db)
    assert first.wait(60) == 0, first.stderr.read()
    fill(disk, leave_kb=48)
    t0 = time.monotonic()
    proc = analyze(transcript, db)
    out, err = proc.communicate(timeout=120)
    took = time.monotonic() - t0
    assert proc.returncode == 1, err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if ": error:" in line]
    assert len(errors) == 1 and err.strip().splitlines()[-1] == errors[0], err
    # every utterance shown was said to be not yet on disk
    shown = [line for line in out.splitlines() if " #" in line and "〔" in line]
    unsaved = [line for line in err.splitlines() if "尚未写入" in line]
    assert len(shown) == len(LINES) and len(unsaved) >= len(LINES), err
    assert took < 25, f"{took:.1f} s: each utterance stalled on the full disk"
    assert calls(db)[0][1:] == ("completed", len(LINES))        # what was committed before is intact
    assert "暂存到" in errors[0], errors[0]                        # the rest went to a rescue file…
    (disk / "filler").unlink()
    ls = subprocess.run([sys.executable, "-m", "assist.cli.main", "records", "list", "--db", str(db)],
                        capture_output=True, text=True, encoding="utf-8", cwd=paths.PROJECT_ROOT, timeout=60)
    assert ls.returncode == 0, ls.stderr
    assert [c[1:] for c in calls(db)] == [("completed", len(LINES))] * 2   # …and replayed: nothing lost


def test_space_coming_back_mid_call_lands_every_write(disk, transcript):
    db = disk / "records.sqlite3"
    assert analyze(transcript, db).wait(60) == 0
    fill(disk, leave_kb=48)
    proc = analyze(transcript, db, "--realtime")
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if "尚未写入" in line or "磁盘已满" in line:
            (disk / "filler").unlink()
            break
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, "".join(seen) + err
    assert [c[1:] for c in calls(db)] == [("completed", len(LINES))] * 2


def test_a_full_disk_at_open_is_one_clear_line(disk, transcript):
    db = disk / "records.sqlite3"
    assert analyze(transcript, db).wait(60) == 0
    fill(disk, leave_kb=0)
    proc = analyze(transcript, db)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "Traceback" not in err
    assert err.strip().count("\n") == 0 and "磁盘已满" in err, err
    (disk / "filler").unlink()
    assert calls(db)[0][1:] == ("completed", len(LINES))
