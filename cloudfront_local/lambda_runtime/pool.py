"""The server's side of the Lambda workers. A worker is a long-lived subprocess for one function version
(the version's zip unzipped once into a private directory), running one invocation at a time; the workers
of all versions share one bound, the least recently used idle one making way for a version that needs one,
and an invocation that finds every worker busy waits for one up to its own timeout (then CloudFront's
throttling answer). What a handler writes to stdout or stderr reaches the server's log line by line, with
the function's name and the request id, as CloudWatch Logs would hold it; a worker that talks too much is
cut short, never blocked."""
from __future__ import annotations

import atexit
import collections
import ctypes
import ctypes.util
import queue
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..service.functions.runtime import frames

log = logging.getLogger("cloudfront_local")

NODE_RUNTIMES = frozenset({"nodejs18.x", "nodejs20.x", "nodejs22.x"})
PYTHON_RUNTIMES = frozenset({f"python3.{minor}" for minor in range(9, 14)})
_HERE = Path(__file__).resolve().parent
INIT_SECONDS = 10.0              # Lambda's init phase limit
MAX_UNZIPPED = 250 * 1024 * 1024  # Lambda's deployment package limit, unzipped
MAX_ENTRIES = 20000
MAX_LINE = 8 * 1024               # a log line longer than this is cut
MAX_LOG_PER_INVOCATION = 64 * 1024  # then the rest of an invocation's output is dropped, and counted
_CHUNK = 64 * 1024
MARK = b"\x00cloudfront-local-invocation:"


@dataclass(frozen=True)
class Spec:
    """One function version as the edge runs it."""
    arn: str
    name: str
    version: str
    runtime: str
    handler: str
    memory_mb: int
    timeout: float
    code_sha256: str
    code: bytes = field(repr=False, compare=False, hash=False)

    @property
    def key(self) -> tuple[str, str]:
        return self.arn, self.code_sha256

    @property
    def log_group(self) -> str:
        # Lambda@Edge writes to a log group named for the function's Region (docs: "CloudWatch Logs").
        return f"/aws/lambda/us-east-1.{self.name}"


def spec_from_version(doc: dict) -> Spec:
    """A Spec from a "lambda-version" doc (the Lambda API's immutable snapshot of a version)."""
    import base64

    return Spec(doc["FunctionArn"], doc["FunctionName"], str(doc["Version"]), doc.get("Runtime") or "",
                doc.get("Handler") or "", int(doc.get("MemorySize") or 128), float(doc.get("Timeout") or 3),
                doc.get("CodeSha256") or "", base64.b64decode(doc.get("Code") or ""))


@dataclass
class Outcome:
    kind: str                    # "ok", "error" (thrown, crashed, would not load), "timeout", "throttled"
    result: object = None        # the handler's answer, as JSON gave it
    error: dict | None = None    # {"errorType", "errorMessage", ...} for "error"

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


class _Package:
    """A version's code, unzipped once into a directory of its own."""

    def __init__(self, spec: Spec):
        self.directory = tempfile.mkdtemp(prefix="cloudfront-local-lambda-")
        try:
            _unzip(spec.code, self.directory)
        except BaseException:
            self.remove()
            raise

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


class BadPackage(Exception):
    pass


def _unzip(code: bytes, directory: str) -> None:
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(code))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise BadPackage(f"the deployment package is not a zip: {error}") from None
    if len(members) > MAX_ENTRIES or sum(m.file_size for m in members) > MAX_UNZIPPED:
        raise BadPackage("the deployment package unzips to more than Lambda allows")
    root = os.path.realpath(directory)
    written = 0
    for member in members:
        target = os.path.realpath(os.path.join(root, member.filename))
        if not target.startswith(root + os.sep) and target != root:
            raise BadPackage(f"the deployment package names a file outside itself: {member.filename!r}")
        if member.is_dir():
            os.makedirs(target, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        try:
            with archive.open(member) as source, open(target, "wb") as sink:
                while chunk := source.read(_CHUNK):
                    written += len(chunk)
                    if written > MAX_UNZIPPED:  # a size the directory lied about
                        raise BadPackage("the deployment package unzips to more than Lambda allows")
                    sink.write(chunk)
        except (zipfile.BadZipFile, RuntimeError, OSError, EOFError, ValueError) as error:
            raise BadPackage(f"the deployment package cannot be unzipped: {error}") from None


# -- starting a worker ---------------------------------------------------------------------------------------
# A worker must end with the server, even one killed outright (SIGKILL leaves no atexit, no close()): Linux's
# parent-death signal, set in the child between fork and exec so it holds for node as for Python. Linux sends
# it when the *thread* that forked the child ends, not the process, so every worker is started from one thread
# that lives as long as the process: a worker started from a request's thread would die with that thread.
PR_SET_PDEATHSIG = 1


def _prctl():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        function = libc.prctl
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    function.restype = ctypes.c_int
    return function


_PRCTL = _prctl() if sys.platform.startswith("linux") else None


def _die_with(parent: int):
    """The preexec_fn: resolved in the parent, so the child between fork and exec only makes the one call."""
    prctl, kill = _PRCTL, int(signal.SIGKILL)

    def arm() -> None:
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, kill, 0, 0, 0)
        if os.getppid() != parent:  # the server died before the signal was armed
            os._exit(1)

    return arm if prctl is not None else None


