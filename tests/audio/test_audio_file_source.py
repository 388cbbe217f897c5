"""FileSource on real files: dev WAVs, stereo/44.1/48 kHz WAVs written here, FLAC/Ogg encoded with PyAV."""

from __future__ import annotations

import time
import tracemalloc
import wave

import av
import numpy as np
import pytest
from faster_whisper import decode_audio

from assist.audio import AudioFileError, FileSource

from .signals import dominant_freq, read_wav, sine, write_wav


def collect(src: FileSource, timeout: float = 60) -> list[np.ndarray]:
    blocks: list[np.ndarray] = []
    src.start(blocks.append)
    assert src.wait(timeout), "FileSource did not finish"
    return blocks


def test_fast_feed_delivers_the_whole_file_in_blocks(dev_dir):
    src = FileSource(dev_dir / "d01.wav", block_s=0.1)
    assert src.realtime is False and src.sample_rate == 16000
    t0 = time.monotonic()
    blocks = collect(src)
    elapsed = time.monotonic() - t0
    y = np.concatenate(blocks)
    assert np.array_equal(y, decode_audio(str(dev_dir / "d01.wav")))  # same samples as Whisper's own loader
    assert all(b.dtype == np.float32 and b.ndim == 1 for b in blocks)
    assert {b.size for b in blocks[:-1]} == {1600} and 0 < blocks[-1].size <= 1600
    assert src.position_s == pytest.approx(y.size / 16000)
    assert elapsed < 20, "an 80 s file must feed far faster than real time"
    assert src.level < -20  # the file ends in near-silence: the meter shows the last block


def test_realtime_pacing_has_no_drift(dev_dir, tmp_path):
    x, rate = read_wav(dev_dir / "d01.wav")
    one_s = write_wav(tmp_path / "one_second.wav", x[rate:2 * rate], rate)
    arrivals: list[float] = []
    src = FileSource(one_s, realtime=True, block_s=0.1)
    t0 = time.monotonic()
    src.start(lambda b: arrivals.append(time.monotonic() - t0))
    assert src.wait(5)
    elapsed = time.monotonic() - t0
    assert elapsed == pytest.approx(1.0, abs=0.15)
    assert len(arrivals) == 10
    # Block k is delivered once the wall clock reaches the end of its audio, (k+1) x 0.1 s: never before,
    # and lateness does not pile up (a loaded CI box may delay a single block).
    for k, t in enumerate(arrivals):
        assert (k + 1) * 0.1 - 0.01 <= t <= (k + 1) * 0.1 + 0.3, (k, t)


def test_stop_mid_feed_returns_promptly_and_no_sink_call_follows(dev_dir):
    calls = []
    src = FileSource(dev_dir / "d01.wav", realtime=True, block_s=0.05)
    src.start(lambda b: calls.append(time.monotonic()))
    time.sleep(0.3)
    t0 = time.monotonic()
    src.stop()
    stopped_at = time.monotonic()
    assert stopped_at - t0 < 0.5  # not the 80 s the rest of the file would take
    n = len(calls)
    time.sleep(0.2)
    assert len(calls) == n and all(t <= stopped_at for t in calls)
    assert src.wait(0) is True
    src.stop()  # idempotent


def test_channel_selection_on_a_stereo_file(tmp_path):
    left, right = sine(440, 1.0, 16000), sine(1000, 1.0, 16000)
    path = write_wav(tmp_path / "stereo.wav", np.stack([left, right], axis=1), 16000)
    y0 = np.concatenate(collect(FileSource(path, channel=0)))
    y1 = np.concatenate(collect(FileSource(path, channel=1)))
    mixed = np.concatenate(collect(FileSource(path)))
    assert dominant_freq(y0, 16000) == pytest.approx(440, abs=2)
    assert dominant_freq(y1, 16000) == pytest.approx(1000, abs=2)
    assert np.allclose(y0, left, atol=1e-3) and np.allclose(y1, right, atol=1e-3)
    assert np.allclose(mixed, (left + right) / 2, atol=1e-3)
    with pytest.raises(AudioFileError, match=r"channel 2 out of range 0\.\.1"):
        FileSource(path, channel=2)


@pytest.mark.parametrize("rate,channels", [(44100, 1), (48000, 2)])
def test_wav_at_device_rates_is_resampled_keeping_the_frequency(tmp_path, rate, channels):
    tone = sine(1000, 1.5, rate, amp=0.4)
    path = write_wav(tmp_path / f"tone{rate}.wav", np.stack([tone] * channels, axis=1), rate)
    y = np.concatenate(collect(FileSource(path, block_s=0.05)))
    assert y.size == pytest.approx(1.5 * 16000, abs=2)
    assert dominant_freq(y[800:-800], 16000) == pytest.approx(1000, abs=1.5)
    assert np.sqrt(np.mean(y[800:-800] ** 2)) == pytest.approx(0.4 / np.sqrt(2), rel=0.02)


