"""DeviceRecovery: the headset failed mid-call; find a microphone and resume the SAME call on it.

The engine's MicSource keeps the call going after a device failure (silence fills the gap) and can continue
into the same sink with ``switch_device(dev)``. This controller does the slow parts on workers — re-listing
devices (PortAudio re-initialises) and opening the new stream — and reports back with signals on the GUI
thread. While recovering it re-lists devices every ``poll_ms``: when the lost device first disappears from
the list and then shows up again (a USB/Bluetooth headset plugged back in), it resumes on it by itself.
A device that never left the list (a sound server's virtual device) is not retried automatically: opening
it would likely fail the same way again, so the agent decides with 继续.
"""

from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from .qt_compat import emit
from .workers import run_async

log = logging.getLogger(__name__)

POLL_MS = 2000


def _list_devices():
    from assist.audio.devices import list_input_devices, rescan_devices

    rescan_devices()   # hot-plug: PortAudio's list is fixed at init (no-op while some input stream is open)
    return list_input_devices()


class ReturnWatch:
    """Decides when a lost device is back: it must have been seen missing from a listing first."""

    def __init__(self, name: str | None):
        self.name = name
        self.seen_missing = False

    def update(self, names: list[str]) -> bool:
        """Feed one device listing; True when the lost device has come back."""
        if not self.name:
            return False
        if self.name not in names:
            self.seen_missing = True
            return False
        return self.seen_missing


class DeviceRecovery(QObject):
    devicesListed = Signal(object)    # list[InputDevice]
    resuming = Signal(str)            # device name (automatic or asked)
    resumed = Signal(str)             # capture goes on into the same call from this device
    resumeFailed = Signal(str)        # Chinese message; still recovering

    def __init__(self, parent: QObject | None = None, *, poll_ms: int = POLL_MS,
                 lister: Callable[[], list] = _list_devices):
        super().__init__(parent)
        self.source = None
        self.active = False
        self.busy = False             # a listing or a switch is running on a worker
        self.switching = False
        self.lost_name: str | None = None
        self.auto_resumes = 0
        self._watch = ReturnWatch(None)
        self._lister = lister
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self.scan)

    def attach(self, panel) -> None:
        """Connect the in-place panel (app/widgets/device_recovery_panel.py) both ways."""
        self.devicesListed.connect(lambda devs: panel.set_devices(devs, self.lost_name))
        self.resuming.connect(panel.set_busy)
        self.resumed.connect(lambda _name: panel.hide())
        self.resumeFailed.connect(panel.switch_failed)
        panel.resumeRequested.connect(self.resume)
        panel.rescanRequested.connect(self.scan)

    @staticmethod
    def can_recover(source) -> bool:
        return callable(getattr(source, "switch_device", None))

    def begin(self, source) -> None:
        """The source reported a device failure: start listing devices and watching for the lost one."""
        self.source = source
        device = getattr(source, "device", None)
        self.lost_name = getattr(device, "name", None) or (str(device) if device else None)
        if not self.active:
            self._watch = ReturnWatch(self.lost_name)
        self.active = True
        self._timer.start()
        self.scan()

    def cancel(self) -> None:
        """The call ended (or the window closes): stop watching."""
        self.active = False
        self._timer.stop()
        self.source = None

    def scan(self) -> None:
        if not self.active or self.busy:
            return
        self.busy = True
        run_async(self._lister, on_done=self._listed, on_error=self._list_failed)

    def _listed(self, devices) -> None:
        self.busy = False
        if not self.active:
            return
        emit(self.devicesListed, list(devices))
        if self._watch.update([d.name for d in devices]) and not self.switching:
            log.info("microphone %s is back: resuming the call on it", self.lost_name)
            self.auto_resumes += 1
            self.resume(self.lost_name)

    def _list_failed(self, message: str) -> None:
        self.busy = False
        log.warning("listing input devices failed: %s", message)

    def resume(self, name: str | None) -> None:
        """Continue the call's capture from device ``name`` (None: the system default), on a worker."""
        source = self.source
        if not self.active or source is None or self.switching:
            return
        self.switching = True
        emit(self.resuming, name or "")

        def switch():
            source.switch_device(name)
            device = getattr(source, "device", None)
            return getattr(device, "name", None) or name or ""

        run_async(switch, on_done=self._switched, on_error=self._switch_failed)

    def _switched(self, name: str) -> None:
        self.switching = False
        self.cancel()
        emit(self.resumed, str(name))

    def _switch_failed(self, message: str) -> None:
        self.switching = False
        if self.active:
            emit(self.resumeFailed, message)