class _Starter:
    """The one long-lived thread of a process that starts its workers (see above)."""

    def __init__(self):
        self.pid = os.getpid()
        self._jobs: "queue.SimpleQueue" = queue.SimpleQueue()
        threading.Thread(target=self._serve, daemon=True, name="lambda-worker-starter").start()

    def _serve(self) -> None:
        while True:
            job, outcome, finished = self._jobs.get()
            try:
                outcome.append(job())
            except BaseException as error:  # raised again in the caller's thread
                outcome.append(error)
            finished.set()

    def popen(self, *args, **kwargs) -> subprocess.Popen:
        kwargs["preexec_fn"] = _die_with(self.pid)
        outcome: list = []
        finished = threading.Event()
        self._jobs.put((lambda: subprocess.Popen(*args, **kwargs), outcome, finished))
        finished.wait()
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return outcome[0]


_starter: _Starter | None = None
_starter_lock = threading.Lock()


def _popen(*args, **kwargs) -> subprocess.Popen:
    global _starter
    with _starter_lock:
        if _starter is None or _starter.pid != os.getpid():
            _starter = _Starter()
        starter = _starter
    return starter.popen(*args, **kwargs)


class _Failed(Exception):
    def __init__(self, outcome: Outcome):
        super().__init__(outcome.kind)
        self.outcome = outcome


