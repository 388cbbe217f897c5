"""FilePacer: a file read as fast as possible waits for the recogniser, but never forever."""

from __future__ import annotations

import threading
import time

from assist.pacing import FilePacer


def test_the_reader_waits_until_the_recognizer_is_within_the_bound():
    pacer = FilePacer(1.0, stall_s=5.0)
    pacer.fed = 3 * 16000                                        # 3 s read, nothing recognised yet

    def recognize():
        for t in (0.5, 1.0, 1.5, 2.0, 2.5):
            time.sleep(0.1)
            pacer.progress(t)

    th = threading.Thread(target=recognize)
    t0 = time.monotonic()
    th.start()
    pacer.wait(threading.Event())
    th.join()
    assert pacer.fed_s - pacer._done_t <= 1.0 and time.monotonic() - t0 >= 0.35   # released at 2.0 s done


def test_a_stalled_or_failed_recognizer_is_not_waited_for():
    pacer = FilePacer(1.0, stall_s=0.2)
    pacer.fed = 3 * 16000
    t0 = time.monotonic()
    pacer.wait(threading.Event())
    assert 0.2 <= time.monotonic() - t0 < 2.0
    t0 = time.monotonic()
    pacer.wait(threading.Event())                                # from then on, the file is read freely
    assert time.monotonic() - t0 < 0.05
    failed = FilePacer(1.0, stall_s=60.0, failed=lambda: True)
    failed.fed = 3 * 16000
    t0 = time.monotonic()
    failed.wait(threading.Event())
    assert time.monotonic() - t0 < 1.0


def test_stop_and_an_unbounded_config_do_not_wait():
    stop = threading.Event()
    stop.set()
    for pacer, ev in ((FilePacer(1.0), stop), (FilePacer(None), threading.Event())):
        pacer.fed = 60 * 16000
        t0 = time.monotonic()
        pacer.wait(ev)
        assert time.monotonic() - t0 < 0.05
