"""Qt tests run offscreen with real widgets (pytest-qt's qtbot); set the platform before Qt is imported."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture()
def services(qtbot, tmp_path):
    """AppServices with its settings in tmp (the root conftest already isolates data/config dirs)."""
    from app.services import AppServices
    from app.settings import open_settings

    svc = AppServices(settings=open_settings(tmp_path / "settings.ini"))
    yield svc
    svc.close_store()
