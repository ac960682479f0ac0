"""The runtime workers' pool: runs one after the other alternate between two workers, each making its next
context while the other runs; a worker that dies mid-run gets its job once more in a fresh one."""
from __future__ import annotations

import json
import os
import signal
import threading
import time

from cloudfront_local.service.functions import runtime
from cloudfront_local.service.functions.runtime import pool

EVENT = json.dumps({"version": "1.0", "context": {"eventType": "viewer-request"}, "viewer": {"ip": "198.51.100.7"},
                    "request": {"method": "GET", "uri": "/a", "querystring": {}, "headers": {}, "cookies": {}}}).encode()
CODE = b"function handler(e) { return e.request; }"


def _job() -> dict:
    return {"kind": "viewer", "code": CODE.decode(), "runtime": "cloudfront-js-2.0", "event": EVENT.decode(), "now": 0,
            "kvs": False, "limits": {"cpu_seconds": 1.0, "memory_bytes": 2 << 20, "stack_bytes": 256 << 10,
                                      "log_bytes": 10240, "kvs_reads": 10}}


def test_runs_in_a_row_alternate_between_two_ready_workers():
    workers = pool.Pool(2)
    used: list[int] = []
    try:
        for _ in range(3):
            workers.run(_job(), lambda requests: [], 5)
        deadline = time.monotonic() + 60
        while len(workers._idle) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(workers._idle) == 2  # the spare came up while the first worker did the work
        original = pool._Worker.run

        def noted(worker, *args):
            used.append(worker.process.pid)
            return original(worker, *args)

        pool._Worker.run = noted
        try:
            for _ in range(20):
                assert workers.run(_job(), lambda requests: [], 5)["output"]["request"]["uri"] == "/a"
        finally:
            pool._Worker.run = original
    finally:
        workers.close()
    assert len(set(used)) == 2 and min(used.count(pid) for pid in set(used)) >= 5


def _workers_of_this_process() -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read()
        except OSError:
            continue
        if parent == os.getpid() and b"runtime.worker" in command:
            found.append(int(entry))
    return found


def test_a_worker_that_dies_mid_run_gets_the_job_once_more():
    busy = b"function handler(e) { var n = 0; for (var i = 0; i < 3e6; i++) n += i; e.request.uri = '/' + n; " \
           b"return e.request; }"
    runtime.run_function(busy, "cloudfront-js-2.0", EVENT)  # workers up

    def kill_soon():
        time.sleep(0.05)
        for pid in _workers_of_this_process():
            os.kill(pid, signal.SIGKILL)

    killer = threading.Thread(target=kill_soon)
    killer.start()
    outcome = runtime.run_function(busy, "cloudfront-js-2.0", EVENT, limits=runtime.Limits(cpu_seconds=5))
    killer.join()
    assert outcome.error is None
    assert outcome.result["request"]["uri"] == "/" + str(sum(range(3_000_000)))
