"""What CloudFront's standard and real-time logs share: entries waiting by destination, written out by a thread
of their own every `log_flush_seconds` (at once when `log_buffer_lines` wait), and at close. The server's event
loop only appends; past a second buffer's worth of entries, new ones are dropped and counted, never held."""
from __future__ import annotations

import logging
import threading

log = logging.getLogger("cloudfront_local")


class LogBuffer:
    noun = "entries"  # how a subclass's warnings name what it drops

    def __init__(self, settings, thread_name: str):
        self.settings = settings
        self.limit = max(1, settings.log_buffer_lines)
        self._waiting: dict = {}
        self._count = 0
        self._lock = threading.Lock()
        self._writing = threading.Lock()  # one writer at a time: the flusher, a full buffer, the shutdown
        self._stop = threading.Event()
        self._wake = threading.Event()  # a full buffer: the writer goes now, not at the next interval
        self.dropped = 0
        self._thread = threading.Thread(target=self._run, name=thread_name, daemon=True)
        self._thread.start()

    def add(self, pairs: list) -> None:
        """(destination, entry) pairs of one request, kept together: all of them, or (over the bound) none."""
        with self._lock:
            if self._count >= 2 * self.limit:
                self.dropped += 1
                return
            for key, entry in pairs:
                self._waiting.setdefault(key, []).append(entry)
                self._count += 1
            if self._count >= self.limit:
                self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.settings.log_flush_seconds)
            self._wake.clear()
            if not self._stop.is_set():
                self.flush()

    def flush(self) -> None:
        with self._writing:
            with self._lock:
                waiting, self._waiting, self._count = self._waiting, {}, 0
                dropped, self.dropped = self.dropped, 0
            if dropped:
                log.warning("%s: %d %s dropped, more than the buffer holds", self._thread.name, dropped, self.noun)
            for key, entries in waiting.items():
                try:
                    problem = self.deliver(key, entries)
                except Exception as error:  # a log that cannot be delivered must not take the edge down
                    problem = str(error)
                if problem:
                    log.warning("%s: %d %s not delivered (%s): %s", self._thread.name, len(entries), self.noun,
                                key, problem)

    def deliver(self, key, entries: list) -> str | None:
        """Write one destination's entries; a reason they could not be delivered, or None."""
        raise NotImplementedError

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=5)
        self.flush()
