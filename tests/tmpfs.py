"""A real small disk for the full-disk tests: a tmpfs mounted in the test's folder (mounting needs root; CI runs
as root, elsewhere the tests skip), unmounted afterwards."""

from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

NEEDS_ROOT = pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0,
                                reason="mounting a tmpfs needs root (CI runs as root)")


@contextmanager
def tmpfs(where: Path, size: str):
    """``size`` as mount takes it ('64k', '2m')."""
    where.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs as root: {r.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(mnt: Path, leave_kb: int) -> None:
    """Take all space on the tmpfs but ``leave_kb``."""
    free = shutil.disk_usage(mnt).free // 1024
    with open(mnt / "filler", "wb") as fh:
        fh.write(b"\0" * max(0, free - leave_kb) * 1024)
