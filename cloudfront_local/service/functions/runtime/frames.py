"""Messages between the server and a runtime worker: JSON, each behind its length in four bytes.

JSON rather than pickle, so that a worker whose engine was subverted by the code it ran still cannot make
the server execute anything: the server reads plain data, bounded in size, and checks its shape.
"""
from __future__ import annotations

import json
import os
import select
import time

MAX_FRAME = 16 * 1024 * 1024


class FrameError(Exception):
    """The other side sent something that is not a frame, closed the pipe, or was too slow."""


def write(fd: int, message: dict) -> None:
    data = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")
    if len(data) > MAX_FRAME:
        raise FrameError("frame too large")
    view = memoryview(len(data).to_bytes(4, "big") + data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def read(fd: int, deadline: float | None = None) -> dict:
    size = int.from_bytes(_read_exactly(fd, 4, deadline), "big")
    if size > MAX_FRAME:
        raise FrameError("frame too large")
    try:
        message = json.loads(_read_exactly(fd, size, deadline).decode("utf-8", "surrogatepass"))
    except (ValueError, RecursionError) as error:
        raise FrameError(f"not a frame: {error}") from None
    if not isinstance(message, dict):
        raise FrameError("not a frame")
    return message


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes:
    chunks, missing = [], size
    while missing:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise FrameError("timed out")
        chunk = os.read(fd, min(missing, 1 << 20))
        if not chunk:
            raise FrameError("closed")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)
