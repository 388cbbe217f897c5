"""Qt tests run offscreen with real widgets (pytest-qt's qtbot); set the platform before Qt is imported."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from tests.pulse import pulse  # noqa: E402,F401  (the PulseAudio virtual microphone, shared with tests/audio)


@pytest.fixture()
def services(qtbot, tmp_path):
    """AppServices with its settings in tmp (the root conftest already isolates data/config dirs)."""
    from app.services import AppServices
    from app.settings import open_settings

    svc = AppServices(settings=open_settings(tmp_path / "settings.ini"))
    yield svc
    svc.close_store()


@pytest.fixture(scope="session")
def whisper(model_dir):
    """The real Whisper model, loaded once for the app tests that run calls through it."""
    from assist.config import AsrConfig
    from assist.model import load_whisper

    return load_whisper(model_dir, AsrConfig(model_dir=model_dir))


@pytest.fixture()
def ready_services(services, whisper):
    """Services as after start-up: model loaded, engine warmed, records DB open."""
    services.model = whisper
    services.warm_engine()
    services.open_store()
    services.model_state = "ready"
    return services
