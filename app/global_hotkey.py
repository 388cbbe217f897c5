"""F9 from any window: the agent starts and ends the call while the softphone or the CRM has the focus.

Windows (the agents' machines): the key is registered with the system (RegisterHotKey) and its WM_HOTKEY
message is picked up by a native event filter on the GUI thread. Elsewhere there is no portable way — X11
would need a second X connection grabbing the key, and Wayland does not let an application grab keys at all —
so F9 works in every window of this app (an application shortcut), not in other programs; README says so.
"""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QAbstractNativeEventFilter, QObject, Signal

from .qt_compat import emit

log = logging.getLogger(__name__)

WM_HOTKEY = 0x0312
VK_F9 = 0x78
MOD_NOREPEAT = 0x4000   # holding the key down does not toggle the call on and off
HOTKEY_ID = 0x4341      # "CA": any id unique within this process


class _WindowsFilter(QAbstractNativeEventFilter):
    def __init__(self, on_hotkey):
        super().__init__()
        self.on_hotkey = on_hotkey

    def nativeEventFilter(self, event_type, message):  # noqa: N802 (Qt naming)
        if event_type in (b"windows_generic_MSG", "windows_generic_MSG"):
            from ctypes import wintypes

            msg = wintypes.MSG.from_address(int(message))
            if msg.message == WM_HOTKEY and msg.wParam == HOTKEY_ID:
                self.on_hotkey()
                return True, 0
        return False, 0


class GlobalHotkey(QObject):
    """``pressed`` fires for F9 pressed anywhere (Windows). ``available`` says whether that is possible here;
    ``reason`` why not."""

    pressed = Signal()

    def __init__(self, app, parent: QObject | None = None):
        super().__init__(parent)
        self.available = False
        self.reason = ""
        self._filter = None
        if sys.platform != "win32":
            self.reason = "只有 Windows 支持在其他程序中按 F9；这里 F9 在本程序的所有窗口中有效"
            return
        try:
            import ctypes

            if not ctypes.windll.user32.RegisterHotKey(None, HOTKEY_ID, MOD_NOREPEAT, VK_F9):
                self.reason = "F9 已被其他程序占用：请在本程序窗口中按 F9"
                log.warning("RegisterHotKey(F9) failed: the key is taken by another program")
                return
            self._filter = _WindowsFilter(lambda: emit(self.pressed))
            app.installNativeEventFilter(self._filter)
            self.available = True
        except Exception as exc:   # never keep the app from starting over a convenience
            self.reason = f"无法注册全局快捷键：{exc}"
            log.exception("global F9 not registered")

    def release(self) -> None:
        if self.available:
            import ctypes

            ctypes.windll.user32.UnregisterHotKey(None, HOTKEY_ID)
            self.available = False
