"""Bad input to `callassist analyze`: non-zero exit, one clear line on stderr, no call row in the database."""

from __future__ import annotations

import os
import wave

import pytest

from .helpers import analyze_inprocess, call_rows, cli_process, dev_call, run_analyze, write_transcript


@pytest.fixture()
def db_with_one_call(dev_dir, tmp_path, capsys):
    db = tmp_path / "records.sqlite3"
    txt = write_transcript(dev_call(dev_dir, "d06"), tmp_path)
    assert analyze_inprocess(capsys, txt, "--db", db)[0] == 0
    rows = call_rows(db)
    assert len(rows) == 1
    return db, rows


def _fails_cleanly(capsys, db, rows, *args, expect: str) -> str:
    capsys.readouterr()
    status = run_analyze(*args, "--db", db, "--json")
    out = capsys.readouterr()
    assert status != 0, args
    assert out.out == "", "nothing may reach stdout on bad input"
    lines = out.err.strip().splitlines()
    assert len(lines) == 1, out.err
    assert lines[0].startswith("callassist analyze: error:") and expect.lower() in lines[0].lower(), lines[0]
    assert call_rows(db) == rows, "a failed analyze left a call row behind"
    return lines[0]


def test_missing_inputs(db_with_one_call, tmp_path, capsys):
    db, rows = db_with_one_call
    _fails_cleanly(capsys, db, rows, tmp_path / "nope.wav", expect="nope.wav")
    _fails_cleanly(capsys, db, rows, tmp_path / "nope.txt", expect="nope.txt")
    _fails_cleanly(capsys, db, rows, tmp_path, expect=str(tmp_path.name))


def test_garbage_and_empty_audio(db_with_one_call, tmp_path, capsys):
    db, rows = db_with_one_call
    garbage = tmp_path / "garbage.wav"
    garbage.write_bytes(os.urandom(64_000))
    _fails_cleanly(capsys, db, rows, garbage, expect="garbage.wav")

    empty = tmp_path / "empty.wav"
    with wave.open(str(empty), "wb") as w:  # a valid header and no samples
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
    _fails_cleanly(capsys, db, rows, empty, expect="empty.wav")

    zero = tmp_path / "zero.mp3"
    zero.write_bytes(b"")
    _fails_cleanly(capsys, db, rows, zero, expect="zero.mp3")


def test_bad_transcript_and_options(db_with_one_call, dev_dir, tmp_path, capsys):
    db, rows = db_with_one_call
    blank = tmp_path / "blank.txt"
    blank.write_text("\n  \n", encoding="utf-8")
    _fails_cleanly(capsys, db, rows, blank, expect="empty")

    txt = write_transcript(dev_call(dev_dir, "d06"), tmp_path)
    _fails_cleanly(capsys, db, rows, txt, "--started-at", "yesterday at ten", expect="--started-at")

    bad_case = tmp_path / "case.json"
    bad_case.write_text('{"debtor_name": "张三", "amount": "many"}', encoding="utf-8")
    _fails_cleanly(capsys, db, rows, txt, "--case", bad_case, expect="case")
    bad_case.write_text("not json", encoding="utf-8")
    _fails_cleanly(capsys, db, rows, txt, "--case", bad_case, expect="case")
    _fails_cleanly(capsys, db, rows, txt, "--case", tmp_path / "missing.json", expect="missing.json")


def test_not_a_records_database(dev_dir, tmp_path, capsys):
    db = tmp_path / "other.sqlite3"
    db.write_bytes(b"this is not a database at all" * 100)
    before = db.read_bytes()
    txt = write_transcript(dev_call(dev_dir, "d06"), tmp_path)
    capsys.readouterr()
    assert run_analyze(txt, "--db", db, "--json") != 0
    out = capsys.readouterr()
    assert out.out == "" and len(out.err.strip().splitlines()) == 1, out.err
    assert db.read_bytes() == before


@pytest.mark.model
def test_missing_and_corrupt_model(db_with_one_call, dev_dir, model_dir, tmp_path, capsys):
    db, rows = db_with_one_call
    wav = dev_dir / "d06.wav"
    _fails_cleanly(capsys, db, rows, wav, "--model", tmp_path / "no-model", expect="no-model")

    broken = tmp_path / "broken-model"
    broken.mkdir()
    for f in model_dir.iterdir():
        if f.is_file() and f.name != "model.bin":
            (broken / f.name).symlink_to(f)
    (broken / "model.bin").write_bytes(os.urandom(4096))
    _fails_cleanly(capsys, db, rows, wav, "--model", broken, expect="broken-model")


def test_console_script_reports_one_line_and_status(tmp_path):
    """The real process: exit status and a single stderr line, nothing on stdout."""
    db = tmp_path / "r.sqlite3"
    proc = cli_process("analyze", tmp_path / "missing.wav", "--db", db, "--json")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and "missing.wav" in proc.stderr
    assert not db.exists()


def test_broken_rule_pack_is_reported_with_its_line(db_with_one_call, dev_dir, tmp_path, capsys, monkeypatch):
    import shutil

    from assist import paths

    db, rows = db_with_one_call
    res = tmp_path / "resources"
    shutil.copytree(paths.resources_dir(), res)
    (res / "rules" / "threat.yaml").write_text("id: [broken\n", encoding="utf-8")
    monkeypatch.setenv("CALLASSIST_RESOURCES", str(res))
    txt = write_transcript(dev_call(dev_dir, "d06"), tmp_path)
    _fails_cleanly(capsys, db, rows, txt, expect="threat.yaml:1:")


def test_channel_is_for_audio_only(db_with_one_call, dev_dir, tmp_path, capsys):
    db, rows = db_with_one_call
    txt = write_transcript(dev_call(dev_dir, "d06"), tmp_path)
    _fails_cleanly(capsys, db, rows, txt, "--channel", "1", expect="--channel")
    _fails_cleanly(capsys, db, rows, dev_dir / "d06.wav", "--channel", "3", expect="d06.wav")


def test_two_party_channel_options_are_checked(db_with_one_call, shared_dir, capsys):
    db, rows = db_with_one_call
    dialogues = shared_dir / "data" / "dialogues"
    _fails_cleanly(capsys, db, rows, dialogues / "dlg01_mono.flac", "--debtor-channel", "1",
                   expect="need a recording with two channels")
    _fails_cleanly(capsys, db, rows, dialogues / "dlg01.flac", "--agent-channel", "1", "--debtor-channel", "1",
                   expect="are both 1")
    _fails_cleanly(capsys, db, rows, dialogues / "dlg01.flac", "--channel", "0", "--debtor-channel", "1",
                   expect="cannot be combined with --debtor-channel")
    _fails_cleanly(capsys, db, rows, dialogues / "dlg01.flac", "--debtor-channel", "2", expect="out of range")
