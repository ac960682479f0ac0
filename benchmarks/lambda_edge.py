"""What a warm Lambda@Edge viewer-request invocation adds at the edge: the same cached page asked of two
behaviors of one distribution, one with a Node.js handler that returns the request unchanged and one
without, alternated in the same run, each through the whole edge pipeline in process (mock_cloudfront's
edge_request: configuration, cache, the function's round trip to its worker, CloudFront's headers); the
socket and HTTP parsing, the same for both, are left out.

    python3 -m benchmarks.lambda_edge [REQUESTS]  # prints the figures as JSON (2000 requests a side)
"""
from __future__ import annotations

import http.server
import io
import json
import statistics
import sys
import threading
import time
import zipfile

import boto3

from cloudfront_local import mock_cloudfront

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


def measure(requests: int = 2000) -> dict:
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


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 2000), indent=2))
