"""Kept call audio: real Opus files written off the audio path, decoded back and compared, linked from the records
(schema v8 `call_audio`), purged by age with the record kept, removed with a deleted call, and a full disk that
costs the recording but never raises into the caller."""

from __future__ import annotations

import os
import shutil
import time
from datetime import datetime, timedelta

import numpy as np
import pytest

from assist.store import RecordStore
from assist.store.audio import PROBLEM, CallAudioWriter, KeptAudio, decode
from tests.audio.signals import read_wav
from tests.tmpfs import NEEDS_ROOT, tmpfs

SR = 16000


def speech(dev_dir, seconds: float) -> np.ndarray:
    """Real call audio (16 kHz mono) from the dev set."""
    x, rate = read_wav(dev_dir / "d02.wav")
    assert rate == SR
    return x[: int(seconds * SR)]


def feed(writer: CallAudioWriter, x: np.ndarray, debtor: np.ndarray | None = None, block: int = 800) -> float:
    """Hand ``x`` over in 50 ms blocks as the session does; returns the slowest hand-over in seconds."""
    worst = 0.0
    for i in range(0, len(x), block):
        t0 = time.perf_counter()
        writer.agent(x[i:i + block])
        if debtor is not None:
            writer.debtor(debtor[i:i + block])
        worst = max(worst, time.perf_counter() - t0)
    return worst


def test_agent_audio_is_kept_as_opus_and_decodes_to_the_same_length(dev_dir, tmp_path):
    x = speech(dev_dir, 40.0)
    writer = CallAudioWriter(tmp_path / "audio" / "c1.ogg")
    feed(writer, x)
    kept = writer.close()
    assert kept.error == "" and kept.channels == ("agent",)
    assert kept.seconds == pytest.approx(len(x) / SR, abs=1e-3)
    assert kept.path.read_bytes()[:4] == b"OggS"
    y = decode(kept.path)
    assert y.shape[1] == 1
    assert abs(len(y) - len(x)) <= SR * 0.02          # within one Opus frame
    # lossy but the same speech: the loudness envelope (100 ms windows) follows the original closely
    n = min(len(x), len(y)) // 1600 * 1600
    env_x = np.sqrt((x[:n].reshape(-1, 1600) ** 2).mean(axis=1))
    env_y = np.sqrt((y[:n, 0].reshape(-1, 1600) ** 2).mean(axis=1))
    assert np.corrcoef(env_x, env_y)[0, 1] > 0.95
    per_minute = kept.bytes / (len(x) / SR / 60)
    assert 40_000 < per_minute < 200_000, per_minute   # ≈0.1 MB a minute at 16 kbit/s
    assert os.stat(kept.path).st_mode & 0o777 == 0o600
    assert os.stat(kept.path.parent).st_mode & 0o777 == 0o700


def test_two_party_call_is_one_stereo_file_agent_left_debtor_right(dev_dir, tmp_path):
    x = speech(dev_dir, 20.0)
    debtor = np.roll(x, SR * 5) * 0.5          # a different signal on the other side
    writer = CallAudioWriter(tmp_path / "c2.ogg", two_party=True)
    feed(writer, x, debtor)
    kept = writer.close()
    assert kept.channels == ("agent", "debtor") and not kept.error
    y = decode(kept.path)
    assert y.shape[1] == 2 and abs(len(y) - len(x)) <= SR * 0.02
    n = min(len(x), len(y)) // 1600 * 1600
    env = lambda s: np.sqrt((s[:n].reshape(-1, 1600) ** 2).mean(axis=1))   # noqa: E731
    assert np.corrcoef(env(x), env(y[:, 0]))[0, 1] > 0.95
    assert np.corrcoef(env(debtor), env(y[:, 1]))[0, 1] > 0.95
    assert np.corrcoef(env(x), env(y[:, 1]))[0, 1] < 0.8     # the sides were not mixed together


def test_a_debtor_lane_that_stops_does_not_hold_the_agent_audio_back(tmp_path):
    x = (np.random.default_rng(1).standard_normal(SR * 10) * 0.1).astype(np.float32)
    writer = CallAudioWriter(tmp_path / "c3.ogg", two_party=True)
    feed(writer, x, None)          # no debtor block at all
    time.sleep(1.0)
    assert writer.held_s <= 2.1    # encoded as it came (the silent side padded), not piled up in memory
    kept = writer.close()
    assert kept.seconds == pytest.approx(10.0, abs=0.01)
    assert len(decode(kept.path)) == pytest.approx(SR * 10, abs=SR * 0.02)


