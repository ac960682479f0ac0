"""TestFunction: the boto3 round trip over HTTP against the do-nothing floor, and what one run of the
JavaScript engine costs against a bare QuickJS evaluation of the same handler, in the same run.

    python3 -m benchmarks.functions          # prints the figures as JSON
"""
from __future__ import annotations

import base64
import json
import os
import tempfile
import time

from . import processes
from .calls import client
from .latency import _measure

CODE = b"""function handler(event) {
    var request = event.request;
    if (request.uri.endsWith('/')) {
        request.uri += 'index.html';
    } else if (!request.uri.includes('.')) {
        request.uri += '/index.html';
    }
    return request;
}"""
EVENT = json.dumps({"version": "1.0", "context": {"eventType": "viewer-request"}, "viewer": {"ip": "198.51.100.7"},
                    "request": {"method": "GET", "uri": "/docs/", "querystring": {}, "headers": {
                        "host": {"value": "www.example.com"}}, "cookies": {}}}).encode()


def _function(cf) -> str:
    made = cf.create_function(Name="bench", FunctionConfig={"Comment": "", "Runtime": "cloudfront-js-1.0"},
                              FunctionCode=CODE)
    return made["ETag"]


def round_trip(calls: int, rounds: int) -> dict:
    emulator = processes.emulator()
    try:
        ours = client(emulator.url)
        etag = _function(ours)
        recorded = {}
        ours.meta.events.register("after-call", lambda http_response, **_: recorded.update(last=http_response))
        ours.test_function(Name="bench", IfMatch=etag, EventObject=EVENT)
        response = recorded["last"]
        headers = {k: v for k, v in response.headers.items()
                   if k.lower() not in ("content-length", "date", "server", "connection", "transfer-encoding")}
        entry = {"method": "POST", "prefix": "/2020-05-31/function/", "status": response.status_code,
                 "headers": headers, "body": base64.b64encode(response.content).decode()}
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump([entry], handle)
        floor_process = processes.floor(handle.name)
        try:
            floor = client(floor_process.url)
            pairs = {"ours": lambda: ours.test_function(Name="bench", IfMatch=etag, EventObject=EVENT),
                     "floor": lambda: floor.test_function(Name="bench", IfMatch=etag, EventObject=EVENT)}
            measured = _measure(pairs, calls, rounds)
        finally:
            floor_process.stop()
            os.unlink(handle.name)
    finally:
        emulator.stop()
    return {"ours": measured["ours"], "floor": measured["floor"],
            "p50_ratio": measured["ours"]["p50_us"] / measured["floor"]["p50_us"],
            "p99_ratio": measured["ours"]["p99_us"] / measured["floor"]["p99_us"]}


def engine(runs: int) -> dict:
    """One run_function (a fresh context, the runtime, the event in, the result out) against the least any
    QuickJS run of the handler costs: a fresh context evaluating the code and calling it on the event."""
    import quickjs

    from cloudfront_local.service.functions import runtime

    def bare():
        context = quickjs.Context()
        context.eval(CODE.decode())
        context.eval(f"JSON.stringify(handler({EVENT.decode()}))")

    def ours():
        outcome = runtime.run_function(CODE, "cloudfront-js-1.0", EVENT)
        assert outcome.error in (None, ""), outcome.error

    figures = {}
    for name, call in (("bare", bare), ("ours", ours)):
        call()
        started = time.perf_counter()
        for _ in range(runs):
            call()
        figures[name + "_us"] = (time.perf_counter() - started) / runs * 1e6
    figures["ratio"] = figures["ours_us"] / figures["bare_us"]
    return figures


def measure(quick: bool = False) -> dict:
    return {"round_trip": round_trip(300 if quick else 2000, 4 if quick else 10),
            "engine": engine_alone(200 if quick else 2000)}


def engine_alone(runs: int) -> dict:
    """`engine` in a process of its own: in the full run's process, what earlier benchmarks left on the heap
    made the garbage collector's passes part of each run (1.7 ms a run there, 0.6 ms alone)."""
    import subprocess
    import sys
    from pathlib import Path

    output = subprocess.run([sys.executable, "-m", "benchmarks.functions", "--engine", str(runs)],
                            capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[1]).stdout
    return json.loads(output)


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["--engine"]:
        print(json.dumps(engine(int(sys.argv[2]))))
    else:
        print(json.dumps(measure(quick=True), indent=2))
