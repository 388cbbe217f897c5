"""Where things live: resources shipped with the code, user data/config/logs in the platform's own places."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import PlatformDirs

APP_NAME = "callassist"
_DIRS = PlatformDirs(APP_NAME, appauthor=False)

# The checkout (or installed tree) this package sits in: resources/ and models/ are its siblings. In the frozen
# app (PyInstaller, packaging/callassist.spec) they are in its bundle folder, sys._MEIPASS — read-only, e.g.
# /opt/callassist/_internal; the user's data, config and logs still go to the folders below.
if getattr(sys, "frozen", False) and hasattr(sys, "_MEIPASS"):
    PROJECT_ROOT = Path(sys._MEIPASS).resolve()
else:
    PROJECT_ROOT = Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    """Rule packs, scripts, dictionaries. CALLASSIST_RESOURCES overrides (packaged builds set it)."""
    env = os.environ.get("CALLASSIST_RESOURCES")
    return Path(env) if env else PROJECT_ROOT / "resources"


def models_dir() -> Path:
    """Installed Whisper models. CALLASSIST_MODELS overrides; default is models/ beside the code."""
    env = os.environ.get("CALLASSIST_MODELS")
    return Path(env) if env else PROJECT_ROOT / "models"


def default_model_dir() -> Path:
    return models_dir() / "whisper-base"


def data_dir() -> Path:
    """User data (the records database, kept audio). CALLASSIST_DATA_DIR overrides (tests use it)."""
    env = os.environ.get("CALLASSIST_DATA_DIR")
    return Path(env) if env else Path(_DIRS.user_data_dir)


def config_dir() -> Path:
    env = os.environ.get("CALLASSIST_CONFIG_DIR")
    return Path(env) if env else Path(_DIRS.user_config_dir)


def cache_dir() -> Path:
    """Rebuildable files (the jieba dictionary caches). CALLASSIST_CACHE_DIR overrides."""
    env = os.environ.get("CALLASSIST_CACHE_DIR")
    return Path(env) if env else Path(_DIRS.user_cache_dir)


def log_dir() -> Path:
    env = os.environ.get("CALLASSIST_LOG_DIR")
    return Path(env) if env else Path(_DIRS.user_log_dir)


def default_db_path() -> Path:
    return data_dir() / "records.sqlite3"
