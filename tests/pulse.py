"""A real PulseAudio server with a virtual microphone, for every test that needs a microphone (tests/audio, tests/app).

The ``pulse`` fixture starts a private server (scripts/pulse_virtual_mic.sh, own socket in a temp dir, so a
desktop session is never touched and a test may kill it), points this process at it (PULSE_SERVER), and
re-initialises PortAudio so its ALSA "pulse" device is enumerated. Teardown unloads every module the test
loaded and stops the server. It never skips: CI must have pulseaudio, pulseaudio-utils, libasound2-plugins.
A conftest makes it available with ``from tests.pulse import pulse``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from assist import paths
from assist.audio import rescan_devices

SCRIPT = paths.PROJECT_ROOT / "scripts" / "pulse_virtual_mic.sh"
SINK = "callassist_test"


class PulseServer:
    def __init__(self, directory: Path):
        self.dir = directory
        self.sink = SINK
        self.env = dict(os.environ, CALLASSIST_PULSE_DIR=str(directory), CALLASSIST_PULSE_SINK=SINK,
                        PULSE_RUNTIME_PATH=str(directory), PULSE_SERVER=f"unix:{directory}/native")
        self.modules: list[str] = []  # loaded by the test itself (the script's own sink is unloaded by `stop`)
        self._players: list[subprocess.Popen] = []

    def script(self, *args: str) -> str:
        r = subprocess.run([str(SCRIPT), *args], env=self.env, capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, f"pulse_virtual_mic.sh {' '.join(args)} failed: {r.stderr.strip()}"
        return r.stdout

    def pactl(self, *args: str, check: bool = True) -> str:
        r = subprocess.run(["pactl", *args], env=self.env, capture_output=True, text=True, timeout=15)
        if check:
            assert r.returncode == 0, f"pactl {' '.join(args)} failed: {r.stderr.strip()}"
        return r.stdout.strip()

    def alive(self) -> bool:
        return subprocess.run(["pactl", "info"], env=self.env, capture_output=True, timeout=15).returncode == 0

    def load_null_sink(self, name: str) -> str:
        """A new virtual mic `name` (its monitor becomes the default source)."""
        module = self.pactl("load-module", "module-null-sink", f"sink_name={name}")
        self.modules.append(module)
        self.pactl("set-default-source", f"{name}.monitor")
        return module

    def unload_sink(self) -> None:
        """Pull the plug on the script's virtual mic."""
        module = (self.dir / f"{SINK}.module").read_text().strip()
        self.pactl("unload-module", module)

    def play(self, wav: Path, sink: str | None = None) -> subprocess.Popen:
        p = subprocess.Popen(["paplay", f"--device={sink or self.sink}", str(wav)], env=self.env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._players.append(p)
        return p

    def kill(self) -> None:
        """The sound server dies (as when a USB headset's server crashes)."""
        pid = int((self.dir / "pid").read_text().split()[0])
        os.kill(pid, 9)
        deadline = time.monotonic() + 5
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.05)

    def close(self) -> None:
        for p in self._players:
            if p.poll() is None:
                p.terminate()
                p.wait(5)
        if self.alive():
            for m in reversed(self.modules):
                self.pactl("unload-module", m, check=False)
            self.script("stop")


@pytest.fixture
def pulse():
    for tool in ("pulseaudio", "pactl", "paplay"):
        assert shutil.which(tool), f"{tool} is missing: install pulseaudio pulseaudio-utils libasound2-plugins"
    # A short path: the socket path must stay under the 108-byte unix socket limit.
    directory = Path(tempfile.mkdtemp(prefix="capulse-"))
    server = PulseServer(directory)
    saved = {k: os.environ.get(k) for k in ("PULSE_SERVER", "PULSE_RUNTIME_PATH")}
    try:
        server.script("start")
        os.environ["PULSE_SERVER"] = server.env["PULSE_SERVER"]
        os.environ["PULSE_RUNTIME_PATH"] = server.env["PULSE_RUNTIME_PATH"]
        assert rescan_devices(), "a PortAudio stream was left open by an earlier test"
        yield server
    finally:
        server.close()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        rescan_devices()
        shutil.rmtree(directory, ignore_errors=True)


def channel_wav(src: Path, channel: int, start: float, end: float, out: Path, sr: int = 16000) -> np.ndarray:
    """One channel of a recording, ``start``–``end`` seconds, written as a 16 kHz mono WAV to play into a sink or
    the virtual microphone; returns the samples written."""
    from assist.audio import FileSource

    fs = FileSource(src, channel=channel)
    blocks: list[np.ndarray] = []
    fs.start(blocks.append)
    fs.wait()
    a = np.concatenate(blocks)[int(start * sr):int(end * sr)]
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes((np.clip(a, -1, 1) * 32767).astype("<i2").tobytes())
    return a
