"""The server's side of the runtime workers: a few processes, started when a function first runs, each
running one job at a time; one that outlives its job's deadline, dies or answers garbage is killed and
forgotten, and the next job starts a fresh one.

KeyValueStore reads a running function makes come back here, where the caller's reader answers them,
on the caller's thread (a reader may be bound to the caller's transaction).

After each job a worker makes the next job's context, then says "ready". A job goes to a worker that has
said so; when none has and the machine has a core to spare, a second worker is started in the background,
so that runs one after the other (a test suite, a benchmark) alternate between two workers and a context is
always being made while the other worker runs: a run pays for its own code, not for its context.
"""
from __future__ import annotations

import atexit
import os
import select
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
        self.ready = False
        try:
            self.wait_ready(time.monotonic() + _STARTUP_SECONDS)
        except WorkerFailure:
            self.kill()
            raise

    def ready_now(self) -> bool:
        """Whether the worker has said "ready" (read here if it is waiting in the pipe), without waiting."""
        if not self.ready:
            poller = select.poll()
            poller.register(self.from_worker, select.POLLIN)
            if poller.poll(0):
                self.wait_ready(time.monotonic() + _STARTUP_SECONDS)
        return self.ready

    def wait_ready(self, deadline: float) -> None:
        if self.ready:
            return
        try:
            if frames.read(self.from_worker, deadline).get("op") != "ready":
                raise frames.FrameError("not ready")
        except (frames.FrameError, OSError):
            raise WorkerFailure(False) from None
        self.ready = True

    def run(self, job: dict, answer_kvs, seconds: float) -> dict:
        try:
            self.wait_ready(time.monotonic() + _STARTUP_SECONDS)
        except WorkerFailure:
            self.kill()
            raise
        self.ready = False
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
        self._spare = size > 1  # a second worker may be started ahead of need (once at a time)
        self._starting = False

    def _pick(self) -> _Worker | None:
        """An idle worker, one that is ready first; the one idle longest when none is (it is the likeliest to
        be ready soonest). Called with the lock held."""
        for worker in list(self._idle):
            if not worker.alive():
                self._idle.remove(worker)
                worker.kill()
        for worker in self._idle:
            try:
                if worker.ready_now():
                    self._idle.remove(worker)
                    return worker
            except WorkerFailure:
                pass  # its run() fails over to a fresh one
        if self._idle and len(self._idle) < 2 and self._spare and not self._starting:
            self._starting = True
            threading.Thread(target=self._start_spare, daemon=True).start()
        return self._idle.pop(0) if self._idle else None

    def _start_spare(self) -> None:
        try:
            worker = _Worker()
        except WorkerFailure:
            worker = None
        with self._lock:
            self._starting = False
            if worker is not None:
                self._idle.append(worker)

    def run(self, job: dict, answer_kvs, seconds: float) -> dict:
        if not self._slots.acquire(timeout=_WAIT_FOR_WORKER_SECONDS):
            raise WorkerFailure(True)
        worker = None
        try:
            with self._lock:
                worker = self._pick()
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
