"""The edge's request log: a line per viewer request on the server's stderr (text or JSON), the records behind
GET /_cloudfront-local/requests (newest first, filters, a limit, a bounded ring, a signature under
--credentials) and mock_cloudfront.edge_requests. Live servers, distributions made with boto3, real viewer
requests on the API's port by their Host, a real origin."""
from __future__ import annotations

import collections
import http.client
import json
import time
import uuid

import boto3
import botocore.auth
import botocore.config
import origin_servers
import pytest
import requests
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from builders import direct_config, multi_tenant_config
from cloudfront_local import mock_cloudfront
from conftest import make_client
from serving import RunningServer

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
RING = 8
REDIRECT = b"""function handler(event) {
    return {statusCode: 302, statusDescription: 'Found', headers: {location: {value: 'https://example.com/'}}};
}"""


class _Origin(origin_servers.Quiet):
    def do_GET(self):  # noqa: N802 - http.server's name
        self.server.asked[self.path] += 1
        origin_servers.answer(self, f"origin saw {self.path}".encode(),
                              headers=(("Content-Type", "text/plain"), ("Cache-Control", "max-age=300")))


@pytest.fixture(scope="module")
def origin():
    server = origin_servers.start(_Origin, "log")
    server.asked = collections.Counter()
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def logged():
    with RunningServer("--request-log-size", str(RING)) as running:
        yield running


def _get(server, host: str, target: str, method: str = "GET", url: str | None = None) -> http.client.HTTPResponse:
    """A viewer request on the API's port (or `url`), its Host the distribution's domain."""
    connection = http.client.HTTPConnection((url or server.url).split("//", 1)[1], timeout=15)
    try:
        connection.request(method, target, headers={"Host": host})
        answer = connection.getresponse()
        answer.body = answer.read()
        return answer
    finally:
        connection.close()


