"""Fixtures shared by every test area: where the shared dev data and the provisioned model are."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from assist import paths

pytest_plugins = ["pytester"]  # tests/foundation/test_error_log_guard.py runs the guard below on inner tests

SHARED = Path(os.environ.get("CALLASSIST_SHARED", paths.PROJECT_ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    assert SHARED.is_dir(), f"the shared data folder is missing: {SHARED} (set CALLASSIST_SHARED)"
    return SHARED


@pytest.fixture(scope="session")
def dev_dir(shared_dir) -> Path:
    return shared_dir / "data" / "dev"


@pytest.fixture(scope="session")
def model_dir() -> Path:
    d = paths.default_model_dir()
    assert (d / "model.bin").is_file(), f"the Whisper model is not provisioned at {d}: run `make model`"
    return d


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path, monkeypatch):
    # No test may touch the real user's records, settings or logs.
    monkeypatch.setenv("CALLASSIST_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CALLASSIST_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("CALLASSIST_LOG_DIR", str(tmp_path / "logs"))


class _ErrorRecords(logging.Handler):
    """Collects the ERROR (and worse) records of our own loggers during one test."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


# The engine logs under assist.*, the desktop app under app.* (both use getLogger(__name__)).
_WATCHED_LOGGERS = ("assist", "app")


def _expected_by(marker, record: logging.LogRecord) -> bool:
    """Whether ``@pytest.mark.logs_errors("assist.x", ...)`` expects this record (its logger or a child of it)."""
    return marker is not None and any(record.name == n or record.name.startswith(n + ".") for n in marker.args)


@pytest.fixture(autouse=True)
def _no_logged_errors(request):
    # The session logs an exception and carries on (one bad item must not end a call), and so do the GUI's
    # workers, so a bug there passes a test silently unless the log is watched: any ERROR from assist.* or
    # app.* fails the test that caused it. Handlers see records from every thread, so errors on the ASR,
    # pipeline and writer threads count too. Autouse fixtures are set up first and torn down last, so an
    # error in another fixture's teardown (a thread joined at the end) is caught as well.
    # A test that provokes an error on purpose names the logger it expects it from:
    # @pytest.mark.logs_errors("assist.store.writer"). That logger must then log one (else the mark is stale
    # or the test no longer reaches the failure it is about); an ERROR from any other logger still fails it.
    handler = _ErrorRecords()
    loggers = [logging.getLogger(name) for name in _WATCHED_LOGGERS]
    for lg in loggers:
        lg.addHandler(handler)
    try:
        yield
    finally:
        for lg in loggers:
            lg.removeHandler(handler)
    marker = request.node.get_closest_marker("logs_errors")
    if marker is not None and not marker.args:
        pytest.fail("@pytest.mark.logs_errors needs the logger names it expects the ERROR from", pytrace=False)
    unexpected = [r for r in handler.records if not _expected_by(marker, r)]
    if unexpected:
        lines = [f"{r.name}: {r.getMessage()}" + (f" ({r.exc_info[1]!r})" if r.exc_info else "")
                 for r in unexpected]
        pytest.fail("an ERROR was logged during the test (if that is the point, mark it "
                    "@pytest.mark.logs_errors(LOGGER)):\n  " + "\n  ".join(lines), pytrace=False)
    if marker is not None and not any(_expected_by(marker, r) for r in handler.records):
        pytest.fail(f"marked logs_errors{marker.args!r} but no such logger logged an ERROR", pytrace=False)


@pytest.fixture(autouse=True)
def _restore_root_logger():
    """The CLI calls setup_logging(); do not let its handlers outlive the test."""
    # Tests in several areas run the CLI's main() in this process (team, records). A stderr handler left on
    # the root logger would write to pytest's captured stream of that test, closed by the next one: every
    # later log call then prints "--- Logging error ---" with a traceback into unrelated tests' output.
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    for h in list(root.handlers):
        if h not in handlers:
            root.removeHandler(h)
            h.close()
    root.setLevel(level)
