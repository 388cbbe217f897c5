"""own_sound's gate: the samples whose capture time falls inside a noted window (margins included) become silence,
the rest is left as it was; an open window (a tone still playing) gates everything after its start."""

from __future__ import annotations

import numpy as np
import pytest

from assist.audio import own_sound
from assist.audio.loopback import _CaptureClock

RATE = 16000


@pytest.fixture(autouse=True)
def _clean():
    own_sound.clear()
    yield
    own_sound.clear()


def test_only_the_window_and_its_margins_are_silenced():
    block = np.ones((RATE, 2), np.float32)                       # 1 s, stereo, captured from 100.0 to 101.0
    own_sound.note_playing(100.40, 100.50)
    out, n = own_sound.gate(block, 101.0, RATE)
    a, b = 0.40 - own_sound.MARGIN_BEFORE_S, 0.50 + own_sound.MARGIN_AFTER_S
    assert n == pytest.approx((b - a) * RATE, abs=2)
    assert not out[int(a * RATE) + 1:int(b * RATE) - 1].any()
    assert out[:int(a * RATE) - 1].all() and out[int(b * RATE) + 1:].all()
    assert block.all()                                            # the caller's block is not touched
    later, n = own_sound.gate(block, 103.0, RATE)                 # a block after the window: as it was
    assert n == 0 and later is block


def test_a_tone_still_playing_gates_until_it_is_done():
    playing = own_sound.Playing(200.0)
    out, n = own_sound.gate(np.ones(RATE, np.float32), 202.0, RATE)     # 201–202: still open
    assert n == RATE and not out.any()
    playing.done(201.2)
    out, n = own_sound.gate(np.ones(RATE, np.float32), 202.0, RATE)
    assert n == pytest.approx((0.2 + own_sound.MARGIN_AFTER_S) * RATE, abs=2)


def test_the_capture_clock_ignores_late_stamps():
    clock = _CaptureClock(RATE)
    origin = 50.0
    ends = []
    for k in range(1, 41):                                        # 50 ms blocks; every 5th read 0.4 s late
        frames = k * 800
        late = 0.4 if k % 5 == 0 else 0.003
        ends.append(clock.end_of(origin + frames / RATE + late, frames))
    assert all(abs(e - (origin + k * 800 / RATE)) < 0.005 for k, e in zip(range(1, 41), ends))

