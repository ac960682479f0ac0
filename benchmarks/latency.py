"""p50 and p99 of boto3 calls, over HTTP and in-process, each against its floor in the same run."""
from __future__ import annotations

import base64
import json
import os
import statistics
import tempfile
import time

import botocore.awsrequest

from cloudfront_local import mock_cloudfront
from cloudfront_local.mock import _Raw

from . import processes
from .calls import OPERATIONS, Workload, client

PREFIXES = {"create": ("POST", "/2020-05-31/connection-group"), "get": ("GET", "/2020-05-31/connection-group/"),
            "list": ("POST", "/2020-05-31/connection-groups"), "update": ("PUT", "/2020-05-31/connection-group/")}
EVENTS = {"create": "CreateConnectionGroup", "get": "GetConnectionGroup", "list": "ListConnectionGroups",
          "update": "UpdateConnectionGroup"}


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"p50_us": statistics.median(ordered) * 1e6, "p99_us": ordered[int(len(ordered) * 0.99)] * 1e6}


def _record(workload: Workload) -> dict:
    """The emulator's own answer to each call, to be replayed by the floors."""
    recorded = {}

    def keep(http_response, **_):
        recorded["last"] = http_response

    workload.cf.meta.events.register("after-call", lambda http_response, **kw: keep(http_response))
    canned = {}
    for name in OPERATIONS:
        getattr(workload, name)()
        response = recorded["last"]
        headers = {k: v for k, v in response.headers.items()
                   if k.lower() not in ("content-length", "date", "server", "connection", "transfer-encoding")}
        canned[name] = (response.status_code, headers, response.content)
    return canned


def _measure(pairs: dict, calls: int, rounds: int) -> dict:
    """Alternate emulator and floor in rounds, so drift on a shared machine hits both alike."""
    samples = {key: [] for key in pairs}
    per_round = max(1, calls // rounds)
    for _ in range(rounds):
        for key, call in pairs.items():
            for _ in range(per_round):
                started = time.perf_counter()
                call()
                samples[key].append(time.perf_counter() - started)
    return {key: _percentiles(values) for key, values in samples.items()}


def _report(results: dict) -> dict:
    report = {}
    for name in OPERATIONS:
        ours, floor = results[("ours", name)], results[("floor", name)]
        report[name] = {"ours": ours, "floor": floor, "p50_ratio": ours["p50_us"] / floor["p50_us"],
                        "p99_ratio": ours["p99_us"] / floor["p99_us"]}
    return report


def over_http(calls: int, rounds: int) -> dict:
    emulator = processes.emulator()
    try:
        ours = Workload(client(emulator.url))
        canned = _record(Workload(client(emulator.url)))
        entries = [{"method": PREFIXES[n][0], "prefix": PREFIXES[n][1], "status": s, "headers": h,
                    "body": base64.b64encode(b).decode()} for n, (s, h, b) in canned.items()]
        # Longer prefixes first, so that /connection-groups is not taken for /connection-group.
        entries.sort(key=lambda e: len(e["prefix"]), reverse=True)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(entries, handle)
        floor_process = processes.floor(handle.name)
        try:
            floor = Workload.__new__(Workload)
            floor.cf, floor.group_id, floor.etag = client(floor_process.url), ours.group_id, ours.etag
            pairs = {}
            for name in OPERATIONS:
                pairs[("ours", name)] = getattr(ours, name)
                pairs[("floor", name)] = getattr(floor, name)
            return _report(_measure(pairs, calls, rounds))
        finally:
            floor_process.stop()
            os.unlink(handle.name)
    finally:
        emulator.stop()


def in_process(calls: int, rounds: int) -> dict:
    with mock_cloudfront(connection_group_quota=1_000_000):
        ours = Workload(client())
        canned = _record(Workload(client()))
        floor_client = client()
        for name, (status, headers, body) in canned.items():
            floor_client.meta.events.register(
                f"before-send.cloudfront.{EVENTS[name]}",
                lambda request, _s=status, _h=headers, _b=body, **kw: botocore.awsrequest.AWSResponse(
                    request.url, _s, _h, _Raw(_b)))
        floor = Workload.__new__(Workload)
        floor.cf, floor.group_id, floor.etag = floor_client, ours.group_id, ours.etag
        pairs = {}
        for name in OPERATIONS:
            pairs[("ours", name)] = getattr(ours, name)
            pairs[("floor", name)] = getattr(floor, name)
        return _report(_measure(pairs, calls, rounds))
