"""Creates per second on PostgreSQL state: one server with one connection and with eight, and two servers on
the same database; each with the creates in one account and in two (one run).

Needs the PostgreSQL server binaries (a throwaway cluster is started, as the tests do) and wrk. Any create
answered with other than 2xx fails the run: contention must never show as an error.
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
ACCOUNTS = ("111111111100", "111111111101")
# (name, servers, connections, accounts): the loads are spread evenly, each load one account on one server.
LAYOUTS = (
    ("one_server_1_connection", 1, 1, 1),
    ("one_server_same_account", 1, 8, 1),
    ("one_server_two_accounts", 1, 8, 2),
    ("two_servers_same_account", 2, 8, 1),
    ("two_servers_two_accounts", 2, 8, 2),
)


def _wrk(url: str, seconds: int, connections: int, prefix: str, account: str) -> subprocess.Popen:
    return subprocess.Popen(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(SCRIPT), url, "--",
                             prefix, account], stdout=subprocess.PIPE, text=True)


def _rate(process: subprocess.Popen) -> float:
    output = process.communicate(timeout=120)[0]
    if "Non-2xx" in output:
        raise RuntimeError("some creates failed:\n" + output)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def _loads(count: int, connections: int, accounts: int) -> list[tuple[int, int, str]]:
    """(server index, connections, account) of each wrk: one per (server, account) pair, the connections
    shared evenly (two servers with two accounts: each account on a server of its own, as two CI jobs
    behind a balancer that keeps a client on one server would be)."""
    if count == accounts:
        pairs = [(i, ACCOUNTS[i]) for i in range(count)]
    else:
        pairs = [(server, ACCOUNTS[account]) for server in range(count) for account in range(accounts)]
    return [(server, connections // len(pairs), account) for server, account in pairs]


def measure(seconds: int = 5) -> dict:
    if shutil.which("wrk") is None:
        return {"skipped": "wrk is not installed (Debian: apt-get install wrk)"}
    sys.path.insert(0, str(ROOT / "tests"))
    from postgres_cluster import Cluster, binaries  # the tests' throwaway cluster

    if binaries() is None:
        return {"skipped": "PostgreSQL server binaries are not installed"}
    cluster = Cluster()
    try:
        results: dict = {"seconds": seconds}
        for name, count, connections, accounts in LAYOUTS:
            database = cluster.database()
            servers = [processes.emulator("--state", database) for _ in range(count)]
            try:
                loads = [_wrk(servers[server].url, seconds, share, f"{name}-{i}", account)
                         for i, (server, share, account) in enumerate(_loads(count, connections, accounts))]
                results[name] = sum(_rate(load) for load in loads)
            finally:
                for server in servers:
                    server.stop()
        one = results["one_server_1_connection"]
        results["eight_vs_one_same_account"] = results["one_server_same_account"] / one
        results["eight_vs_one_two_accounts"] = results["one_server_two_accounts"] / one
        results["two_vs_one_same_account"] = results["two_servers_same_account"] / results["one_server_same_account"]
        results["two_vs_one_two_accounts"] = results["two_servers_two_accounts"] / results["one_server_two_accounts"]
        return results
    finally:
        cluster.stop()


if __name__ == "__main__":
    import json

    print(json.dumps(measure(), indent=2))
