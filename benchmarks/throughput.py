"""Requests per second for GetConnectionGroup, against the floor under the same server, with wrk."""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import tempfile

from . import processes
from .calls import client


def _wrk(url: str, seconds: int, connections: int) -> float:
    result = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", url],
                            capture_output=True, text=True, timeout=seconds + 30)
    match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    if not match or "Non-2xx" in result.stdout:
        raise RuntimeError("wrk failed:\n" + result.stdout + result.stderr)
    return float(match.group(1))


def measure(seconds: int = 5, connections: int = 16) -> dict:
    if shutil.which("wrk") is None:
        return {"skipped": "wrk is not installed (Debian: apt-get install wrk)"}
    emulator = processes.emulator()
    try:
        cf = client(emulator.url)
        group = cf.create_connection_group(Name="throughput")["ConnectionGroup"]
        path = f"/2020-05-31/connection-group/{group['Id']}"
        raw = _raw_get(emulator.url + path)
        entry = [{"method": "GET", "prefix": "/2020-05-31/connection-group/", "status": 200,
                  "headers": raw[0], "body": base64.b64encode(raw[1]).decode()}]
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(entry, handle)
        floor = processes.floor(handle.name)
        try:
            ours_rps = _wrk(emulator.url + path, seconds, connections)
            floor_rps = _wrk(floor.url + path, seconds, connections)
        finally:
            floor.stop()
            os.unlink(handle.name)
        return {"ours_rps": ours_rps, "floor_rps": floor_rps, "ratio": ours_rps / floor_rps,
                "seconds": seconds, "connections": connections}
    finally:
        emulator.stop()


def _raw_get(url: str):
    import urllib.request

    with urllib.request.urlopen(url) as answer:
        headers = {k: v for k, v in answer.headers.items() if k.lower() not in ("content-length", "date")}
        return headers, answer.read()
