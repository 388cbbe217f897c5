"""MicSource against a real sound server: a dev WAV played into a PulseAudio null sink is captured through
PortAudio's ALSA "pulse" device, compared with the WAV and recognised by the real Whisper model; the virtual
mic is then unplugged / the server killed mid-capture, and capture resumes on another device."""

from __future__ import annotations

import time

import numpy as np
import pytest

from assist.audio import DeviceError, MicSource, find_input_device, list_input_devices, rescan_devices
from assist.correct import correct
from assist.model import load_whisper
from assist.text.normalize import to_simplified

from .signals import dominant_freq, read_wav, sine, write_wav

pytestmark = pytest.mark.pulse
RATE = 16000


@pytest.fixture(scope="module")
def whisper(model_dir):
    return load_whisper(model_dir)


@pytest.fixture
def whisper_if_needed(request, model_dir):
    return request.getfixturevalue("whisper") if request.node.callspec.params["device_rate"] else None


class Capture:
    """A sink that keeps every block with the time it arrived."""

    def __init__(self):
        self.blocks: list[np.ndarray] = []
        self.times: list[float] = []
        self.errors: list[tuple[float, str]] = []

    def __call__(self, block: np.ndarray) -> None:
        self.blocks.append(block)
        self.times.append(time.monotonic())

    def on_error(self, message: str) -> None:
        self.errors.append((time.monotonic(), message))

    @property
    def n(self) -> int:
        return sum(b.size for b in self.blocks)

    def audio(self, start: int = 0) -> np.ndarray:
        return np.concatenate(self.blocks)[start:] if self.blocks else np.zeros(0, np.float32)

    def wait_for(self, samples: int, timeout: float = 8.0) -> None:
        """Until `samples` more audio has arrived (a fresh null sink takes up to ~2 s to start delivering)."""
        want, deadline = self.n + samples, time.monotonic() + timeout
        while self.n < want:
            assert time.monotonic() < deadline, f"no audio from the device within {timeout} s"
            time.sleep(0.02)


def best_lag(captured: np.ndarray, ref: np.ndarray) -> int:
    """Offset of `ref` inside `captured` by FFT cross-correlation."""
    n = 1 << int(np.ceil(np.log2(captured.size + ref.size)))
    c = np.fft.irfft(np.fft.rfft(captured, n) * np.conj(np.fft.rfft(ref, n)), n)
    return int(np.argmax(c[: captured.size - ref.size + 1]))


