"""The streaming resampler: frequency and level kept, aliases removed, positions kept, block edges invisible."""

from __future__ import annotations

import numpy as np
import pytest

from assist.audio import StreamResampler, level_dbfs, resample, to_mono

from .signals import dominant_freq, sine


@pytest.mark.parametrize("rate", [8000, 11025, 22050, 32000, 44100, 48000, 96000])
def test_sine_keeps_frequency_and_level(rate):
    x = sine(1000, 2.0, rate, amp=0.5).astype(np.float32)
    y = resample(x, rate)
    assert y.dtype == np.float32
    assert y.size == 32000  # ceil(n_in * 16000 / rate), nothing lost or added
    mid = y[1000:-1000]
    assert abs(dominant_freq(mid, 16000) - 1000) <= 1.0
    ref = sine(1000, 2.0, 16000, amp=0.5)[1000:-1000]
    # Same phase too: the output is the input at the same instants, not a delayed copy.
    assert np.max(np.abs(mid - ref)) < 1e-3


@pytest.mark.parametrize("rate", [44100, 48000])
def test_content_above_8khz_is_removed_not_folded(rate):
    # An 11 kHz tone cannot exist at 16 kHz; a naive decimator would fold it to 5 kHz.
    y = resample(sine(11000, 1.0, rate, amp=0.5).astype(np.float32), rate)
    assert level_dbfs(y[500:-500]) < -70


def test_block_edges_are_invisible():
    rng = np.random.default_rng(7)
    x = rng.standard_normal(48000 * 2).astype(np.float32) * 0.1
    whole = resample(x, 48000)
    r = StreamResampler(48000)
    parts, i = [], 0
    while i < x.size:  # ragged block sizes, down to a single sample
        k = int(rng.integers(1, 2000))
        parts.append(r.process(x[i:i + k]))
        i += k
    parts.append(r.flush())
    assert np.array_equal(np.concatenate(parts), whole)


def test_click_stays_at_its_position():
    x = np.zeros(44100, dtype=np.float32)
    x[22050] = 1.0  # 0.5 s
    y = resample(x, 44100)
    assert int(np.argmax(y)) == 8000


def test_16k_passes_through_untouched_and_mono_mixdown():
    x = np.linspace(-1, 1, 1000, dtype=np.float32)
    r = StreamResampler(16000)
    assert r.passthrough and np.array_equal(r.process(x), x) and r.flush().size == 0
    stereo = np.stack([np.ones(4), -np.ones(4) * 0.5], axis=1)
    assert np.allclose(to_mono(stereo), 0.25)
    assert np.allclose(to_mono(stereo, channel=1), -0.5)


def test_level_meter():
    assert level_dbfs(np.zeros(100, dtype=np.float32)) == -120.0
    assert abs(level_dbfs(sine(440, 1.0, 16000, amp=1.0)) - (-3.01)) < 0.05
