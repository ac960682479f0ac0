"""The server's own lines on stderr, one per API request and one per viewer request, written in batches by a
thread of their own. A write (and a reader's wake-up) per request cost a cache hit over HTTP a third of its
speed on the 2-core test machine, and an API GET over HTTP went from 1.23x the floor's p50 to 1.12x once its line
was batched (docs/behaviour.md, "The edge's request log"). What a line says is worked out by that thread too: a
request pays for a tuple and a deque append."""
from __future__ import annotations

import collections
import logging
import sys
import threading
import time

log = logging.getLogger("cloudfront_local")
FLUSH_SECONDS = 0.1


class BatchedLines:
    def __init__(self):
        # A deque: appends and the writer's pops need no lock of ours (a request pays for no lock here).
        self._pending: collections.deque = collections.deque()  # (render, item): render(item) is the line
        self._lock = threading.Lock()  # the writer is started once
        self._writer: threading.Thread | None = None
        self._stop = threading.Event()

    def add(self, render, item) -> None:
        self._pending.append((render, item))
        if self._writer is None:
            with self._lock:
                if self._writer is None:
                    self._writer = threading.Thread(target=self._write_lines, name="log-lines", daemon=True)
                    self._writer.start()

    def _write_lines(self) -> None:
        while not self._stop.wait(FLUSH_SECONDS):
            self.flush()

    def flush(self) -> None:
        """Write the lines not written yet (the writer thread's work; and at a clean stop)."""
        pending, parts = self._pending, []
        write = log.isEnabledFor(logging.INFO)
        for _ in range(len(pending)):  # what is there now: lines that come meanwhile wait for the next write
            try:
                render, item = pending.popleft()
            except IndexError:  # close() and the writer flushing at once took the rest
                break
            if write:
                try:
                    parts.append(render(item))
                except Exception:  # a line we cannot render is left out, never the lines after it
                    pass
        if not parts:
            return
        try:
            sys.stderr.write("".join(parts))
            sys.stderr.flush()
        except (OSError, ValueError):  # stderr closed or gone
            pass

    def close(self) -> None:
        self._stop.set()
        self.flush()


_second: list = [(None, "")]  # the last second formatted, and its text: one item, replaced whole


def stamp(seconds: float) -> str:
    """The time stamp as logging.basicConfig's "%(asctime)s" writes it, of the line's own time; a batch's
    lines mostly share their second, formatted once."""
    whole = int(seconds)
    known, text = _second[0]
    if known != whole:
        text = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(whole))
        _second[0] = (whole, text)
    return f"{text},{int(seconds % 1 * 1000):03d}"
