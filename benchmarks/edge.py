"""Requests per second through the edge, on a cache hit and on a miss, against the do-nothing floor and the
origin alone, all measured in the same run with the same client.

    python3 -m benchmarks.edge [SECONDS]  # prints a small table, then the figures as JSON (5 s a row)

The floor answers the edge's recorded hit response under the same server stack; the origin is that same
do-nothing app answering the origin's body, so the origin is never what limits the miss row. The client is
one asyncio loop over raw keep-alive sockets: http.client's parsing would cost more than the floor's serving,
and the floor would then measure the client.
"""
from __future__ import annotations

import asyncio
import base64
import collections
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid

from . import processes
from .calls import client

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ORIGIN_NAME = "origin.example.com"
ORIGIN_BODY = b"x" * 1024
HIT_PATH, MISS_PATH = "/static/page.txt", "/live/page.txt"


class _Serve:
    """`cloudfront-local serve` with its edge on a free port; processes.emulator turns the edge off."""

    def __init__(self):
        self.process = subprocess.Popen([sys.executable, "-m", "cloudfront_local", "serve", "--port", "0",
                                         "--edge-port", "0"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                        text=True)
        self.url = self.edge_url = None
        lines = []
        for line in self.process.stderr:
            lines.append(line)
            if "edge listening on " in line:
                self.edge_url = line.rsplit("listening on ", 1)[1].strip()
            elif "listening on " in line:
                self.url = line.rsplit("listening on ", 1)[1].strip()
            if self.url and self.edge_url:
                break
        if not (self.url and self.edge_url):
            self.process.kill()
            raise RuntimeError("cloudfront-local serve did not start:\n" + "".join(lines[-20:]))
        # A full stderr pipe would block the server mid-run.
        threading.Thread(target=lambda: [None for _ in self.process.stderr], daemon=True).start()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _canned(headers: dict, body: bytes) -> str:
    entry = [{"method": "GET", "prefix": "/", "status": 200, "headers": headers,
              "body": base64.b64encode(body).decode()}]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(entry, handle)
    return handle.name


def _request(host: str, path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n".encode()


def _split(head: bytes) -> tuple[int, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    return int(lines[0].split(" ", 2)[1]), headers


def _one(url: str, host: str, path: str) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection: to check a row and to record what the floor should answer."""
    address = urllib.parse.urlsplit(url)
    with socket.create_connection((address.hostname, address.port), timeout=15) as sock:
        sock.sendall(_request(host, path).replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status, headers = _split(head)
    return status, headers, body


async def _exchange(reader, writer, request: bytes) -> bytes:
    """One request and its whole answer on a keep-alive connection; the answer's head."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lower = head.lower()
    at = lower.find(b"\r\ncontent-length:")
    if at < 0:
        raise RuntimeError(f"an answer without Content-Length: {head[:300]!r}")
    await reader.readexactly(int(lower[at + 17:lower.find(b"\r\n", at + 2)]))
    return head


async def _connection(address, request: bytes, deadline: float, seen: collections.Counter) -> int:
    reader, writer = await asyncio.open_connection(*address)
    done = 0
    try:
        while time.perf_counter() < deadline:
            head = await _exchange(reader, writer, request)
            # The status and X-Cache are counted on every answer, so a row of errors or of unexpected misses
            # cannot pass for a fast row.
            at = head.lower().find(b"\r\nx-cache:")
            seen[(head[9:12].decode(), head[at + 10:head.find(b"\r\n", at + 2)].strip().decode()
                  if at >= 0 else "-")] += 1
            done += 1
    finally:
        writer.close()
    return done


def _load(url: str, host: str, path: str, seconds: float, connections: int) -> dict:
    address = urllib.parse.urlsplit(url)
    request = _request(host, path)
    seen: collections.Counter = collections.Counter()

    async def run():
        deadline = time.perf_counter() + seconds
        return await asyncio.gather(*(_connection((address.hostname, address.port), request, deadline, seen)
                                      for _ in range(connections)))

    started = time.perf_counter()
    counts = asyncio.run(run())
    elapsed = time.perf_counter() - started
    return {"rps": sum(counts) / elapsed, "seen": seen}


def _client_alone(url: str, host: str, path: str, seconds: float, connections: int) -> float:
    """Requests per second of the edge's origin client (aiohttp, as edge/origins.py sets it up) asking the
    origin directly, `connections` at a time, with nothing of the edge around it: the most a miss can do."""
    import aiohttp

    async def run() -> int:
        connector = aiohttp.TCPConnector(limit=0, use_dns_cache=False)
        async with aiohttp.ClientSession(connector=connector, auto_decompress=False) as session:
            done = [0]
            deadline = time.perf_counter() + seconds

            async def one_connection():
                while time.perf_counter() < deadline:
                    async with session.get(url + path, headers={"Host": host}) as response:
                        await response.read()
                    done[0] += 1

            await asyncio.gather(*(one_connection() for _ in range(connections)))
            return done[0]

    started = time.perf_counter()
    count = asyncio.run(run())
    return count / (time.perf_counter() - started)


def _latency(url: str, host: str, path: str, requests: int) -> float:
    """p50 of one request at a time on one keep-alive connection, in µs."""
    address = urllib.parse.urlsplit(url)
    timings: list[float] = []
    asyncio.run(_counted((address.hostname, address.port), _request(host, path), requests, timings))
    return statistics.median(timings) * 1e6


async def _counted(address, request: bytes, requests: int, timings: list[float]) -> None:
    reader, writer = await asyncio.open_connection(*address)
    try:
        for _ in range(requests):
            started = time.perf_counter()
            await _exchange(reader, writer, request)
            timings.append(time.perf_counter() - started)
    finally:
        writer.close()


def _distribution(api_url: str, origin_port: int) -> str:
    record = json.dumps({"name": ORIGIN_NAME, "type": "A", "value": "127.0.0.1"}).encode()
    urllib.request.urlopen(urllib.request.Request(api_url + "/_cloudfront-local/dns", data=record, method="POST",
                                                  headers={"Content-Type": "application/json"}), timeout=5).read()
    behavior = {"TargetOriginId": "origin", "ViewerProtocolPolicy": "allow-all"}
    config = {
        "CallerReference": str(uuid.uuid4()), "Comment": "edge benchmark", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{
            "Id": "origin", "DomainName": ORIGIN_NAME, "OriginPath": "",
            "CustomOriginConfig": {"HTTPPort": origin_port, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
        "DefaultCacheBehavior": {**behavior, "CachePolicyId": CACHING_OPTIMIZED},
        "CacheBehaviors": {"Quantity": 1, "Items": [
            {**behavior, "PathPattern": "/live/*", "CachePolicyId": CACHING_DISABLED}]},
    }
    return client(api_url).create_distribution(DistributionConfig=config)["Distribution"]["DomainName"]


def measure(seconds: float = 5, connections: int = 8, rounds: int = 5, latency_requests: int = 500) -> dict:
    origin_file = _canned({"Content-Type": "text/plain", "Cache-Control": "max-age=3600"}, ORIGIN_BODY)
    origin = processes.floor(origin_file)
    serve = floor = floor_file = None
    try:
        origin_port = urllib.parse.urlsplit(origin.url).port
        serve = _Serve()
        domain = _distribution(serve.url, origin_port)
        for path in (HIT_PATH, MISS_PATH):
            status, _, body = _one(serve.edge_url, domain, path)
            if status != 200 or body != ORIGIN_BODY:
                raise RuntimeError(f"the edge answered {status} for {path}: {body[:200]!r}")
        # The floor answers what the edge answers on a hit, minus what the server itself writes, and minus
        # X-Cache so that the table's X-Cache column only ever shows what the edge said.
        _, headers, body = _one(serve.edge_url, domain, HIT_PATH)
        floor_file = _canned({k: v for k, v in headers.items() if k not in (
            "content-length", "date", "server", "connection", "transfer-encoding", "x-cache")}, body)
        floor = processes.floor(floor_file)
        rows = {"floor": (floor.url, "floor.example", HIT_PATH),
                "origin": (origin.url, f"{ORIGIN_NAME}:{origin_port}", MISS_PATH),
                "edge_hit": (serve.edge_url, domain, HIT_PATH),
                "edge_miss": (serve.edge_url, domain, MISS_PATH)}
        # Rows take turns, round after round, and each reports its best round: other work on the machine only
        # ever slows a round down, so the best round is the least disturbed one, and turns spread a burst of
        # that work over every row instead of one.
        for url, host, path in rows.values():
            _load(url, host, path, min(1.0, seconds / 4), connections)  # warm: first connections, the hit's entry
        rounds_rps = {name: [] for name in rows}
        seen = {name: collections.Counter() for name in rows}
        client_rounds = []
        for _ in range(rounds):
            for name, (url, host, path) in rows.items():
                loaded = _load(url, host, path, seconds / rounds, connections)
                rounds_rps[name].append(loaded["rps"])
                seen[name].update(loaded["seen"])
            client_rounds.append(_client_alone(origin.url, rows["origin"][1], MISS_PATH, seconds / rounds,
                                               connections))
        figures = {}
        for name, (url, host, path) in rows.items():
            if {status for status, _ in seen[name]} != {"200"}:
                raise RuntimeError(f"{name}: answers other than 200: {dict(seen[name])}")
            figures[name] = {"rps": max(rounds_rps[name]), "rounds_rps": rounds_rps[name],
                             "p50_us": _latency(url, host, path, latency_requests),
                             "x_cache": {cache: count for (_, cache), count in seen[name].items()}}
    finally:
        for process in (floor, serve, origin):
            if process is not None:
                process.stop()
        for path in (origin_file, floor_file):
            if path:
                os.unlink(path)
    floor_rps = figures["floor"]["rps"]
    figures["origin_client_alone"] = {"rps": max(client_rounds), "rounds_rps": client_rounds}
    return {**figures, "connections": connections, "seconds": seconds, "rounds": rounds,
            "miss_of_client_alone": figures["edge_miss"]["rps"] / max(client_rounds),
            "floor_over_hit": floor_rps / figures["edge_hit"]["rps"],
            "floor_over_miss": floor_rps / figures["edge_miss"]["rps"],
            "miss_of_origin": figures["edge_miss"]["rps"] / figures["origin"]["rps"]}


def table(results: dict) -> str:
    lines = ["| row | req/s | p50 sequential | X-Cache seen | floor req/s ÷ row req/s |",
             "| --- | --- | --- | --- | --- |"]
    floor_rps = results["floor"]["rps"]
    for name in ("floor", "origin", "edge_hit", "edge_miss"):
        row = results[name]
        seen = ", ".join(f"{cache} ×{count}" for cache, count in row["x_cache"].items())
        lines.append(f"| {name.replace('_', ' ')} | {row['rps']:.0f} | {row['p50_us']:.0f} µs | {seen} | "
                     f"{floor_rps / row['rps']:.2f}x |")
    lines.append(f"\nedge miss = {results['miss_of_origin']:.0%} of the origin alone, "
                 f"{results['miss_of_client_alone']:.0%} of the origin client alone "
                 f"(aiohttp, {results['origin_client_alone']['rps']:.0f} req/s); "
                 f"{results['connections']} keep-alive connections, {results['seconds']:g} s a row "
                 f"in {results['rounds']} rounds (best round)")
    return "\n".join(lines)


if __name__ == "__main__":
    measured = measure(seconds=float(sys.argv[1]) if len(sys.argv) > 1 else 5)
    print(table(measured))
    print(json.dumps(measured, indent=2))
