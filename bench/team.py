#!/usr/bin/env python
"""Team-records benchmark on a throwaway PostgreSQL (initdb + pg_ctl on 127.0.0.1, as the tests). Prints the
figures of issue 15's targets; asserts nothing.

    .venv/bin/python -m bench.team                      # everything (about 15-25 minutes on 2 cores)
    .venv/bin/python -m bench.team --only sync,week     # push 1,000 calls; a week offline (2,000 calls)
    .venv/bin/python -m bench.team --only latency       # live alert latency with and without a sync
    .venv/bin/python -m bench.team --only queries --utterances 10000000   # supervisor queries
    .venv/bin/python -m bench.team --only queries --keep /tmp/bench-pg    # filled once, then reused

- sync: 1,000 finished calls of ~60 utterances (synthetic Chinese call text, written through RecordStore)
  reach the server through SyncWorker (target ≤ 30 s).
- week: a workstation offline for a week with 2,000 calls catches up; then every call is resent as if the
  worker had died before noting it: the server must hold each call and utterance exactly once.
- latency: the 8 dev calls with alerts played at wall-clock pace through a real CallSession (Whisper, analysis,
  records); alert latency = wall time of the alert − wall time its utterance ended in the audio (and the same
  for every final utterance, the larger sample); each call idle and while a sync of 1,000 calls runs in the same
  process (as in the app), the order alternating; p50/p95 of both and a bootstrap 95 % interval of the
  difference (--latency-rounds N plays them N times).
- queries: the server filled with synthetic data (500 agents, 12 months, --utterances utterances, generated in
  SQL from the dev calls' sentences and their real tokens); filter + full-text search p95 (target ≤ 300 ms) and
  a month's team report (target ≤ 1 s).

Wall-clock figures: on a machine busy with other work they read slower — the load average is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from assist import events as ev
from assist.store import RecordStore
from assist.team import server
from assist.team.config import TeamConfig
from assist.team.sync import SyncWorker
from tests.team.pgcluster import Cluster

ROOT = Path(__file__).resolve().parents[1]

PW = "bench-ws-password"
AGENT_IDS = ",".join(str(i) for i in range(1000, 1101))


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


# --- local data ---------------------------------------------------------------------------------------------

def build_local(path: Path, n: int, utts: int = 60, first: int = 0) -> tuple[int, float]:
    """n finished calls of about ``utts`` utterances, through the real write path. Returns (utterances, s)."""
    from bench.search import synth_call

    random.seed(20261201 + first)
    tz = timezone(timedelta(hours=8))
    base = datetime(2026, 11, 2, 9, 0, tzinfo=tz)
    total = 0
    t0 = time.perf_counter()
    with RecordStore(path) as store:
        for i in range(first, first + n):
            start = base + timedelta(minutes=5 * i)
            case, lines, alerts = None, [], []
            j = 0
            while len(lines) < utts:
                c, more, al, ptp = synth_call(i * 7 + j, start)
                case = case or c
                alerts += [(k + len(lines), r) for k, r in al]
                lines += more
                j += 1
            lines = lines[:utts]
            cid = f"bench-{i:05d}"
            store.begin_call(cid, started_at=start, case=case, source="mic")
            stage = None
            for k, (st, text) in enumerate(lines):
                store.record(cid, ev.UtteranceFinal(utterance=k, start=k * 5.0, end=k * 5.0 + 3.5, text=text,
                                                    stage=st, t=k * 5.0 + 4.0, raw_text=text))
                if st != stage:
                    stage = st
                    store.record(cid, ev.StageChanged(stage=st, t=k * 5.0 + 4.0))
            for k, rule in alerts:
                if k < len(lines):
                    store.record(cid, ev.Alert(rule=rule, severity="critical", utterance=k, evidence="",
                                               source="final", t=k * 5.0 + 4.1))
            store.record(cid, ev.CallEnded(call_id=cid, duration=len(lines) * 5.0, alerts={}, ptp=None,
                                           t=len(lines) * 5.0))
            total += len(lines)
            if (i - first) % 250 == 249:
                store.flush(600)
        store.flush(600)
    return total, time.perf_counter() - t0


def double(src: Path, dst: Path) -> None:
    """dst = src's calls twice over (the copies get new ids): 2,000 calls from 1,000, in SQL."""
    import shutil

    shutil.copy(src, dst)
    with sqlite3.connect(dst) as conn:
        cols = [r[1] for r in conn.execute("PRAGMA table_info(calls)")]
        sel = ", ".join("id || '-b'" if c == "id" else c for c in cols)
        conn.execute(f"INSERT INTO calls ({', '.join(cols)}) SELECT {sel} FROM calls")
        for table in ("utterances", "alerts", "stages", "suggestions", "ptps"):
            tcols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] != "id"]
            sel = ", ".join("call_id || '-b'" if c == "call_id" else f'"{c}"' for c in tcols)
            quoted = ", ".join(f'"{c}"' for c in tcols)
            conn.execute(f"INSERT INTO {table} ({quoted}) SELECT {sel} FROM {table} WHERE call_id NOT LIKE '%-b'")
        conn.execute("UPDATE sync_outbox SET synced_revision = 0")  # none of the 2,000 has reached the server


