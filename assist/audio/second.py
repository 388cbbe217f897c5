"""The call's second source — what the agent hears, for the debtor lane — chosen by one settings string.

``spec`` (AppPrefs.debtor_source, ``callassist`` ``--debtor-source``):
- ``""``: none (the agent's side alone);
- ``"monitor"``: the monitor/loopback of the system's *default* output (follows the default when it changes);
- ``"monitor:<id>"``: that output's monitor (a Pulse source name ``….monitor``, or a Windows endpoint id);
- ``"input:<name>"``: a second input device through PortAudio (a USB line adapter fed by the phone line).

``open_second_source(spec)`` builds the source (DeviceError, Chinese, when it is not there: the caller goes on
without it); ``list_second_sources()`` gives the picker's choices, with the problem of a side that cannot be
listed (no sound server) as a message rather than an exception.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import DeviceError

NONE = ""
MONITOR = "monitor"
INPUT = "input"


@dataclass(frozen=True)
class SecondChoice:
    spec: str
    label: str


def parse(spec: str | None) -> tuple[str, str]:
    """(kind, device): ("", "") none, ("monitor", id or ""), ("input", name). ValueError on anything else."""
    text = (spec or "").strip()
    if not text:
        return NONE, ""
    kind, _, device = text.partition(":")
    if kind == MONITOR:
        return MONITOR, device
    if kind == INPUT and device:
        return INPUT, device
    raise ValueError(f"对方声音来源“{text}”无法识别（应为 monitor、monitor:<输出设备> 或 input:<输入设备>）")


def open_second_source(spec: str | None, *, block_s: float = 0.05):
    """The source for ``spec``, or None for none. DeviceError when the device is missing or unusable."""
    try:
        kind, device = parse(spec)
    except ValueError as e:
        raise DeviceError(str(e), spec) from None
    if kind == NONE:
        return None
    if kind == MONITOR:
        from .loopback import LoopbackSource

        return LoopbackSource(device or None, block_s=block_s)
    from .mic import MicSource

    try:
        return MicSource(device, block_s=block_s, second=True)
    except DeviceError as e:
        raise DeviceError(f"对方声音来源（第二个输入设备）不可用：{e}", device) from e


def describe(spec: str | None) -> str:
    """What the UI calls the choice."""
    try:
        kind, device = parse(spec)
    except ValueError:
        return f"无法识别（{spec}）"
    if kind == NONE:
        return "无"
    if kind == MONITOR:
        return "扬声器输出的监听（默认输出）" if not device else f"扬声器输出的监听：{device}"
    return f"第二个输入设备：{device}"


def list_second_sources(*, exclude_input: str | None = None) -> tuple[list[SecondChoice], list[str]]:
    """The picker's choices (none first, then the default output's monitor, every output's monitor, every input
    device but ``exclude_input`` — the agent's microphone) and the problems met listing them."""
    choices = [SecondChoice(NONE, "无（只识别坐席）")]
    problems: list[str] = []
    try:
        from .loopback import list_loopback_devices

        outputs = list_loopback_devices()
    except DeviceError as e:
        outputs = []
        problems.append(str(e))
    if outputs:
        choices.append(SecondChoice(MONITOR, "扬声器输出的监听（默认输出）"))
        names = [d.name for d in outputs]
        for d in outputs:
            # two outputs may share a name ("Monitor of Null Output"): the id tells them apart
            name = d.name if names.count(d.name) == 1 else f"{d.name}（{d.id}）"
            choices.append(SecondChoice(f"{MONITOR}:{d.id}", f"扬声器输出的监听：{name}"))
    try:
        from .devices import list_input_devices

        inputs = list_input_devices()
    except DeviceError as e:
        inputs = []
        problems.append(str(e))
    for d in inputs:
        if exclude_input and d.name == exclude_input:
            continue
        choices.append(SecondChoice(f"{INPUT}:{d.name}", f"第二个输入设备：{d.label()}"))
    return choices, problems
