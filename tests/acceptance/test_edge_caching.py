"""The edge's cache through `requests`: keyed as the cache policy says, Hit and Miss, Age, RefreshHit after a
304, expiry from Cache-Control, invalidations purging what they cover — also on a second server sharing a
PostgreSQL state — and compression when the behavior asks for it."""
from __future__ import annotations

import gzip
import http.server
import json
import time
import uuid

import origin_servers
import pytest
import requests

from builders import CACHING_OPTIMIZED, direct_config
from conftest import make_client
from serving import RunningServer

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


class _CountingOrigin(http.server.BaseHTTPRequestHandler):
    """Counts requests per path; `/max-age-N/...` answers with that Cache-Control, `/etag/...` honours
    If-None-Match, `/big` answers 5,000 bytes of text."""
    protocol_version = "HTTP/1.1"
    counts: dict = {}

    def do_GET(self):  # noqa: N802 - the standard library's name
        path = self.path.split("?", 1)[0]
        _CountingOrigin.counts[path] = _CountingOrigin.counts.get(path, 0) + 1
        headers = {"Content-Type": "application/json"}
        if path.split("/")[1].startswith("max-age-"):
            headers["Cache-Control"] = "max-age=" + path.split("/")[1][len("max-age-"):]
        if path.startswith("/etag/"):
            headers.update({"ETag": '"v1"', "Cache-Control": "max-age=1"})
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        if path == "/big":
            headers["Content-Type"] = "text/plain"
            body = b"cloudfront-local " * 300
        else:
            body = json.dumps({"path": self.path, "n": _CountingOrigin.counts[path],
                               "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
        self.send_response(404 if path.startswith("/missing") else 200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def origin_port():
    server = origin_servers.start(_CountingOrigin)
    yield server.server_address[1]
    server.shutdown()


def _distribution(api_url: str, account: str, port: int, **behavior) -> tuple[str, str]:
    client = make_client(api_url, account)
    origin = f"origin-{uuid.uuid4().hex[:10]}.example.com"
    requests.post(api_url + "/_cloudfront-local/dns", json={"name": origin, "type": "A", "value": "127.0.0.1"},
                  timeout=5).raise_for_status()
    config = direct_config(
        Origins={"Quantity": 1, "Items": [{"Id": "origin", "DomainName": origin, "CustomOriginConfig": {
            "HTTPPort": port, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
        DefaultCacheBehavior={"TargetOriginId": "origin", "ViewerProtocolPolicy": "allow-all",
                              "CachePolicyId": CACHING_OPTIMIZED, **behavior})
    made = client.create_distribution(DistributionConfig=config)["Distribution"]
    return made["Id"], made["DomainName"]


def _get(edge_url: str, host: str, path: str, **headers):
    return requests.get(edge_url + path, headers={"Host": host, **headers}, timeout=15)


def _path() -> str:
    return "/" + uuid.uuid4().hex[:12]


def test_hit_after_miss_with_age_and_query_outside_the_key(server, account, origin_port):
    _, domain = _distribution(server.url, account, origin_port)
    path = _path()
    first = _get(server.edge_url, domain, path + "?v=1")
    assert first.headers["X-Cache"] == "Miss from cloudfront"
    assert "Age" not in first.headers
    time.sleep(1.1)
    second = _get(server.edge_url, domain, path + "?v=2")  # CachingOptimized keys on no query string
    assert second.headers["X-Cache"] == "Hit from cloudfront"
    assert int(second.headers["Age"]) >= 1
    assert second.json() == first.json()
    assert first.json()["path"] == path  # and forwards none either
    assert _CountingOrigin.counts[path] == 1


def test_caching_disabled_always_misses(server, account, origin_port):
    _, domain = _distribution(server.url, account, origin_port, CachePolicyId=CACHING_DISABLED)
    path = _path()
    for _ in range(2):
        assert _get(server.edge_url, domain, path).headers["X-Cache"] == "Miss from cloudfront"
    assert _CountingOrigin.counts[path] == 2


def test_origin_max_age_and_refresh_hit(server, account, origin_port):
    _, domain = _distribution(server.url, account, origin_port)
    short = "/max-age-1" + _path()
    assert _get(server.edge_url, domain, short).headers["X-Cache"] == "Miss from cloudfront"
    assert _get(server.edge_url, domain, short).headers["X-Cache"] == "Hit from cloudfront"
    time.sleep(1.2)
    assert _get(server.edge_url, domain, short).headers["X-Cache"] == "Miss from cloudfront"

    tagged = "/etag" + _path()
    first = _get(server.edge_url, domain, tagged)
    time.sleep(1.2)
    refreshed = _get(server.edge_url, domain, tagged)
    assert refreshed.headers["X-Cache"] == "RefreshHit from cloudfront"
    assert refreshed.json() == first.json()
    assert _CountingOrigin.counts[tagged] == 2  # the second request was the conditional one


def test_errors_are_cached_briefly_and_marked(server, account, origin_port):
    _, domain = _distribution(server.url, account, origin_port)
    path = "/missing" + _path()
    first = _get(server.edge_url, domain, path)
    assert first.status_code == 404 and first.headers["X-Cache"] == "Error from cloudfront"
    assert _get(server.edge_url, domain, path).status_code == 404
    assert _CountingOrigin.counts[path] == 1  # the error caching minimum TTL, 10 seconds


def test_invalidation_purges_what_it_covers(server, account, origin_port):
    distribution_id, domain = _distribution(server.url, account, origin_port)
    kept, purged, under = _path(), _path(), _path()
    for path in (kept, purged, under + "/a", under + "/b"):
        _get(server.edge_url, domain, path)
        assert _get(server.edge_url, domain, path).headers["X-Cache"] == "Hit from cloudfront"
    make_client(server.url, account).create_invalidation(DistributionId=distribution_id, InvalidationBatch={
        "CallerReference": uuid.uuid4().hex, "Paths": {"Quantity": 2, "Items": [purged, under + "/*"]}})
    assert _get(server.edge_url, domain, kept).headers["X-Cache"] == "Hit from cloudfront"
    for path in (purged, under + "/a", under + "/b"):
        assert _get(server.edge_url, domain, path).headers["X-Cache"] == "Miss from cloudfront"
        assert _get(server.edge_url, domain, path).headers["X-Cache"] == "Hit from cloudfront"


def test_compression_when_the_behavior_asks(server, account, origin_port):
    _, plain = _distribution(server.url, account, origin_port)
    _, compressing = _distribution(server.url, account, origin_port, Compress=True)
    answer = requests.get(server.edge_url + "/big", headers={"Host": compressing, "Accept-Encoding": "gzip"},
                          timeout=15, stream=True)
    assert answer.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(answer.raw.read()) == b"cloudfront-local " * 300
    identity = requests.get(server.edge_url + "/big", headers={"Host": compressing, "Accept-Encoding": "identity"},
                            timeout=15)
    assert "Content-Encoding" not in identity.headers  # another cache key: the normalised encoding
    assert identity.content == b"cloudfront-local " * 300
    untouched = requests.get(server.edge_url + "/big", headers={"Host": plain, "Accept-Encoding": "gzip"},
                             timeout=15, stream=True)
    assert "Content-Encoding" not in untouched.headers


def test_a_purge_reaches_every_server_sharing_postgresql(postgres, origin_port):
    account = "210987654321"
    url = postgres.database()
    with RunningServer("--state", url) as one, RunningServer("--state", url) as two:
        distribution_id, domain = _distribution(one.url, account, origin_port,
                                                OriginRequestPolicyId=ALL_VIEWER_EXCEPT_HOST)
        path = _path()
        for edge in (one.edge_url, two.edge_url):
            _get(edge, domain, path)
            assert _get(edge, domain, path).headers["X-Cache"] == "Hit from cloudfront"
        make_client(one.url, account).create_invalidation(DistributionId=distribution_id, InvalidationBatch={
            "CallerReference": uuid.uuid4().hex, "Paths": {"Quantity": 1, "Items": ["/*"]}})
        assert _get(two.edge_url, domain, path).headers["X-Cache"] == "Miss from cloudfront"
        assert _get(one.edge_url, domain, path).headers["X-Cache"] == "Miss from cloudfront"


def test_a_cache_policy_keys_on_what_it_names(server, account, origin_port):
    client = make_client(server.url, account)
    policy = client.create_cache_policy(CachePolicyConfig={
        "Name": f"keyed-{uuid.uuid4().hex[:8]}", "MinTTL": 0, "DefaultTTL": 60, "MaxTTL": 600,
        "ParametersInCacheKeyAndForwardedToOrigin": {
            "EnableAcceptEncodingGzip": False, "EnableAcceptEncodingBrotli": False,
            "HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": {"Quantity": 1, "Items": ["X-Variant"]}},
            "CookiesConfig": {"CookieBehavior": "whitelist", "Cookies": {"Quantity": 1, "Items": ["session"]}},
            "QueryStringsConfig": {"QueryStringBehavior": "whitelist",
                                   "QueryStrings": {"Quantity": 1, "Items": ["page"]}}}})
    _, domain = _distribution(server.url, account, origin_port, CachePolicyId=policy["CachePolicy"]["Id"])
    path = _path()

    def cache(query: str = "", **headers) -> str:
        return _get(server.edge_url, domain, path + query, **headers).headers["X-Cache"]

    assert cache("?page=1", **{"X-Variant": "a", "Cookie": "session=1"}) == "Miss from cloudfront"
    # What the policy does not name leaves the key alone: another parameter, header or cookie.
    assert cache("?page=1&utm=x", **{"X-Variant": "a", "Cookie": "session=1; theme=dark",
                                     "X-Other": "1"}) == "Hit from cloudfront"
    assert cache("?page=2", **{"X-Variant": "a", "Cookie": "session=1"}) == "Miss from cloudfront"
    assert cache("?page=1", **{"X-Variant": "b", "Cookie": "session=1"}) == "Miss from cloudfront"
    assert cache("?page=1", **{"X-Variant": "a", "Cookie": "session=2"}) == "Miss from cloudfront"
    assert cache("?page=1", **{"x-variant": "a", "Cookie": "session=1"}) == "Hit from cloudfront"
    # And what it names reaches the origin; the rest does not.
    seen = _get(server.edge_url, domain, path + "?page=3&utm=x",
                **{"X-Variant": "c", "Cookie": "session=3; theme=dark", "X-Other": "1"}).json()
    assert seen["path"] == path + "?page=3"
    assert seen["headers"]["x-variant"] == "c" and seen["headers"]["cookie"] == "session=3"
    assert "x-other" not in seen["headers"]


def test_a_blocked_parameter_spelled_another_way_stays_out(server, account, origin_port):
    """allExcept ["a"]: `%61` is `a` too, for the key and for the origin alike, so one viewer's value can never
    be what another is served."""
    client = make_client(server.url, account)
    policy = client.create_cache_policy(CachePolicyConfig={
        "Name": f"except-{uuid.uuid4().hex[:8]}", "MinTTL": 0, "DefaultTTL": 60, "MaxTTL": 600,
        "ParametersInCacheKeyAndForwardedToOrigin": {
            "EnableAcceptEncodingGzip": False, "HeadersConfig": {"HeaderBehavior": "none"},
            "CookiesConfig": {"CookieBehavior": "none"},
            "QueryStringsConfig": {"QueryStringBehavior": "allExcept", "QueryStrings": {"Quantity": 1, "Items": ["a"]}}}})
    _, domain = _distribution(server.url, account, origin_port, CachePolicyId=policy["CachePolicy"]["Id"])
    path = _path()
    assert _get(server.edge_url, domain, path + "?%61=evil&b=1").json()["path"] == path + "?b=1"
    assert _get(server.edge_url, domain, path + "?b=1").json()["path"] == path + "?b=1"


def test_head_tells_the_length_the_origin_gave(server, account, origin_port):
    _, domain = _distribution(server.url, account, origin_port, CachePolicyId=CACHING_DISABLED)
    head = requests.head(server.edge_url + "/big", headers={"Host": domain}, timeout=15)
    assert head.status_code == 200 and head.headers["Content-Length"] == str(len(b"cloudfront-local " * 300))
