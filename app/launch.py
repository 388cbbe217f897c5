"""`callassist` with no arguments: start the desktop app (or explain how to work without a display)."""

from __future__ import annotations

import os
import sys

NO_DISPLAY_MESSAGE = """\
没有检测到图形界面（未设置 DISPLAY / WAYLAND_DISPLAY），无法打开催收通话助手窗口。
可以改用命令行分析录音或文字稿：
    callassist analyze 录音.wav --case 案件.json
    callassist analyze 通话.txt --json
    callassist records list
No graphical display found (DISPLAY / WAYLAND_DISPLAY are not set), so the window cannot open.
Use the command line instead: `callassist analyze CALL.wav` (see `callassist --help`),
or run with QT_QPA_PLATFORM=offscreen for headless rendering."""


def has_display(env: dict | None = None, platform: str | None = None) -> bool:
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return True   # Windows/macOS always have a desktop when an agent runs the app
    if env.get("QT_QPA_PLATFORM", "").split(":")[0] in ("offscreen", "minimal", "vnc", "eglfs", "linuxfb"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def _install_translators(app) -> list:
    """Qt's own zh_CN strings (dialog buttons) plus ours when a compiled .qm exists; none is required."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    from assist import paths

    kept = []
    locale = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name, directory in (("qtbase", qt_dir), ("callassist", str(paths.resources_dir() / "i18n"))):
        tr = QTranslator(app)
        if tr.load(locale, name, "_", directory):
            app.installTranslator(tr)
            kept.append(tr)
    return kept


def launch(argv: list[str] | None = None) -> int:
    if not has_display():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return 2
    try:
        from assist.logs import setup_logging

        setup_logging(False)
    except Exception:   # logging must never stop the app from opening
        pass
    from PySide6.QtWidgets import QApplication

    from .main_app import MainApp

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("callassist")
    app.setApplicationDisplayName("催收通话助手")
    _install_translators(app)
    from PySide6.QtGui import QIcon

    from assist import paths

    icon = paths.resources_dir() / "icons" / "callassist.svg"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    main = MainApp()
    main.show()
    return int(app.exec())
