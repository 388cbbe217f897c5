"""Rotating log file in the user's log folder."""

from __future__ import annotations

import logging

from assist import logs


def test_writes_to_log_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("CALLASSIST_LOG_DIR", str(tmp_path / "logs"))
    path = logs.setup_logging()
    assert path == tmp_path / "logs" / "callassist.log"
    logging.getLogger("assist.test").info("通话开始 %s", "abc")
    logging.getLogger("assist.test").debug("hidden detail")
    text = path.read_text(encoding="utf-8")
    assert "通话开始 abc" in text and "hidden detail" not in text


def test_verbose_and_no_duplicate_handlers(tmp_path):
    logs.setup_logging(log_dir=tmp_path)
    path = logs.setup_logging(verbose=True, log_dir=tmp_path)
    logging.getLogger("assist.test").debug("detail once")
    assert path.read_text(encoding="utf-8").count("detail once") == 1
    ours = [h for h in logging.getLogger().handlers if getattr(h, logs._TAG, False)]
    assert len(ours) == 2  # one file, one stderr


def test_rotates(tmp_path, monkeypatch):
    monkeypatch.setattr(logs, "MAX_BYTES", 500)
    path = logs.setup_logging(log_dir=tmp_path)
    for i in range(100):
        logging.getLogger("assist.test").info("line %03d %s", i, "x" * 40)
    assert (tmp_path / "callassist.log.1").is_file()
    assert len(list(tmp_path.glob("callassist.log*"))) <= 1 + logs.BACKUPS
    assert path.stat().st_size <= 500 + 200


def test_unwritable_log_dir_does_not_stop_the_program(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert logs.setup_logging(log_dir=blocker / "logs") is None
    logging.getLogger("assist.test").warning("still works")
