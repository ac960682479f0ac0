"""Viewers on the API's own port, by their Host; `*.localhost` names a browser reaches with no DNS set up;
servers side by side on one machine; what a busy port says; every flag's default in --help; and the log line
that says why an origin gave the viewer CloudFront's 502 or 504 page. All through real HTTP clients against
real server processes."""
from __future__ import annotations

import http.client
import http.server
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import fields

import origin_servers
import pytest
import requests

from builders import direct_config, multi_tenant_config
from cloudfront_local.config import Settings
from conftest import make_client

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
PAGE = b"The request could not be satisfied"


class _Origin(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if "/hang" in self.path:
            time.sleep(3)
        body = json.dumps({"path": self.path, "origin": self.server.name,
                           "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the edge gave up on a hanging answer
            pass

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def origin_port():
    server = origin_servers.start(_Origin, "one")
    yield server.server_address[1]
    server.shutdown()


def _origin(domain: str, port: int, origin_id: str = "origin", protocol: str = "http-only", **members) -> dict:
    return {"Id": origin_id, "DomainName": domain,
            "CustomOriginConfig": {"HTTPPort": port, "HTTPSPort": port, "OriginProtocolPolicy": protocol,
                                   "OriginReadTimeout": members.pop("ReadTimeout", 30)}, **members}


def _behavior(origin_id: str = "origin", pattern: str | None = None, **members) -> dict:
    behavior = {"TargetOriginId": origin_id, "ViewerProtocolPolicy": "allow-all", "CachePolicyId": CACHING_DISABLED,
                "OriginRequestPolicyId": ALL_VIEWER_EXCEPT_HOST, **members}
    if pattern is not None:
        behavior["PathPattern"] = pattern
    return behavior


def _a_record(url: str, name: str) -> None:
    requests.post(url + "/_cloudfront-local/dns", json={"name": name, "type": "A", "value": "127.0.0.1"},
                  timeout=5).raise_for_status()


def _raw(url: str, host: str, path: str = "/") -> tuple[int, http.client.HTTPMessage, bytes]:
    """A GET to the server's address with this Host header, as a browser resolving the name to it sends."""
    connection = http.client.HTTPConnection(url.split("//", 1)[1], timeout=15)
    try:
        connection.request("GET", path, headers={"Host": host})
        answer = connection.getresponse()
        return answer.status, answer.msg, answer.read()
    finally:
        connection.close()


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def _host_echo(client, account: str) -> str:
    """A viewer-request function that tells the origin the Host it was shown."""
    name = f"host-{uuid.uuid4().hex[:8]}"
    made = client.create_function(Name=name, FunctionConfig={"Comment": "", "Runtime": "cloudfront-js-2.0"},
                                  FunctionCode=b"""function handler(event) {
        var request = event.request;
        request.headers['x-host-seen'] = {value: request.headers.host.value};
        request.headers['x-domain-seen'] = {value: event.context.distributionDomainName};
        return request;
    }""")
    client.publish_function(Name=name, IfMatch=made["ETag"])
    return f"arn:aws:cloudfront::{account}:function/{name}"


def test_localhost_names_on_the_api_port(server, client, account, origin_port):
    """d….cloudfront.localhost, ALIAS.localhost and a tenant's DOMAIN.localhost open their distributions on the
    API's port; a function sees the Host CloudFront would show it; the API's answers keep AWS's names."""
    origin = f"origin-{uuid.uuid4().hex[:10]}.example.com"
    _a_record(server.url, origin)
    alias = f"www-{uuid.uuid4().hex[:8]}.example.com"
    associations = {"Quantity": 1, "Items": [{"FunctionARN": _host_echo(client, account),
                                              "EventType": "viewer-request"}]}
    made = client.create_distribution(DistributionConfig=direct_config(
        Origins={"Quantity": 1, "Items": [_origin(origin, origin_port)]}, Aliases={"Quantity": 1, "Items": [alias]},
        DefaultCacheBehavior=_behavior(FunctionAssociations=associations)))["Distribution"]
    domain = made["DomainName"]
    assert re.fullmatch(r"d[a-z0-9]{13}\.cloudfront\.net", domain)
    label = domain.split(".", 1)[0]
    port = _port(server.url)

    status, headers, body = _raw(server.url, f"{label}.cloudfront.localhost:{port}", "/index.html")
    assert status == 200, body
    seen = json.loads(body)
    assert seen["path"] == "/index.html"
    # What the function was shown is what CloudFront shows it: the real name, no port.
    assert seen["headers"]["x-host-seen"] == domain
    assert seen["headers"]["x-domain-seen"] == domain
    assert headers["X-Cache"] == "Miss from cloudfront"
    assert len(headers.get_all("Date")) == 1  # the edge's, not a second one from the server
    for host in (f"{label.upper()}.CloudFront.LocalHost", f"{alias}.localhost:{port}", f"{domain}.localhost",
                 f"{alias}:{port}", domain):
        status, _, body = _raw(server.url, host, "/a")
        assert status == 200 and json.loads(body)["path"] == "/a", host
    assert json.loads(_raw(server.url, f"{alias}.localhost:{port}")[2])["headers"]["x-host-seen"] == alias

    # The API still says what AWS says.
    assert client.get_distribution(Id=made["Id"])["Distribution"]["DomainName"] == domain
    assert all(d["DomainName"].endswith(".cloudfront.net")
               for d in client.list_distributions()["DistributionList"]["Items"])

    # A tenant's domain, through its connection group.
    config = multi_tenant_config(Origins={"Quantity": 1, "Items": [_origin(origin, origin_port)]},
                                 DefaultCacheBehavior=_behavior())
    shops = client.create_distribution(DistributionConfig=config)["Distribution"]
    group = client.create_connection_group(Name=f"g-{uuid.uuid4().hex[:8]}")["ConnectionGroup"]
    shop = f"shop-{uuid.uuid4().hex[:8]}.example.com"
    client.create_distribution_tenant(DistributionId=shops["Id"], Name=f"t-{uuid.uuid4().hex[:8]}",
                                      Domains=[{"Domain": shop}], ConnectionGroupId=group["Id"],
                                      Parameters=[{"Name": "tenantName", "Value": "a"}])
    status, _, body = _raw(server.url, f"{shop}.localhost:{port}", "/cart")
    assert status == 200 and json.loads(body)["path"] == "/cart"
    # A multi-tenant distribution's own name serves no one, in either form: the edge's 403.
    status, headers, body = _raw(server.url, shops["DomainName"].replace(".net", ".localhost"))
    assert status == 403 and PAGE in body and headers["X-Cache"] == "Error from cloudfront"


def test_the_api_keeps_every_other_host(server, client, account, origin_port):
    """Names nothing holds, and the names the API is reached by, stay the API's, even when an alias is one of
    them; a Host the store holds goes to the edge whatever the path."""
    origin = f"origin-{uuid.uuid4().hex[:10]}.example.com"
    _a_record(server.url, origin)
    port = _port(server.url)
    # An alias that collides with AWS's own API name: the API's, never the edge's.
    made = client.create_distribution(DistributionConfig=direct_config(
        Origins={"Quantity": 1, "Items": [_origin(origin, origin_port)]}, DefaultCacheBehavior=_behavior(),
        Aliases={"Quantity": 1, "Items": ["cloudfront.amazonaws.com"]}))["Distribution"]
    try:
        for host in ("cloudfront.amazonaws.com", f"127.0.0.1:{port}", f"localhost:{port}", "localhost",
                     f"123456789012.127.0.0.1:{port}", f"123456789012.localhost:{port}",
                     f"d{uuid.uuid4().hex[:13]}.cloudfront.localhost:{port}", f"nobody-{uuid.uuid4().hex[:6]}.example",
                     f"[::1]:{port}"):
            status, headers, body = _raw(server.url, host, "/2020-05-31/distribution")
            assert status == 200 and b"<DistributionList" in body, (host, status, body[:200])
            assert "X-Cache" not in headers and "x-amz-request-id" in headers, host
        # boto3 through `localhost`, with the colliding alias in place.
        listed = make_client(f"http://localhost:{port}", account).list_distributions()["DistributionList"]
        assert made["Id"] in [d["Id"] for d in listed["Items"]]
        # The distribution's own name is a viewer's on any path, the API's paths too; and so is the alias's
        # `.localhost` form, which no API client is ever sent to.
        for host in (made["DomainName"], "cloudfront.amazonaws.com.localhost"):
            status, headers, body = _raw(server.url, host, "/2020-05-31/distribution")
            assert status == 200 and json.loads(body)["path"] == "/2020-05-31/distribution"
            assert headers["X-Cache"] == "Miss from cloudfront"
    finally:
        current = client.get_distribution_config(Id=made["Id"])
        config = {**current["DistributionConfig"], "Aliases": {"Quantity": 0}}
        client.update_distribution(Id=made["Id"], IfMatch=current["ETag"], DistributionConfig=config)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Server:
    """`cloudfront-local serve ARGS` exactly as given (no --edge-port unless given), its stderr kept."""

    def __init__(self, *args: str):
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFRONT_LOCAL_")}
        self.process = subprocess.Popen([sys.executable, "-m", "cloudfront_local", "serve", *args],
                                        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
        self.lines: list[str] = []
        self.url = None
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and self.url is None:
            line = self.process.stderr.readline()
            if not line:
                break
            self.lines.append(line)
            if "listening on " in line:
                self.url = line.rsplit("listening on ", 1)[1].strip()
        if self.url is None:
            self.process.kill()
            raise AssertionError("the server did not start:\n" + "".join(self.lines))
        threading.Thread(target=lambda: self.lines.extend(self.process.stderr), daemon=True).start()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def test_two_servers_side_by_side(origin_port):
    """Two `serve --port A` and `serve --port B`, neither given --edge-port, while the old default edge port
    is held: both start, and each answers its own viewers on its one port."""
    held = socket.socket()
    try:
        held.bind(("127.0.0.1", 4598))
        held.listen()
    except OSError:
        pass  # someone else holds it already: the case this test is about
    servers = []
    try:
        for _ in range(2):
            servers.append(_Server("--port", str(_free_port())))
        domains = []
        for index, running in enumerate(servers):
            assert not any("edge listening" in line for line in running.lines)
            origin = f"origin-{index}-{uuid.uuid4().hex[:8]}.example.com"
            _a_record(running.url, origin)
            made = make_client(running.url).create_distribution(DistributionConfig=direct_config(
                Origins={"Quantity": 1, "Items": [_origin(origin, origin_port, OriginPath=f"/server-{index}")]},
                DefaultCacheBehavior=_behavior()))["Distribution"]
            domains.append(made["DomainName"])
        for index, running in enumerate(servers):
            label = domains[index].split(".", 1)[0]
            status, _, body = _raw(running.url, f"{label}.cloudfront.localhost:{_port(running.url)}", "/x")
            assert status == 200 and json.loads(body)["path"] == f"/server-{index}/x"
            # The other server's distribution is no viewer name here: the API answers it.
            status, headers, _ = _raw(running.url, domains[1 - index], "/x")
            assert "X-Cache" not in headers
    finally:
        for running in servers:
            running.stop()
        held.close()


def test_a_busy_port_names_itself_and_its_flag():
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFRONT_LOCAL_")}
        for flag, others in (("--port", []), ("--edge-port", ["--port", "0"]), ("--edge-tls-port", ["--port", "0"])):
            result = subprocess.run([sys.executable, "-m", "cloudfront_local", "serve", *others, flag, str(port)],
                                    capture_output=True, text=True, timeout=30, env=env)
            assert result.returncode == 2, result.stderr
            assert "Traceback" not in result.stderr
            assert f"port {port} on 127.0.0.1 is in use" in result.stderr
            assert f"{flag} PORT" in result.stderr and f"{flag} 0 any free one" in result.stderr
            assert len(result.stderr.strip().splitlines()) == 1


def test_help_shows_every_flags_default():
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CLOUDFRONT_LOCAL_")}, "COLUMNS": "100"}
    text = subprocess.run([sys.executable, "-m", "cloudfront_local", "serve", "--help"], capture_output=True,
                          text=True, timeout=30, env=env, check=True).stdout
    options = text.split("options:", 1)[1]
    blocks = re.split(r"\n  (?=-)", options)
    described = {}
    for block in blocks:
        flag = re.match(r"\s*(--[a-z0-9-]+)", block)
        if flag and flag.group(1) != "--help":
            described[flag.group(1)] = " ".join(block.split())
    assert len(described) >= 25
    settings = {spec.name: spec.default for spec in fields(Settings)}
    for flag, help_text in described.items():
        assert "default" in help_text, flag
        name = flag[2:].replace("-", "_")
        value = settings.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            continue  # none, or an empty list of settings: the text says what that means
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        assert re.search(rf"default:? {re.escape(shown)}\b", help_text), (flag, shown, help_text)


def _log_line(server, *parts: str, timeout: float = 5.0) -> list[str]:
    """The server's log lines holding every part, once at least one has arrived."""
    deadline = time.monotonic() + timeout
    while True:
        found = [line for line in list(server.lines) if all(part in line for part in parts)]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_why_an_origin_failed_is_logged(server, client, origin_port):
    """The viewer gets CloudFront's page; the server's log one line naming distribution, origin and reason."""
    origin = f"origin-{uuid.uuid4().hex[:10]}.example.com"
    _a_record(server.url, origin)
    closed = _free_port()
    origins = [
        ("refused", _origin(origin, closed, "refused", ConnectionAttempts=1), 502, "refused"),
        ("nodns", _origin(f"nowhere-{uuid.uuid4().hex[:8]}.invalid", 80, "nodns", ConnectionAttempts=1), 502,
         "does not resolve"),
        ("tls", _origin(origin, origin_port, "tls", protocol="https-only", ConnectionAttempts=1), 502, "TLS"),
        ("slow", _origin(origin, origin_port, "slow", ReadTimeout=1), 504, "OriginReadTimeout"),
        ("bucket", {"Id": "bucket", "DomainName": "site-bucket.s3.amazonaws.com",
                    "S3OriginConfig": {"OriginAccessIdentity": ""}}, 502, "S3"),
    ]
    behaviors = [_behavior(origin_id, f"/{origin_id}*") for origin_id, *_ in origins]
    made = client.create_distribution(DistributionConfig=direct_config(
        Origins={"Quantity": len(origins), "Items": [o for _, o, *_ in origins]},
        DefaultCacheBehavior=_behavior("refused"),
        CacheBehaviors={"Quantity": len(behaviors), "Items": behaviors}))["Distribution"]
    for origin_id, _, status, reason in origins:
        path = "/slow/hang" if origin_id == "slow" else f"/{origin_id}/page"
        answer = requests.get(server.url + path, headers={"Host": made["DomainName"]}, timeout=15)
        assert answer.status_code == status, origin_id
        assert PAGE in answer.content and answer.headers["X-Cache"] == "Error from cloudfront"
        lines = _log_line(server, f"distribution {made['Id']} ", f"origin {origin_id}: ")
        assert len(lines) == 1, (origin_id, lines)
        assert f"edge: {status}:" in lines[0] and reason in lines[0], lines[0]
        assert answer.headers["X-Amz-Cf-Id"] in lines[0]
