"""The edge's connections to a custom origin: kept open between cache misses, closed after the origin's
OriginKeepaliveTimeout, and never a queue: viewers waiting on a slow origin each get a connection of their own."""
from __future__ import annotations

import concurrent.futures
import http.server
import threading
import time
import uuid

import requests

from builders import direct_config
from origin_servers import Quiet, answer, start

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # the AWS-managed CachingDisabled policy


class _Counting(Quiet):
    """Keep-alive HTTP/1.1; each answer names the connection it came on. /slow takes 0.5 s."""

    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        with self.server.lock:
            self.server.connections += 1
            self.number = self.server.connections

    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path.startswith("/slow"):
            time.sleep(0.5)
        answer(self, str(self.number).encode(), headers=(("Content-Type", "text/plain"),))


def _distribution(server, client, port: int, keepalive: int) -> str:
    name = f"origin-{uuid.uuid4().hex[:10]}.example.com"
    requests.post(server.url + "/_cloudfront-local/dns", json={"name": name, "type": "A", "value": "127.0.0.1"},
                  timeout=5).raise_for_status()
    origin = {"Id": "origin", "DomainName": name, "ConnectionAttempts": 1,
              "CustomOriginConfig": {"HTTPPort": port, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only",
                                     "OriginKeepaliveTimeout": keepalive}}
    config = direct_config(Origins={"Quantity": 1, "Items": [origin]},
                           DefaultCacheBehavior={"TargetOriginId": "origin", "ViewerProtocolPolicy": "allow-all",
                                                 "CachePolicyId": CACHING_DISABLED})
    return client.create_distribution(DistributionConfig=config)["Distribution"]["DomainName"]


def _origin():
    origin = start(_Counting)
    origin.lock, origin.connections = threading.Lock(), 0
    return origin


def test_misses_reuse_a_connection_until_the_keepalive_timeout(server, client):
    origin = _origin()
    try:
        domain = _distribution(server, client, origin.server_address[1], keepalive=1)
        seen = [requests.get(server.edge_url + f"/page{i}", headers={"Host": domain}, timeout=10) for i in range(5)]
        assert [r.headers["X-Cache"] for r in seen] == ["Miss from cloudfront"] * 5
        assert {r.text for r in seen} == {"1"}  # one connection for all five
        time.sleep(2.5)  # past OriginKeepaliveTimeout: the edge closed it
        later = requests.get(server.edge_url + "/later", headers={"Host": domain}, timeout=10)
        assert later.status_code == 200 and later.text == "2"
    finally:
        origin.shutdown()


def test_viewers_of_a_slow_origin_are_not_queued(server, client):
    origin = _origin()
    try:
        domain = _distribution(server, client, origin.server_address[1], keepalive=5)
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(lambda i: requests.get(server.edge_url + f"/slow/{i}", headers={"Host": domain},
                                                           timeout=20), range(12)))
        assert [a.status_code for a in answers] == [200] * 12
        assert time.monotonic() - started < 0.5 * 12 / 2  # side by side, not one after another
        assert len({a.text for a in answers}) > 8  # a connection each, more than any pool's idle share
        # The API answered meanwhile too: the origin's waits hold up no thread and no loop.
        assert requests.get(server.url + "/2020-05-31/distribution", timeout=5).status_code in (200, 403)
    finally:
        origin.shutdown()
