"""The edge through `requests`: viewers reach distributions by Host on the server's edge port, and the edge
reaches real origin servers started here, found through the simulated DNS zone."""
from __future__ import annotations

import http.client
import http.server
import json
import socket
import time
import uuid

import origin_servers
import pytest
import requests

from builders import direct_config, multi_tenant_config
from conftest import make_client
from serving import RunningServer

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


class _Origin(http.server.BaseHTTPRequestHandler):
    def _answer(self):
        if self.path.startswith("/hang"):
            time.sleep(4)
        body = json.dumps({"path": self.path, "method": self.command,
                           "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Origin", "yes")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except OSError:  # the edge gave up on a hanging answer and closed the connection
            pass

    do_GET = do_POST = do_HEAD = _answer

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def origin_port():
    server = origin_servers.start(_Origin)
    yield server.server_address[1]
    server.shutdown()


@pytest.fixture
def origin(server, origin_port):
    """A fresh origin domain name whose A record points at the test's origin server."""
    name = f"origin-{uuid.uuid4().hex[:10]}.example.com"
    requests.post(server.url + "/_cloudfront-local/dns", json={"name": name, "type": "A", "value": "127.0.0.1"},
                  timeout=5).raise_for_status()
    return name


def _origin(domain: str, port: int, origin_id: str = "origin", **members) -> dict:
    return {"Id": origin_id, "DomainName": domain, "OriginPath": members.pop("OriginPath", ""),
            "CustomOriginConfig": {"HTTPPort": port, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only",
                                   "OriginReadTimeout": members.pop("ReadTimeout", 30)}, **members}


def _behavior(pattern: str | None, origin_id: str = "origin", policy: str = "allow-all", **members) -> dict:
    # With a cache policy, only what a policy names reaches the origin: these tests look at all of it.
    behavior = {"TargetOriginId": origin_id, "ViewerProtocolPolicy": policy, "CachePolicyId": CACHING_DISABLED,
                "OriginRequestPolicyId": ALL_VIEWER_EXCEPT_HOST, **members}
    if pattern is not None:
        behavior["PathPattern"] = pattern
    return behavior


def _get(server, host: str, path: str = "/", **kwargs):
    headers = {"Host": host, **kwargs.pop("headers", {})}
    return requests.request(kwargs.pop("method", "GET"), server.edge_url + path, headers=headers,
                            allow_redirects=False, timeout=15, **kwargs)


def _raw(server, host: str, path: str) -> tuple[int, bytes]:
    """A request whose path goes out exactly as written."""
    address = server.edge_url.split("//", 1)[1]
    connection = http.client.HTTPConnection(address, timeout=15)
    try:
        connection.request("GET", path, headers={"Host": host})
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def _function(client, account: str, name: str, code: str) -> str:
    made = client.create_function(Name=name, FunctionCode=code.encode(),
                                  FunctionConfig={"Comment": "", "Runtime": "cloudfront-js-2.0"})
    client.publish_function(Name=name, IfMatch=made["ETag"])
    return f"arn:aws:cloudfront::{account}:function/{name}"


def test_by_domain_name_and_behaviors(server, client, origin, origin_port):
    config = direct_config(
        Origins={"Quantity": 2, "Items": [_origin(origin, origin_port),
                                          _origin(origin, origin_port, "api", OriginPath="/v1",
                                                  CustomHeaders={"Quantity": 1, "Items": [
                                                      {"HeaderName": "X-Secret", "HeaderValue": "s3cr3t"}]})]},
        DefaultCacheBehavior=_behavior(None), DefaultRootObject="index.html",
        CacheBehaviors={"Quantity": 3, "Items": [
            _behavior("/api/*", "api", AllowedMethods={"Quantity": 7, "Items": [
                "GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]}),
            _behavior("secure/*", policy="redirect-to-https"),
            _behavior("/only-https/??", policy="https-only")]})
    domain = client.create_distribution(DistributionConfig=config)["Distribution"]["DomainName"]

    answer = _get(server, domain.upper() + ":4598")
    assert answer.status_code == 200
    assert answer.json()["path"] == "/index.html"
    assert answer.json()["headers"]["host"] == f"{origin}:{origin_port}"
    assert answer.json()["headers"]["x-forwarded-for"] == "127.0.0.1"
    assert answer.headers["X-Origin"] == "yes"
    assert answer.headers["X-Cache"] == "Miss from cloudfront"
    assert answer.headers["Via"].endswith(".cloudfront.net (CloudFront)")
    assert answer.headers["X-Amz-Cf-Id"] and answer.headers["X-Amz-Cf-Pop"]

    api = _get(server, domain, "/api/items?b=2&a=1", method="POST", data=b"x")
    assert api.json()["path"] == "/v1/api/items?b=2&a=1"
    assert api.json()["method"] == "POST"
    assert api.json()["headers"]["x-secret"] == "s3cr3t"

    refused = _get(server, domain, "/page", method="POST", data=b"x")
    assert refused.status_code == 403
    assert refused.headers["X-Cache"] == "Error from cloudfront"

    moved = _get(server, domain, "/secure/a?x=1")
    assert moved.status_code == 301
    assert moved.headers["Location"] == f"https://{domain}/secure/a?x=1"
    assert _get(server, domain, "/only-https/ab").status_code == 403
    assert _get(server, domain, "/only-https/abc").status_code == 200  # `?` is one character
    # Behaviors are matched on the normalised path, and the origin gets the raw one (http.client: requests
    # would normalise the path itself before sending it).
    assert _raw(server, domain, "/%6Fnly-https/ab")[0] == 403
    status, body = _raw(server, domain, "/x/../%61pi/items")
    assert status == 200 and json.loads(body)["path"] == "/v1/x/../%61pi/items"
    assert _get(server, domain, "/API/items").json()["path"] == "/API/items"  # patterns are case-sensitive


def test_alias_unknown_and_disabled(server, client, origin, origin_port):
    alias = f"www-{uuid.uuid4().hex[:8]}.example.com"
    config = direct_config(Origins={"Quantity": 1, "Items": [_origin(origin, origin_port)]},
                           DefaultCacheBehavior=_behavior(None), Aliases={"Quantity": 1, "Items": [alias]})
    made = client.create_distribution(DistributionConfig=config)
    assert _get(server, alias, "/a").json()["path"] == "/a"
    unknown = _get(server, "nobody.example.net", "/a")
    assert unknown.status_code == 403
    assert b"The request could not be satisfied" in unknown.content
    assert unknown.headers["X-Cache"] == "Error from cloudfront"
    current = client.get_distribution_config(Id=made["Distribution"]["Id"])
    current["DistributionConfig"]["Enabled"] = False
    client.update_distribution(Id=made["Distribution"]["Id"], IfMatch=current["ETag"],
                               DistributionConfig=current["DistributionConfig"])
    assert _get(server, alias, "/a").status_code == 403


def test_tenant_domain_and_parameters(server, client, origin, origin_port):
    config = multi_tenant_config(parameters=(("tenantName", True, None),),
                                 Origins={"Quantity": 1, "Items": [_origin(origin, origin_port,
                                                                           OriginPath="/tenants/{{tenantName}}")]},
                                 DefaultCacheBehavior=_behavior(None))
    distribution = client.create_distribution(DistributionConfig=config)["Distribution"]
    group = client.create_connection_group(Name=f"g-{uuid.uuid4().hex[:8]}")["ConnectionGroup"]
    domain = f"shop-{uuid.uuid4().hex[:8]}.example.com"
    client.create_distribution_tenant(DistributionId=distribution["Id"], Name=f"t-{uuid.uuid4().hex[:8]}",
                                      Domains=[{"Domain": domain}], ConnectionGroupId=group["Id"],
                                      Parameters=[{"Name": "tenantName", "Value": "shop-a"}])
    assert _get(server, domain, "/cart").json()["path"] == "/tenants/shop-a/cart"
    assert _get(server, distribution["DomainName"], "/cart").status_code == 403  # tenants' domains only
    current = client.get_connection_group(Identifier=group["Id"])
    client.update_connection_group(Id=group["Id"], IfMatch=current["ETag"], Enabled=False)
    assert _get(server, domain, "/cart").status_code == 403


def test_viewer_functions(server, client, account, origin, origin_port):
    tag = uuid.uuid4().hex[:8]
    request_arn = _function(client, account, f"req-{tag}", """function handler(event) {
        var request = event.request;
        if (request.uri === '/old') {
            return {statusCode: 302, statusDescription: 'Found', headers: {location: {value: '/new'}}};
        }
        request.headers['x-from-function'] = {value: event.context.eventType + ' ' + event.viewer.ip};
        request.uri = '/rewritten' + request.uri;
        return request;
    }""")
    response_arn = _function(client, account, f"res-{tag}", """function handler(event) {
        var response = event.response;
        response.headers['x-seen-by-viewer'] = {value: 'status ' + response.statusCode};
        return response;
    }""")
    broken_arn = _function(client, account, f"bad-{tag}", "function handler(event) { throw new Error('no'); }")
    associations = {"Quantity": 2, "Items": [{"FunctionARN": request_arn, "EventType": "viewer-request"},
                                             {"FunctionARN": response_arn, "EventType": "viewer-response"}]}
    broken = {"Quantity": 1, "Items": [{"FunctionARN": broken_arn, "EventType": "viewer-request"}]}
    config = direct_config(Origins={"Quantity": 1, "Items": [_origin(origin, origin_port)]},
                           DefaultCacheBehavior=_behavior(None, FunctionAssociations=associations),
                           CacheBehaviors={"Quantity": 1, "Items": [
                               _behavior("/broken*", FunctionAssociations=broken)]})
    domain = client.create_distribution(DistributionConfig=config)["Distribution"]["DomainName"]

    answer = _get(server, domain, "/page")
    seen = answer.json()
    assert seen["path"] == "/rewritten/page"
    assert seen["headers"]["x-from-function"] == "viewer-request 127.0.0.1"
    assert answer.headers["x-seen-by-viewer"] == "status 200"

    redirect = _get(server, domain, "/old")
    assert redirect.status_code == 302
    assert redirect.headers["Location"] == "/new"
    assert redirect.headers["X-Cache"] == "FunctionGeneratedResponse from cloudfront"

    failed = _get(server, domain, "/broken")
    assert failed.status_code == 503
    assert failed.headers["X-Cache"] == "Error from cloudfront"


def test_origin_down_and_hanging(server, client, origin, origin_port):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    config = direct_config(
        Origins={"Quantity": 2, "Items": [_origin(origin, origin_port, ReadTimeout=1),
                                          _origin(origin, closed, "down")]},
        DefaultCacheBehavior=_behavior(None), CacheBehaviors={"Quantity": 1, "Items": [_behavior("/down", "down")]})
    domain = client.create_distribution(DistributionConfig=config)["Distribution"]["DomainName"]
    down = _get(server, domain, "/down")
    assert down.status_code == 502
    assert down.headers["X-Cache"] == "Error from cloudfront"
    started = time.monotonic()
    hanging = _get(server, domain, "/hang")
    assert hanging.status_code == 504
    assert time.monotonic() - started < 3.5
    # Meanwhile the API kept answering: a slow origin holds up no one else.
    assert make_client(server.url).list_connection_groups()


def test_tls_edge_port(origin_port):
    """--edge-tls-port: viewers over HTTPS, with a certificate made at start; redirect-to-https lets them
    through, and the origin is told the viewer's protocol when a policy asks for it."""
    import ssl
    import urllib3

    with RunningServer("--edge-tls-port", "0") as running:
        assert running.edge_tls_url.startswith("https://127.0.0.1:")
        client = make_client(running.url)
        name = f"origin-{uuid.uuid4().hex[:10]}.example.com"
        requests.post(running.url + "/_cloudfront-local/dns", json={"name": name, "type": "A", "value": "127.0.0.1"},
                      timeout=5).raise_for_status()
        proto = client.create_origin_request_policy(OriginRequestPolicyConfig={
            "Name": f"proto-{uuid.uuid4().hex[:8]}", "HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": {
                "Quantity": 1, "Items": ["CloudFront-Forwarded-Proto"]}},
            "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "none"}})
        config = direct_config(
            Origins={"Quantity": 1, "Items": [_origin(name, origin_port)]},
            DefaultCacheBehavior=_behavior(None, policy="redirect-to-https",
                                           OriginRequestPolicyId=proto["OriginRequestPolicy"]["Id"]))
        domain = client.create_distribution(DistributionConfig=config)["Distribution"]["DomainName"]
        assert _get(running, domain, "/page").status_code == 301  # plain HTTP is redirected
        with pytest.warns(urllib3.exceptions.InsecureRequestWarning):
            secure = requests.get(running.edge_tls_url + "/page", headers={"Host": domain}, verify=False, timeout=15)
        assert secure.status_code == 200
        assert secure.json()["headers"]["cloudfront-forwarded-proto"] == "https"
        # The certificate names *.cloudfront.net, as CloudFront's default one does.
        pem = ssl.get_server_certificate(("127.0.0.1", int(running.edge_tls_url.rsplit(":", 1)[1])))
        from cryptography import x509
        assert "*.cloudfront.net" in x509.load_pem_x509_certificate(pem.encode()).subject.rfc4514_string()
