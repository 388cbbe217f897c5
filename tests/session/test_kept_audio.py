"""The session keeps the call's audio when the settings say so (and writes nothing when they do not): a real
recording through the real Whisper model, the kept file decoded back to the length of the audio fed."""

from __future__ import annotations

import pytest

from assist.config import EngineConfig
from assist.store import RecordStore
from assist.store.audio import decode
from tests.audio.signals import read_wav, write_wav
from tests.tmpfs import NEEDS_ROOT, tmpfs

pytestmark = pytest.mark.model


def clip(dev_dir, tmp_path, seconds: float):
    """The first ``seconds`` of a dev call as a WAV of its own (a short call)."""
    x, rate = read_wav(dev_dir / "d02.wav")
    x = x[: int(seconds * rate)]
    return write_wav(tmp_path / "clip.wav", x, rate), len(x)


@pytest.fixture(scope="module")
def model(model_dir):
    from assist.model import load_whisper

    return load_whisper(model_dir, EngineConfig().asr)


def test_call_audio_is_kept_only_when_asked(dev_dir, model, tmp_path):
    from assist.audio import FileSource
    from assist.session import CallSession

    wav, n = clip(dev_dir, tmp_path, 12.0)
    db = tmp_path / "r.sqlite3"
    ids = {}
    with RecordStore(db) as store:
        for keep in (False, True):
            cfg = EngineConfig(record=True, db_path=db, keep_audio=keep)
            session = CallSession(FileSource(wav), config=cfg, store=store, model=model)
            ids[keep] = session.start()
            assert session.wait(180)
        assert store.flush()
        off, on = store.get_call(ids[False]), store.get_call(ids[True])
    assert off["audio"] is None
    assert [p.name for p in store.audio_dir.iterdir()] == [f"{ids[True]}.ogg"]   # nothing for the first call
    assert on["utterances"], "the call was transcribed as usual"
    assert on["audio"]["channels"] == ("agent",) and on["audio"]["error"] == ""
    y = decode(on["audio_path"])
    assert abs(len(y) - n) <= 16000 * 0.02
    assert on["audio"]["seconds"] == pytest.approx(on["duration"], abs=0.05)


@NEEDS_ROOT
def test_a_full_disk_costs_the_recording_not_the_call(dev_dir, model, tmp_path):
    """The audio folder on a real 64 kB tmpfs, nearly full: one clear StoreError, the call and its transcript go
    on, the record says why the recording stops early."""
    from assist.audio import FileSource
    from assist.events import StoreError, UtteranceFinal
    from assist.session import CallSession

    with tmpfs(tmp_path / "disk", "64k") as mnt:
        (mnt / "filler").write_bytes(b"\0" * (64 - 12) * 1024)    # 12 kB left: about 6 s of Opus
        wav, _ = clip(dev_dir, tmp_path, 30.0)
        db = tmp_path / "db" / "r.sqlite3"
        db.parent.mkdir()
        (db.parent / "audio").symlink_to(mnt)                     # the store's audio_dir is on the small disk
        events = []
        with RecordStore(db) as store:
            session = CallSession(FileSource(wav), config=EngineConfig(record=True, db_path=db, keep_audio=True),
                                  store=store, model=model)
            session.subscribe(events.append)
            session.start()
            assert session.wait(240)
            assert store.flush()
            call = store.get_call(session.call_id)
        problems = [e.message for e in events if isinstance(e, StoreError)]
        assert len(problems) == 1 and problems[0].startswith("通话录音未能保存：磁盘空间不足"), problems
        assert session.ended is not None and call["status"] == "completed"
        assert len([e for e in events if isinstance(e, UtteranceFinal)]) == len(call["utterances"]) >= 3
        assert call["audio"]["error"] == problems[0] and call["audio"]["bytes"] <= 12 * 1024
