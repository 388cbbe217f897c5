"""The records schema and its ordered migrations, versioned with ``PRAGMA user_version``.

MIGRATIONS[i] takes a database from version i to version i + 1. A released migration is never edited: a change
to the schema is a new function appended to the list (tests upgrade committed fixture databases of every older
version, see tests/store/make_fixtures.py).

- v1: calls, final utterances, alerts, suggestions shown, stage changes, promise-to-pay history, notes.
- v2: full-text search (jieba tokens in an FTS5 index kept in sync by triggers), alert dismissal,
      suggestion use.
- v3: writer ownership (so a second process does not mistake a live call for an interrupted one), kept audio.
- v4: utterances re-tokenized: character bigrams (substring search through the index) and pinyin (sounds-like).
- v5: what kind of call a row is (a real call, an analysed recording, a test or an empty one — tests and empty
      calls are left out of the 催收记录表), the audio seconds the recogniser skipped, and a log of deleted calls.
- v6: the team-sync outbox (assist/team/sync.py): one row per finished call with a revision that triggers bump
      in the same transaction as any change to the call, so what is pending survives restarts and kill -9.
- v7: who said each utterance (`utterances.speaker`: the agent, or the debtor on a two-party recording).
- v8: kept call audio in a table of its own (`call_audio`: the file, its channels, length, size, why it stops
      early, when it was purged). v3's `calls.audio_path`/`audio_purged_at` are copied over and no longer
      written: keeping or purging audio is local and must not bump the call's team-sync revision (v6's triggers
      fire on any UPDATE of `calls`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

# Identifies a callassist records database ("CAR1" in ASCII), so a random SQLite file is refused clearly.
APPLICATION_ID = 0x43415231

STATUSES = ("active", "completed", "interrupted", "failed")
# call: on a microphone; file: a recording analysed (callassist analyze, 重新分析录音); test: 用录音测试 or marked
# as a test by the agent; empty: ended with nothing recognised (a stray F9)
KINDS = ("call", "file", "test", "empty")
REAL_KINDS = ("call", "file")


def _script(conn: sqlite3.Connection, script: str) -> None:
    """Run several statements inside the caller's transaction (``executescript`` would commit it first)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            conn.execute(pending)
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement in migration: {pending.strip()[:60]}")


