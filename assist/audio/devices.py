"""Input device listing and choice (PortAudio via sounddevice).

sounddevice is imported lazily: reading files must work on a PC whose PortAudio library is missing.
PortAudio enumerates devices once, at initialisation; ``rescan_devices()`` re-enumerates (hot-plugged
headsets, a sound server started later) and is refused while a stream is open, because re-initialising
PortAudio would kill it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from .errors import DeviceError

_open_streams = 0
_lock = threading.Lock()


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    hostapi: str
    channels: int  # maximum input channels
    default_samplerate: float
    is_default: bool

    def label(self) -> str:
        """What the device menu shows."""
        return f"{self.name} ({self.hostapi})" + (" [默认]" if self.is_default else "")


def sd():
    """The sounddevice module, or DeviceError when the PortAudio library is not installed."""
    try:
        import sounddevice
    except OSError as e:  # sounddevice raises OSError('PortAudio library not found') at import
        raise DeviceError(f"无法使用麦克风：未找到 PortAudio 音频库（{e}）") from e
    return sounddevice


def _default_input_index(s) -> int | None:
    try:
        idx = s.default.device[0]
        if idx is not None and idx >= 0:
            return int(idx)
    except Exception:
        pass
    try:
        return int(s.query_devices(kind="input")["index"])
    except Exception:
        return None


def list_input_devices() -> list[InputDevice]:
    """Every device with at least one input channel; the system default input is flagged ``is_default``."""
    s = sd()
    # under the lock that rescan_devices re-initialises PortAudio with: a query racing Pa_Terminate on another
    # thread (the recovery panel's rescan beside a switch_device) crashed the process in the test suite
    with _lock:
        try:
            devices = s.query_devices()
            hostapis = s.query_hostapis()
        except Exception as e:  # PortAudioError when the host audio system is broken
            raise DeviceError(f"无法列出音频输入设备：{e}") from e
        default = _default_input_index(s)
    out = []
    for d in devices:
        if d["max_input_channels"] <= 0:
            continue
        out.append(InputDevice(
            index=int(d["index"]),
            name=str(d["name"]),
            hostapi=str(hostapis[d["hostapi"]]["name"]),
            channels=int(d["max_input_channels"]),
            default_samplerate=float(d["default_samplerate"]),
            is_default=int(d["index"]) == default,
        ))
    return out


def find_input_device(device: str | int | InputDevice | None = None) -> InputDevice:
    """Resolve a device choice: None → the default input (else the first input); int → that index;
    str → exact name, else the first name containing it (case-insensitive). DeviceError when none fits."""
    devices = list_input_devices()
    if not devices:
        raise DeviceError("未找到任何麦克风（没有可用的音频输入设备）", device)
    if isinstance(device, InputDevice):
        device = device.index
    if device is None:
        return next((d for d in devices if d.is_default), devices[0])
    if isinstance(device, int) or (isinstance(device, str) and device.strip().isdigit()):
        idx = int(device)
        for d in devices:
            if d.index == idx:
                return d
        raise DeviceError(f"找不到编号为 {idx} 的麦克风（可用：{_names(devices)}）", device)
    want = str(device).strip().casefold()
    for d in devices:
        if d.name.casefold() == want:
            return d
    for d in devices:
        if want in d.name.casefold():
            return d
    raise DeviceError(f"找不到名称包含“{device}”的麦克风（可用：{_names(devices)}）", device)


def _names(devices: list[InputDevice]) -> str:
    return "、".join(f"{d.index}:{d.name}" for d in devices)


def rescan_devices() -> bool:
    """Re-enumerate devices. Returns False (and does nothing) while any MicSource stream is open."""
    s = sd()
    with _lock:
        if _open_streams:
            return False
        s._terminate()
        s._initialize()
        return True


def _stream_opened() -> None:
    global _open_streams
    with _lock:
        _open_streams += 1


def _stream_closed() -> None:
    global _open_streams
    with _lock:
        _open_streams = max(0, _open_streams - 1)