# --- server -------------------------------------------------------------------------------------------------

class Server:
    def __init__(self, keep: Path | None = None):
        """keep: a folder where the cluster stays after the run (with the filled query database), reused by the
        next run given the same folder — filling 10 M utterances takes half an hour on 2 cores."""
        import psycopg

        self.psycopg = psycopg
        self.keep = keep
        self.info: dict = {}
        if keep is not None and (keep / "bench.json").exists():
            self.info = json.loads((keep / "bench.json").read_text())
            self.cluster = Cluster.adopt(keep, self.info["password"], self.info["port"])
        else:
            if keep is not None:
                keep.mkdir(parents=True, exist_ok=True)
            self.cluster = Cluster(keep, fast=False)  # durable settings, as a real server
            self.cluster.start()
            if keep is not None:
                self.info = {"password": self.cluster.admin_password, "port": self.cluster.port}
                self.save()
        self.cluster.wait_ready()
        self.n = int(self.info.get("n", 0))

    def save(self) -> None:
        if self.keep is not None:
            (self.keep / "bench.json").write_text(json.dumps({**self.info, "n": self.n}))
            (self.keep / "bench.json").chmod(0o600)

    def config(self, name: str, user: str = "bench_ws") -> TeamConfig:
        return TeamConfig(host="localhost", port=self.cluster.port, dbname=name, user=user,
                          sslrootcert=str(self.cluster.root_cert))

    def fresh_db(self) -> tuple[str, TeamConfig]:
        self.n += 1
        name = f"bench{self.n}"
        with self.psycopg.connect(self.cluster.dsn(), autocommit=True) as root:
            root.execute(f"CREATE DATABASE {name}")
        with self.admin(name) as conn:
            server.migrate(conn)
            server.database_grants(conn)
            # the synthetic calls' 工号 (bench.search.synth_call): the server refuses any other (migration 0002)
            server.add_member(conn, server.Member("bench_ws", "workstation", team="一组", agent_id=AGENT_IDS),
                              password=PW)
            server.add_member(conn, server.Member("bench_qa", "supervisor"), password=PW)
        return name, TeamConfig(host="localhost", port=self.cluster.port, dbname=name, user="bench_ws",
                                sslrootcert=str(self.cluster.root_cert))

    def admin(self, name: str):
        return self.psycopg.connect(self.cluster.dsn(dbname=name), autocommit=True)

    def close(self):
        if self.keep is None:
            self.cluster.destroy()
        else:
            self.save()
            self.cluster.stop()


def push_all(path: Path, cfg: TeamConfig) -> tuple[float, SyncWorker]:
    w = SyncWorker(path, cfg, password=PW, batch=50)
    t0 = time.perf_counter()
    status = w.sync_once()
    elapsed = time.perf_counter() - t0
    w.stop()
    assert status.pending == 0, status
    return elapsed, w


