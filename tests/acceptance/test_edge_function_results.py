"""What CloudFront does with a viewer function's result, through boto3 and real viewer requests to the edge
with a real origin server that records what reached it: a query string written as one string goes on as
written, header names reach the origin capitalised per word, and a result that adds or changes a header
CloudFront forbids is answered with its 502 without asking the origin. TestFunction takes the same string
query string and, as the Developer Guide says, does not check headers."""
from __future__ import annotations

import http.client
import http.server
import json
import threading
import uuid

import origin_servers
import pytest
import requests

from builders import direct_config
from function_samples import V1, V2, event

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
INVALID = "FunctionValidationError from cloudfront"

# Sorts the parameters and returns them as one string, as AWS's "Normalize query string parameters" example
# does (written here, not copied).
NORMALIZE = """function handler(event) {
    var request = event.request, parts = [];
    Object.keys(request.querystring).forEach(function (name) {
        var entry = request.querystring[name];
        (entry.multiValue || [entry]).forEach(function (one) { parts.push(name + '=' + one.value); });
    });
    request.querystring = parts.sort().join('&');
    return request;
}"""


class _Recording(http.server.BaseHTTPRequestHandler):
    """Answers 200 and keeps every request: its path as sent and its header names as written."""
    seen: dict[str, list[dict]] = {}
    lock = threading.Lock()

    def do_GET(self):
        host = self.headers.get("Host", "").split(":")[0]
        record = {"path": self.path, "headers": list(self.headers.items())}
        with self.lock:
            self.seen.setdefault(host, []).append(record)
        origin_servers.send_json(self, record)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def origin_port():
    server = origin_servers.start(_Recording)
    yield server.server_address[1]
    server.shutdown()


@pytest.fixture
def origin(server):
    name = f"origin-{uuid.uuid4().hex[:10]}.example.com"
    requests.post(server.url + "/_cloudfront-local/dns", json={"name": name, "type": "A", "value": "127.0.0.1"},
                  timeout=5).raise_for_status()
    return name


def _asked(origin: str, prefix: str = "/") -> list[dict]:
    with _Recording.lock:
        return [r for r in _Recording.seen.get(origin, []) if r["path"].startswith(prefix)]


def _function(client, account: str, code: str, runtime: str = V2) -> str:
    name = f"f-{uuid.uuid4().hex[:12]}"
    made = client.create_function(Name=name, FunctionCode=code.encode(),
                                  FunctionConfig={"Comment": "", "Runtime": runtime})
    client.publish_function(Name=name, IfMatch=made["ETag"])
    return f"arn:aws:cloudfront::{account}:function/{name}"


def _behavior(pattern: str | None, **functions: str) -> dict:
    items = [{"FunctionARN": arn, "EventType": kind.replace("_", "-")} for kind, arn in functions.items()]
    behavior = {"TargetOriginId": "origin", "ViewerProtocolPolicy": "allow-all", "CachePolicyId": CACHING_DISABLED,
                "OriginRequestPolicyId": ALL_VIEWER_EXCEPT_HOST,
                "FunctionAssociations": {"Quantity": len(items), "Items": items}}
    if pattern is not None:
        behavior["PathPattern"] = pattern
    return behavior