def _v1(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    _script(
        conn,
        """
        CREATE TABLE calls (
            id          TEXT PRIMARY KEY,
            started_at  TEXT NOT NULL,               -- local ISO 8601 with UTC offset
            started_ts  REAL NOT NULL,               -- POSIX seconds, for ordering and time filters
            ended_at    TEXT,
            duration    REAL,                        -- seconds on the call's clock
            status      TEXT NOT NULL DEFAULT 'active'
                        CHECK (status IN ('active', 'completed', 'interrupted', 'failed')),
            source      TEXT NOT NULL DEFAULT '',    -- 'mic', 'mic:<device>' or the analysed file
            agent_name  TEXT NOT NULL DEFAULT '',
            agent_id    TEXT NOT NULL DEFAULT '',    -- 工号
            case_json   TEXT NOT NULL DEFAULT '{}',
            debtor_name TEXT NOT NULL DEFAULT '',
            phone       TEXT NOT NULL DEFAULT '',
            account     TEXT NOT NULL DEFAULT '',
            notes       TEXT NOT NULL DEFAULT '',
            ptp_amount  REAL,
            ptp_date    TEXT,
            ptp_channel TEXT,
            error       TEXT NOT NULL DEFAULT ''     -- why a call failed / was interrupted
        );
        CREATE INDEX calls_started ON calls(started_ts);
        CREATE INDEX calls_agent ON calls(agent_id);

        CREATE TABLE utterances (
            id       INTEGER PRIMARY KEY,
            call_id  TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
            idx      INTEGER NOT NULL,
            text     TEXT NOT NULL DEFAULT '',
            raw_text TEXT NOT NULL DEFAULT '',
            start    REAL,
            "end"    REAL,
            stage    TEXT NOT NULL DEFAULT '',
            is_final INTEGER NOT NULL DEFAULT 1,
            t        REAL,
            UNIQUE (call_id, idx)
        );

        CREATE TABLE alerts (
            id        INTEGER PRIMARY KEY,
            call_id   TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
            utterance INTEGER,                       -- NULL for call rules
            rule      TEXT NOT NULL,
            severity  TEXT NOT NULL,
            evidence  TEXT NOT NULL DEFAULT '',
            source    TEXT NOT NULL DEFAULT '',
            message   TEXT NOT NULL DEFAULT '',
            advice    TEXT NOT NULL DEFAULT '',
            basis     TEXT NOT NULL DEFAULT '',
            t         REAL,
            retracted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX alerts_call ON alerts(call_id, rule);
        CREATE INDEX alerts_rule ON alerts(rule);

        CREATE TABLE suggestions (
            id      INTEGER PRIMARY KEY,
            call_id TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
            stage   TEXT NOT NULL DEFAULT '',
            text    TEXT NOT NULL DEFAULT '',
            reason  TEXT NOT NULL DEFAULT '',
            line_id TEXT NOT NULL DEFAULT '',
            t       REAL
        );
        CREATE INDEX suggestions_call ON suggestions(call_id, line_id);

        CREATE TABLE stages (
            id        INTEGER PRIMARY KEY,
            call_id   TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
            stage     TEXT NOT NULL,
            utterance INTEGER,                       -- the utterance that moved the call there
            t         REAL
        );
        CREATE INDEX stages_call ON stages(call_id, stage);
        CREATE INDEX stages_stage ON stages(stage);

        CREATE TABLE ptps (
            id      INTEGER PRIMARY KEY,
            call_id TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
            amount  REAL,
            date    TEXT,
            channel TEXT,
            t       REAL
        );
        CREATE INDEX ptps_call ON ptps(call_id);
        """,
    )


def _v2(conn: sqlite3.Connection) -> None:
    # Jieba tokens are computed in Python, so existing rows are back-filled here, not in SQL.
    from .tokens import index_tokens

    conn.execute("ALTER TABLE utterances ADD COLUMN tokens TEXT NOT NULL DEFAULT ''")
    rows = conn.execute("SELECT id, text, raw_text FROM utterances").fetchall()
    conn.executemany(
        "UPDATE utterances SET tokens = ? WHERE id = ?", [(index_tokens(text, raw), rid) for rid, text, raw in rows]
    )
    _script(
        conn,
        """
        CREATE VIRTUAL TABLE utterances_fts USING fts5(tokens, content='utterances', content_rowid='id');
        INSERT INTO utterances_fts(utterances_fts) VALUES ('rebuild');
        CREATE TRIGGER utterances_ai AFTER INSERT ON utterances BEGIN
            INSERT INTO utterances_fts(rowid, tokens) VALUES (new.id, new.tokens);
        END;
        CREATE TRIGGER utterances_ad AFTER DELETE ON utterances BEGIN
            INSERT INTO utterances_fts(utterances_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens);
        END;
        CREATE TRIGGER utterances_au AFTER UPDATE OF tokens ON utterances BEGIN
            INSERT INTO utterances_fts(utterances_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens);
            INSERT INTO utterances_fts(rowid, tokens) VALUES (new.id, new.tokens);
        END;

        ALTER TABLE alerts ADD COLUMN dismissed INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE alerts ADD COLUMN dismissed_at TEXT;
        ALTER TABLE suggestions ADD COLUMN used INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE suggestions ADD COLUMN used_at REAL;
        ALTER TABLE suggestions ADD COLUMN alternatives TEXT NOT NULL DEFAULT '[]';
        """
    )


def _v3(conn: sqlite3.Connection) -> None:
    _script(
        conn,
        """
        ALTER TABLE calls ADD COLUMN owner TEXT NOT NULL DEFAULT '';   -- the writer's lock token (owner.py)
        ALTER TABLE calls ADD COLUMN audio_path TEXT;
        ALTER TABLE calls ADD COLUMN audio_purged_at TEXT;
        CREATE INDEX calls_status ON calls(status);
        """
    )


def _retokenize(conn: sqlite3.Connection) -> None:
    """Recompute every utterance's index tokens with the current tokenizer (the update trigger re-indexes).
    A change to ``tokens.index_tokens`` ships as a new migration calling this."""
    from .tokens import index_tokens

    rows = conn.execute("SELECT id, text, raw_text FROM utterances").fetchall()
    conn.executemany(
        "UPDATE utterances SET tokens = ? WHERE id = ?", [(index_tokens(text, raw), rid) for rid, text, raw in rows]
    )


def _v4(conn: sqlite3.Connection) -> None:
    # Tokens gain character bigrams (indexed substring search) and pinyin (sounds-like search).
    _retokenize(conn)


def _v5(conn: sqlite3.Connection) -> None:
    _script(
        conn,
        """
        ALTER TABLE calls ADD COLUMN kind TEXT NOT NULL DEFAULT 'call'
            CHECK (kind IN ('call', 'file', 'test', 'empty'));
        ALTER TABLE calls ADD COLUMN skipped_s REAL NOT NULL DEFAULT 0;   -- audio left unrecognised (PC too busy)
        CREATE INDEX calls_kind ON calls(kind);
        UPDATE calls SET kind = 'file' WHERE source <> '' AND source NOT LIKE 'mic%';
        UPDATE calls SET kind = 'empty' WHERE kind = 'call' AND status <> 'active'
            AND NOT EXISTS (SELECT 1 FROM utterances u WHERE u.call_id = calls.id AND u.is_final = 1);

        CREATE TABLE deleted_calls (             -- a deleted call leaves this behind (who can tell it existed)
            id          INTEGER PRIMARY KEY,
            call_id     TEXT NOT NULL,
            started_at  TEXT NOT NULL,
            kind        TEXT NOT NULL,
            agent_name  TEXT NOT NULL DEFAULT '',
            agent_id    TEXT NOT NULL DEFAULT '',
            debtor_name TEXT NOT NULL DEFAULT '',
            duration    REAL,
            utterances  INTEGER NOT NULL DEFAULT 0,
            alerts      TEXT NOT NULL DEFAULT '{}',   -- alert counts by rule, as JSON
            reason      TEXT NOT NULL DEFAULT '',
            deleted_at  TEXT NOT NULL
        );
        """
    )


def _v6(conn: sqlite3.Connection) -> None:
    # A call is queued for the team server when it is no longer active, and queued again (revision + 1) by
    # any later change: a note, a dismissal, a late promise row. Active calls cost one indexed lookup per row.
    bump = (
        "INSERT INTO sync_outbox (call_id, changed_ts) VALUES ({cid}, (julianday('now') - 2440587.5) * 86400.0)"
        " ON CONFLICT (call_id) DO UPDATE SET revision = revision + 1, changed_ts = excluded.changed_ts,"
        " next_ts = 0, attempts = 0;"
    )
    parts = [
        """
        CREATE TABLE sync_outbox (
            call_id         TEXT PRIMARY KEY REFERENCES calls(id) ON DELETE CASCADE,
            revision        INTEGER NOT NULL DEFAULT 1,   -- bumped by every change of the finished call
            synced_revision INTEGER NOT NULL DEFAULT 0,   -- the revision the server has
            changed_ts      REAL NOT NULL,
            synced_ts       REAL,
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_ts         REAL NOT NULL DEFAULT 0,      -- not before (backoff of a call the server refused)
            last_error      TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX sync_outbox_pending ON sync_outbox(changed_ts) WHERE revision > synced_revision;
        CREATE TABLE sync_state (
            key   TEXT PRIMARY KEY,                       -- 'server': the worker's last contact
            value TEXT NOT NULL DEFAULT '{}'
        );
        INSERT INTO sync_outbox (call_id, changed_ts)
            SELECT id, started_ts FROM calls WHERE status != 'active' AND kind IN ('call', 'file');
        """,
        # test and empty calls (v5's kinds) stay on the workstation: they would count in the team's figures
        f"CREATE TRIGGER sync_calls_ai AFTER INSERT ON calls WHEN new.status != 'active' AND new.kind IN ('call', 'file')"
        f" BEGIN {bump.format(cid='new.id')} END;",
        f"CREATE TRIGGER sync_calls_au AFTER UPDATE ON calls WHEN new.status != 'active' AND new.kind IN ('call', 'file')"
        f" BEGIN {bump.format(cid='new.id')} END;",
    ]
    for table in ("utterances", "alerts", "suggestions", "stages", "ptps"):
        when = ("(SELECT status != 'active' AND kind IN ('call', 'file') FROM calls WHERE id = new.call_id)")
        for kind, verb in (("ai", "INSERT"), ("au", "UPDATE")):
            parts.append(f"CREATE TRIGGER sync_{table}_{kind} AFTER {verb} ON {table} WHEN {when} "
                         f"BEGIN {bump.format(cid='new.call_id')} END;")
    _script(conn, "\n".join(parts))


def _v7(conn: sqlite3.Connection) -> None:
    # Two-party calls: who said each utterance (the agent's microphone or the debtor's side of the line).
    _script(
        conn,
        """
        ALTER TABLE utterances ADD COLUMN speaker TEXT NOT NULL DEFAULT 'agent'
            CHECK (speaker IN ('agent', 'debtor'));
        """
    )


def _v8(conn: sqlite3.Connection) -> None:
    _script(
        conn,
        """
        CREATE TABLE call_audio (
            call_id    TEXT PRIMARY KEY REFERENCES calls(id) ON DELETE CASCADE,
            path       TEXT NOT NULL,
            format     TEXT NOT NULL DEFAULT 'ogg/opus',
            channels   TEXT NOT NULL DEFAULT 'agent',   -- left to right: 'agent' or 'agent,debtor'
            seconds    REAL,
            bytes      INTEGER,
            error      TEXT NOT NULL DEFAULT '',        -- why the file stops early (disk full), '' if complete
            created_at TEXT NOT NULL,
            purged_at  TEXT                             -- the file was deleted (retention); the record stays
        );
        INSERT INTO call_audio (call_id, path, format, created_at, purged_at)
            SELECT id, coalesce(audio_path, ''), '', started_at, audio_purged_at FROM calls
            WHERE audio_path IS NOT NULL OR audio_purged_at IS NOT NULL;
        """
    )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2, _v3, _v4, _v5, _v6, _v7, _v8]
SCHEMA_VERSION = len(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def apply_migrations(conn: sqlite3.Connection, upto: int = SCHEMA_VERSION) -> tuple[int, int]:
    """Bring ``conn`` (autocommit mode) to version ``upto``, one committed transaction per version.

    Returns (version before, version after). A failing migration rolls back to the last good version.
    """
    before = user_version(conn)
    for version in range(before, upto):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read under the write lock: another process may have migrated meanwhile.
            if user_version(conn) != version:
                conn.execute("ROLLBACK")
                continue
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return before, user_version(conn)
