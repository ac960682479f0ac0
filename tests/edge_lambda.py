"""What the Lambda@Edge acceptance tests share: an origin that records what reached it (by the Host it was
asked for) and answers it back as JSON, a fresh DNS name for it, a function version made and published with
the Lambda API, a distribution whose default behavior attaches versions by event type, and a viewer request
over a real socket to the edge."""
from __future__ import annotations

import http.client
import http.server
import json
import threading
import uuid

import boto3
import origin_servers
import pytest
import requests

from builders import direct_config
from lambda_zips import ROLE

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


class Recording(http.server.BaseHTTPRequestHandler):
    seen: dict[str, list[dict]] = {}
    lock = threading.Lock()

    def _answer(self):
        host = self.headers.get("Host", "").split(":")[0]
        length = int(self.headers.get("Content-Length") or 0)
        record = {"method": self.command, "path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                  "body": self.rfile.read(length).decode("latin-1")}
        with self.lock:
            self.seen.setdefault(host, []).append(record)
        body = json.dumps(record).encode()
        status = 404 if "missing" in self.path else 200
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "max-age=300")
        if "/meta/" in self.path:  # as S3 answers an object uploaded with x-amz-meta-last-modified
            self.send_header("Last-Modified", "Thu, 01 Jan 2015 00:00:00 GMT")
            self.send_header("X-Amz-Meta-Last-Modified", "Wed, 01 Jan 2025 12:00:00 GMT")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def origin_port():
    server = origin_servers.start(Recording)
    yield server.server_address[1]
    server.shutdown()


def dns(server) -> str:
    name = f"origin-{uuid.uuid4().hex[:10]}.example.com"
    requests.post(server.url + "/_cloudfront-local/dns", json={"name": name, "type": "A", "value": "127.0.0.1"},
                  timeout=5).raise_for_status()
    return name


@pytest.fixture
def origin(server):
    return dns(server)


@pytest.fixture
def functions(server, account):
    return boto3.client("lambda", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id=account,
                        aws_secret_access_key="secret")


def asked(origin: str) -> list[dict]:
    with Recording.lock:
        return list(Recording.seen.get(origin, []))


def version(functions, code: bytes, runtime="nodejs20.x", handler="index.handler", timeout=3) -> str:
    name = f"edge-{uuid.uuid4().hex[:10]}"
    functions.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler,
                              Code={"ZipFile": code}, Timeout=timeout, MemorySize=128)
    return functions.publish_version(FunctionName=name)["FunctionArn"]


def distribution(client, origin, port, cache_policy=CACHING_DISABLED, include_body=(),
                  origin_request_policy=ALL_VIEWER_EXCEPT_HOST, **triggers) -> str:
    items = [{"EventType": kind.replace("_", "-"), "LambdaFunctionARN": arn,
              "IncludeBody": kind in include_body} for kind, arn in triggers.items()]
    behavior = {"TargetOriginId": "origin", "ViewerProtocolPolicy": "allow-all", "CachePolicyId": cache_policy,
                "OriginRequestPolicyId": origin_request_policy,
                "AllowedMethods": {"Quantity": 7, "Items": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH",
                                                            "DELETE"],
                                   "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]}},
                "LambdaFunctionAssociations": {"Quantity": len(items), "Items": items}}
    config = direct_config(
        Origins={"Quantity": 1, "Items": [{"Id": "origin", "DomainName": origin, "CustomOriginConfig": {
            "HTTPPort": port, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
        DefaultCacheBehavior=behavior)
    return client.create_distribution(DistributionConfig=config)["Distribution"]["DomainName"]


def get(server, host, path, headers=None, method="GET", body=None, source=None):
    """A viewer's request; `source`: the loopback address it comes from (its clientIp, its country)."""
    connection = http.client.HTTPConnection(server.edge_url.split("//", 1)[1], timeout=30,
                                            source_address=(source, 0) if source else None)
    try:
        connection.request(method, path, body=body, headers={"Host": host, **(headers or {})})
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        connection.close()


