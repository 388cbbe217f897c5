"""Building local records databases for the team tests from the dev calls (real Chinese call text)."""

from __future__ import annotations

import copy
from pathlib import Path

from assist.store import RecordStore
from tests.store.conftest import feed_call


def make_calls(dev_calls: list[dict], n: int, *, first: int = 100, month: str | None = None) -> list[dict]:
    """``n`` calls cycling through the dev calls, with ids d<first>… (case_for derives the debtor from them)."""
    out = []
    for i in range(n):
        call = copy.deepcopy(dev_calls[i % len(dev_calls)])
        call["id"] = f"d{first + i}"
        if month:
            call["started_at"] = f"{month}-{1 + i % 28:02d}" + call["started_at"][10:]
        out.append(call)
    return out


def fill(path: Path, calls: list[dict], *, active: list[dict] = ()) -> Path:
    with RecordStore(path) as store:
        for call in calls:
            feed_call(store, call)
        for call in active:
            feed_call(store, call, end=False)
        assert store.flush(60)
    return path


def server_counts(admin, table: str = "calls") -> dict[str, int]:
    """Rows per call id on the server (admin view, RLS does not apply to the owner)."""
    return dict(admin.execute(f"SELECT call_id, count(*) FROM callassist.{table} GROUP BY call_id").fetchall()) \
        if table != "calls" else dict(admin.execute("SELECT id, revision FROM callassist.calls").fetchall())


def local_final_utterances(path: Path) -> dict[str, int]:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return dict(conn.execute("SELECT call_id, count(*) FROM utterances WHERE is_final = 1 GROUP BY call_id"))