def counts(srv: Server, name: str) -> tuple[int, int, int]:
    with srv.admin(name) as conn:
        calls = conn.execute("SELECT count(*) FROM callassist.calls").fetchone()[0]
        utts, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT (call_id, idx)) FROM callassist.utterances").fetchone()
    return calls, utts, distinct


def bench_sync(srv: Server, tmp: Path, n: int) -> Path:
    path = tmp / "ws1000.sqlite3"
    utts, built = build_local(path, n)
    print(f"local: {n} calls, {utts} utterances written through RecordStore in {built:.0f} s", flush=True)
    name, cfg = srv.fresh_db()
    elapsed, w = push_all(path, cfg)
    calls, sutts, _ = counts(srv, name)
    print(f"SYNC   {n} calls ({utts} utterances) reached the server in {elapsed:.1f} s "
          f"({n / elapsed:.0f} calls/s; target ≤ 30 s); server holds {calls} calls, {sutts} utterances; {load()}",
          flush=True)
    return path


def bench_week(srv: Server, tmp: Path, one: Path) -> None:
    path = tmp / "ws2000.sqlite3"
    double(one, path)
    with sqlite3.connect(path) as conn:
        pending = conn.execute("SELECT count(*) FROM sync_outbox WHERE revision > synced_revision").fetchone()[0]
        local_utts = conn.execute("SELECT count(*) FROM utterances WHERE is_final = 1").fetchone()[0]
    name, cfg = srv.fresh_db()
    elapsed, w = push_all(path, cfg)
    calls, utts, distinct = counts(srv, name)
    with sqlite3.connect(path) as conn:  # as if the worker had died before noting any of it: resend everything
        conn.execute("UPDATE sync_outbox SET synced_revision = 0")
    again, w2 = push_all(path, cfg)
    calls2, utts2, distinct2 = counts(srv, name)
    ok = calls == calls2 == pending and utts == utts2 == distinct2 == local_utts
    print(f"WEEK   {pending} calls pending after a week offline: caught up in {elapsed:.1f} s; server {calls} calls, "
          f"{utts} utterances ({distinct} distinct; local {local_utts}); full resend {again:.1f} s took "
          f"{w2.sent} revisions, skipped {w2.skipped}; after it {calls2} calls, {utts2} utterances -> "
          f"{'no loss, no duplicates' if ok else 'MISMATCH'}; {load()}", flush=True)


# --- live latency -------------------------------------------------------------------------------------------

def run_calls(ids: list[str], shared: Path, model, config, finals: list[float]) -> list[float]:
    from assist.audio import FileSource
    from assist.session import CallSession
    from assist.store import RecordStore

    lat: list[float] = []
    store = RecordStore(config.db_path)
    try:
        for cid in ids:
            ends: dict[int, float] = {}
            early: dict[int, list[float]] = {}   # alerts raised on a partial, before their utterance's final
            t0 = [0.0]
            lock = threading.Lock()

            def on_event(e, ends=ends, early=early, t0=t0, lock=lock):
                now = time.monotonic()
                with lock:
                    if isinstance(e, ev.UtteranceFinal):
                        ends[e.utterance] = e.end
                        finals.append(now - t0[0] - e.end)
                        # an early alert's latency is counted from the same point: its utterance's end
                        lat.extend(w - t0[0] - e.end for w in early.pop(e.utterance, ()))
                    elif isinstance(e, ev.Alert) and e.utterance is not None:
                        if e.utterance in ends:
                            lat.append(now - t0[0] - ends[e.utterance])
                        else:
                            early.setdefault(e.utterance, []).append(now)

            session = CallSession(FileSource(shared / "data" / "dev" / f"{cid}.wav", realtime=True), config=config,
                                  store=store, model=model)
            session.subscribe(on_event)
            t0[0] = time.monotonic()
            session.start()
            session.wait(600)
    finally:
        store.close()
    return lat


