"""Look of the app: base font size, normal or high-contrast palette, and the colours widgets share.

One stylesheet for the whole app so the adjustable font size and the high-contrast option reach every
widget; widgets tag themselves with object names / dynamic properties (``severity``, ``role``).
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

# Severity colours: background, foreground, border.
SEVERITY = {
    "critical": ("#c62828", "#ffffff", "#8e0000"),
    "warning": ("#ffb300", "#1a1a1a", "#c68400"),
    "info": ("#e3f2fd", "#0d47a1", "#90caf9"),
}
HC_SEVERITY = {
    "critical": ("#ff0000", "#ffffff", "#ffffff"),
    "warning": ("#ffff00", "#000000", "#ffffff"),
    "info": ("#00ffff", "#000000", "#ffffff"),
}

# The live window's status line by state (QLabel#statusLine[state=…]) and its problem banner (QLabel#banner).
STATUS = {"running": "#1565c0", "busy": "#ef6c00", "error": "#c62828", "ready": "#2e7d32"}
HC_STATUS = {"running": "#00ffff", "busy": "#ffff00", "error": "#ff6060", "ready": "#00ff00"}
BANNER = ("#fff3e0", "#bf360c")           # background, text
HC_BANNER = ("#000000", "#ffff00")

_CJK_FAMILIES = ("Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "Source Han Sans SC", "WenQuanYi Micro Hei")


def pick_font_family() -> str:
    """A font that has Chinese glyphs, so the UI never shows tofu boxes."""
    families = set(QFontDatabase.families())
    for name in _CJK_FAMILIES:
        if name in families:
            return name
    return QApplication.font().family()


def stylesheet(font_size: int, high_contrast: bool) -> str:
    big = font_size + 6
    if high_contrast:
        bg, fg, panel, muted, accent, border = "#000000", "#ffffff", "#000000", "#ffff00", "#00ffff", "#ffffff"
        sev, status, banner = HC_SEVERITY, HC_STATUS, HC_BANNER
    else:
        bg, fg, panel, muted, accent, border = "#f5f6f8", "#111111", "#ffffff", "#8a8f98", "#1565c0", "#d0d4da"
        sev, status, banner = SEVERITY, STATUS, BANNER
    rules = [
        f"QWidget {{ font-size: {font_size}px; color: {fg}; }}",
        f"QMainWindow, QDialog, QWidget#page {{ background: {bg}; }}",
        f"QFrame#panel {{ background: {panel}; border: 1px solid {border}; border-radius: 6px; }}",
        f"QLabel#muted {{ color: {muted}; }}",
        f"QLabel#sectionTitle {{ font-weight: bold; color: {accent}; }}",
        f"QLabel#suggestTop {{ font-size: {big}px; font-weight: bold; }}",
        f"QLabel#suggestAlt {{ font-size: {font_size + 2}px; }}",
        f"QLabel#alertTitle {{ font-size: {big}px; font-weight: bold; }}",
        "QLabel#alertAdvice { font-weight: bold; }",
        f"QLabel#alertBasis {{ font-size: {max(10, font_size - 2)}px; }}",
        f"QLabel#timer {{ font-size: {font_size + 4}px; font-weight: bold; font-family: monospace; }}",
        f"QLabel#stageStep {{ border: 1px solid {border}; border-radius: 4px; padding: 2px 4px; color: {muted}; }}",
        f"QLabel#stageStep[state='done'] {{ color: {fg}; }}",
        f"QLabel#stageStep[state='current'] {{ background: {accent}; color: {bg if high_contrast else '#ffffff'}; font-weight: bold; }}",
        "ObjectionPad QPushButton { padding: 2px 4px; }",
        "CallControls QPushButton, SuggestionLine QPushButton { padding: 3px 8px; }",   # fits a 420 px panel
        f"QPushButton#linkButton {{ border: none; color: {accent}; padding: 2px; }}",
        "QPushButton#startButton { font-weight: bold; padding: 6px 14px; }",
        f"QPushButton#startButton[running='true'] {{ background: {sev['critical'][0]}; color: {sev['critical'][1]}; }}",
        f"QListWidget#transcript {{ background: {panel}; border: 1px solid {border}; }}",
    ]
    rules.append(f"QLabel#banner {{ background: {banner[0]}; color: {banner[1]}; padding: 4px; border-radius: 4px;"
                 + (f" border: 1px solid {banner[1]};" if high_contrast else "") + " }")
    for name, colour in status.items():
        rules.append(f"QLabel#statusLine[state='{name}'] {{ color: {colour}; font-weight: bold; }}")
    for name, (b, f, line) in sev.items():
        rules.append(f"QFrame#alertCard[severity='{name}'] {{ background: {b}; border: 2px solid {line}; border-radius: 6px; }}")
        rules.append(f"QFrame#alertCard[severity='{name}'] QLabel {{ color: {f}; }}")
    if high_contrast:
        rules.append("QTabWidget::pane { border: 1px solid #ffffff; }")
        rules.append("QTabBar::tab { background: #000000; color: #ffffff; border: 1px solid #ffffff; padding: 3px 8px; }")
        rules.append("QTabBar::tab:selected { background: #ffff00; color: #000000; }")
        # every input that paints its own (light) base: the text colour above is white. QAbstractSpinBox covers
        # the number, date and time boxes (设置's 字号, 保留天数, 允许拨打时段; the promise card's editors).
        rules.append("QPushButton, QLineEdit, QComboBox, QPlainTextEdit, QTextBrowser, QListWidget, QTableWidget, "
                     "QAbstractSpinBox, QComboBox QAbstractItemView, QCalendarWidget QWidget "
                     "{ background: #000000; color: #ffffff; border: 1px solid #ffffff; }")
        rules.append("QAbstractItemView { selection-background-color: #ffff00; selection-color: #000000; }")
    return "\n".join(rules)


def apply_theme(app: QApplication, font_size: int = 14, high_contrast: bool = False) -> None:
    font = QFont(pick_font_family())
    font.setPixelSize(font_size)
    app.setFont(font)
    app.setStyleSheet(stylesheet(font_size, high_contrast))


def repolish(widget) -> None:
    """Re-apply the stylesheet after a dynamic property changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.update()
