"""Audio sources: recordings (FileSource) and microphones (MicSource), both delivering float32 mono 16 kHz
blocks to a sink. See docs/ARCHITECTURE.md ("Audio") for the contract."""

from __future__ import annotations

from .base import SAMPLE_RATE, SILENCE_DBFS, AudioSource, level_dbfs
from .devices import InputDevice, find_input_device, list_input_devices, rescan_devices
from .errors import AudioError, AudioFileError, DeviceError
from .file_source import FileSource
from .mic import MicSource
from .resample import StreamResampler, resample, to_mono

__all__ = [
    "SAMPLE_RATE", "SILENCE_DBFS", "AudioSource", "level_dbfs",
    "InputDevice", "find_input_device", "list_input_devices", "rescan_devices",
    "AudioError", "AudioFileError", "DeviceError",
    "FileSource", "MicSource",
    "StreamResampler", "resample", "to_mono",
]
