"""The session keeps the call's audio when the settings say so (and writes nothing when they do not): a real
recording through the real Whisper model, the kept file decoded back to the length of the audio fed."""

from __future__ import annotations

import wave

import numpy as np
import pytest

from assist.config import EngineConfig
from assist.store import RecordStore
from assist.store.audio import decode

pytestmark = pytest.mark.model


def clip(dev_dir, tmp_path, seconds: float):
    from assist.audio import FileSource

    blocks = []
    src = FileSource(dev_dir / "d02.wav")
    src.start(blocks.append)
    src.wait(30)
    src.stop()
    x = np.concatenate(blocks)[: int(seconds * 16000)]
    path = tmp_path / "clip.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes((np.clip(x, -1, 1) * 32767).astype("<i2").tobytes())
    return path, len(x)


def test_call_audio_is_kept_only_when_asked(dev_dir, model_dir, tmp_path):
    from assist.audio import FileSource
    from assist.model import load_whisper
    from assist.session import CallSession

    wav, n = clip(dev_dir, tmp_path, 12.0)
    db = tmp_path / "r.sqlite3"
    model = load_whisper(model_dir, EngineConfig().asr)
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
