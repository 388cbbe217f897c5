"""Does a WAV file hold the audio its header announces? A copy cut short (a full disk, an interrupted
transfer) decodes without complaint as a shorter call: FFmpeg takes the length from the file size.

Only RIFF/WAVE is checked (what recorders and call systems write); other formats are decoded as they come.
"""

from __future__ import annotations

import struct
from pathlib import Path

_UNKNOWN_SIZES = (0, 0xFFFFFFFF)   # streaming writers leave the size unset (or RF64 puts it elsewhere)


def truncation(path: str | Path) -> tuple[float, float] | None:
    """(seconds announced, seconds present) when the data chunk is shorter than its header says, else None."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return None
            byte_rate = None
            while True:
                chunk = fh.read(8)
                if len(chunk) < 8:
                    return None
                cid, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
                if cid == b"fmt ":
                    fmt = fh.read(min(size, 64))
                    if len(fmt) >= 12:
                        byte_rate = struct.unpack("<I", fmt[8:12])[0]
                    fh.seek(size - len(fmt) + (size & 1), 1)
                    continue
                if cid == b"data":
                    if size in _UNKNOWN_SIZES or not byte_rate:
                        return None
                    start = fh.tell()
                    present = fh.seek(0, 2) - start
                    if present >= size:
                        return None
                    return size / byte_rate, present / byte_rate
                fh.seek(size + (size & 1), 1)
    except (OSError, struct.error):
        return None
