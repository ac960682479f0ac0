"""What a warm Lambda@Edge viewer-request invocation adds at the edge: the same cached page asked of two
behaviors of one distribution, one with a Node.js handler that returns the request unchanged and one
without, alternated one request at a time in the same run. `measure` asks `cloudfront-local serve` over HTTP
(one keep-alive connection a behavior, raw sockets as benchmarks.edge has them, so the client costs the same
on both sides); `in_process` asks mock_cloudfront's edge_request, the whole edge pipeline without the socket.

    python3 -m benchmarks.lambda_edge [REQUESTS]  # prints both as JSON (2000 requests a side)
"""
from __future__ import annotations

import asyncio
import http.server
import io
import json
import os
import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
import zipfile

import boto3

from cloudfront_local import mock_cloudfront

from . import edge, processes
from .calls import client

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
PASS_THROUGH = "exports.handler = async (event) => event.Records[0].cf.request;\n"
ROLE = "arn:aws:iam::123456789012:role/edge-lambda"


class _Origin(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"x" * 1024
        self.send_response(200)
        self.send_header("Cache-Control", "max-age=3600")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.js", source)
    return buffer.getvalue()


def in_process(requests: int = 2000) -> dict:
    origin = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Origin)
    threading.Thread(target=origin.serve_forever, daemon=True).start()
    try:
        with mock_cloudfront() as mock:
            mock.add_dns_record("origin.example.com", "A", "127.0.0.1")
            functions = boto3.client("lambda", region_name="us-east-1")
            functions.create_function(FunctionName="pass-through", Runtime="nodejs20.x", Role=ROLE,
                                      Handler="index.handler", Code={"ZipFile": _zip(PASS_THROUGH)})
            arn = functions.publish_version(FunctionName="pass-through")["FunctionArn"]
            plain = {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all", "CachePolicyId": CACHING_OPTIMIZED}
            with_function = {**plain, "PathPattern": "/with/*", "LambdaFunctionAssociations": {"Quantity": 1, "Items": [
                {"EventType": "viewer-request", "LambdaFunctionARN": arn, "IncludeBody": False}]}}
            config = {"CallerReference": "bench", "Comment": "", "Enabled": True, "DefaultCacheBehavior": plain,
                      "CacheBehaviors": {"Quantity": 1, "Items": [with_function]},
                      "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "origin.example.com",
                                                            "CustomOriginConfig": {
                                                                "HTTPPort": origin.server_address[1],
                                                                "HTTPSPort": 443,
                                                                "OriginProtocolPolicy": "http-only"}}]}}
            domain = boto3.client("cloudfront", region_name="us-east-1").create_distribution(
                DistributionConfig=config)["Distribution"]["DomainName"]
            paths = {"without": "/without/page", "with": "/with/page"}
            for path in paths.values():  # the cache filled, the worker started
                for _ in range(50):
                    answer = mock.edge_request("GET", f"http://{domain}{path}")
                    assert answer.status == 200, answer.status
            times = {name: [] for name in paths}
            for _ in range(requests):
                for name, path in paths.items():
                    started = time.perf_counter()
                    answer = mock.edge_request("GET", f"http://{domain}{path}")
                    times[name].append(time.perf_counter() - started)
                    assert answer.status == 200
    finally:
        origin.shutdown()
    p50 = {name: statistics.median(values) * 1000 for name, values in times.items()}
    return {"requests_each": requests, "p50_ms_without": round(p50["without"], 3),
            "p50_ms_with_node_viewer_request": round(p50["with"], 3),
            "added_p50_ms": round(p50["with"] - p50["without"], 3)}


def _config(origin_port: int, arn: str) -> dict:
    plain = {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all", "CachePolicyId": CACHING_OPTIMIZED}
    with_function = {**plain, "PathPattern": "/with/*", "LambdaFunctionAssociations": {"Quantity": 1, "Items": [
        {"EventType": "viewer-request", "LambdaFunctionARN": arn, "IncludeBody": False}]}}
    return {"CallerReference": str(uuid.uuid4()), "Comment": "", "Enabled": True, "DefaultCacheBehavior": plain,
            "CacheBehaviors": {"Quantity": 1, "Items": [with_function]},
            "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": edge.ORIGIN_NAME, "CustomOriginConfig": {
                "HTTPPort": origin_port, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]}}


async def _alternated(address, requests: dict[str, bytes], count: int) -> dict[str, list[float]]:
    connections = {name: await asyncio.open_connection(*address) for name in requests}
    times: dict[str, list[float]] = {name: [] for name in requests}
    try:
        for index in range(count):
            # Each pair is asked in turn order swapped every time, so neither side is always second.
            names = list(requests) if index % 2 == 0 else list(reversed(requests))
            for name in names:
                reader, writer = connections[name]
                started = time.perf_counter()
                head = await edge._exchange(reader, writer, requests[name])
                times[name].append(time.perf_counter() - started)
                if not head.startswith(b"HTTP/1.1 200") or b"Hit from cloudfront" not in head:
                    raise RuntimeError(f"{name}: {head[:300]!r}")
    finally:
        for _, writer in connections.values():
            writer.close()
    return times


def measure(requests: int = 2000) -> dict:
    """Over HTTP against `cloudfront-local serve`: the added p50 of a warm Node.js pass-through handler."""
    origin_file = edge._canned({"Content-Type": "text/plain", "Cache-Control": "max-age=3600"}, b"x" * 1024)
    origin = processes.floor(origin_file)
    serve = None
    try:
        origin_port = urllib.parse.urlsplit(origin.url).port
        serve = edge._Serve()
        record = json.dumps({"name": edge.ORIGIN_NAME, "type": "A", "value": "127.0.0.1"}).encode()
        urllib.request.urlopen(urllib.request.Request(serve.url + "/_cloudfront-local/dns", data=record,
                                                      method="POST", headers={"Content-Type": "application/json"}),
                               timeout=5).read()
        functions = boto3.client("lambda", endpoint_url=serve.url, region_name="us-east-1",
                                 aws_access_key_id="123456789012", aws_secret_access_key="bench")
        functions.create_function(FunctionName="pass-through", Runtime="nodejs20.x", Role=ROLE,
                                  Handler="index.handler", Code={"ZipFile": _zip(PASS_THROUGH)})
        arn = functions.publish_version(FunctionName="pass-through")["FunctionArn"]
        domain = client(serve.url).create_distribution(
            DistributionConfig=_config(origin_port, arn))["Distribution"]["DomainName"]
        paths = {"without": "/without/page", "with": "/with/page"}
        for path in paths.values():  # the cache filled, the worker started
            status, _, _ = edge._one(serve.edge_url, domain, path)
            if status != 200:
                raise RuntimeError(f"the edge answered {status} for {path}")
        address = urllib.parse.urlsplit(serve.edge_url)
        wire = {name: edge._request(domain, path) for name, path in paths.items()}
        asyncio.run(_alternated((address.hostname, address.port), wire, 200))  # warm: connections, worker
        times = asyncio.run(_alternated((address.hostname, address.port), wire, requests))
    finally:
        for process in (serve, origin):
            if process is not None:
                process.stop()
        os.unlink(origin_file)
    p50 = {name: statistics.median(values) * 1000 for name, values in times.items()}
    return {"requests_each": requests, "p50_ms_without": round(p50["without"], 3),
            "p50_ms_with_node_viewer_request": round(p50["with"], 3),
            "added_p50_ms": round(p50["with"] - p50["without"], 3)}


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    print(json.dumps({"http": measure(count), "in_process": in_process(count)}, indent=2))
