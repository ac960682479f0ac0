"""The server's side of the runtime workers: a few processes, started when a function first runs, each
running one job at a time; one that outlives its job's deadline, dies or answers garbage is killed and
forgotten, and the next job starts a fresh one.

KeyValueStore reads a running function makes come back here, where the caller's reader answers them,
on the caller's thread (a reader may be bound to the caller's transaction).
"""
from __future__ import annotations

import atexit
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from . import frames, messages

_STARTUP_SECONDS = 60.0  # a cold interpreter importing QuickJS, on a loaded machine
_WAIT_FOR_WORKER_SECONDS = 60.0
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[4])  # the directory holding cloudfront_local


class WorkerFailure(Exception):
    """The worker died, hung past its deadline or broke the protocol; `timed_out` tells which."""

    def __init__(self, timed_out: bool):
        super().__init__("timed out" if timed_out else "failed")
        self.timed_out = timed_out


class _Worker:
    def __init__(self):
        # Only what an interpreter needs to start: the server's credentials and settings stay with it.
        env = {name: value for name, value in os.environ.items()
               if name in ("PATH", "LANG", "SYSTEMROOT") or name.startswith(("PYTHON", "LC_"))}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", __package__ + ".worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, close_fds=True, env=env)
        self.to_worker, self.from_worker = self.process.stdin.fileno(), self.process.stdout.fileno()
        try:
            if frames.read(self.from_worker, time.monotonic() + _STARTUP_SECONDS).get("op") != "ready":
                raise frames.FrameError("not ready")
        except frames.FrameError:
            self.kill()
            raise WorkerFailure(False) from None

    def run(self, job: dict, answer_kvs, seconds: float) -> dict:
        deadline = time.monotonic() + seconds
        try:
            frames.write(self.to_worker, job)
            while True:
                message = frames.read(self.from_worker, deadline)
                if message.get("op") == "done" and isinstance(message.get("outcome"), dict):
                    return message["outcome"]
                if message.get("op") != "kvs" or not isinstance(message.get("requests"), list):
                    raise frames.FrameError("unexpected message")
                asked = time.monotonic()
                answers = answer_kvs(message["requests"])
                deadline += time.monotonic() - asked  # the store's time is not the function's
                frames.write(self.to_worker, {"answers": answers})
        except frames.FrameError as error:
            self.kill()
            raise WorkerFailure(str(error) == "timed out") from None
        except OSError:
            self.kill()
            raise WorkerFailure(False) from None

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        try:
            self.process.kill()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass


class Pool:
    def __init__(self, size: int):
        self.pid = os.getpid()
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()

    def run(self, job: dict, answer_kvs, seconds: float) -> dict:
        if not self._slots.acquire(timeout=_WAIT_FOR_WORKER_SECONDS):
            raise WorkerFailure(True)
        worker = None
        try:
            with self._lock:
                while self._idle and worker is None:
                    worker = self._idle.pop()
                    if not worker.alive():
                        worker.kill()
                        worker = None
            worker = worker or _Worker()
            outcome = worker.run(job, answer_kvs, seconds)
            error = outcome.get("error") if isinstance(outcome, dict) else None
            if isinstance(error, str) and error.endswith(messages.MEMORY):
                # A run that exhausted QuickJS's memory leaves the process unfit for the next one (which then
                # failed as a crash, about every second time): a fresh worker takes the next job.
                worker.kill()
            else:
                with self._lock:
                    self._idle.append(worker)
            return outcome
        except BaseException:
            if worker is not None:
                worker.kill()  # whatever state it is in, it is not to be trusted with another job
            raise
        finally:
            self._slots.release()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()


_pool: Pool | None = None
_pool_lock = threading.Lock()


def shared() -> Pool:
    """The process's pool, made on first use (and made again in a child after a fork)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool.pid != os.getpid():
            _pool = Pool(max(1, min(os.cpu_count() or 1, 4)))
            atexit.register(_pool.close)
        return _pool
