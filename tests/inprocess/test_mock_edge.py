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


def test_local_buckets_in_process(tmp_path):
    """mock_cloudfront(s3_dir=…, s3_website=…): S3 origins and website endpoints read from a directory."""
    import hashlib

    (tmp_path / "secret").write_bytes(b"outside")
    buckets = tmp_path / "buckets"
    (buckets / "site").mkdir(parents=True)
    (buckets / "site" / "index.html").write_bytes(b"<h1>spa</h1>")
    big = bytes(range(256)) * (9 * 4096)  # 9 MiB: the AWS CLI uploads it in two parts
    (buckets / "site" / "big-object").write_bytes(big)
    (buckets / "web").mkdir()
    (buckets / "web" / "index.html").write_bytes(b"web index")
    (buckets / "web" / "404.html").write_bytes(b"web 404")
    with mock_cloudfront(s3_dir=str(buckets), s3_website={"web": ("index.html", "404.html")}) as mock:
        client = boto3.client("cloudfront", region_name="us-east-1")
        behavior = {"TargetOriginId": "origin", "ViewerProtocolPolicy": "allow-all", "CachePolicyId": CACHING_OPTIMIZED}
        s3 = {"Id": "origin", "DomainName": "site.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}
        errors = {"Quantity": 1, "Items": [{"ErrorCode": 403, "ResponsePagePath": "/index.html",
                                            "ResponseCode": "200", "ErrorCachingMinTTL": 0}]}
        site = client.create_distribution(DistributionConfig=direct_config(
            Origins={"Quantity": 1, "Items": [s3]}, DefaultCacheBehavior=behavior,
            CustomErrorResponses=errors))["Distribution"]["DomainName"]
        answer = mock.edge_request("GET", f"http://{site}/big-object")
        assert answer.status == 200 and answer.body == big and answer.header("content-type") == "binary/octet-stream"
        parts = hashlib.md5(hashlib.md5(big[:8 * 1024 * 1024]).digest() + hashlib.md5(big[8 * 1024 * 1024:]).digest())
        assert answer.header("etag") == f'"{parts.hexdigest()}-2"'
        assert mock.edge_request("GET", f"http://{site}/route/in/the/app").body == b"<h1>spa</h1>"
        assert b"outside" not in mock.edge_request("GET", f"http://{site}/%2e%2e/%2e%2e/secret").body
        website = {"Id": "origin", "DomainName": "web.s3-website.eu-central-1.amazonaws.com",
                   "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}
        web = client.create_distribution(DistributionConfig=direct_config(
            Origins={"Quantity": 1, "Items": [website]}, DefaultCacheBehavior=behavior))["Distribution"]["DomainName"]
        assert mock.edge_request("GET", f"http://{web}/").body == b"web index"
        missing = mock.edge_request("GET", f"http://{web}/gone")
        assert (missing.status, missing.body) == (404, b"web 404")