def _encode(path, codec: str, rate: int, data: np.ndarray) -> None:
    """Stereo float (frames, 2) → a compressed file via PyAV."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=rate, layout="stereo")
        fmt = stream.codec_context.format.name  # each encoder has its own sample format
        resampler = av.AudioResampler(format=fmt, layout="stereo", rate=rate)
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(data.T, dtype=np.float32), format="fltp",
                                           layout="stereo")
        frame.sample_rate = rate
        for f in resampler.resample(frame):
            for packet in stream.encode(f):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


@pytest.mark.parametrize("codec,ext", [("flac", "flac"), ("libopus", "ogg"), ("mp3", "mp3"), ("aac", "m4a")])
def test_compressed_formats_decode_and_pick_a_channel(tmp_path, codec, ext):
    rate = 48000 if codec == "libopus" else 44100
    data = np.stack([sine(500, 1.0, rate, 0.4), sine(1500, 1.0, rate, 0.4)], axis=1)
    path = tmp_path / f"tone.{ext}"
    _encode(path, codec, rate, data)
    y = np.concatenate(collect(FileSource(path, channel=1)))
    assert y.size == pytest.approx(16000, rel=0.1)
    assert dominant_freq(y[1600:-1600], 16000) == pytest.approx(1500, abs=3)


def test_missing_file(tmp_path):
    with pytest.raises(AudioFileError) as e:
        FileSource(tmp_path / "nope.wav")
    assert "file not found" in str(e.value) and str(tmp_path / "nope.wav") in str(e.value)


def test_garbage_file(tmp_path):
    path = tmp_path / "garbage.wav"
    path.write_bytes(b"this is not audio at all\n" * 200)
    with pytest.raises(AudioFileError) as e:
        FileSource(path)
    msg = str(e.value)
    assert "cannot decode audio" in msg and str(path) in msg and "\n" not in msg


@pytest.mark.parametrize("kind", ["zero_bytes", "header_only", "directory"])
def test_empty_audio(tmp_path, kind):
    path = tmp_path / "empty.wav"
    if kind == "zero_bytes":
        path.write_bytes(b"")
    elif kind == "header_only":
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
    else:
        path.mkdir()
    with pytest.raises(AudioFileError) as e:
        FileSource(path)
    msg = str(e.value)
    assert str(path) in msg and "\n" not in msg
    assert ("not a file" if kind == "directory" else "empty") in msg


def test_truncated_file_delivers_what_is_there(dev_dir, tmp_path):
    data = (dev_dir / "d01.wav").read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(data[: 44 + 16000 * 2 * 3 + 1])  # header + 3 s and half a sample
    y = np.concatenate(collect(FileSource(cut)))
    assert y.size == pytest.approx(3 * 16000, abs=2)


def test_long_file_is_decoded_incrementally(tmp_path):
    # 5 minutes would be 19 MB as float32 samples; fed block by block it never needs more than a sliver.
    rng = np.random.default_rng(3)
    path = write_wav(tmp_path / "long.wav", rng.uniform(-0.1, 0.1, 300 * 16000), 16000)
    src = FileSource(path, block_s=0.1)
    first_block_at: list[float] = []
    total = 0

    def sink(b):
        nonlocal total
        if not first_block_at:
            first_block_at.append(time.monotonic() - t0)
        total += b.size

    tracemalloc.start()
    t0 = time.monotonic()
    src.start(sink)
    assert src.wait(120)
    elapsed = time.monotonic() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert total == 300 * 16000
    assert peak < 8_000_000, f"peak {peak / 1e6:.1f} MB while feeding"
    assert first_block_at[0] < max(0.5, elapsed / 10)


def test_two_party_file_feeds_the_debtor_channel_block_for_block(tmp_path):
    left, right = sine(440, 1.03, 16000), sine(1000, 1.03, 16000)
    path = write_wav(tmp_path / "stereo.wav", np.stack([left, right], axis=1), 16000)
    src = FileSource(path, channel=0, debtor_channel=1)
    debtor: list[np.ndarray] = []
    src.debtor_sink = debtor.append
    agent = collect(src)
    assert [b.shape for b in agent] == [b.shape for b in debtor] and all(b.ndim == 1 for b in agent)
    a, d = np.concatenate(agent), np.concatenate(debtor)
    assert np.allclose(a, left, atol=1e-3) and np.allclose(d, right, atol=1e-3)
    assert src.position_s == pytest.approx(1.03, abs=1e-3)   # positions count frames, not both channels
    with pytest.raises(AudioFileError, match=r"channel 2 out of range 0\.\.1"):
        FileSource(path, channel=0, debtor_channel=2)
    with pytest.raises(AudioFileError, match="debtor channel 0 is the agent's"):
        FileSource(path, channel=0, debtor_channel=0)