class Syncer:
    """A sync of ``n`` calls that runs only while ``active`` (again and again, each round into a fresh database,
    as a workstation catching up), on a thread of its own in this process, as the app's worker is."""

    def __init__(self, srv: Server, one: Path, n: int, live_db: Path, live_share: float):
        self.srv, self.one, self.n = srv, one, n
        self.live_db, self.live_share = live_db, live_share
        self.paused_s = 0.0
        self.active = threading.Event()
        self.quit = threading.Event()
        self.rounds = 0
        self.calls = 0           # call revisions the server took while active
        self.busy_s = 0.0        # seconds spent syncing
        self._t = threading.Thread(target=self._run, daemon=True, name="bench-sync")
        self._t.start()

    def _run(self) -> None:
        w = None
        while not self.quit.is_set():
            if not self.active.wait(0.2):
                continue
            if w is None:
                _, cfg = self.srv.fresh_db()
                with sqlite3.connect(self.one) as conn:
                    conn.execute("UPDATE sync_outbox SET synced_revision = 0")
                # In the app the live call and the calls being synced are in one records database; here they are
                # two files, so the worker is told to look at the live one.
                w = SyncWorker(self.one, cfg, password=PW, batch=50, live_share=self.live_share,
                               live_check=self._live)
            t0, before, paused = time.perf_counter(), w.sent, w.paused_s
            pending = w.sync_once(max_batches=1).pending
            self.busy_s += time.perf_counter() - t0
            self.paused_s += w.paused_s - paused
            self.calls += w.sent - before
            if not pending:
                w.stop()
                w = None
                self.rounds += 1
        if w is not None:
            w.stop()

    def _live(self) -> bool:
        from assist.team.sync import call_is_live

        try:
            with sqlite3.connect(f"{self.live_db.resolve().as_uri()}?mode=ro", uri=True) as conn:
                return call_is_live(conn)
        except sqlite3.Error:
            return False

    def close(self) -> None:
        self.quit.set()
        self._t.join(120)


def bootstrap_diff(a: list[float], b: list[float], stat, n: int = 2000) -> tuple[float, float]:
    """95 % interval of stat(b) − stat(a) by resampling each sample (how far apart the two could really be)."""
    rng = random.Random(11)
    diffs = sorted(stat([rng.choice(b) for _ in b]) - stat([rng.choice(a) for _ in a]) for _ in range(n))
    return diffs[int(0.025 * n)], diffs[int(0.975 * n) - 1]


def bench_latency(srv: Server, tmp: Path, one: Path | None, shared: Path, n: int, rounds: int = 1,
                  live_share: float = 0.25) -> None:
    """Each dev call with alerts is played twice per round, once idle and once while the sync runs, the order
    alternating call by call — so the other work on a shared machine weighs on both conditions alike."""
    from assist.config import AsrConfig, EngineConfig
    from assist.model import load_whisper
    from assist.session import warm_up

    asr = AsrConfig()
    config = EngineConfig(asr=asr, db_path=tmp / "live.sqlite3", record=True)
    model = load_whisper(asr.model_dir, asr)
    warm_up(config)
    ids = ["d07", "d08", "d09", "d10", "d11", "d12", "d13", "d14"]
    if one is None:
        one = tmp / "ws1000.sqlite3"
        build_local(one, n)
    syncer = Syncer(srv, one, n, config.db_path, live_share)
    alerts: dict[str, list[float]] = {"idle": [], "syncing": []}
    finals: dict[str, list[float]] = {"idle": [], "syncing": []}
    loads: list[float] = []
    synced_s = 0.0
    try:
        for r in range(rounds):
            for k, cid in enumerate(ids):
                order = ("idle", "syncing") if (k + r) % 2 == 0 else ("syncing", "idle")
                for cond in order:
                    if cond == "syncing":
                        syncer.active.set()
                    t0 = time.perf_counter()
                    alerts[cond] += run_calls([cid], shared, model, config, finals[cond])
                    if cond == "syncing":
                        syncer.active.clear()
                        synced_s += time.perf_counter() - t0
                    loads.append(os.getloadavg()[0])
                print(f"  {cid} round {r + 1}: alerts idle {len(alerts['idle'])} / syncing "
                      f"{len(alerts['syncing'])} so far; {load()}", flush=True)
    finally:
        syncer.close()
    for what, samples in (("alert", alerts), ("final utterance", finals)):
        for label in ("idle", "syncing"):
            v = samples[label]
            if v:
                print(f"LATENCY {what:15} {label:8}: n={len(v):3} p50 {statistics.median(v):.2f} s "
                      f"p95 {pct(v, 95):.2f} s max {max(v):.2f} s", flush=True)
        a, b = samples["idle"], samples["syncing"]
        if len(a) >= 3 and len(b) >= 3:
            lo, hi = bootstrap_diff(a, b, statistics.median)
            lo95, hi95 = bootstrap_diff(a, b, lambda x: pct(x, 95))
            print(f"LATENCY {what:15} syncing − idle: p50 {statistics.median(b) - statistics.median(a):+.2f} s "
                  f"(95 % interval {lo:+.2f} … {hi:+.2f}), p95 {pct(b, 95) - pct(a, 95):+.2f} s "
                  f"(95 % interval {lo95:+.2f} … {hi95:+.2f})", flush=True)
    print(f"        live_share {live_share}: the sync paused {syncer.paused_s:.0f} s for the live call", flush=True)
    print(f"        during the syncing calls ({synced_s:.0f} s) the sync sent {syncer.calls} calls "
          f"({syncer.calls / max(synced_s, 1e-9):.0f} calls/s, {syncer.rounds} complete rounds of {n}); "
          f"load average {min(loads):.1f}–{max(loads):.1f} over the runs", flush=True)


