"""Schema versions, migrations from every committed old-version fixture, and refusing files that are not ours."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from assist.store import SCHEMA_VERSION, RecordStore, RecordStoreError, schema

from .make_fixtures import FIXTURES, OLD_VERSIONS, build


def _pragma(path, name):
    with sqlite3.connect(path) as conn:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]


def test_new_database_is_current_version_in_wal_mode(tmp_path):
    path = tmp_path / "new.sqlite3"
    with RecordStore(path):
        pass
    assert _pragma(path, "user_version") == SCHEMA_VERSION >= 3
    assert _pragma(path, "application_id") == schema.APPLICATION_ID
    assert _pragma(path, "journal_mode") == "wal"
    with sqlite3.connect(path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert {"calls", "utterances", "alerts", "suggestions", "stages", "ptps", "utterances_fts"} <= names


def test_there_is_a_fixture_for_every_older_version():
    assert OLD_VERSIONS == tuple(range(1, SCHEMA_VERSION))
    for v in OLD_VERSIONS:
        path = FIXTURES / f"records_v{v}.sqlite3"
        assert path.is_file(), f"missing {path}: run tests/store/make_fixtures.py"
        assert _pragma(path, "user_version") == v


@pytest.mark.parametrize("version", OLD_VERSIONS)
def test_committed_fixture_matches_the_script(tmp_path, version):
    # The committed file and a fresh build must have the same schema and rows (guards a hand-edited fixture).
    fresh = build(version, tmp_path / "fresh.sqlite3")
    def dump(p):
        with sqlite3.connect(p) as conn:
            sql = sorted(r[0] for r in conn.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"))
            rows = conn.execute("SELECT id, status, ptp_amount FROM calls ORDER BY id").fetchall()
            texts = conn.execute("SELECT call_id, idx, text, raw_text FROM utterances ORDER BY call_id, idx").fetchall()
        return sql, rows, texts
    assert dump(fresh) == dump(FIXTURES / f"records_v{version}.sqlite3")


@pytest.mark.parametrize("version", OLD_VERSIONS)
def test_upgrade_from_old_version_keeps_data_and_marks_killed_call(tmp_path, version):
    path = tmp_path / "records.sqlite3"
    shutil.copy(FIXTURES / f"records_v{version}.sqlite3", path)
    with RecordStore(path) as store:
        assert store.flush(10)
        assert _pragma(path, "user_version") == SCHEMA_VERSION
        # The backup of the old version is kept beside it, still at the old version.
        assert _pragma(path.with_name(f"records.sqlite3.v{version}.bak"), "user_version") == version

        done = store.get_call("old-done")
        assert done["status"] == "completed"
        assert [u["text"] for u in done["utterances"]][1] == "您尾号六六零一的信用卡已经逾期三十五天，欠款三千六百八十元。"
        assert done["utterances"][1]["raw_text"].startswith("您尾号六六零一的信用卡已经预期")
        assert done["ptp"] == {"amount": 3680.0, "date": "2026-09-02", "channel": "app"}
        threat = [a for a in done["alerts"] if a["rule"] == "threat"][0]
        assert threat["dismissed"] is (version >= 2)
        assert [a["retracted"] for a in done["alerts"] if a["rule"] == "deception"] == [True]
        assert done["suggestions"][0]["used"] is (version >= 2)
        assert done["audio_path"] is None
        assert done["kind"] == "call" and done["skipped_s"] == 0      # v5: a microphone call, nothing skipped

        # The call a killed v1/v2 process left active is now interrupted, kept, with its utterances.
        killed = store.get_call("old-killed")
        assert killed["status"] == "interrupted"
        assert len(killed["utterances"]) == 2
        assert killed["duration"] == pytest.approx(10.5)
        assert store.interrupted == ["old-killed"]

        # Old transcripts are searchable (v1 rows were back-filled with tokens), including raw homophones.
        assert {h["call_id"] for h in store.search("逾期")} == {"old-done", "old-killed"}
        assert [h["utterance"] for h in store.search("海款")] == [3]  # jieba: 海 + 款; found via v4 bigrams
        assert [h["utterance"] for h in store.search("公号", sounds_like=True, debtor="陈建国")] == [0]
        with sqlite3.connect(path) as conn:  # every old row was re-tokenized
            assert all(" bg" in t and " py" in t for (t,) in conn.execute("SELECT tokens FROM utterances"))
        assert store.list_calls(rule="threat")[0]["id"] == "old-done"
        assert store.list_calls(rule="deception") == []  # retracted alerts do not count

        # And the upgraded database takes new writes.
        store.set_notes("old-done", "已复核")
    with RecordStore(path) as store:
        assert store.get_call("old-done")["notes"] == "已复核"


def test_newer_database_is_refused(tmp_path):
    path = tmp_path / "future.sqlite3"
    with RecordStore(path):
        pass
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(RecordStoreError, match="比本程序支持的版本"):
        RecordStore(path)


def test_foreign_sqlite_file_is_refused_untouched(tmp_path):
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (name TEXT)")
    with pytest.raises(RecordStoreError, match="不是通话记录数据库"):
        RecordStore(path)
    assert _pragma(path, "user_version") == 0


def test_corrupt_file_is_refused_clearly(tmp_path):
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(RecordStoreError, match="已损坏或不是数据库文件"):
        RecordStore(path)


def test_missing_file_is_refused_when_not_creating(tmp_path):
    with pytest.raises(RecordStoreError, match="不存在"):
        RecordStore(tmp_path / "nope.sqlite3", create=False)
    assert not (tmp_path / "nope.sqlite3").exists()