def _distribution(client, origin: str, port: int, default: dict, *others: dict) -> str:
    config = direct_config(
        Origins={"Quantity": 1, "Items": [{"Id": "origin", "DomainName": origin, "CustomOriginConfig": {
            "HTTPPort": port, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
        DefaultCacheBehavior=default, CacheBehaviors={"Quantity": len(others), "Items": list(others)})
    return client.create_distribution(DistributionConfig=config)["Distribution"]["DomainName"]


def _get(server, host: str, path: str, headers: dict | None = None) -> tuple[int, list[tuple[str, str]], bytes]:
    """A viewer request through http.client: header names go out exactly as written (lower case here), and the
    answer's names come back as the edge wrote them."""
    connection = http.client.HTTPConnection(server.edge_url.split("//", 1)[1], timeout=15)
    try:
        connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        for name, value in {"host": host, **(headers or {})}.items():
            connection.putheader(name, value)
        connection.endheaders()
        answer = connection.getresponse()
        return answer.status, answer.getheaders(), answer.read()
    finally:
        connection.close()


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name.lower()), None)


def test_a_query_string_written_as_one_string_reaches_the_origin_as_written(server, client, account, origin,
                                                                             origin_port):
    # The viewer-response function sees the query string parsed again, as an object.
    keys = _function(client, account, """function handler(event) {
        event.response.headers['x-query-names'] = {value: Object.keys(event.request.querystring).join(',')};
        return event.response;
    }""")
    literal = _function(client, account, """function handler(event) {
        event.request.querystring = 'z=1&flag&y=%41&n=\u00e9';
        return event.request;
    }""", V1)
    domain = _distribution(client, origin, origin_port,
                           _behavior(None, viewer_request=_function(client, account, NORMALIZE),
                                     viewer_response=keys),
                           _behavior("/literal*", viewer_request=literal))

    status, headers, _ = _get(server, domain, "/page?b=2&a=1&a=0")
    assert status == 200
    assert [r["path"] for r in _asked(origin, "/page")] == ["/page?a=0&a=1&b=2"]
    assert _header(headers, "x-query-names") == "a,b"

    status, _, _ = _get(server, domain, "/literal?ignored=1")
    assert status == 200
    # As written, but for what is not ASCII: its UTF-8, percent-encoded.
    assert [r["path"] for r in _asked(origin, "/literal")] == ["/literal?z=1&flag&y=%41&n=%C3%A9"]


def test_header_names_reach_the_origin_capitalised_per_word(server, client, account, origin, origin_port):
    adds = _function(client, account, """function handler(event) {
        event.request.headers['x-custom-header'] = {value: 'from the function'};
        return event.request;
    }""")
    answers = _function(client, account, """function handler(event) {
        event.response.headers['x-added-by-function'] = {value: 'yes'};
        return event.response;
    }""")
    domain = _distribution(client, origin, origin_port, _behavior(None, viewer_request=adds,
                                                                  viewer_response=answers),
                           _behavior("/plain*"))
    sent = {"x-viewer-header": "v", "user-agent": "probe/1"}

    status, headers, _ = _get(server, domain, "/with-function", sent)
    assert status == 200
    names = [name for name, _ in _asked(origin, "/with-function")[0]["headers"]]
    assert {"X-Custom-Header", "X-Viewer-Header", "User-Agent"} <= set(names)
    assert not {"x-custom-header", "x-viewer-header", "user-agent"} & set(names)
    # (The server's HTTP layer writes every answer's names in lower case, so the viewer's side shows no case.)
    assert _header(headers, "x-added-by-function") == "yes"

    status, _, _ = _get(server, domain, "/plain", sent)
    assert status == 200
    names = [name for name, _ in _asked(origin, "/plain")[0]["headers"]]
    assert {"X-Viewer-Header", "User-Agent"} <= set(names)
    assert not {"x-viewer-header", "user-agent"} & set(names)


# (path, event type, code): each breaks one rule of "Restrictions on all edge functions".
FORBIDDEN = [
    ("/accel", "viewer_request", "request.headers['x-accel-redirect'] = {value: '/internal'}; return request;"),
    ("/edge-prefix", "viewer_request", "request.headers['x-edge-thing'] = {value: '1'}; return request;"),
    ("/host", "viewer_request", "request.headers.host = {value: 'elsewhere.example.com'}; return request;"),
    ("/no-host", "viewer_request", "delete request.headers.host; return request;"),
    ("/via", "viewer_request", "request.headers.via = {value: '1.1 proxy'}; return request;"),
    ("/generated", "viewer_request", "return {statusCode: 200, headers: {'x-cache': {value: 'Hit'}}};"),
    ("/space", "viewer_request", "request.querystring = 'a=b c'; return request;"),
    ("/warning", "viewer_response", "event.response.headers.warning = {value: '199 - x'}; return event.response;"),
    ("/keep-alive", "viewer_response", "event.response.headers['keep-alive'] = {value: 'timeout=5'};"
                                       " return event.response;"),
]


def test_a_forbidden_header_fails_validation_with_a_502_and_the_origin_is_not_asked(server, client, account,
                                                                                    origin, origin_port):
    behaviors = []
    for path, kind, body in FORBIDDEN:
        code = "function handler(event) { var request = event.request; " + body + " }"
        behaviors.append(_behavior(path + "*", **{kind: _function(client, account, code)}))
    # Read-only headers may be read and given back unchanged; a viewer's X-Accel-Redirect is kept from the
    # function, so giving the request back does not add it.
    same = _function(client, account, """function handler(event) {
        var request = event.request;
        request.headers.host = {value: request.headers.host.value};
        request.headers['x-shown'] = {value: String(request.headers['x-accel-redirect'] === undefined)};
        return request;
    }""")
    domain = _distribution(client, origin, origin_port, _behavior(None, viewer_request=same), *behaviors)

    for path, kind, _ in FORBIDDEN:
        status, headers, body = _get(server, domain, path)
        assert status == 502, path
        assert _header(headers, "X-Cache") == INVALID, path
        assert b"failed validation" in body, path
        # A viewer-request function's result is checked before the origin is asked; a viewer-response
        # function runs on the origin's answer.
        assert len(_asked(origin, path)) == (1 if kind == "viewer_response" else 0), path

    status, _, _ = _get(server, domain, "/fine", {"x-accel-redirect": "/from-viewer"})
    assert status == 200
    received = dict((k.lower(), v) for k, v in _asked(origin, "/fine")[0]["headers"])
    assert received["x-shown"] == "true"


def test_testfunction_takes_a_string_query_string_and_checks_no_headers(client):
    name = f"f-{uuid.uuid4().hex[:12]}"
    etag = client.create_function(Name=name, FunctionConfig={"Comment": "", "Runtime": V2},
                                  FunctionCode=NORMALIZE.encode())["ETag"]
    result = client.test_function(Name=name, IfMatch=etag, EventObject=event(querystring={
        "b": {"value": "2"}, "a": {"value": "1", "multiValue": [{"value": "1"}, {"value": "0"}]}}))["TestResult"]
    assert "FunctionErrorMessage" not in result or not result["FunctionErrorMessage"]
    assert json.loads(result["FunctionOutput"])["request"]["querystring"] == "a=0&a=1&b=2"

    # "This error does not show up during testing": a disallowed header, and a changed value of a repeated
    # header, which replaces the first of its values ("CloudFront Functions event structure", multiValue).
    other = f"f-{uuid.uuid4().hex[:12]}"
    etag = client.create_function(Name=other, FunctionConfig={"Comment": "", "Runtime": V2}, FunctionCode=b"""
        function handler(event) {
            var request = event.request;
            request.headers['x-accel-redirect'] = {value: '/internal'};
            request.headers.accept.value = 'text/plain';
            return request;
        }""")["ETag"]
    result = client.test_function(Name=other, IfMatch=etag, EventObject=event(headers={"accept": {
        "value": "text/html", "multiValue": [{"value": "text/html"}, {"value": "application/json"}]}}))
    headers = json.loads(result["TestResult"]["FunctionOutput"])["request"]["headers"]
    assert headers["x-accel-redirect"] == {"value": "/internal"}
    assert headers["accept"] == {"value": "text/plain",
                                 "multiValue": [{"value": "text/plain"}, {"value": "application/json"}]}