# --- supervisor queries -------------------------------------------------------------------------------------

def fill_synthetic(srv: Server, name: str, utterances: int, shared: Path) -> float:
    """500 agents, 12 months, ``utterances`` utterances (60 a call), generated in SQL from the dev calls'
    sentences with their real index tokens; alerts on ~8 % of calls, stages, promises on ~30 %."""
    from assist.store.tokens import index_tokens

    calls_json = json.loads((shared / "data" / "dev" / "calls.json").read_text(encoding="utf-8"))
    sentences = [(u["text"], u["stage"], index_tokens(u["text"], u["text"])) for c in calls_json
                 for u in c["utterances"]]
    n_calls = max(1, utterances // 60)
    t0 = time.perf_counter()
    with srv.admin(name) as conn:
        conn.execute("CREATE TABLE callassist.bench_sentences (k int PRIMARY KEY, text text, stage text, tokens text)")
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO callassist.bench_sentences VALUES (%s, %s, %s, %s)",
                            [(k, t, s, tok) for k, (t, s, tok) in enumerate(sentences)])
        for m in range(12):
            conn.execute("SELECT callassist.ensure_month(%s::timestamptz)", (f"2025-{m + 1:02d}-15",))
        for login in [f"bench_ws{a:03d}" for a in range(500)]:
            server.add_member(conn, server.Member(login, "workstation", agent_id=login[-3:],
                                                  team=f"{int(login[-3:]) // 25 + 1}组"), password=PW)
        conn.execute("DROP INDEX callassist.utterances_tsv")  # built once after the load: much faster
        conn.execute("SET synchronous_commit = off")
        conn.execute(f"""
            INSERT INTO callassist.calls (id, revision, workstation, started_at, started_local, ended_at, duration,
                status, agent_name, agent_id, debtor_name, phone, account, ptp_amount, ptp_date, ptp_channel)
            SELECT 'syn-' || g, 1, 'bench_ws' || lpad((g % 500)::text, 3, '0'), ts, to_char(ts AT TIME ZONE 'Asia/Shanghai',
                   'YYYY-MM-DD"T"HH24:MI:SS"+08:00"'), NULL, 180 + (g % 300), 'completed',
                   '坐席' || (g % 500), lpad((g % 500)::text, 3, '0'), '债务人' || g, '138' || lpad(g::text, 8, '0'),
                   '6222' || lpad(g::text, 12, '0'), CASE WHEN g % 10 < 3 THEN 1000 + g % 5000 END,
                   CASE WHEN g % 10 < 3 THEN '2025-12-31' END, CASE WHEN g % 10 < 3 THEN 'app' END
            FROM (SELECT g, timestamptz '2025-01-01 01:00:00+00' + (g::double precision / {n_calls}) * interval '364 days' AS ts
                  FROM generate_series(1, {n_calls}) g) x""")
        print(f"  {n_calls} calls in {time.perf_counter() - t0:.0f} s", flush=True)
        nsent = len(sentences)
        step = 20000
        for lo in range(1, n_calls + 1, step):
            conn.execute(f"""
                INSERT INTO callassist.utterances (call_started, call_id, idx, workstation, text, raw_text, start,
                    "end", stage, t, tokens)
                SELECT c.started_at, c.id, i, c.workstation, s.text, s.text, i * 5, i * 5 + 4, s.stage, i * 5 + 4.5,
                       s.tokens
                FROM callassist.calls c CROSS JOIN generate_series(0, 59) i
                JOIN callassist.bench_sentences s ON s.k = (hashint4(substr(c.id, 5)::int * 64 + i) & 2147483647) % {nsent}
                WHERE c.id LIKE 'syn-%' AND substr(c.id, 5)::int BETWEEN {lo} AND {lo + step - 1}""")
            print(f"  utterances of {min(lo + step - 1, n_calls)} calls ({time.perf_counter() - t0:.0f} s)", flush=True)
        conn.execute("""
            INSERT INTO callassist.alerts (call_id, seq, workstation, utterance, rule, severity, t)
            SELECT id, 0, workstation, 7, (ARRAY['threat','insult','privacy','deception'])[1 + substr(id, 5)::int / 100 % 4],
                   'critical', 40 FROM callassist.calls WHERE id LIKE 'syn-%' AND substr(id, 5)::int % 100 < 8""")
        conn.execute("""
            INSERT INTO callassist.alerts (call_id, seq, workstation, utterance, rule, severity, t)
            SELECT id, 1, workstation, NULL, 'missing_agent_id', 'warning', 1 FROM callassist.calls
            WHERE id LIKE 'syn-%' AND substr(id, 5)::int % 100 BETWEEN 10 AND 14""")
        conn.execute("""
            INSERT INTO callassist.stages (call_id, seq, workstation, stage, utterance, t)
            SELECT c.id, k, c.workstation, s, k * 10, k * 50 FROM callassist.calls c,
                   unnest(ARRAY['greet','confirm_debt','reason','plan','close']) WITH ORDINALITY AS u(s, k)
            WHERE c.id LIKE 'syn-%' AND (k < 4 OR substr(c.id, 5)::int % 10 < 6)""")
        print(f"  alerts and stages ({time.perf_counter() - t0:.0f} s); building the GIN index…", flush=True)
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("CREATE INDEX utterances_tsv ON callassist.utterances USING gin (tsv)")
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - t0


