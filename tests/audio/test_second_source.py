"""The live second source, for real: a private PulseAudio server (tests/pulse.py) with a null sink standing for
the softphone's output. A dialogue's debtor channel is played into it, its monitor is captured through
``LoopbackSource`` (the soundcard library), and the call's debtor lane recognises it with the real Whisper model:
the debtor's words come out as speaker=debtor and the debtor cues fire, while the agent's channel, played into
the virtual microphone at the same time, is recognised as the agent's. Also: our own alert tone, played into
that output, is silenced before the debtor lane hears it; a missing or vanishing output is a Chinese message
and the call goes on."""

from __future__ import annotations

import json
import time
from datetime import datetime

import numpy as np
import pytest

from assist.audio import own_sound
from assist.audio.errors import DeviceError
from tests.pulse import channel_wav

pytestmark = pytest.mark.pulse

SR = 16000
SOFTPHONE = "softphone_out"


def _softphone(pulse) -> str:
    """A second null sink (the softphone's output) without making its monitor the default source (the
    default source stays the virtual microphone, the agent's)."""
    pulse.modules.append(pulse.pactl("load-module", "module-null-sink", f"sink_name={SOFTPHONE}"))
    return f"{SOFTPHONE}.monitor"

def test_the_output_monitor_is_captured_as_it_was_played(pulse, tmp_path, shared_dir):
    from assist.audio.loopback import LoopbackSource, list_loopback_devices

    monitor = _softphone(pulse)
    assert monitor in {d.id for d in list_loopback_devices()}
    said = channel_wav(shared_dir / "data/dialogues/dlg05.flac", 1, 18.0, 22.0, tmp_path / "debtor.wav")
    src = LoopbackSource(monitor)
    got: list[np.ndarray] = []
    src.start(lambda b: got.append(b.copy()))
    try:
        pulse.play(tmp_path / "debtor.wav", sink=SOFTPHONE).wait(30)
        time.sleep(0.3)
    finally:
        src.stop()
    y = np.concatenate(got)
    assert src.position_s == pytest.approx(y.size / SR) and y.size > said.size
    # the captured stream holds the played samples (a pure delay): normalised cross-correlation near 1
    n = y.size + said.size
    c = np.fft.irfft(np.fft.rfft(y, n) * np.conj(np.fft.rfft(said, n)), n)
    peak = float(c.max() / np.sqrt(np.sum(y ** 2) * np.sum(said ** 2)))
    assert peak > 0.95, peak
    assert src.dropped_blocks == 0


def test_a_missing_output_is_a_chinese_error(pulse):
    from assist.audio.second import open_second_source

    with pytest.raises(DeviceError, match="找不到扬声器输出“no_such_sink”"):
        open_second_source("monitor:no_such_sink")
    with pytest.raises(DeviceError, match="对方声音来源（第二个输入设备）不可用"):
        open_second_source("input:no such line adapter")
    with pytest.raises(DeviceError, match="无法识别"):
        open_second_source("speaker:x")
    assert open_second_source("") is None


def test_an_output_removed_mid_call_is_reported_once_in_chinese(pulse):
    from assist.audio.loopback import LoopbackSource

    monitor = _softphone(pulse)
    src = LoopbackSource(monitor)
    messages: list[str] = []
    src.errors = messages.append
    src.start(lambda b: None)
    try:
        time.sleep(0.3)
        pulse.pactl("unload-module", pulse.modules.pop())
        deadline = time.monotonic() + 8
        while not messages and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        src.stop()
    assert messages and messages[0].startswith("对方声音来源已断开：") and "通话继续" in messages[0]


def test_our_alert_tone_is_silenced_on_the_debtor_side(pulse):
    # The tone plays on the default output; its monitor is what the debtor side hears. With the gate the tone's
    # window reaches the recogniser as silence; without it (the control) the same capture holds the tone.
    from assist.audio.loopback import LoopbackSource
    from assist.audio.tone import TonePlayer

    own_sound.clear()
    monitor = f"{pulse.sink}.monitor"          # the default sink: where TonePlayer plays
    results = {}
    for gated in (False, True):
        src = LoopbackSource(monitor, gate_own_sound=gated)
        got: list[tuple[float, np.ndarray]] = []
        src.start(lambda b, got=got: got.append((time.monotonic(), b.copy())))
        try:
            time.sleep(0.4)
            player = TonePlayer()
            assert player.play(1.0)
            assert player.wait_idle(10) and player.played == 1, player.last_error
            time.sleep(0.8)
        finally:
            src.stop()
        y = np.concatenate([b for _, b in got])
        results[gated] = (y, src.gated_s)
    loud = float(np.max(np.abs(results[False][0])))
    assert loud > 0.2, loud                                         # the control heard the tone
    y, gated_s = results[True]
    assert float(np.max(np.abs(y))) < 1e-4                          # the gated capture did not
    assert 0.2 < gated_s < 3.0                                       # the tone and its margins, not the call
    assert len(own_sound.windows()) == 2
    own_sound.clear()