class _Worker:
    def __init__(self, spec: Spec, package: _Package):
        self.spec = spec
        self.request_id = "-"
        self.dead = False
        self._logged = 0
        self._dropped = 0
        self._serial = 0
        self._log_request = "-"
        self._request_ids: dict[str, str] = {}  # serial -> request id, until the log reader sees its mark
        protocol_read, protocol_write = os.pipe()
        log_read, log_write = os.pipe()
        env = {name: value for name, value in os.environ.items() if name in ("PATH", "LANG", "SYSTEMROOT")}
        env.update({
            "LAMBDA_TASK_ROOT": package.directory, "_HANDLER": spec.handler, "TZ": ":UTC",
            "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_LAMBDA_FUNCTION_NAME": f"us-east-1.{spec.name}", "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb), "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group, "_CFL_PROTOCOL_FD": str(protocol_write),
        })
        if spec.runtime in NODE_RUNTIMES:
            command = ["node", f"--max-old-space-size={spec.memory_mb}", str(_HERE / "node_worker.js")]
        else:
            # The address space bound: a Python handler cannot take more than its MemorySize.
            env["_CFL_MEMORY_BYTES"] = str(max(spec.memory_mb, 64) * 1024 * 1024)
            command = [sys.executable, "-I", "-u", str(_HERE / "python_worker.py")]
        try:
            self.process = _popen(
                command, stdin=subprocess.PIPE, stdout=log_write, stderr=log_write, pass_fds=(protocol_write,),
                cwd=package.directory, env=env, start_new_session=True)
        except OSError as error:
            for fd in (protocol_read, protocol_write, log_read, log_write):
                os.close(fd)
            raise _Failed(Outcome("error", error={"errorType": "Runtime.InvalidEntrypoint",
                                                  "errorMessage": f"the runtime could not start: {error}"}))
        os.close(protocol_write)
        os.close(log_write)
        self.from_worker = protocol_read
        self.to_worker = self.process.stdin.fileno()
        threading.Thread(target=self._read_log, args=(log_read,), daemon=True,
                         name=f"lambda-log-{spec.name}").start()
        try:
            ready = frames.read(self.from_worker, time.monotonic() + max(INIT_SECONDS, spec.timeout))
        except frames.FrameError as error:
            self.kill()
            kind = "timeout" if str(error) == "timed out" else "error"
            raise _Failed(Outcome(kind, error={"errorType": "Runtime.ExitError",
                                               "errorMessage": f"the runtime failed to start: {error}"}))
        if ready.get("op") != "ready" or ready.get("error") is not None:
            self.kill()
            raise _Failed(Outcome("error", error=_error_dict(ready.get("error"))))

    # -- one invocation ------------------------------------------------------------------------------------
    def call(self, event: dict, request_id: str, seconds: float) -> Outcome:
        self._serial += 1
        self.request_id = request_id
        if len(self._request_ids) > 64:  # marks the reader never saw (a handler that closed its stdout)
            self._request_ids.clear()
        self._request_ids[str(self._serial)] = request_id
        spec = self.spec
        context = {"functionName": f"us-east-1.{spec.name}", "functionVersion": spec.version,
                   "invokedFunctionArn": spec.arn, "memoryLimitInMB": spec.memory_mb, "awsRequestId": request_id,
                   "logGroupName": spec.log_group, "logStreamName": f"{time.strftime('%Y/%m/%d')}/[{spec.version}]"
                   f"{os.getpid():x}{id(self):x}", "remainingMs": int(seconds * 1000)}
        deadline = time.monotonic() + seconds
        try:
            frames.write(self.to_worker, {"id": self._serial, "event": event, "context": context})
            while True:
                answer = frames.read(self.from_worker, deadline)
                if answer.get("id") in (self._serial, None):
                    break
        except frames.FrameError as error:
            self.kill()
            if str(error) == "timed out":
                return Outcome("timeout", error={"errorType": "Sandbox.Timedout",
                                                 "errorMessage": f"Task timed out after {seconds:.2f} seconds"})
            return self._crashed()
        except OSError:
            self.kill()
            return self._crashed()
        if answer.get("id") is None or answer.get("fatal"):
            self.dead = True
        if "error" in answer:
            return Outcome("error", error=_error_dict(answer["error"]))
        if "result" not in answer:
            self.kill()
            return self._crashed()
        return Outcome("ok", result=answer["result"])

    def _crashed(self) -> Outcome:
        try:
            code = self.process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            code = None
        how = f"signal: {signal.Signals(-code).name.lower()}" if code is not None and code < 0 \
            else f"exit status {code}"
        return Outcome("error", error={"errorType": "Runtime.ExitError",
                                       "errorMessage": f"RequestId: {self.request_id} Error: Runtime exited with "
                                                       f"error: {how}"})

    # -- output --------------------------------------------------------------------------------------------
    # The worker writes a marker line to its own stdout as each invocation starts (MARK + serial): every line
    # after it is that invocation's, however late the reader gets to it.
    def _read_log(self, fd: int) -> None:
        partial, cut = b"", False
        try:
            while chunk := os.read(fd, _CHUNK):
                lines = chunk.split(b"\n")
                for index, piece in enumerate(lines):
                    if not cut:
                        room = MAX_LINE - len(partial)
                        partial += piece[:room]
                        cut = len(piece) > room
                    if index < len(lines) - 1:
                        self._line(partial, cut)
                        partial, cut = b"", False
        except OSError:
            pass
        finally:
            if partial:
                self._line(partial, cut)
            self._note_dropped()
            os.close(fd)

    def _line(self, data: bytes, cut: bool) -> None:
        if data.startswith(MARK):
            self._note_dropped()
            self._log_request = self._request_ids.pop(data[len(MARK):].decode("ascii", "replace"), "-")
            self._logged = 0
            return
        if self._logged >= MAX_LOG_PER_INVOCATION:
            self._dropped += len(data) + 1
            return
        self._logged += len(data) + 1
        text = data.decode("utf-8", "replace").rstrip("\r") + (" [line truncated]" if cut else "")
        log.info("lambda: %s [%s] %s %s", self.spec.log_group, self.spec.version, self._log_request, text)

    def _note_dropped(self) -> None:
        if self._dropped:
            log.info("lambda: %s [%s] %s [%d bytes more output not logged]", self.spec.log_group,
                     self.spec.version, self._log_request, self._dropped)
            self._dropped = 0

    # -- the end -------------------------------------------------------------------------------------------
    def alive(self) -> bool:
        return not self.dead and self.process.poll() is None

    def kill(self) -> None:
        """The worker and anything it started (its process group): a handler that forked goes too."""
        self.dead = True
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, OSError):
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for close in (self.process.stdin.close, lambda: os.close(self.from_worker)):
            try:
                close()
            except OSError:
                pass
        self.from_worker = -1


def _error_dict(error) -> dict:
    if not isinstance(error, dict):
        return {"errorType": "Runtime.Unknown", "errorMessage": str(error)[:1000]}
    return {"errorType": str(error.get("errorType") or "Error")[:200],
            "errorMessage": str(error.get("errorMessage") or "")[:4000]}


