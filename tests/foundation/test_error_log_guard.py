"""The autouse guard in tests/conftest.py: an ERROR from assist.* or app.* fails the test that caused it."""

from __future__ import annotations

from pathlib import Path

import pytest

CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"

INNER = '''
import logging
import threading

import pytest


def test_engine_error():
    logging.getLogger("assist.session").error("pipeline item failed: %s", "boom")


def test_app_error_with_exception():
    try:
        raise ValueError("bad row")
    except ValueError:
        logging.getLogger("app.workers").exception("worker crashed")


def test_error_on_another_thread():
    t = threading.Thread(target=lambda: logging.getLogger("assist.asr").error("decoder died"))
    t.start()
    t.join()


@pytest.mark.logs_errors("assist.store")
def test_marked_error_passes():
    logging.getLogger("assist.store.writer").error("broken file, on purpose")


@pytest.mark.logs_errors("assist.store")
def test_marked_but_another_logger_errs():
    logging.getLogger("assist.store.writer").error("on purpose")
    logging.getLogger("assist.session").error("an unrelated bug")


@pytest.mark.logs_errors("assist.store")
def test_marked_but_nothing_logged():
    logging.getLogger("assist.store").warning("only a warning")


@pytest.mark.logs_errors
def test_marked_without_a_logger():
    logging.getLogger("assist.store").error("on purpose")


def test_warning_passes():
    logging.getLogger("assist.session").warning("only a warning")


def test_other_loggers_pass():
    logging.getLogger("faster_whisper").error("not ours")
'''


@pytest.fixture
def inner(pytester):
    # The real conftest, unchanged, so this checks the guard the suite runs under.
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makeini("[pytest]\nmarkers =\n    logs_errors: logs at ERROR on purpose\n")
    pytester.makepyfile(test_inner=INNER)
    return pytester


def test_errors_fail_unmarked_tests_only(inner):
    result = inner.runpytest_subprocess("-p", "no:cacheprovider", "-rA")
    # A failure in fixture teardown is reported as an error of that test; the test body itself passed.
    result.assert_outcomes(passed=9, errors=6)
    out = result.stdout.str()
    assert "assist.session: pipeline item failed: boom" in out
    assert "app.workers: worker crashed (ValueError('bad row'))" in out
    assert "assist.asr: decoder died" in out
    assert "assist.session: an unrelated bug" in out and "assist.store.writer: on purpose" not in out
    assert "marked logs_errors('assist.store',) but no such logger logged an ERROR" in out
    assert "logs_errors needs the logger names" in out
    for name in ("test_engine_error", "test_app_error_with_exception", "test_error_on_another_thread",
                 "test_marked_but_another_logger_errs", "test_marked_but_nothing_logged",
                 "test_marked_without_a_logger"):
        assert f"ERROR test_inner.py::{name}" in out
    for name in ("test_marked_error_passes", "test_warning_passes", "test_other_loggers_pass"):
        assert f"PASSED test_inner.py::{name}" in out
