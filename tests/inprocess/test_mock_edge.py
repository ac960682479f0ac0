"""The edge in-process: `mock_cloudfront().edge_request` answers a viewer request without a socket of its
own, reaching a real origin server found through the simulated DNS zone."""
from __future__ import annotations

import http.server
import threading

import boto3

from builders import CACHING_OPTIMIZED, direct_config
from cloudfront_local import mock_cloudfront


class _Origin(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        body = f"{self.path} {self.headers.get('X-Hello')}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_edge_request_in_process():
    origin = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Origin)
    threading.Thread(target=origin.serve_forever, daemon=True).start()
    try:
        with mock_cloudfront() as mock:
            client = boto3.client("cloudfront", region_name="us-east-1")
            mock.add_dns_record("app.example.com", "A", "127.0.0.1")
            custom = {"HTTPPort": origin.server_address[1], "HTTPSPort": 443, "OriginProtocolPolicy": "match-viewer"}
            config = direct_config(
                Origins={"Quantity": 1, "Items": [{"Id": "origin", "DomainName": "app.example.com",
                                                   "CustomOriginConfig": custom}]},
                DefaultCacheBehavior={"TargetOriginId": "origin", "ViewerProtocolPolicy": "allow-all",
                                      "CachePolicyId": CACHING_OPTIMIZED,
                                      # AllViewerExceptHostHeader: the query and headers reach the origin
                                      "OriginRequestPolicyId": "b689b0a8-53d0-40ab-baf2-68738e2966ac"})
            domain = client.create_distribution(DistributionConfig=config)["Distribution"]["DomainName"]
            answer = mock.edge_request("GET", f"http://{domain}/a?b=1", headers={"X-Hello": "hi"})
            assert (answer.status, answer.body) == (200, b"/a?b=1 hi")
            assert answer.header("x-cache") == "Miss from cloudfront"
            again = mock.edge_request("GET", f"http://{domain}/a?b=1", headers={"X-Hello": "hi"})
            assert again.header("x-cache") == "Hit from cloudfront"  # one cache for the mock's whole life
            assert mock.edge_request("GET", "http://unknown.example.com/").status == 403
    finally:
        origin.shutdown()