def _requests(server, **filters) -> list[dict]:
    answer = requests.get(server.url + "/_cloudfront-local/requests", params=filters, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["requests"]


def _distribution(server, client, origin, *, function_arn: str | None = None, tenant_only: bool = False) -> dict:
    name = f"origin-{uuid.uuid4().hex[:10]}.example.com"
    requests.post(server.url + "/_cloudfront-local/dns", json={"name": name, "type": "A", "value": "127.0.0.1"},
                  timeout=5).raise_for_status()
    origins = {"Quantity": 1, "Items": [{"Id": "web", "DomainName": name, "CustomOriginConfig": {
        "HTTPPort": origin.server_address[1], "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]}
    behaviors = [{"PathPattern": "/static/*", "TargetOriginId": "web", "ViewerProtocolPolicy": "allow-all",
                  "CachePolicyId": CACHING_OPTIMIZED}]
    if function_arn:
        behaviors.append({"PathPattern": "/go/*", "TargetOriginId": "web", "ViewerProtocolPolicy": "allow-all",
                          "CachePolicyId": CACHING_DISABLED, "FunctionAssociations": {"Quantity": 1, "Items": [
                              {"EventType": "viewer-request", "FunctionARN": function_arn}]}})
    default = {"TargetOriginId": "web", "ViewerProtocolPolicy": "allow-all", "CachePolicyId": CACHING_DISABLED}
    build = multi_tenant_config if tenant_only else direct_config
    config = build(Origins=origins, DefaultCacheBehavior=default,
                   CacheBehaviors={"Quantity": len(behaviors), "Items": behaviors})
    return client.create_distribution(DistributionConfig=config)["Distribution"]


def _function(client, account: str, code: bytes = REDIRECT) -> str:
    name = f"log-{uuid.uuid4().hex[:8]}"
    made = client.create_function(Name=name, FunctionConfig={"Comment": "", "Runtime": "cloudfront-js-2.0"},
                                  FunctionCode=code)
    client.publish_function(Name=name, IfMatch=made["ETag"])
    return f"arn:aws:cloudfront::{account}:function/{name}"


def _line(server, request_id: str) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = [line for line in list(server.lines) if request_id in line]
        if found:
            assert len(found) == 1, found
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"no log line for {request_id}:\n" + "".join(server.lines[-20:]))


def test_each_viewer_request_is_one_record_and_one_line(logged, origin):
    account = str(300000000000 + uuid.uuid4().int % 10**9)
    client = make_client(logged.url, account)
    arn = _function(client, account)
    made = _distribution(logged, client, origin, function_arn=arn)
    domain, path = made["DomainName"], f"/static/{uuid.uuid4().hex[:8]}.txt"

    first = _get(logged, domain, path + "?v=1")
    second = _get(logged, domain, path + "?v=1")
    moved = _get(logged, domain, "/go/away")
    assert (first.status, first.getheader("X-Cache")) == (200, "Miss from cloudfront")
    assert (second.status, second.getheader("X-Cache")) == (200, "Hit from cloudfront")
    assert moved.status == 302 and moved.getheader("X-Cache") == "FunctionGeneratedResponse from cloudfront"
    assert origin.asked[path] == 1  # CachingOptimized forwards no query string

    mine = _requests(logged, distribution=made["Id"])
    assert [r["request_id"] for r in mine] == [moved.getheader("X-Amz-Cf-Id"), second.getheader("X-Amz-Cf-Id"),
                                              first.getheader("X-Amz-Cf-Id")]  # newest first
    redirect, hit, miss = mine
    assert miss == {**miss, "distribution": made["Id"], "tenant": None, "host": domain, "method": "GET",
                    "path": path, "query": "v=1", "status": 200, "result": "Miss", "pattern": "/static/*",
                    "origin": "web", "origins_asked": ["web"], "functions": [], "protocol": "http",
                    "bytes": len(first.body)}
    assert (hit["result"], hit["origin"], hit["origins_asked"], hit["bytes"]) == ("Hit", None, [], len(second.body))
    # The origin was asked once for the path: what a test of caching wants to know.
    assert [r["origin"] for r in mine if r["path"] == path] == [None, "web"]
    assert redirect == {**redirect, "status": 302, "result": "FunctionGeneratedResponse", "pattern": "/go/*",
                        "origin": None, "functions": [{"event": "viewer-request", "type": "cloudfront-function",
                                                       "arn": arn}]}
    assert miss["time"].endswith("Z") and miss["time"] <= hit["time"] <= redirect["time"]
    assert all(0 <= r["time_taken"] < 10 for r in mine)

    # Filters, each alone and together, and a limit.
    assert [r["request_id"] for r in _requests(logged, distribution=made["Id"], status=302)] == \
        [redirect["request_id"]]
    assert [r["request_id"] for r in _requests(logged, distribution=made["Id"], result="Hit")] == [hit["request_id"]]
    assert [r["request_id"] for r in _requests(logged, distribution=made["Id"], limit=2)] == \
        [redirect["request_id"], hit["request_id"]]
    assert _requests(logged, distribution=made["Id"], result="Miss", status=302) == []
    assert _requests(logged, distribution="E" + uuid.uuid4().hex[:13].upper()) == []
    assert _requests(logged, distribution=made["Id"], limit=0) == []

    # The server's text line: one per request, its fields in order.
    line = _line(logged, miss["request_id"])
    fields = line.split(" edge ", 1)[1].split()
    assert fields[:9] == [made["Id"], domain, "GET", path + "?v=1", "200", "Miss", "/static/*", "web", "-"]
    assert fields[9] == f"{len(first.body)}B" and fields[10].endswith("ms") and fields[11] == miss["request_id"]
    assert _line(logged, redirect["request_id"]).split(" edge ", 1)[1].split()[4:10] == \
        ["302", "FunctionGeneratedResponse", "/go/*", "-", "viewer-request:function", "0B"]


def test_errors_and_unknown_hosts_are_logged(logged, origin):
    # A name no distribution has: the API's on its port, so sent to the edge's own.
    unknown = f"nobody-{uuid.uuid4().hex[:8]}.cloudfront.net"
    answer = _get(logged, unknown, "/x", url=logged.edge_url)
    assert answer.status == 403
    record = _requests(logged, status=403, limit=1)[0]
    assert record == {**record, "request_id": answer.getheader("X-Amz-Cf-Id"), "distribution": None,
                      "host": unknown, "result": "Error", "pattern": None, "origin": None}
    # An answer the edge gives before the origin (the method the behavior does not allow) knows its
    # distribution and behavior.
    account = str(300000000000 + uuid.uuid4().int % 10**9)
    made = _distribution(logged, make_client(logged.url, account), origin)
    refused = _get(logged, made["DomainName"], "/static/a", method="DELETE")
    assert refused.status == 403
    record = _requests(logged, distribution=made["Id"])[0]
    assert (record["method"], record["result"], record["pattern"], record["origin"]) == \
        ("DELETE", "Error", "/static/*", None)


def _refused(server, target: str, hosts: list[str]) -> http.client.HTTPResponse:
    """A request the edge refuses before it reads any distribution, on the edge's own port."""
    connection = http.client.HTTPConnection(server.edge_url.split("//", 1)[1], timeout=15)
    try:
        connection.putrequest("GET", target, skip_host=True)
        for host in hosts:
            connection.putheader("Host", host)
        connection.endheaders()
        answer = connection.getresponse()
        answer.body = answer.read()
        return answer
    finally:
        connection.close()


def test_requests_refused_before_any_distribution_are_logged(logged):
    # Two Hosts (RFC 9112's 400) and a URL past CloudFront's 8,192 bytes (413): answered before the edge
    # reads a distribution, so logged with none, as an unknown Host is.
    domain = f"d{uuid.uuid4().hex[:13]}.cloudfront.net"
    two = _refused(logged, "/two?x=1", [domain, "other.example.com"])
    long_path = "/" + "a" * 9000
    too_long = _refused(logged, long_path, [domain])
    assert (two.status, too_long.status) == (400, 413)
    found = {r["request_id"]: r for r in _requests(logged, limit=5)}
    for answer, status, path, query in ((two, 400, "/two", "x=1"), (too_long, 413, long_path, "")):
        record = found[answer.getheader("X-Amz-Cf-Id")]
        assert record == {**record, "status": status, "result": "Error", "detail": "Error", "distribution": None,
                          "tenant": None, "host": domain, "method": "GET", "path": path, "query": query,
                          "pattern": None, "origin": None, "origins_asked": [], "functions": [],
                          "bytes": len(answer.body), "protocol": "http"}
        line = _line(logged, record["request_id"]).split(" edge ", 1)[1].split()
        assert line[:2] == ["-", domain] and line[4:6] == [str(status), "Error"]
    assert [r["request_id"] for r in _requests(logged, status=400, limit=1)] == [two.getheader("X-Amz-Cf-Id")]


def test_tenants_are_named_and_filtered(logged, origin):
    account = str(300000000000 + uuid.uuid4().int % 10**9)
    client = make_client(logged.url, account)
    shops = _distribution(logged, client, origin, tenant_only=True)
    group = client.create_connection_group(Name=f"g-{uuid.uuid4().hex[:8]}")["ConnectionGroup"]
    domains = {}
    for name in ("a", "b"):
        domain = f"shop-{name}-{uuid.uuid4().hex[:8]}.example.com"
        tenant = client.create_distribution_tenant(
            DistributionId=shops["Id"], Name=f"t-{uuid.uuid4().hex[:8]}", Domains=[{"Domain": domain}],
            ConnectionGroupId=group["Id"], Parameters=[{"Name": "tenantName", "Value": name}])["DistributionTenant"]
        domains[tenant["Id"]] = domain
        assert _get(logged, domain, "/cart").status == 200
    for tenant, domain in domains.items():
        found = _requests(logged, tenant=tenant)
        assert [(r["distribution"], r["tenant"], r["host"]) for r in found] == [(shops["Id"], tenant, domain)]
        assert f" edge {shops['Id']}/{tenant} {domain} GET /cart 200 Miss * web " in \
            _line(logged, found[0]["request_id"])
    assert len(_requests(logged, distribution=shops["Id"])) == 2


def test_the_ring_keeps_the_newest_and_no_more(logged, origin):
    account = str(300000000000 + uuid.uuid4().int % 10**9)
    made = _distribution(logged, make_client(logged.url, account), origin)
    sent = [_get(logged, made["DomainName"], f"/n/{n}").getheader("X-Amz-Cf-Id") for n in range(RING + 3)]
    kept = _requests(logged)
    assert [r["request_id"] for r in kept] == sent[::-1][:RING]
    assert [r["path"] for r in _requests(logged, limit=2)] == [f"/n/{RING + 2}", f"/n/{RING + 1}"]


@pytest.mark.parametrize("query", ["status=abc", "limit=-1", "colour=red", "status=200&status=404", "limit=1e3",
                                   "status=%00", "=", "&&&"])
def test_bad_filters_are_400(logged, query):
    answer = requests.get(logged.url + "/_cloudfront-local/requests?" + query, timeout=10)
    assert answer.status_code == 400 and "error" in answer.json()


def test_json_lines(origin):
    with RunningServer("--log-format", "json") as server:
        made = _distribution(server, make_client(server.url, "123456789012"), origin)
        answer = _get(server, made["DomainName"], "/static/j.txt?q=%20x")
        assert answer.status == 200
        line = _line(server, answer.getheader("X-Amz-Cf-Id"))
        record = json.loads(line[line.index("{"):])["edge"]
        assert record == _requests(server)[0]
        assert record == {**record, "distribution": made["Id"], "path": "/static/j.txt", "query": "q=%20x",
                          "result": "Miss", "pattern": "/static/*", "origin": "web", "status": 200}
        # Lines are written in batches: a clean stop right after a request still writes its line.
        last = _get(server, made["DomainName"], "/static/last.txt")
        server.stop()
        server._reader.join(10)
        assert [json.loads(line[line.index("{"):])["edge"]["path"] for line in server.lines
                if last.getheader("X-Amz-Cf-Id") in line] == ["/static/last.txt"]


def test_unknown_log_format_stops_the_server():
    with pytest.raises(RuntimeError, match="invalid choice"):
        RunningServer("--log-format", "xml", timeout=10)


def test_requests_need_a_signature_under_credentials(tmp_path):
    path = tmp_path / "credentials.toml"
    path.write_text('[[credentials]]\naccess_key_id = "AKIALOGREADER0000001"\nsecret_access_key = "s"\n'
                    'account_id = "111111111111"\n\n[[credentials]]\naccess_key_id = "AKIALOGNOBODY0000002"\n'
                    'secret_access_key = "n"\naccount_id = "111111111111"\nallow = ["cloudfront:Get*"]\n')
    with RunningServer("--credentials", str(path)) as server:
        url = server.url + "/_cloudfront-local/requests"
        assert requests.get(url, timeout=10).status_code == 403

        def signed(key, secret):
            request = AWSRequest(method="GET", url=url + "?limit=5")
            botocore.auth.SigV4Auth(Credentials(key, secret), "cloudfront", "us-east-1").add_auth(request)
            return requests.get(request.url, headers=dict(request.headers), timeout=10)

        assert signed("AKIALOGNOBODY0000002", "n").status_code == 403
        allowed = signed("AKIALOGREADER0000001", "s")
        assert allowed.status_code == 200 and allowed.json() == {"requests": []}


def test_in_process(origin):
    with mock_cloudfront(request_log_size=3) as mock:
        client = boto3.client("cloudfront", region_name="us-east-1",
                              config=botocore.config.Config(retries={"max_attempts": 1}))
        mock.add_dns_record("app.example.com", "A", "127.0.0.1")
        arn = _function(client, "123456789012")
        origins = {"Quantity": 1, "Items": [{"Id": "app", "DomainName": "app.example.com", "CustomOriginConfig": {
            "HTTPPort": origin.server_address[1], "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]}
        redirect = {"PathPattern": "/old/*", "TargetOriginId": "app", "ViewerProtocolPolicy": "allow-all",
                    "CachePolicyId": CACHING_DISABLED,
                    "FunctionAssociations": {"Quantity": 1, "Items": [{"EventType": "viewer-request",
                                                                       "FunctionARN": arn}]}}
        config = direct_config(Origins=origins, CacheBehaviors={"Quantity": 1, "Items": [redirect]},
                               DefaultCacheBehavior={"TargetOriginId": "app", "ViewerProtocolPolicy": "allow-all",
                                                     "CachePolicyId": CACHING_OPTIMIZED})
        made = client.create_distribution(DistributionConfig=config)["Distribution"]
        page = f"/in-process-{uuid.uuid4().hex[:8]}"
        for _ in range(2):
            assert mock.edge_request("GET", f"http://{made['DomainName']}{page}").status == 200
        assert mock.edge_request("GET", f"http://{made['DomainName']}/old/page").status == 302

        # "The origin was asked once", "the function answered 302".
        assert [r["origin"] for r in mock.edge_requests(distribution=made["Id"]) if r["path"] == page] == \
            [None, "app"]
        assert origin.asked[page] == 1
        (moved,) = mock.edge_requests(status=302)
        assert moved["result"] == "FunctionGeneratedResponse" and moved["functions"] == [
            {"event": "viewer-request", "type": "cloudfront-function", "arn": arn}]
        assert [r["result"] for r in mock.edge_requests()] == ["FunctionGeneratedResponse", "Hit", "Miss"]
        assert [r["result"] for r in mock.edge_requests(limit=1)] == ["FunctionGeneratedResponse"]
        mock.edge_request("GET", "http://nobody.example/")
        assert len(mock.edge_requests()) == 3  # the ring's size: the oldest went
        assert mock.edge_requests(result="Miss") == []