@pytest.mark.model
def test_a_live_call_hears_the_debtor_through_the_output_monitor(pulse, tmp_path, shared_dir, model_dir):
    from assist.audio import MicSource
    from assist.audio.second import open_second_source
    from assist.config import AsrConfig, EngineConfig
    from assist.events import Alert, DebtorCue, UtteranceFinal
    from assist.events import DeviceFailure as DeviceErrorEvent
    from assist.model import load_whisper
    from assist.session import CallSession

    dialogues = shared_dir / "data" / "dialogues"
    call = next(c for c in json.loads((dialogues / "manifest.json").read_text(encoding="utf-8")) if c["id"] == "dlg05")
    start, end = 17.6, 38.4          # debtor: 没钱 (no_money), 我要投诉 (complaint); agent: 派人蹲你家楼下 (threat)
    channel_wav(dialogues / "dlg05.flac", 0, start, end, tmp_path / "agent.wav")
    channel_wav(dialogues / "dlg05.flac", 1, start, end, tmp_path / "debtor.wav")
    monitor = _softphone(pulse)

    config = EngineConfig(record=False, asr=AsrConfig(model_dir=model_dir))
    model = load_whisper(model_dir, config.asr)
    session = CallSession(MicSource(None), config=config, model=model,
                          started_at=datetime.fromisoformat(call["started_at"]),
                          debtor_source=open_second_source(f"monitor:{monitor}"))
    events = []
    session.subscribe(events.append)
    session.start()
    agent = pulse.play(tmp_path / "agent.wav")
    debtor = pulse.play(tmp_path / "debtor.wav", sink=SOFTPHONE)
    agent.wait(60)
    debtor.wait(60)
    time.sleep(1.5)
    session.stop()
    assert session.wait(90)

    assert not [e for e in events if isinstance(e, DeviceErrorEvent)]
    utts = [e for e in events if isinstance(e, UtteranceFinal)]
    by = {s: [u for u in utts if u.speaker == s] for s in ("agent", "debtor")}
    debtor_turns = [t for t in call["turns"] if t["speaker"] == "debtor" and start <= t["start"] < end - 1]
    assert len(by["debtor"]) >= len(debtor_turns) - 1, [u.text for u in utts]
    assert by["agent"], [u.text for u in utts]
    # one timeline for both sides: the agent's utterances give the offset between the clip and the call's audio
    # positions (the microphone's start-up), and with that same offset every debtor utterance lies in a debtor turn
    agent_turns = [t for t in call["turns"] if t["speaker"] == "agent" and start <= t["start"] < end]
    offsets = [min((u.start - (t["start"] - start) for t in agent_turns), key=abs) for u in by["agent"]]
    offset = float(np.median(offsets))
    print(f"agent offset {offset:.2f} s; debtor starts", [round(u.start - offset, 2) for u in by["debtor"]],
          "turns", [round(t["start"] - start, 2) for t in debtor_turns])
    for u in by["debtor"]:
        at = u.start - offset
        assert any(t["start"] - start - 0.7 <= at <= t["end"] - start + 0.3 for t in debtor_turns), (u, offset)
    heard = {e.objection for e in events if isinstance(e, DebtorCue)}
    assert {"no_money", "complaint"} <= heard, ([u.text for u in by["debtor"]], heard)
    alerts = [e for e in events if isinstance(e, Alert)]
    debtor_ids = {u.utterance for u in by["debtor"]}
    assert not any(a.utterance in debtor_ids for a in alerts)     # compliance stays on the agent
    assert any(a.rule == "threat" for a in alerts), [(a.rule, a.utterance) for a in alerts]
    assert session.ended is not None


def test_without_the_library_or_the_sound_server_the_error_is_chinese(pulse, monkeypatch):
    # Windows-only or missing backends, a PC without libpulse: soundcard is imported lazily and any failure
    # is a DeviceError the settings and the call show as is
    from assist.audio import loopback

    with monkeypatch.context() as m:
        m.setitem(__import__("sys").modules, "soundcard", None)     # import soundcard → ImportError
        with pytest.raises(DeviceError, match="无法使用扬声器输出的监听：未能连接系统声音服务"):
            loopback.list_loopback_devices()
    assert loopback.list_loopback_devices()                        # the server is there: it lists
    pulse.kill()                                                    # the sound server dies (PipeWire restarting)
    with pytest.raises(DeviceError, match="扬声器输出"):
        loopback.list_loopback_devices()