def envelope(x: np.ndarray, frame: int = 160) -> np.ndarray:
    m = x[: x.size // frame * frame].reshape(-1, frame)
    return np.sqrt(np.mean(m.astype(np.float64) ** 2, axis=1))


def loud_seconds(x: np.ndarray, threshold: float = 0.05) -> float:
    return float(np.sum(np.abs(x) > threshold)) / RATE


def test_pulse_device_is_listed_and_found(pulse):
    devices = list_input_devices()
    names = [d.name for d in devices]
    assert "pulse" in names, names
    assert sum(d.is_default for d in devices) == 1
    pulse_dev = find_input_device("PULS")  # case-insensitive substring
    assert pulse_dev.name == "pulse" and pulse_dev.channels >= 1 and pulse_dev.default_samplerate > 0
    assert find_input_device(pulse_dev.index) == pulse_dev == find_input_device(str(pulse_dev.index))
    assert find_input_device(None).is_default
    with pytest.raises(DeviceError, match="找不到名称包含“no-such-headset”的麦克风.*pulse"):
        find_input_device("no-such-headset")
    with pytest.raises(DeviceError, match="找不到编号为 999 的麦克风"):
        MicSource(999)


@pytest.mark.model
@pytest.mark.parametrize("device_rate", [None, 44100])
def test_real_capture_matches_the_wav_and_whisper_hears_it(pulse, dev_dir, tmp_path, whisper_if_needed,
                                                            device_rate):
    # d01's first utterance: 您好，我是华信银行信用卡中心的刘晓雯，工号八零二六。 (0.87–6.48 s)
    x, rate = read_wav(dev_dir / "d01.wav")
    assert rate == RATE
    ref = x[int(0.5 * RATE):int(6.8 * RATE)]
    wav = write_wav(tmp_path / "utterance.wav", ref, RATE)

    cap = Capture()
    mic = MicSource("pulse", samplerate=device_rate)  # 44100: the device runs at CD rate, we resample
    mic.errors = cap.on_error
    assert mic.device_rate == (device_rate or RATE)
    mic.start(cap)
    try:
        cap.wait_for(RATE // 10)
        before = cap.n
        player = pulse.play(wav)
        assert player.wait(20) == 0, player.stderr.read()
        cap.wait_for(RATE // 2)
    finally:
        mic.stop()
    assert mic.wait(0)
    assert cap.errors == [] and mic.dropped_blocks == 0
    y = cap.audio()
    assert y.size - before >= ref.size

    # Search the whole capture: a null sink renders ahead and rewinds when a player connects, so the
    # monitor can show the first milliseconds of the WAV slightly before the moment paplay was started.
    lag = best_lag(y, ref)
    got = y[lag:lag + ref.size]
    assert -0.5 * RATE < lag - before < 1.0 * RATE, f"the utterance starts {(lag - before) / RATE:.2f} s after playback"
    assert np.corrcoef(envelope(got), envelope(ref))[0, 1] > 0.95
    assert np.corrcoef(got, ref)[0, 1] > 0.9  # sample-exact shape after 16k→44.1k→(device)→16k
    assert np.std(got) / np.std(ref) == pytest.approx(1.0, abs=0.2)
    assert mic.level < -30  # the last block is the silence after the utterance

    if device_rate is None:
        return  # Whisper runs once, on the capture that went through our resampler
    heard = transcribe(whisper_if_needed, got)
    found = [w for w in ("您好", "信用卡", "工号", "8026") if w in heard]
    assert len(found) >= 3, f"Whisper heard {heard!r}"


def transcribe(model, audio: np.ndarray) -> str:
    """Whisper text as the product sees it: simplified, then the domain homophone correction (公号→工号)."""
    segments, _ = model.transcribe(audio, language="zh", beam_size=1, vad_filter=False,
                                   condition_on_previous_text=False)
    return correct(to_simplified("".join(s.text for s in segments)))


def test_unplugged_mic_reports_keeps_audio_and_switch_device_resumes(pulse, tmp_path):
    tone = write_wav(tmp_path / "a440.wav", sine(440, 5.0, RATE, 0.3), RATE)
    tone2 = write_wav(tmp_path / "a1000.wav", sine(1000, 2.0, RATE, 0.3), RATE)
    cap = Capture()
    mic = MicSource("pulse", watchdog_s=1.0)
    mic.errors = cap.on_error
    mic.start(cap)
    try:
        cap.wait_for(RATE // 10)
        t_origin = cap.times[0] - cap.blocks[0].size / RATE
        player = pulse.play(tone)
        cap.wait_for(RATE)  # a second of the tone is in
        unplugged = time.monotonic()
        pulse.unload_sink()
        while not cap.errors and time.monotonic() - unplugged < 5:
            time.sleep(0.02)
        assert len(cap.errors) == 1, "no device-failure report within 5 s"
        when, message = cap.errors[0]
        assert when - unplugged < 2.5
        assert message.startswith("麦克风已断开：pulse") and mic.failure == message
        assert mic.wait(0.1) is False  # the call goes on: the source is not finished
        # Everything captured before the failure was delivered before the report.
        delivered_at_report = sum(b.size for b, t in zip(cap.blocks, cap.times) if t <= when)
        before = cap.audio()[:delivered_at_report]
        assert loud_seconds(before) > 0.7 and dominant_freq(before[-RATE // 2:], RATE) == pytest.approx(440, abs=3)
        player.wait(10)

        pulse.load_null_sink("callassist_other")  # another headset is plugged in
        mark = cap.n
        mic.switch_device("pulse")
        assert mic.failure is None
        cap.wait_for(RATE // 10)
        pulse.play(tone2, sink="callassist_other").wait(10)
        cap.wait_for(RATE // 4)
    finally:
        mic.stop()
    after = cap.audio(mark)
    loud = after[np.abs(after) > 0.05]
    assert loud_seconds(after) > 1.0 and dominant_freq(after[np.argmax(np.abs(after) > 0.05):][:RATE], RATE) == \
        pytest.approx(1000, abs=3), f"{loud.size / RATE:.2f} s loud after the switch"
    # The dead time was filled with silence: audio positions still match the wall clock of the call.
    assert cap.n / RATE == pytest.approx(cap.times[-1] - t_origin, abs=0.6)
    assert len(cap.errors) == 1


def test_killed_sound_server_reports_and_a_new_micsource_captures(pulse, tmp_path):
    tone = write_wav(tmp_path / "a440.wav", sine(440, 4.0, RATE, 0.3), RATE)
    cap = Capture()
    mic = MicSource("pulse")
    mic.errors = cap.on_error
    mic.start(cap)
    cap.wait_for(RATE // 10)
    pulse.play(tone)
    cap.wait_for(RATE)
    killed = time.monotonic()
    pulse.kill()
    while not cap.errors and time.monotonic() - killed < 5:
        time.sleep(0.02)
    assert cap.errors and cap.errors[0][0] - killed < 2.5
    assert cap.errors[0][1].startswith("麦克风已断开：pulse")
    assert loud_seconds(cap.audio()) > 0.7
    n_failed = cap.n
    t0 = time.monotonic()
    mic.stop()
    mic.stop()  # idempotent
    assert time.monotonic() - t0 < 1.0 and mic.wait(0)
    assert cap.n == n_failed  # nothing arrives after a stop

    # No server: the device cannot be used (MicSource re-enumerates and finds no input at all), and says so.
    with pytest.raises(DeviceError, match="未找到任何麦克风|无法使用麦克风：pulse"):
        MicSource("pulse").start(lambda b: None)

    pulse.script("start")  # the server is back
    assert rescan_devices()  # no stream is left open, so PortAudio may re-enumerate
    cap2 = Capture()
    mic2 = MicSource("pulse")
    mic2.errors = cap2.on_error
    mic2.start(cap2)
    try:
        cap2.wait_for(RATE // 10)
        pulse.play(tone).wait(10)
        cap2.wait_for(RATE // 4)
    finally:
        mic2.stop()
    assert cap2.errors == [] and loud_seconds(cap2.audio()) > 2.5


def test_device_refusing_16k_is_opened_at_its_own_rate(pulse, tmp_path, monkeypatch):
    # Many headsets only offer 44.1/48 kHz. Make PortAudio's format check refuse 16 kHz for the (otherwise real)
    # pulse device: MicSource must fall back to the device's default rate and still deliver 16 kHz audio.
    import sounddevice as sd

    real_check = sd.check_input_settings

    def check(*args, samplerate=None, **kw):
        if samplerate == 16000:
            raise sd.PortAudioError("Invalid sample rate [PaErrorCode -9997]")
        return real_check(*args, samplerate=samplerate, **kw)

    monkeypatch.setattr(sd, "check_input_settings", check)
    mic = MicSource("pulse")
    assert mic.device_rate == int(mic.device.default_samplerate) != 16000
    cap = Capture()
    mic.errors = cap.on_error
    mic.start(cap)
    try:
        cap.wait_for(RATE // 10)
        mark = cap.n
        pulse.play(write_wav(tmp_path / "a1000.wav", sine(1000, 1.5, RATE, 0.3), RATE)).wait(10)
        cap.wait_for(RATE // 4)
    finally:
        mic.stop()
    y = cap.audio(mark)
    tone = y[np.abs(y) > 0.05]
    assert tone.size > RATE and cap.errors == []
    start = int(np.argmax(np.abs(y) > 0.05))
    assert dominant_freq(y[start:start + RATE], RATE) == pytest.approx(1000, abs=2)
