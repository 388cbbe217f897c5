"""DeviceRecovery: the headset failed mid-call; find a microphone and resume the SAME call on it.

The engine's MicSource keeps the call going after a device failure (silence fills the gap) and can continue
into the same sink with ``switch_device(dev)``. This controller does the slow parts on workers — re-listing
devices (PortAudio re-initialises) and opening the new stream — and reports back with signals on the GUI
thread. While recovering it re-lists devices every ``poll_ms``: when the lost device first disappears from
the list and then shows up again (a USB/Bluetooth headset plugged back in), it resumes on it by itself.
A device that never leaves the list (the sound server's "default"/"pulse" device, which reaches whatever
microphone is the default input) cannot show its return that way: it is reopened quietly now and then —
opening fails at once while the headset is away, and works when it is back as the default input. Those
attempts back off (``retry_ms`` doubling up to ``RETRY_MAX_MS``) and never bother the agent; 继续 still
reports its failures.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from .qt_compat import emit
from .workers import run_async

log = logging.getLogger(__name__)

POLL_MS = 2000
RETRY_MS = 2000        # first quiet reopen of a device that stayed listed; doubles after each failure
RETRY_MAX_MS = 30000
FLAP_S = 10.0          # a device failing again this soon after a quiet reopen was not really back


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

    def __init__(self, parent: QObject | None = None, *, poll_ms: int = POLL_MS, retry_ms: int = RETRY_MS,
                 lister: Callable[[], list] = _list_devices, clock: Callable[[], float] = time.monotonic):
        super().__init__(parent)
        self.retry_ms = retry_ms
        self._clock = clock
        self._retry_wait = retry_ms / 1000   # seconds until the next quiet reopen
        self._next_retry = 0.0
        self.quiet_attempts = 0
        self._quiet = False                  # the switch under way is a quiet reopen
        self._asked: tuple | None = None     # (device,) 继续 was pressed for during a quiet reopen
        self._last_quiet_resume = float("-inf")
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
            # failing again right after a quiet reopen (it opened but gave no sound): keep backing off,
            # or the panel and the "switched" banner would take turns every few seconds
            again = self._clock() - self._last_quiet_resume < FLAP_S
            self._retry_wait = min(self._retry_wait * 2, RETRY_MAX_MS / 1000) if again else self.retry_ms / 1000
            self._next_retry = self._clock() + self._retry_wait
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
        names = [d.name for d in devices]
        if self.switching:
            return
        if self._watch.update(names):
            log.info("microphone %s is back: resuming the call on it", self.lost_name)
            self.auto_resumes += 1
            self.resume(self.lost_name)
        elif self.lost_name in names and not self._watch.seen_missing and self._clock() >= self._next_retry:
            self._reopen_quietly()

    def _list_failed(self, message: str) -> None:
        self.busy = False
        log.warning("listing input devices failed: %s", message)

    def resume(self, name: str | None) -> None:
        """Continue the call's capture from device ``name`` (None: the system default), on a worker."""
        if not self.active or self.source is None:
            return
        if self.switching:
            if self._quiet:
                self._asked = (name,)   # after the quiet attempt: the agent's choice if that one fails
            return
        emit(self.resuming, name or "")
        self._switch(name, on_error=self._switch_failed)

    def _reopen_quietly(self) -> None:
        """The lost device is still listed: try it again without telling the agent unless it works."""
        self.quiet_attempts += 1
        self._quiet = True
        self._switch(self.lost_name, on_error=self._reopen_failed)

    def _switch(self, name: str | None, *, on_error) -> None:
        source = self.source
        self.switching = True

        def switch():
            source.switch_device(name)
            device = getattr(source, "device", None)
            return getattr(device, "name", None) or name or ""

        run_async(switch, on_done=self._switched, on_error=on_error)

    def _reopen_failed(self, message: str) -> None:
        self.switching = False
        self._quiet = False
        self._retry_wait = min(self._retry_wait * 2, RETRY_MAX_MS / 1000)
        self._next_retry = self._clock() + self._retry_wait
        log.info("microphone %s not back yet (%s); next try in %.0f s", self.lost_name, message, self._retry_wait)
        asked, self._asked = self._asked, None
        if asked is not None:
            self.resume(asked[0])

    def _switched(self, name: str) -> None:
        self.switching = False
        if self._quiet:
            log.info("microphone %s is back (reopened): the call goes on on it", name)
            self._quiet = False
            self._asked = None    # the call goes on already; the panel closes
            self.auto_resumes += 1
            self._last_quiet_resume = self._clock()
        self.cancel()
        emit(self.resumed, str(name))

    def _switch_failed(self, message: str) -> None:
        self.switching = False
        if self.active:
            emit(self.resumeFailed, message)
