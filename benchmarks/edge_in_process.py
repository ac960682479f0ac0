"""A fresh cache hit through the edge in process (`mock.edge_request`), no sockets: the edge's own cost per hit.

    python3 -m benchmarks.edge_in_process [HITS]   # prints µs per hit (2000 hits of a 1 KB page by default)
    python3 -m benchmarks.edge_in_process 2000 --profile   # and cProfile's top functions by own time
"""
from __future__ import annotations

import cProfile
import http.server
import json
import pstats
import sys
import threading
import time

import boto3

from cloudfront_local import mock_cloudfront

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"


class _Origin(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        self.send_response(200)
        self.send_header("Content-Length", "1024")
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        self.wfile.write(b"x" * 1024)

    def log_message(self, *args):
        pass


def measure(hits: int = 2000, profile: bool = False) -> dict:
    origin = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Origin)
    threading.Thread(target=origin.serve_forever, daemon=True).start()
    try:
        with mock_cloudfront() as mock:
            client = boto3.client("cloudfront", region_name="us-east-1")
            mock.add_dns_record("origin.example.com", "A", "127.0.0.1")
            made = client.create_distribution(DistributionConfig={
                "CallerReference": "bench", "Comment": "", "Enabled": True,
                "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "origin.example.com",
                                                      "CustomOriginConfig": {"HTTPPort": origin.server_address[1],
                                                                             "HTTPSPort": 443,
                                                                             "OriginProtocolPolicy": "http-only"}}]},
                "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
                                         "CachePolicyId": CACHING_OPTIMIZED}})["Distribution"]
            url, headers = f"http://{made['DomainName']}/static/page.txt", {"User-Agent": "bench", "Accept": "*/*"}
            assert mock.edge_request("GET", url, headers).status == 200
            assert mock.edge_request("GET", url, headers).header("x-cache").startswith("Hit")
            started = time.perf_counter()
            for _ in range(hits):
                mock.edge_request("GET", url, headers)
            per_hit = (time.perf_counter() - started) / hits * 1e6
            if profile:
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(hits):
                    mock.edge_request("GET", url, headers)
                profiler.disable()
                pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(25)
    finally:
        origin.shutdown()
    return {"hits": hits, "us_per_hit": round(per_hit, 1)}


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 2000
    print(json.dumps(measure(count, "--profile" in sys.argv)))