def test_records_link_purge_and_delete_the_audio(dev_dir, tmp_path):
    x = speech(dev_dir, 5.0)
    with RecordStore(tmp_path / "r.sqlite3") as store:
        old = datetime.now().astimezone() - timedelta(days=40)
        new = datetime.now().astimezone() - timedelta(days=2)
        kept: dict[str, KeptAudio] = {}
        for cid, started, kind in (("old", old, None), ("new", new, None), ("test", new, "test")):
            store.begin_call(cid, started_at=started, kind=kind)
            writer = store.audio_writer(cid)
            feed(writer, x)
            kept[cid] = writer.close()
            store.attach_audio(cid, kept[cid])
        assert store.flush()
        call = store.get_call("new")
        assert call["audio_path"] == str(kept["new"].path.resolve())
        assert call["audio"]["channels"] == ("agent",) and call["audio"]["seconds"] == pytest.approx(5.0)
        assert call["audio"]["bytes"] == kept["new"].bytes and call["audio"]["format"] == "ogg/opus"
        assert kept["old"].path.parent == store.audio_dir == tmp_path / "audio"
        assert {c["id"]: c["audio_path"] is not None for c in store.list_calls(kind=None)} == {
            "old": True, "new": True, "test": True}

        assert store.purge_audio(30) == 1
        assert not kept["old"].path.exists() and kept["new"].path.exists()
        gone = store.get_call("old")
        assert gone["audio_path"] is None and gone["audio"]["purged_at"] and gone["audio_purged_at"]
        assert len(gone["case"]) and gone["status"] == "active"    # the record itself stays
        assert store.purge_audio(30) == 0

        store.delete_call("test", "测试通话")
        assert store.flush()
        assert not kept["test"].path.exists()         # a deleted call takes its recording with it
        with pytest.raises(ValueError):
            store.purge_audio(0)


def test_upgrade_from_v7_moves_the_old_audio_column_into_call_audio(tmp_path):
    import sqlite3

    from .make_fixtures import FIXTURES

    path = tmp_path / "r.sqlite3"
    shutil.copy(FIXTURES / "records_v7.sqlite3", path)
    with sqlite3.connect(path) as conn:   # a v3..v7 writer's link (the fixture's own calls kept none)
        conn.execute("UPDATE calls SET audio_path = '/old/place/old-done.wav' WHERE id = 'old-done'")
    with RecordStore(path) as store:
        assert store.flush()
        call = store.get_call("old-done")
        assert call["audio_path"] == "/old/place/old-done.wav" and call["audio"]["format"] == ""
        assert store.get_call("old-killed")["audio"] is None


@NEEDS_ROOT
def test_a_full_disk_stops_the_recording_with_one_clear_message_and_never_raises(tmp_path):
    messages = []
    x = (np.random.default_rng(0).standard_normal(SR * 60) * 0.2).astype(np.float32)   # ≈120 kB of Opus
    with tmpfs(tmp_path / "disk", "64k") as disk:
        writer = CallAudioWriter(disk / "audio" / "c.ogg", on_error=messages.append)
        worst = feed(writer, x)            # the caller (an audio callback) never sees the error
        kept = writer.close()
    assert len(messages) == 1 and messages[0] == kept.error
    assert kept.error.startswith(PROBLEM) and "磁盘空间不足" in kept.error and "照常进行" in kept.error
    assert 0 < kept.bytes <= 64 * 1024
    assert worst < 0.05, worst


def test_records_cli_saves_a_calls_audio_as_wav_or_ogg_and_purges(dev_dir, tmp_path, capsys):
    import argparse
    import wave

    from assist.cli import records as cli

    def run(*argv) -> int:
        parser = argparse.ArgumentParser(prog="callassist")
        cli.add_parser(parser.add_subparsers(dest="command"))
        return cli.run(parser.parse_args(["records", *map(str, argv)]))

    db = tmp_path / "r.sqlite3"
    x = speech(dev_dir, 6.0)
    with RecordStore(db) as store:
        store.begin_call("20261012-101500-aaaaaa", started_at=datetime.now().astimezone() - timedelta(days=9))
        store.begin_call("20261012-111500-bbbbbb", started_at=datetime.now().astimezone())
        writer = store.audio_writer("20261012-101500-aaaaaa", two_party=True)
        feed(writer, x, x * 0.3)
        store.attach_audio("20261012-101500-aaaaaa", writer.close())
        assert store.flush()
    capsys.readouterr()
    assert run("show", "20261012-1015", "--db", db) == 0
    assert "坐席+对方（左/右声道）" in capsys.readouterr().out

    wav = tmp_path / "out" / "call.wav"
    wav.parent.mkdir()
    assert run("audio", "20261012-1015", "--out", wav, "--db", db) == 0
    with wave.open(str(wav)) as w:
        assert (w.getnchannels(), w.getframerate()) == (2, 16000)
        assert abs(w.getnframes() - len(x)) <= 320
    assert os.stat(wav).st_mode & 0o777 == 0o600
    ogg = tmp_path / "out" / "call.ogg"
    assert run("audio", "20261012-1015", "--out", ogg, "--db", db) == 0
    assert ogg.read_bytes()[:4] == b"OggS"
    assert run("audio", "20261012-1015", "--out", ogg, "--db", db) == 2            # exists: not overwritten
    assert "--force" in capsys.readouterr().err

    assert run("audio", "20261012-1115", "--out", tmp_path / "x.wav", "--db", db) == 1
    assert "保留通话录音" in capsys.readouterr().err                                   # none was kept
    assert run("purge-audio", "--days", 0, "--db", db) == 2
    assert run("purge-audio", "--days", 7, "--db", db) == 0
    assert "已删除 1 个" in capsys.readouterr().out
    assert run("audio", "20261012-1015", "--out", tmp_path / "y.wav", "--db", db) == 1
    assert "已于" in capsys.readouterr().err                                           # purged, said so
