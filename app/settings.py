"""The app's preferences: stored with QSettings (an .ini in the user config dir), mapped into EngineConfig.

`AppPrefs` holds everything the settings dialog edits; `load_prefs`/`save_prefs` read and write QSettings;
`AppPrefs.engine_config()` is the only way the engine learns about them (the engine never reads Qt settings).
Bad stored values (a hand-edited .ini) fall back to the defaults rather than stopping the app.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import time
from pathlib import Path

from PySide6.QtCore import QSettings

from assist import paths
from assist.config import CallHours, EngineConfig

FONT_MIN, FONT_MAX = 10, 28


def _parse_hhmm(value: str, default: time) -> time:
    try:
        h, m = str(value).strip().split(":")
        return time(int(h), int(m))
    except (ValueError, TypeError):
        return default


def settings_file() -> Path:
    return paths.config_dir() / "callassist.ini"


def open_settings(path: Path | None = None) -> QSettings:
    """The app's QSettings: an ini file under CALLASSIST_CONFIG_DIR / the platform config dir."""
    p = Path(path) if path else settings_file()
    p.parent.mkdir(parents=True, exist_ok=True)
    return QSettings(str(p), QSettings.Format.IniFormat)


@dataclass(frozen=True)
class AppPrefs:
    input_device: str = ""          # device name ('' = system default)
    # 对方声音来源, an assist.audio.second spec: "" none, "monitor" (the default output's), "monitor:<id>",
    # "input:<name>". A key older settings files lack: read as "" (no migration needed, the file has no version)
    debtor_source: str = ""
    model_dir: str = field(default_factory=lambda: str(paths.default_model_dir()))
    call_start: str = "08:00"
    call_end: str = "22:00"
    alert_sound: bool = True
    alert_volume: int = 40          # % of the alert tone's full level (it plays in the agent's headset)
    font_size: int = 14
    high_contrast: bool = False
    always_on_top: bool = False
    keep_audio: bool = False
    audio_retention_days: int = 30
    db_path: str = field(default_factory=lambda: str(paths.default_db_path()))
    agent_name: str = ""            # remembered between calls: the same agent sits at the desk all day
    agent_id: str = ""

    def engine_config(self, base: EngineConfig | None = None) -> EngineConfig:
        base = base or EngineConfig()
        defaults = CallHours()
        hours = CallHours(start=_parse_hhmm(self.call_start, defaults.start), end=_parse_hhmm(self.call_end, defaults.end))
        asr = replace(base.asr, model_dir=Path(self.model_dir)) if self.model_dir else base.asr
        return base.with_changes(
            asr=asr,
            call_hours=hours,
            db_path=Path(self.db_path) if self.db_path else base.db_path,
            keep_audio=bool(self.keep_audio),
            audio_retention_days=int(self.audio_retention_days),
        )

    def validate(self) -> list[str]:
        """Problems a user must fix before saving, in Chinese (empty list = fine)."""
        problems = []
        for label, value in (("开始时间", self.call_start), ("结束时间", self.call_end)):
            try:
                h, m = value.split(":")
                time(int(h), int(m))
            except (ValueError, TypeError):
                problems.append(f"{label}“{value}”格式应为 HH:MM")
        if not problems and _parse_hhmm(self.call_start, time(8)) >= _parse_hhmm(self.call_end, time(22)):
            problems.append("允许拨打时段的开始时间必须早于结束时间")
        if not FONT_MIN <= int(self.font_size) <= FONT_MAX:
            problems.append(f"字号应在 {FONT_MIN}–{FONT_MAX} 之间")
        if not 0 <= int(self.alert_volume) <= 100:
            problems.append("提示音音量应在 0–100 之间")
        if int(self.audio_retention_days) < 1:
            problems.append("录音保留天数至少为 1 天")
        from assist.audio.second import parse

        try:
            parse(self.debtor_source)
        except ValueError as e:
            problems.append(str(e))
        return problems


def _coerce(kind, raw, default):
    if raw is None:
        return default
    try:
        if kind is bool:
            return raw if isinstance(raw, bool) else str(raw).strip().lower() in ("1", "true", "yes", "on")
        if kind is int:
            return int(raw)
        return str(raw)
    except (TypeError, ValueError):
        return default


def load_prefs(qs: QSettings | None = None) -> AppPrefs:
    qs = qs or open_settings()
    defaults = AppPrefs()
    values = {}
    for f in fields(AppPrefs):
        default = getattr(defaults, f.name)
        values[f.name] = _coerce(type(default), qs.value(f.name), default)
    prefs = AppPrefs(**values)
    # A hand-edited file with impossible values must not break the app: drop back to the defaults.
    if prefs.validate():
        prefs = replace(prefs, call_start=defaults.call_start, call_end=defaults.call_end,
                        font_size=min(max(prefs.font_size, FONT_MIN), FONT_MAX),
                        audio_retention_days=max(1, prefs.audio_retention_days),
                        alert_volume=min(max(prefs.alert_volume, 0), 100))
        if prefs.validate():   # a hand-edited 对方声音来源 no version of the app wrote: none
            prefs = replace(prefs, debtor_source="")
    return prefs


def save_prefs(prefs: AppPrefs, qs: QSettings | None = None) -> None:
    qs = qs or open_settings()
    for f in fields(AppPrefs):
        qs.setValue(f.name, getattr(prefs, f.name))
    qs.sync()
