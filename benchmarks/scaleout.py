"""Creates per second on PostgreSQL state, with one server and with two on the same database (one run).

Needs the PostgreSQL server binaries (a throwaway cluster is started, as the tests do) and wrk.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from . import processes

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(__file__).resolve().parent / "create.lua"


def _wrk(url: str, seconds: int, connections: int, prefix: str, account: str) -> subprocess.Popen:
    return subprocess.Popen(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(SCRIPT), url, "--",
                             prefix, account], stdout=subprocess.PIPE, text=True)


def _rate(process: subprocess.Popen) -> float:
    output = process.communicate(timeout=120)[0]
    if "Non-2xx" in output:
        raise RuntimeError("some creates failed:\n" + output)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def measure(seconds: int = 5, connections: int = 8) -> dict:
    if shutil.which("wrk") is None:
        return {"skipped": "wrk is not installed (Debian: apt-get install wrk)"}
    sys.path.insert(0, str(ROOT / "tests"))
    from postgres_cluster import Cluster, binaries  # the tests' throwaway cluster

    if binaries() is None:
        return {"skipped": "PostgreSQL server binaries are not installed"}
    cluster = Cluster()
    try:
        results = {}
        for count in (1, 2):
            database = cluster.database()
            servers = [processes.emulator("--state", database) for _ in range(count)]
            try:
                # The same two loads (two accounts, as two CI jobs would be) either way; with two servers
                # each load has a server of its own.
                loads = [_wrk(servers[i % count].url, seconds, connections // 2, f"s{count}-{i}",
                              f"1111111111{i:02d}") for i in range(2)]
                results[f"{count}_server"] = sum(_rate(load) for load in loads)
            finally:
                for server in servers:
                    server.stop()
        results["speedup"] = results["2_server"] / results["1_server"]
        results.update(seconds=seconds, connections=connections)
        return results
    finally:
        cluster.stop()