def bench_queries(srv: Server, shared: Path, utterances: int, repeat: int) -> None:
    from assist.team import report

    filled = srv.info.get("queries")
    if filled and filled["utterances"] == utterances:
        name, cfg, took = filled["db"], srv.config(filled["db"]), filled["took"]
    else:
        name, cfg = srv.fresh_db()
        took = fill_synthetic(srv, name, utterances, shared)
        srv.info["queries"] = {"db": name, "utterances": utterances, "took": took}
        srv.save()
    with srv.admin(name) as conn:
        n = conn.execute("SELECT count(*) FROM callassist.utterances").fetchone()[0]
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
    print(f"server: {n} utterances, 500 agents, 12 months, {size}, filled in {took:.0f} s", flush=True)
    sup = srv.psycopg.connect(**TeamConfig(**{**cfg.__dict__, "user": "bench_qa"}).conninfo(PW), autocommit=True)
    random.seed(7)
    cases = []
    for _ in range(repeat):
        m = random.randint(1, 12)
        month = f"2025-{m:02d}"
        first, last = report.month_range(month)
        agent = f"{random.randint(0, 499):03d}"
        cases += [
            ("search 逾期, one agent, a month", dict(query="逾期", agent=agent, since=first, until=last)),
            ("search 征信 逾期, a team, a month", dict(query="征信 逾期", team=f"{random.randint(1, 20)}组",
                                                   since=first, until=last)),
            ("search 还款, a week", dict(query="还款", since=first, until=first + timedelta(days=6))),
            ("search 工号, a month, first page", dict(query="工号", since=first, until=last)),
            ("list rule=threat, a month", dict(rule="threat", since=first, until=last)),
            ("list one agent, ptp, a year", dict(agent=agent, ptp=True)),
            # beyond the first mix: what the 团队 window asks (501 hits), and no date at all
            ("+ search 还款, a month, 501 hits", dict(query="还款", since=first, until=last, limit=501)),
            ("+ search 还款, a year, no date", dict(query="还款")),
            ("+ search 催收 (less common), a month", dict(query="催收", since=first, until=last)),
        ]
    # The app has jieba's dictionary loaded long before anyone searches the team (the local records use it);
    # its first load (2-8 s on this machine) is not the server's time.
    report.ts_query("逾期")
    times: dict[str, list[float]] = {}
    for label, kw in cases:
        kw = dict(kw)
        q = kw.pop("query", None)
        t0 = time.perf_counter()
        if q:
            report.search(sup, q, **{"limit": 50, **kw})
        else:
            report.list_calls(sup, limit=200, **kw)
        times.setdefault(label, []).append(time.perf_counter() - t0)
    mix = [t for label, v in times.items() if not label.startswith("+") for t in v]
    everything = [t for v in times.values() for t in v]
    for label, v in times.items():
        print(f"QUERY  {label:36} p50 {statistics.median(v) * 1000:6.0f} ms  p95 {pct(v, 95) * 1000:6.0f} ms", flush=True)
    print(f"QUERY  the six-query mix: p50 {statistics.median(mix) * 1000:.0f} ms, p95 {pct(mix, 95) * 1000:.0f} ms "
          f"(target ≤ 300 ms); with the + queries p95 {pct(everything, 95) * 1000:.0f} ms; {load()}")
    rts = []
    for m in (3, 7, 11):
        first, last = report.month_range(f"2025-{m:02d}")
        for by in ("agent", "week", "team"):
            t0 = time.perf_counter()
            rep = report.team_report(sup, by=by, since=first, until=last)
            rts.append(time.perf_counter() - t0)
    print(f"REPORT team report for a month ({rep['total']['calls']} calls): p50 {statistics.median(rts) * 1000:.0f} ms, "
          f"max {max(rts) * 1000:.0f} ms (target ≤ 1 s)", flush=True)
    sup.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default="sync,week,latency,queries")
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--utterances", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=10, help="query rounds (6 queries each)")
    ap.add_argument("--latency-rounds", type=int, default=1,
                    help="times each of the 8 dev calls with alerts is played idle and syncing (about 9 min each)")
    ap.add_argument("--live-share", type=float, default=0.25,
                    help="the sync's share of the time while a call is live (SyncWorker live_share; 1 = no pause)")
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--keep", metavar="DIR", help="keep the cluster and the filled query database in DIR; reuse "
                    "them when DIR holds them already (delete DIR to start afresh)")
    args = ap.parse_args(argv)
    only = set(args.only.split(","))
    shared = Path(args.shared)
    tmp = Path(tempfile.mkdtemp(prefix="callassist-bench-team-"))
    srv = Server(Path(args.keep) if args.keep else None)
    print(f"PostgreSQL {srv.cluster.bin.parent.name} on 127.0.0.1:{srv.cluster.port}, {os.cpu_count()} cores, {load()}",
          flush=True)
    try:
        one = None
        if "sync" in only or "week" in only:
            one = bench_sync(srv, tmp, args.calls)
        if "week" in only:
            bench_week(srv, tmp, one)
        if "latency" in only:
            bench_latency(srv, tmp, one, shared, args.calls, args.latency_rounds, args.live_share)
        if "queries" in only:
            bench_queries(srv, shared, args.utterances, args.repeat)
    finally:
        srv.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