class Runtime:
    """Every worker of the server: at most `max_workers` at once, across versions."""

    def __init__(self, max_workers: int = 8):
        self.max_workers = max(1, max_workers)
        self._cond = threading.Condition()
        self._idle: "collections.OrderedDict[tuple, list[_Worker]]" = collections.OrderedDict()  # LRU first
        self._all: set[_Worker] = set()
        self._reserved = 0  # slots taken by workers being started
        self._packages: dict[tuple, _Package] = {}
        self._package_locks: dict[tuple, threading.Lock] = {}
        self._closed = False
        self.pid = os.getpid()

    @property
    def count(self) -> int:
        with self._cond:
            return len(self._all) + self._reserved

    def invoke(self, spec: Spec, event: dict, request_id: str, seconds: float | None = None) -> Outcome:
        """Run the version's handler on the event; `seconds` is the time it has (its Timeout by default)."""
        seconds = spec.timeout if seconds is None else seconds
        if spec.runtime not in NODE_RUNTIMES and spec.runtime not in PYTHON_RUNTIMES:
            return Outcome("error", error={"errorType": "Runtime.InvalidRuntime",
                                           "errorMessage": f"the runtime {spec.runtime!r} is not supported"})
        try:
            worker = self._acquire(spec, time.monotonic() + seconds)
        except _Failed as failure:
            return failure.outcome
        if worker is None:
            return Outcome("throttled", error={"errorType": "TooManyRequestsException",
                                               "errorMessage": "Rate Exceeded."})
        try:
            return worker.call(event, request_id, seconds)
        finally:
            self._release(worker)

    def _acquire(self, spec: Spec, deadline: float) -> _Worker | None:
        evicted = None
        with self._cond:
            while True:
                if self._closed:
                    return None
                idle = self._idle.get(spec.key)
                while idle:
                    worker = idle.pop()
                    if worker.alive():
                        self._idle.move_to_end(spec.key)
                        return worker
                    self._forget(worker)
                    worker.kill()
                if len(self._all) + self._reserved < self.max_workers:
                    break
                evicted = self._least_recent_idle()
                if evicted is not None:
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)
            self._reserved += 1
        try:
            if evicted is not None:
                self._retire(evicted)
            worker = _Worker(spec, self._package(spec))
        except BadPackage as error:
            raise _Failed(Outcome("error", error={"errorType": "Runtime.InvalidPackage",
                                                  "errorMessage": str(error)})) from None
        finally:
            with self._cond:
                self._reserved -= 1
                self._cond.notify()
        with self._cond:
            if self._closed:
                worker.kill()
                return None
            self._all.add(worker)
        return worker

    def _least_recent_idle(self) -> _Worker | None:
        for key, workers in self._idle.items():
            if workers:
                worker = workers.pop(0)
                self._forget(worker)
                return worker
        return None

    def _forget(self, worker: _Worker) -> None:
        """Under the lock: the worker no longer counts."""
        self._all.discard(worker)
        if not self._idle.get(worker.spec.key):
            self._idle.pop(worker.spec.key, None)

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        key = worker.spec.key
        with self._cond:
            still_used = any(w.spec.key == key for w in self._all)
            package = None if still_used else self._packages.pop(key, None)
        if package is not None:
            package.remove()

    def _package(self, spec: Spec) -> _Package:
        with self._cond:
            lock = self._package_locks.setdefault(spec.key, threading.Lock())
        with lock:
            with self._cond:
                package = self._packages.get(spec.key)
            if package is None or not os.path.isdir(package.directory):
                package = _Package(spec)
                with self._cond:
                    self._packages[spec.key] = package
            return package

    def _release(self, worker: _Worker) -> None:
        with self._cond:
            if worker.alive() and not self._closed:
                self._idle.setdefault(worker.spec.key, []).append(worker)
                self._idle.move_to_end(worker.spec.key)
            else:
                self._all.discard(worker)
                worker.kill()
            self._cond.notify()

    def close(self) -> None:
        """Every worker killed, every unzipped package removed: the runtime ends with the server."""
        with self._cond:
            self._closed = True
            workers, self._all = list(self._all), set()
            self._idle.clear()
            packages, self._packages = list(self._packages.values()), {}
            self._cond.notify_all()
        for worker in workers:
            worker.kill()
        for package in packages:
            package.remove()


_shared: Runtime | None = None
_shared_lock = threading.Lock()


def shared(max_workers: int = 8) -> Runtime:
    """The process's runtime, made on first use (and again in a child after a fork)."""
    global _shared
    with _shared_lock:
        if _shared is None or _shared.pid != os.getpid():
            _shared = Runtime(max_workers)
            atexit.register(_shared.close)
        elif _shared.max_workers != max(1, max_workers):
            _shared.max_workers = max(1, max_workers)
        return _shared
