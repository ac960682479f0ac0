"""Hostile viewers and hostile origins at the edge, over raw sockets: every answer is CloudFront's (a 4xx for
what the viewer got wrong, 502/504 for what the origin did), never a 5xx of ours nor a trace, nothing hangs,
and the API and other viewers are served throughout."""
from __future__ import annotations

import collections
import concurrent.futures
import datetime
import http.client
import io
import re
import socket
import threading
import time
import urllib.parse
import uuid

import pytest
import requests
from hypothesis import HealthCheck, given, settings, strategies as st

from builders import CACHING_OPTIMIZED, direct_config
from conftest import make_client
from serving import RunningServer

SLOW_SECONDS = 10  # the server's viewer deadlines (HEAD_SECONDS and the like in cloudfront_local/server.py)
BIG_BODY = 24 * 1024 * 1024  # more than the socket buffers of both ends hold, under the origin answer bound


# -- raw HTTP ------------------------------------------------------------------------------------------------------
def _edge(server) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(server.edge_url)
    return parts.hostname, parts.port


def _exchange(server, data: bytes, timeout: float = 15) -> bytes:
    """Send `data` and read until the server closes the connection."""
    with socket.create_connection(_edge(server), timeout=timeout) as sock:
        try:
            sock.sendall(data)
        except OSError:  # refused mid-send: what it answered is still to be read
            pass
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


class _Wire:
    def __init__(self, data: bytes):
        self.data = data

    def makefile(self, *args, **kwargs):
        return io.BytesIO(self.data)


def _parse(raw: bytes, method: str = "GET") -> tuple[int, http.client.HTTPMessage, bytes]:
    """The first response in `raw`; http.client raises if it is not a whole HTTP/1.x response."""
    response = http.client.HTTPResponse(_Wire(raw), method=method)
    response.begin()
    return response.status, response.headers, response.read()


def _request(host: str | None, path: str = "/", method: str = "GET", extra: bytes = b"", version: str = "1.1") -> bytes:
    head = f"{method} {path} HTTP/{version}\r\n".encode()
    if host is not None:
        head += b"Host: " + host.encode("latin-1") + b"\r\n"
    return head + extra + b"Connection: close\r\n\r\n"


def _cloudfront_error(raw: bytes, status: int) -> None:
    got, headers, body = _parse(raw)
    assert got == status, raw[:300]
    assert headers["X-Cache"] == "Error from cloudfront", raw[:300]
    assert b"The request could not be satisfied" in body and b"Traceback" not in body


def _healthy(server) -> None:
    assert requests.get(server.url + "/_cloudfront-local/health", timeout=5).status_code == 200


# -- origins -------------------------------------------------------------------------------------------------------
class _RawOrigin:
    """A TCP server whose every connection is handed to `behave(connection)`: an origin that does what it likes."""

    def __init__(self, behave):
        self.behave = behave
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.open: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.open.append(connection)
            threading.Thread(target=self._one, args=(connection,), daemon=True).start()

    def _one(self, connection):
        try:
            _read_head(connection)
            self.behave(connection)
        except OSError:
            pass

    def close(self):
        self.sock.close()
        for connection in self.open:
            connection.close()


def _read_head(connection: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return
        data += chunk


def _fine(connection):
    body = b"hello from the origin"
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                       b"Connection: close\r\n\r\n%s" % (len(body), body))
    connection.close()


def _big(connection):
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % BIG_BODY)
    block = b"x" * (1024 * 1024)
    for _ in range(BIG_BODY // len(block)):
        connection.sendall(block)
    connection.close()


@pytest.fixture
def origins():
    made = []

    def start(behave):
        made.append(_RawOrigin(behave))
        return made[-1].port

    yield start
    for origin in made:
        origin.close()


def _distribution(server, client, port: int, read_timeout: int = 30, **behavior) -> str:
    """A distribution whose default behavior goes to 127.0.0.1:`port` through a name in the simulated zone."""
    name = f"origin-{uuid.uuid4().hex[:10]}.example.com"
    requests.post(server.url + "/_cloudfront-local/dns", json={"name": name, "type": "A", "value": "127.0.0.1"},
                  timeout=5).raise_for_status()
    origin = {"Id": "origin", "DomainName": name, "ConnectionAttempts": 1, "ConnectionTimeout": 2,
              "CustomOriginConfig": {"HTTPPort": port, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only",
                                     "OriginReadTimeout": read_timeout}}
    config = direct_config(Origins={"Quantity": 1, "Items": [origin]},
                           DefaultCacheBehavior={"TargetOriginId": "origin", "ViewerProtocolPolicy": "allow-all",
                                                 "CachePolicyId": CACHING_OPTIMIZED,
                                                 "AllowedMethods": {"Quantity": 7, "Items": [
                                                     "GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]},
                                                 **behavior})
    return client.create_distribution(DistributionConfig=config)["Distribution"]["DomainName"]


# -- CloudFront's limits -------------------------------------------------------------------------------------------
def test_request_and_url_limits(server, client, origins):
    domain = _distribution(server, client, origins(_fine))
    assert _parse(_exchange(server, _request(domain, "/" + "a" * 8000)))[0] == 200
    _cloudfront_error(_exchange(server, _request(domain, "/" + "a" * 8200)), 413)
    _cloudfront_error(_exchange(server, _request(domain, "/a?" + "q" * 8200)), 413)

    fat = b"".join(b"X-Pad-%d: %s\r\n" % (n, b"v" * 3000) for n in range(6))  # about 18 KB: within the limit
    assert _parse(_exchange(server, _request(domain, extra=fat)))[0] == 200
    _cloudfront_error(_exchange(server, _request(domain, extra=fat + b"X-Last: " + b"v" * 3000 + b"\r\n")), 413)

    # Headers that never end are refused once past the limit, not buffered.
    started = time.monotonic()
    with socket.create_connection(_edge(server), timeout=10) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: " + domain.encode() + b"\r\nX-Endless: ")
        raw = b""
        try:
            for _ in range(1000):
                sock.sendall(b"v" * 4096)
        except OSError:
            pass
        while chunk := _recv(sock):
            raw += chunk
    _cloudfront_error(raw, 413)
    assert time.monotonic() - started < 5
    _healthy(server)


def _recv(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except ConnectionResetError:
        return b""


# -- malformed requests --------------------------------------------------------------------------------------------
def test_malformed_requests_get_a_4xx(server, client, origins):
    domain = _distribution(server, client, origins(_fine))
    expected = {
        "missing Host": (_request(None), 400),
        "HTTP/1.0 without Host": (_request(None, version="1.0"), 403),
        "Host with a space": (_request("exa mple.com"), 400),
        "Host with a bad port": (_request(domain + ":http"), 400),
        "Host of garbage": (_request("\x7f<>\"{}"), 400),
        "empty Host": (_request(""), 400),
        "two Hosts": (_request(domain, extra=b"Host: " + domain.encode() + b"\r\n"), 400),
        "unknown Host": (_request("nobody.example.net"), 403),
    }
    for case, (data, status) in expected.items():
        raw = _exchange(server, data)
        assert _parse(raw)[0] == status, (case, raw[:300])
        _cloudfront_error(raw, status)

    assert _parse(_exchange(server, _request(domain + ":8080")))[0] == 200
    assert _parse(_exchange(server, _request(domain.upper() + ".")))[0] == 200
    # absolute-form: uvicorn keeps only the path; the Host header names the distribution.
    absolute = _parse(_exchange(server, _request(domain, f"http://{domain}/a")))
    assert absolute[0] == 200 and absolute[2] == b"hello from the origin"

    # What the HTTP parser refuses itself: CloudFront's 400 page all the same, and the connection closed.
    unparsable = [
        b"GARBAGE\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,  # a TLS ClientHello on the plain port
        b"GET / HTTP/1.1\r\nHost: " + domain.encode() + b"\r\nBad Header: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\x00b\r\n\r\n",
        b"GET /\x01 HTTP/1.1\r\nHost: " + domain.encode() + b"\r\n\r\n",
        b"GET / HTTP/9.9\r\nHost: " + domain.encode() + b"\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: " + domain.encode() + b"\r\nContent-Length: abc\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: " + domain.encode() + b"\r\nContent-Length: 3\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: " + domain.encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"FROB / HTTP/1.1\r\nHost: " + domain.encode() + b"\r\n\r\n",
    ]
    for data in unparsable:
        raw = _exchange(server, data)
        status, headers, _ = _parse(raw)
        assert 400 <= status < 500, (data, raw[:300])
        _cloudfront_error(raw, status)
    _healthy(server)
    assert not [line for line in server.lines if "Traceback" in line]


# -- slow viewers --------------------------------------------------------------------------------------------------
def _closed_within(sock: socket.socket, seconds: float) -> tuple[float, bytes]:
    """Read until the server closes; how long it took and what came."""
    started = time.monotonic()
    sock.settimeout(seconds)
    data = b""
    while chunk := _recv(sock):
        data += chunk
    return time.monotonic() - started, data


def test_slow_viewers_are_let_go_and_others_served(server, client, origins):
    domain = _distribution(server, client, origins(_fine))
    big = _distribution(server, client, origins(_big))
    address = _edge(server)

    def silent():
        with socket.create_connection(address) as sock:
            return _closed_within(sock, SLOW_SECONDS + 10)

    def dribbling():
        with socket.create_connection(address) as sock:
            sock.settimeout(0.5)
            started = time.monotonic()
            for byte in _request(domain) * 10:
                try:
                    sock.sendall(bytes([byte]))
                    if sock.recv(1) == b"":
                        break
                except socket.timeout:
                    continue
                except OSError:
                    break
            return time.monotonic() - started, b""

    def stalled_body():
        with socket.create_connection(address) as sock:
            sock.sendall(b"POST / HTTP/1.1\r\nHost: " + domain.encode() + b"\r\nContent-Length: 100\r\n\r\n0123456789")
            return _closed_within(sock, SLOW_SECONDS + 10)

    def not_reading():
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        with sock:
            sock.connect(address)
            sock.sendall(_request(big))
            time.sleep(SLOW_SECONDS + 5)
            took, data = _closed_within(sock, 20)
            return took, len(data)

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        slow = [pool.submit(job) for job in (silent, dribbling, stalled_body, not_reading)]
        time.sleep(1)
        for _ in range(5):  # the server goes on answering while they hang on
            started = time.monotonic()
            _healthy(server)
            assert _parse(_exchange(server, _request(domain)))[0] == 200
            assert time.monotonic() - started < 2
            time.sleep(0.5)
        silent_took, silent_data = slow[0].result(timeout=60)
        dribble_took, _ = slow[1].result(timeout=60)
        stalled_took, stalled_data = slow[2].result(timeout=60)
        _, read = slow[3].result(timeout=60)

    assert silent_data == b"" and silent_took < SLOW_SECONDS + 3
    assert dribble_took < SLOW_SECONDS + 3
    assert stalled_took < SLOW_SECONDS + 3
    _cloudfront_error(stalled_data, 408)
    assert read < BIG_BODY  # the viewer that would not read was cut off, not waited for
    _healthy(server)


# -- hostile origins -----------------------------------------------------------------------------------------------
def _hang(connection):
    time.sleep(30)


def _garbage(connection):
    connection.sendall(b"\x00\x01\x02 this is not HTTP at all \xff\xfe\r\n\r\n")
    connection.close()


def _half_body(connection):
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly ten b")
    connection.close()


def _early_hints(connection):  # a 103 read as the answer would leave the viewer waiting for a final one
    connection.sendall(b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                       b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    connection.close()


def _odd_status(connection):
    connection.sendall(b"HTTP/1.1 999 Odd\r\nContent-Length: 2\r\n\r\nok")
    connection.close()


def _huge_header(connection):
    connection.sendall(b"HTTP/1.1 200 OK\r\nX-Huge: " + b"h" * 70000 + b"\r\nContent-Length: 2\r\n\r\nok")
    connection.close()


def _large_headers(connection):  # each line fine, together past CloudFront's 20,480 bytes
    lines = b"".join(b"X-Part-%d: %s\r\n" % (i, b"p" * 3000) for i in range(8))
    connection.sendall(b"HTTP/1.1 200 OK\r\n" + lines + b"Content-Length: 2\r\n\r\nok")
    connection.close()


def _hang_up(connection):
    connection.close()


@pytest.mark.parametrize("behave, status", [(_hang, 504), (_garbage, 502),
                                            (_half_body, 502), (_large_headers, 502),
                                            (_early_hints, 502), (_odd_status, 502),
                                            (_huge_header, 502), (_hang_up, 502)])
def test_hostile_origins_get_cloudfronts_502_and_504(server, client, origins, behave, status):
    domain = _distribution(server, client, origins(behave), read_timeout=1)
    started = time.monotonic()
    raw = _exchange(server, _request(domain), timeout=20)
    assert time.monotonic() - started < 8
    _cloudfront_error(raw, status)
    _healthy(server)


# -- fuzz ----------------------------------------------------------------------------------------------------------
_CTL = st.binary(min_size=1, max_size=3)
_TEXT = st.one_of(st.text(max_size=30).map(lambda t: t.encode("utf-8")), st.binary(max_size=30))
_PATH = st.lists(st.one_of(st.sampled_from([b"/", b"a", b"%", b"%2F", b"%ff", b"..", b"?", b"#", b"&", b"=",
                                             b"*", b"\xc3\xa9", b"index.html", b" ", b"\t", b"~", b"%2e%2e",
                                             b"%5C", b"%00", b"C:"]), _CTL),
                 max_size=8).map(lambda parts: b"/" + b"".join(parts))
# No Transfer-Encoding: a chunked body the fuzz leaves unfinished would only test the body deadline, slowly.
_NAME = st.one_of(st.sampled_from([b"Host", b"Cookie", b"X-Forwarded-For",
                                   b"Expect", b"Range", b"Accept-Encoding", b"Origin", b"If-None-Match"]),
                  st.from_regex(rb"\A[A-Za-z0-9!#$%&'*+.^_`|~-]{1,20}\Z"), st.binary(min_size=1, max_size=10))
_VALUE = st.one_of(st.sampled_from([b"", b"0", b"-1", b"5", b"chunked", b"100-continue", b"bytes=0-1",
                                    b"gzip", b"a=b; c=d", b"1.2.3.4"]), _TEXT)


def _vpc_distribution(server, client, port: int) -> str:
    """A distribution whose origin is a VPC origin on 127.0.0.1:`port`, reached through the simulated zone."""
    name = f"internal-{uuid.uuid4().hex[:10]}.elb.amazonaws.com"
    requests.post(server.url + "/_cloudfront-local/dns", json={"name": name, "type": "A", "value": "127.0.0.1"},
                  timeout=5).raise_for_status()
    vpc = client.create_vpc_origin(VpcOriginEndpointConfig={
        "Name": f"fuzz-{uuid.uuid4().hex[:8]}", "Arn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:"
        "loadbalancer/app/fuzz/1", "HTTPPort": port, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"})
    origin = {"Id": "origin", "DomainName": name, "ConnectionAttempts": 1, "ConnectionTimeout": 2,
              "VpcOriginConfig": {"VpcOriginId": vpc["VpcOrigin"]["Id"], "OriginReadTimeout": 2}}
    config = direct_config(Origins={"Quantity": 1, "Items": [origin]}, DefaultCacheBehavior={
        "TargetOriginId": "origin", "ViewerProtocolPolicy": "allow-all", "CachePolicyId": CACHING_OPTIMIZED,
        "AllowedMethods": {"Quantity": 7, "Items": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]}})
    return client.create_distribution(DistributionConfig=config)["Distribution"]["DomainName"]


@pytest.fixture(scope="module")
def fuzz_domains(server):
    account = str(900000000000 + uuid.uuid4().int % 10 ** 8)
    origin = _RawOrigin(_fine)
    client = make_client(server.url, account)
    # The VPC origin's distribution gets the same viewers: a VPC origin is reached as a custom origin is.
    yield [_distribution(server, client, origin.port, read_timeout=2) for _ in range(2)] + \
        [_vpc_distribution(server, client, origin.port)]
    origin.close()


_STATUSES: collections.Counter = collections.Counter()


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_viewer_requests_get_whole_answers(server, fuzz_domains, data):
    method = data.draw(st.sampled_from([b"GET", b"HEAD", b"POST", b"PUT", b"DELETE", b"OPTIONS", b"PATCH",
                                        b"CONNECT", b"TRACE", b"get", b"FROB"]))
    host = data.draw(st.one_of(st.sampled_from(fuzz_domains).map(str.encode),
                               st.sampled_from(fuzz_domains).map(lambda d: d.upper().encode() + b":80"),
                               _TEXT, st.none()))
    headers = data.draw(st.lists(st.tuples(_NAME, _VALUE), max_size=5))
    body = data.draw(st.binary(max_size=200))
    version = data.draw(st.sampled_from([b"1.1", b"1.1", b"1.0", b"2.0"]))
    head = method + b" " + data.draw(_PATH) + b" HTTP/" + version + b"\r\n"
    if host is not None:
        head += b"Host: " + host + b"\r\n"
    for name, value in headers:
        if name.lower() not in (b"connection", b"content-length", b"transfer-encoding"):
            head += name + b": " + value + b"\r\n"
    if data.draw(st.booleans()):
        head += b"Content-Length: %d\r\n" % len(body)
    raw = _exchange(server, head + b"Connection: close\r\n\r\n" + body, timeout=SLOW_SECONDS + 10)
    status, answer_headers, _ = _parse(raw, "HEAD" if method == b"HEAD" else "GET")
    _STATUSES[status] += 1
    assert status < 500 or status in (502, 503, 504), raw[:500]
    if status >= 400:
        assert answer_headers["X-Cache"] == "Error from cloudfront", raw[:500]


def test_server_still_answers_after_the_fuzz(server):
    # The fuzz reached distributions (a 200 from the origin) as well as CloudFront's refusals.
    assert _STATUSES[200] and _STATUSES[400] and _STATUSES[403], _STATUSES
    _healthy(server)
    assert not [line for line in server.lines if "Traceback" in line or "internal error" in line]


# -- fuzz: continuous deployment's header and stickiness cookie ---------------------------------------------------
def _says(body: bytes):
    def behave(connection):
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
        connection.close()
    return behave


@pytest.fixture(scope="module")
def staged_domains(server):
    """Two primaries with staging copies on another origin: one routed by header, one by weight with sticky
    sessions."""
    client = make_client(server.url, str(900000000000 + uuid.uuid4().int % 10 ** 8))
    sides = {name: _RawOrigin(_says(name.encode())) for name in ("primary", "staging")}
    domains = []
    for traffic in ({"Type": "SingleHeader", "SingleHeaderConfig": {"Header": "aws-cf-cd-fuzz", "Value": "on"}},
                    {"Type": "SingleWeight", "SingleWeightConfig": {
                        "Weight": 0.15, "SessionStickinessConfig": {"IdleTTL": 300, "MaximumTTL": 600}}}):
        domain = _distribution(server, client, sides["primary"].port)
        primary = next(d for d in client.list_distributions()["DistributionList"]["Items"]
                       if d["DomainName"] == domain)
        staging = client.copy_distribution(PrimaryDistributionId=primary["Id"], Staging=True,
                                           CallerReference=str(uuid.uuid4()))
        config = staging["Distribution"]["DistributionConfig"]
        config["Origins"]["Items"][0]["CustomOriginConfig"]["HTTPPort"] = sides["staging"].port
        client.update_distribution(Id=staging["Distribution"]["Id"], IfMatch=staging["ETag"], DistributionConfig=config)
        policy = client.create_continuous_deployment_policy(ContinuousDeploymentPolicyConfig={
            "StagingDistributionDnsNames": {"Quantity": 1, "Items": [staging["Distribution"]["DomainName"]]},
            "Enabled": True, "TrafficConfig": traffic})["ContinuousDeploymentPolicy"]
        current = client.get_distribution_config(Id=primary["Id"])
        client.update_distribution(Id=primary["Id"], IfMatch=current["ETag"], DistributionConfig={
            **current["DistributionConfig"], "ContinuousDeploymentPolicyId": policy["Id"]})
        domains.append(domain)
    yield domains
    for side in sides.values():
        side.close()


_CD_BODIES: collections.Counter = collections.Counter()
_CD_VALUE = st.one_of(st.sampled_from([b"", b"on", b"ON", b"on;", b"s.1.1.0", b"p.0.0.00", b"s." + b"9" * 30,
                                       b"s.1e9.1.0", b"\xc2\xb2.1.1.0", b"s..", b"...."]), _TEXT)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_staging_headers_and_cookies_get_whole_answers(server, staged_domains, data):
    head = b"GET /cd HTTP/1.1\r\nHost: " + data.draw(st.sampled_from(staged_domains)).encode() + b"\r\n"
    for _ in range(data.draw(st.integers(0, 3))):
        name = data.draw(st.sampled_from([b"aws-cf-cd-fuzz", b"AWS-CF-CD-FUZZ", b"Cookie"]))
        value = data.draw(_CD_VALUE)
        if name == b"Cookie" and data.draw(st.booleans()):
            tail = data.draw(st.sampled_from([b"", b"; a=b", b";;", b"; aws-cf-cd-session=x"]))
            value = b"aws-cf-cd-session=" + value + tail
        head += name + b": " + value + b"\r\n"
    raw = _exchange(server, head + b"Connection: close\r\n\r\n", timeout=SLOW_SECONDS + 10)
    status, headers, body = _parse(raw)
    assert status < 500, raw[:500]
    if status == 200:
        _CD_BODIES[body] += 1
        for cookie in headers.get_all("Set-Cookie") or []:
            assert cookie.startswith("aws-cf-cd-session=") and cookie.endswith("; Path=/; HttpOnly"), cookie
    else:
        assert headers["X-Cache"] == "Error from cloudfront", raw[:500]


def test_the_staging_fuzz_reached_both_sides(server):
    assert _CD_BODIES[b"primary"] and _CD_BODIES[b"staging"], _CD_BODIES
    _healthy(server)
    assert not [line for line in server.lines if "Traceback" in line or "internal error" in line]


# -- field-level encryption: hostile forms, content types and profile names ----------------------------------------
_FORM = "application/x-www-form-urlencoded"
_FLE_STATUSES: collections.Counter = collections.Counter()
_FORM_PART = st.one_of(st.sampled_from([b"card", b"card2", b"ssn", b"ssn*", b"Card", b"=", b"&", b"+", b"%",
                                        b"%zz", b"%ff", b"%00", b"%3D", b"%26", b"\xc3\xa9", b"\xff", b" "]),
                       _TEXT)
_FORM_BODY = st.one_of(st.lists(_FORM_PART, max_size=12).map(b"".join),
                       st.lists(st.tuples(st.sampled_from([b"card", b"ssn1", b"name"]), _TEXT), max_size=12).map(
                           lambda pairs: b"&".join(name + b"=" + urllib.parse.quote_from_bytes(value).encode()
                                                   for name, value in pairs)))
_CONTENT_TYPE = st.one_of(st.sampled_from([_FORM.encode(), _FORM.upper().encode() + b"; charset=utf-8",
                                           b"application/json", b"", b";", b"multipart/form-data; boundary=x"]),
                          _TEXT)
_FLE_QUERY = st.one_of(st.just(b""), st.sampled_from([b"fle-profile=alt", b"fle-profile=nope", b"fle-profile",
                                                      b"fle-profile=&fle-profile=alt", b"fle%2Dprofile=alt"]),
                       _TEXT.map(lambda t: b"fle-profile=" + t))


@pytest.fixture(scope="module")
def fle_domain(server):
    from certificates import public_key_pem

    account = str(900000000000 + uuid.uuid4().int % 10 ** 8)
    client = make_client(server.url, account)
    key_id = client.create_public_key(PublicKeyConfig={"CallerReference": "fuzz", "Name": "fuzz-key",
                                                       "EncodedKey": public_key_pem()})["PublicKey"]["Id"]

    def profile(name: str, patterns: list[str]) -> str:
        return client.create_field_level_encryption_profile(FieldLevelEncryptionProfileConfig={
            "Name": name, "CallerReference": name, "EncryptionEntities": {"Quantity": 1, "Items": [{
                "PublicKeyId": key_id, "ProviderId": "fuzz",
                "FieldPatterns": {"Quantity": len(patterns), "Items": patterns}}]}})["FieldLevelEncryptionProfile"]["Id"]

    fle = client.create_field_level_encryption_config(FieldLevelEncryptionConfig={
        "CallerReference": "fuzz",
        "ContentTypeProfileConfig": {"ForwardWhenContentTypeIsUnknown": False, "ContentTypeProfiles": {
            "Quantity": 1, "Items": [{"ContentType": _FORM, "Format": "URLEncoded",
                                      "ProfileId": profile("main", ["card*", "ssn"])}]}},
        "QueryArgProfileConfig": {"ForwardWhenQueryArgProfileIsUnknown": False, "QueryArgProfiles": {
            "Quantity": 1, "Items": [{"QueryArg": "alt", "ProfileId": profile("alt", ["name"])}]}}})
    origin = _RawOrigin(_fine)
    yield _distribution(server, client, origin.port, read_timeout=2,
                        FieldLevelEncryptionId=fle["FieldLevelEncryption"]["Id"])
    origin.close()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_forms_through_field_level_encryption_get_whole_answers(server, fle_domain, data):
    method = data.draw(st.sampled_from([b"POST", b"POST", b"POST", b"PUT", b"GET"]))
    query = data.draw(_FLE_QUERY)
    body = data.draw(_FORM_BODY)
    head = method + b" /form" + (b"?" + query if query else b"") + b" HTTP/1.1\r\nHost: " + fle_domain.encode()
    head += b"\r\nContent-Type: " + data.draw(_CONTENT_TYPE) + b"\r\nContent-Length: %d\r\n" % len(body)
    raw = _exchange(server, head + b"Connection: close\r\n\r\n" + body, timeout=SLOW_SECONDS + 10)
    status, answer_headers, _ = _parse(raw)
    _FLE_STATUSES[status] += 1
    assert status < 500 or status in (502, 503, 504), raw[:500]
    if status >= 400:
        assert answer_headers["X-Cache"] == "Error from cloudfront", raw[:500]


def test_the_field_level_encryption_fuzz_reached_both_sides(server):
    # Forms encrypted and sent on (the origin's 200) as well as requests the config refuses (400).
    assert _FLE_STATUSES[200] and _FLE_STATUSES[400], _FLE_STATUSES
    _healthy(server)
    assert not [line for line in server.lines if "Traceback" in line or "internal error" in line]


# -- fuzz: signed URLs and cookies for TrustedSigners (legacy CloudFront key pairs) -----------------------------------
@pytest.fixture(scope="module")
def signed_site(server):
    """A distribution trusting its own account's key pair, and a valid signed URL's parameters for /a."""
    from botocore.signers import CloudFrontSigner
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    account = str(920000000000 + uuid.uuid4().int % 10 ** 8)
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = private.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    registered = requests.post(server.url + "/_cloudfront-local/key-pairs",
                               json={"account": account, "publicKey": public}, timeout=5)
    registered.raise_for_status()
    origin = _RawOrigin(_fine)
    client = make_client(server.url, account)
    host = _distribution(server, client, origin.port, read_timeout=2)
    config = client.get_distribution_config(Id=_id_of(client, host))
    config["DistributionConfig"]["DefaultCacheBehavior"]["TrustedSigners"] = {
        "Enabled": True, "Quantity": 1, "Items": ["self"]}
    client.update_distribution(Id=_id_of(client, host), IfMatch=config["ETag"],
                               DistributionConfig=config["DistributionConfig"])
    signer = CloudFrontSigner(registered.json()["id"],
                              lambda message: private.sign(message, padding.PKCS1v15(), hashes.SHA1()))
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=10)
    url = signer.generate_presigned_url(f"https://{host}/a", date_less_than=later)
    yield host, url.split("?", 1)[1]
    origin.close()


def _id_of(client, host: str) -> str:
    items = client.list_distributions()["DistributionList"].get("Items") or []
    return next(item["Id"] for item in items if item["DomainName"] == host)


_SIGNING_NAMES = st.sampled_from([b"Expires", b"Policy", b"Signature", b"Key-Pair-Id", b"Hash-Algorithm", b"x"])
_SIGNING_VALUES = st.one_of(st.sampled_from([b"", b"0", b"9999999999", b"APKA0000000000000000", b"SHA256", b"MD5",
                                             b"eyJTdGF0ZW1lbnQiOltdfQ__", b"%ff", b"~~~", b"-_~"]), _TEXT)
_SIGNED_STATUSES: collections.Counter = collections.Counter()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_signed_urls_and_cookies_get_a_200_or_403(server, signed_site, data):
    host, valid = signed_site
    pairs = [part.encode() for part in valid.split("&")]
    # The valid signature's parameters, some dropped, changed or joined by hostile ones.
    kept = data.draw(st.lists(st.sampled_from(pairs), max_size=4, unique=True))
    added = data.draw(st.lists(st.tuples(_SIGNING_NAMES, _SIGNING_VALUES), max_size=3))
    query = b"&".join(kept + [name + b"=" + urllib.parse.quote_from_bytes(value).encode() for name, value in added])
    as_cookie = data.draw(st.booleans())
    head = b"GET /a" + (b"" if as_cookie or not query else b"?" + query) + b" HTTP/1.1\r\nHost: " + host.encode()
    if as_cookie and query:
        head += b"\r\nCookie: " + b"; ".join(b"CloudFront-" + part for part in query.split(b"&"))
    raw = _exchange(server, head + b"\r\nConnection: close\r\n\r\n", timeout=SLOW_SECONDS + 10)
    status, headers, _ = _parse(raw)
    _SIGNED_STATUSES[status] += 1
    assert status in (200, 400, 403), raw[:500]
    if status >= 400:
        assert headers["X-Cache"] == "Error from cloudfront", raw[:500]


def test_the_signed_url_fuzz_was_both_let_in_and_refused(server, signed_site):
    assert _SIGNED_STATUSES[200] and _SIGNED_STATUSES[403], _SIGNED_STATUSES
    assert not [line for line in server.lines if "Traceback" in line or "internal error" in line]


# -- fuzz: paths through an origin access identity, signed for the --s3-endpoint ------------------------------------
@pytest.fixture(scope="module")
def oai_server():
    from s3_signing_stand_in import SigningS3

    bucket = SigningS3({"media/index.html": b"through the identity", "media/a b/%.txt": b"odd name"})
    with RunningServer("--s3-endpoint", bucket.url) as running:
        client = make_client(running.url, str(930000000000 + uuid.uuid4().int % 10 ** 8))
        identity = client.create_cloud_front_origin_access_identity(CloudFrontOriginAccessIdentityConfig={
            "CallerReference": uuid.uuid4().hex, "Comment": ""})["CloudFrontOriginAccessIdentity"]["Id"]
        origin = {"Id": "b", "DomainName": "media.s3.us-west-2.amazonaws.com",
                  "S3OriginConfig": {"OriginAccessIdentity": f"origin-access-identity/cloudfront/{identity}"}}
        host = client.create_distribution(DistributionConfig=direct_config(
            Origins={"Quantity": 1, "Items": [origin]}, DefaultCacheBehavior={
                "TargetOriginId": "b", "ViewerProtocolPolicy": "allow-all",
                "CachePolicyId": CACHING_OPTIMIZED}))["Distribution"]["DomainName"]
        yield running, host
    bucket.close()


_OAI_STATUSES: collections.Counter = collections.Counter()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(path=st.one_of(st.sampled_from([b"/index.html", b"/a%20b/%25.txt", b"/a b/%.txt", b"/a%20b/%2525.txt"]),
                      _PATH))
def test_fuzzed_paths_through_an_origin_access_identity(oai_server, path):
    running, host = oai_server
    raw = _exchange(running, b"GET " + path + b" HTTP/1.1\r\nHost: " + host.encode()
                    + b"\r\nConnection: close\r\n\r\n", timeout=SLOW_SECONDS + 10)
    status, _, body = _parse(raw)
    _OAI_STATUSES[status] += 1
    # What the stand-in answers (200, 400, 403 and 404: it checks each signature) or CloudFront's own 4xx/502.
    assert status < 500 or status == 502, (path, raw[:500])
    assert b"SignatureDoesNotMatch" not in body, (path, raw[:500])


def test_the_identity_fuzz_reached_the_bucket(oai_server):
    running, _ = oai_server
    assert _OAI_STATUSES[200], _OAI_STATUSES
    assert not [line for line in running.lines if "Traceback" in line or "internal error" in line]


# -- fuzz: paths that try to leave the local buckets' directory ---------------------------------------------------
SECRET = b"fuzz-secret-outside-the-buckets"
_ESCAPE = st.lists(st.sampled_from([b"/", b"..", b"%2e%2e", b"%2E%2e", b".", b"%2e", b"%2F", b"%2f", b"%5C", b"\\",
                                    b"%00", b"\x00", b"%252e%252e", b"C:", b"secret", b"link", b"up", b"site",
                                    b"escaped", b"index.html", b"docs", b"%ff", b"a"]),
                   max_size=12).map(lambda parts: b"/" + b"".join(parts))
# Built to aim: a folder of the bucket, then steps up (dots and separators, plain, encoded, doubly encoded),
# then something outside (the secrets, a link out, a bucket that is a link out) or inside.
_AIMED = st.builds(lambda start, hops, end: b"/" + start + b"".join(dots + sep for dots, sep in hops) + end,
                   st.sampled_from([b"", b"docs/", b"up/", b"a/", b"/"]),
                   st.lists(st.tuples(st.sampled_from([b"..", b"%2e%2e", b"%2E%2e", b".%2e", b"%252e%252e", b"."]),
                                      st.sampled_from([b"/", b"%2F", b"%2f", b"%5C", b"\\", b"//"])), max_size=4),
                   st.sampled_from([b"secret", b"link", b"up/secret", b"up/outside/index.html", b"escaped/index.html",
                                    b"outside/index.html", b"index.html", b"docs", b"link%00", b"secret%00.html",
                                    b"C:%5Csecret", b"%2Fsecret"]))
_ESCAPE_STATUSES: collections.Counter = collections.Counter()


@pytest.fixture(scope="module")
def bucket_server(tmp_path_factory):
    """A server on --s3-dir whose buckets hold links out, with a secret beside and above the directory; a
    distribution on a bucket behind an origin access control (403 → /index.html) and one on a website."""
    top = tmp_path_factory.mktemp("fuzz-buckets")
    (top / "secret").write_bytes(SECRET)
    (top / "outside").mkdir()
    (top / "outside" / "index.html").write_bytes(SECRET)
    buckets = top / "s3"
    (buckets / "site" / "docs").mkdir(parents=True)
    (buckets / "secret").write_bytes(SECRET)
    (buckets / "site" / "index.html").write_bytes(b"spa index")
    (buckets / "site" / "docs" / "index.html").write_bytes(b"docs index")
    (buckets / "site" / "link").symlink_to(top / "secret")
    (buckets / "site" / "up").symlink_to(top)
    (buckets / "escaped").symlink_to(top / "outside")
    with RunningServer("--s3-dir", str(buckets), "--s3-website", "site=index.html,missing.html") as running:
        client = make_client(running.url, str(910000000000 + uuid.uuid4().int % 10 ** 8))
        oac = client.create_origin_access_control(OriginAccessControlConfig={
            "Name": f"fuzz-{uuid.uuid4().hex[:8]}", "SigningProtocol": "sigv4", "SigningBehavior": "always",
            "OriginAccessControlOriginType": "s3"})["OriginAccessControl"]["Id"]
        behavior = {"TargetOriginId": "b", "ViewerProtocolPolicy": "allow-all", "CachePolicyId": CACHING_OPTIMIZED}
        rest = {"Id": "b", "DomainName": "site.s3.amazonaws.com", "OriginAccessControlId": oac,
                "S3OriginConfig": {"OriginAccessIdentity": ""}}
        website = {"Id": "b", "DomainName": "site.s3-website-us-east-1.amazonaws.com",
                   "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}
        errors = {"Quantity": 1, "Items": [{"ErrorCode": 403, "ResponsePagePath": "/index.html",
                                            "ResponseCode": "200", "ErrorCachingMinTTL": 0}]}
        hosts = [client.create_distribution(DistributionConfig=direct_config(
                     Origins={"Quantity": 1, "Items": [rest]}, DefaultCacheBehavior=behavior,
                     CustomErrorResponses=errors))["Distribution"]["DomainName"],
                 client.create_distribution(DistributionConfig=direct_config(
                     Origins={"Quantity": 1, "Items": [website]}, DefaultCacheBehavior=behavior))[
                     "Distribution"]["DomainName"]]
        yield running, hosts


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_paths_never_leave_the_local_buckets(bucket_server, data):
    running, hosts = bucket_server
    host = data.draw(st.sampled_from(hosts))
    path = data.draw(st.one_of(_AIMED, _AIMED, _ESCAPE, _PATH))
    method = data.draw(st.sampled_from([b"GET", b"GET", b"HEAD"]))
    raw = _exchange(running, method + b" " + path + b" HTTP/1.1\r\nHost: " + host.encode()
                    + b"\r\nConnection: close\r\n\r\n", timeout=SLOW_SECONDS + 10)
    assert SECRET not in raw, (path, raw[:500])
    status, _, _ = _parse(raw, "HEAD" if method == b"HEAD" else "GET")
    _ESCAPE_STATUSES[status] += 1
    assert status < 500 or status in (502, 503, 504), (path, raw[:500])


def test_the_path_fuzz_reached_the_buckets(bucket_server):
    running, _ = bucket_server
    # Served (index documents, the 403 fallback) and refused (the website's 404) both came up.
    assert _ESCAPE_STATUSES[200] and _ESCAPE_STATUSES[404], _ESCAPE_STATUSES
    assert not [line for line in running.lines if "Traceback" in line or "internal error" in line]


# -- hostile Lambda@Edge handlers ------------------------------------------------------------------------------------
_ROLE = "arn:aws:iam::123456789012:role/edge-lambda"
# The fuzzed viewer's body (JSON) is what this handler returns: every shape of result a handler could give.
_ECHO = """import base64, json
def handler(event, context):
    return json.loads(base64.b64decode(event['Records'][0]['cf']['request']['body']['data']))
"""
_HOSTILE = {
    "hang": ("nodejs20.x", "exports.handler = async () => { for (;;) {} };", 503),
    "fork-and-hang": ("python3.12", "import os, time\ndef handler(e, c):\n    os.fork()\n    time.sleep(600)\n", 503),
    "megabytes-of-output": ("nodejs20.x", "exports.handler = async (e) => { for (let i = 0; i < 2000; i++) "
                            "console.log('y'.repeat(4096)); return e.Records[0].cf.request; };", 200),
    "huge-body": ("python3.12", "def handler(e, c):\n    return {'status': '200', 'body': 'z' * (8 * 1024 * 1024)}\n",
                  502),
    "exit": ("python3.12", "import os\ndef handler(e, c):\n    os._exit(7)\n", 503),
    "recursion": ("nodejs20.x", "const f = (n) => f(n + 1); exports.handler = async () => f(0);", 503),
    "circular": ("nodejs20.x", "exports.handler = async () => { const a = {}; a.a = a; return a; };", 503),
}


def _lambda_distribution(server, account: str, port: int, runtime: str, source: str, include_body=False) -> str:
    import zipfile

    import boto3

    lam = boto3.client("lambda", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id=account,
                       aws_secret_access_key="secret")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.js" if runtime.startswith("node") else "app.py", source)
    name = f"hostile-{uuid.uuid4().hex[:10]}"
    lam.create_function(FunctionName=name, Runtime=runtime, Role=_ROLE, Timeout=2,
                        Handler="index.handler" if runtime.startswith("node") else "app.handler",
                        Code={"ZipFile": buffer.getvalue()})
    arn = lam.publish_version(FunctionName=name)["FunctionArn"]
    client = make_client(server.url, account)
    domain = _distribution(server, client, port)
    distribution = next(d for d in client.list_distributions()["DistributionList"]["Items"] if d["DomainName"] == domain)
    current = client.get_distribution_config(Id=distribution["Id"])
    config = current["DistributionConfig"]
    config["DefaultCacheBehavior"]["CachePolicyId"] = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    config["DefaultCacheBehavior"]["LambdaFunctionAssociations"] = {"Quantity": 1, "Items": [
        {"EventType": "viewer-request", "LambdaFunctionARN": arn, "IncludeBody": include_body}]}
    client.update_distribution(Id=distribution["Id"], IfMatch=current["ETag"], DistributionConfig=config)
    return domain


@pytest.mark.parametrize("kind", sorted(_HOSTILE))
def test_hostile_lambda_handlers_get_cloudfronts_answer_and_the_server_goes_on(server, origins, kind):
    runtime, source, status = _HOSTILE[kind]
    account = str(910000000000 + uuid.uuid4().int % 10 ** 8)
    domain = _lambda_distribution(server, account, origins(_fine), runtime, source)
    started = time.monotonic()
    got, headers, _ = _parse(_exchange(server, _request(domain, "/"), timeout=30))
    assert got == status and time.monotonic() - started < 15
    if status >= 500:
        assert headers["X-Cache"].startswith("Lambda") and headers["X-Cache"].endswith(" from cloudfront")
    _healthy(server)


@pytest.fixture(scope="module")
def echo_domain(server):
    account = str(920000000000 + uuid.uuid4().int % 10 ** 8)
    origin = _RawOrigin(_fine)
    yield _lambda_distribution(server, account, origin.port, "python3.12", _ECHO, include_body=True)
    origin.close()


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                                 max_size=4), max_leaves=12)
_ENTRY = st.fixed_dictionaries({}, optional={"key": st.text(max_size=12), "value": _JSON})
_RESULT = st.one_of(
    _JSON,
    st.fixed_dictionaries({}, optional={
        "status": st.one_of(st.sampled_from(["200", "302", "404", "999", "abc", ""]), st.integers(-5, 1000)),
        "statusDescription": _JSON, "bodyEncoding": st.sampled_from(["text", "base64", "gzip"]),
        "body": st.one_of(st.text(max_size=40), _JSON),
        "headers": st.one_of(_JSON, st.dictionaries(st.text(max_size=12), st.one_of(_JSON, st.lists(_ENTRY, max_size=3)),
                                                    max_size=3))}),
    st.fixed_dictionaries({"uri": st.one_of(st.text(max_size=30), _JSON)}, optional={
        "querystring": st.one_of(st.text(max_size=30), _JSON), "method": _JSON,
        "headers": st.dictionaries(st.text(max_size=12), st.lists(_ENTRY, max_size=3), max_size=3),
        "body": st.one_of(_JSON, st.fixed_dictionaries({"action": st.sampled_from(["replace", "read-only", "x"]),
                                                        "encoding": st.sampled_from(["text", "base64", "x"]),
                                                        "data": _JSON}))}),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(result=_RESULT)
def test_fuzzed_lambda_results_get_whole_answers(server, echo_domain, result):
    import json

    body = json.dumps(result).encode()
    raw = _exchange(server, b"POST / HTTP/1.1\r\nHost: " + echo_domain.encode() + b"\r\nContent-Length: %d\r\n"
                    b"Connection: close\r\n\r\n" % len(body) + body, timeout=30)
    status, headers, _ = _parse(raw)
    # A 5xx is CloudFront's Lambda error page, or one the handler generated itself (a result {"status": 500}).
    generated = headers["X-Cache"] == "LambdaGeneratedResponse from cloudfront"
    assert status < 500 or status in (502, 503) or generated, raw[:500]
    assert headers["X-Cache"].endswith(" from cloudfront"), raw[:500]
    assert "internal error" not in "".join(server.lines), "".join(server.lines)[-3000:]


# -- WebSocket handshakes and tunnels -----------------------------------------------------------------------------
ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
_KEY = b"dGhlIHNhbXBsZSBub25jZQ=="


def _ws_distribution(server, client, port: int) -> str:
    """A distribution that passes WebSockets (AllViewer) to 127.0.0.1:`port`, with a 2 s read timeout."""
    name = f"ws-{uuid.uuid4().hex[:10]}.example.com"
    requests.post(server.url + "/_cloudfront-local/dns", json={"name": name, "type": "A", "value": "127.0.0.1"},
                  timeout=5).raise_for_status()
    origin = {"Id": "origin", "DomainName": name, "ConnectionAttempts": 1, "ConnectionTimeout": 2,
              "CustomOriginConfig": {"HTTPPort": port, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only",
                                     "OriginReadTimeout": 2}}
    config = direct_config(Origins={"Quantity": 1, "Items": [origin]},
                           DefaultCacheBehavior={"TargetOriginId": "origin", "ViewerProtocolPolicy": "allow-all",
                                                 "CachePolicyId": CACHING_DISABLED, "OriginRequestPolicyId": ALL_VIEWER})
    return client.create_distribution(DistributionConfig=config)["Distribution"]["DomainName"]


def _handshake(host: str, extra: bytes = b"", key: bytes = _KEY, method: bytes = b"GET") -> bytes:
    return (method + b" /chat HTTP/1.1\r\nHost: " + host.encode() + b"\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Key: " + key + b"\r\nSec-WebSocket-Version: 13\r\n" + extra + b"\r\n")


def _through(server, data: bytes, after: bytes = b"", seconds: float = 10) -> tuple[int, bytes, float]:
    """Send a handshake (and `after` once it is switched); the answer's status, what the server sent (an
    ordinary answer to its end, a tunnel's bytes until it closed), and how long that took. A 101 followed by
    nothing is closed by us after `seconds`."""
    started = time.monotonic()
    with socket.create_connection(_edge(server), timeout=seconds) as sock:
        sock.sendall(data)
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
        status = int(received.split(b" ", 2)[1]) if received.startswith(b"HTTP/1.1 ") else 0
        if after and status == 101:
            try:
                sock.sendall(after)
            except OSError:
                pass
        # An ordinary answer (the edge always gives its length) leaves the connection open for the next
        # request: read to its end. After a 101, read until the tunnel closes.
        length = re.search(rb"\r\ncontent-length: *(\d+)\r\n", received.partition(b"\r\n\r\n")[0] + b"\r\n", re.I)
        whole = len(received.partition(b"\r\n\r\n")[0]) + 4 + int(length.group(1)) if status != 101 and length else None
        try:
            while whole is None or len(received) < whole:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received += chunk
        except (socket.timeout, ConnectionResetError):
            if status != 101:
                raise
    return status, received, time.monotonic() - started


@pytest.fixture(scope="module")
def ws_origin():
    from websockets.sync.server import serve

    def echo(ws):
        for message in ws:
            ws.send(message)

    origin = serve(echo, "127.0.0.1", 0, max_size=64 * 1024, ping_interval=None, close_timeout=2)
    threading.Thread(target=origin.serve_forever, daemon=True).start()
    yield origin.socket.getsockname()[1]
    origin.shutdown()


@pytest.fixture(scope="module")
def ws_domain(server, ws_origin):
    return _ws_distribution(server, make_client(server.url, str(910000000000 + uuid.uuid4().int % 10 ** 8)), ws_origin)


def _frame(payload: bytes, opcode: int = 1, length: int | None = None) -> bytes:
    """A masked client frame; `length` claims another payload length than the one sent."""
    size = len(payload) if length is None else length
    head = bytes([0x80 | opcode])
    if size < 126:
        head += bytes([0x80 | size])
    elif size < 1 << 16:
        head += bytes([0x80 | 126]) + size.to_bytes(2, "big")
    else:
        head += bytes([0x80 | 127]) + size.to_bytes(8, "big")
    mask = b"\x01\x02\x03\x04"
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def test_hostile_websocket_viewers(server, ws_domain):
    """Bad keys, upgrades that are not WebSocket handshakes, garbage after the head or after the 101, frames
    claiming huge payloads, a frame too big for the origin: each ends with the origin's answer or its close,
    in bounded time, never a 5xx of ours, and the server goes on."""
    # A key that is not 16 bytes of base64: the origin refuses the handshake, and its 400 is what comes back.
    status, raw, _ = _through(server, _handshake(ws_domain, key=b"not a key"))
    assert status == 400, raw[:300]
    assert b"X-Cache: Error from cloudfront" in raw.replace(b"x-cache", b"X-Cache")
    # Not a WebSocket handshake: an ordinary request (the origin's 426: no upgrade reached it).
    for head in (_handshake(ws_domain, method=b"POST", extra=b"Content-Length: 0\r\n"),
                 _handshake(ws_domain).replace(b"Upgrade: websocket", b"Upgrade: h2c"),
                 _handshake(ws_domain).replace(b"Connection: Upgrade", b"Connection: keep-alive")):
        status, raw, _ = _through(server, head)
        assert 400 <= status < 500, (head, raw[:300])
    # Garbage in the same packet as the head: it reaches the origin as the first "frame", which closes.
    status, raw, took = _through(server, _handshake(ws_domain) + b"\x00garbage\xff" * 10)
    assert status == 101 and took < 8, raw[:300]
    # Garbage after the 101; a frame claiming 2**62 bytes; a text frame that is not UTF-8; one past the
    # origin's max_size: the origin closes (1002, 1009, 1007), and so does the edge's viewer side.
    for after in (b"\xde\xad\xbe\xef" * 64, _frame(b"x" * 10, length=1 << 62), _frame(b"\xff\xfe"),
                  _frame(b"y" * (128 * 1024), opcode=2)):
        status, raw, took = _through(server, _handshake(ws_domain), after)
        assert status == 101 and took < 8, (after[:20], raw[:300])
    # A well-formed ping and a close are passed both ways, as bytes.
    status, raw, took = _through(server, _handshake(ws_domain), _frame(b"hi", opcode=9) + _frame(b"\x03\xe8", 8))
    assert status == 101 and b"\x8a\x02hi" in raw and took < 8, raw[-40:]
    _healthy(server)


def _switch_then(rest: bytes, close: bool = True):
    def behave(connection):
        connection.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n" + rest)
        if close:
            connection.close()
        else:
            time.sleep(30)
    return behave


@pytest.mark.parametrize("behave, status", [
    (_hang, 504), (_garbage, 502), (_huge_header, 502), (_large_headers, 502), (_hang_up, 502), (_early_hints, 502),
    (_switch_then(b"\x81\x05hello"), 101), (_switch_then(b""), 101), (_fine, 200)])
def test_hostile_websocket_origins(server, client, origins, behave, status):
    """An origin that hangs, answers garbage, headers past the bound, hangs up, or switches and then goes:
    the viewer gets CloudFront's 502/504 page or the 101 and whatever came, and the connection ends."""
    domain = _ws_distribution(server, client, origins(behave))
    got, raw, took = _through(server, _handshake(domain))
    assert got == status, raw[:300]
    assert took < 8
    if status >= 500:
        _cloudfront_error(raw, status)
    if behave.__name__ == "behave" and status == 101:
        assert raw.endswith(b"\r\n\r\n\x81\x05hello") or raw.endswith(b"\r\n\r\n"), raw[-40:]
    _healthy(server)


_WS_NAME = st.sampled_from([b"Sec-WebSocket-Key", b"Sec-WebSocket-Version", b"Sec-WebSocket-Protocol",
                            b"Sec-WebSocket-Extensions", b"Upgrade", b"Connection", b"Origin"])
# (No Content-Length: a body promised and not sent is the viewer fuzz's, whose 408 takes 10 s.)
_WS_VALUE = st.one_of(st.sampled_from([b"", b"13", b"8", b"websocket", b"Upgrade", b"upgrade, keep-alive", _KEY,
                                       b"permessage-deflate; client_max_window_bits", b"chat, superchat", b"0",
                                       b"websocket, h2c", b"WebSocket"]), _TEXT)
_WS_STATUSES: collections.Counter = collections.Counter()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_websocket_handshakes(server, ws_domain, data):
    """Handshakes with fuzzed WebSocket headers, and fuzzed bytes after the head or after the answer: a whole
    answer every time (the 101, the origin's refusal, or CloudFront's page), never a 5xx of ours."""
    head = b"GET /chat HTTP/1.1\r\nHost: " + ws_domain.encode() + b"\r\n"
    if data.draw(st.booleans()):
        head += b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
    for name, value in data.draw(st.lists(st.tuples(_WS_NAME, _WS_VALUE), max_size=5)):
        head += name + b": " + value + b"\r\n"
    if data.draw(st.booleans()):
        head += b"Sec-WebSocket-Key: " + _KEY + b"\r\n"
    tail = data.draw(st.binary(max_size=40))
    after = data.draw(st.one_of(st.just(b""), st.binary(min_size=1, max_size=200),
                                st.builds(_frame, st.binary(max_size=60), st.sampled_from([1, 2, 8, 9, 10, 3]))))
    status, raw, took = _through(server, head + b"\r\n" + tail, after + _frame(b"\x03\xe8", 8), seconds=6)
    _WS_STATUSES[status] += 1
    assert took < 12, raw[:300]
    if status != 101:
        got, headers, _ = _parse(raw)
        assert got == status and (status < 500 or status in (502, 503, 504)), raw[:500]
        if status >= 400:
            assert headers["X-Cache"] == "Error from cloudfront", raw[:500]


def test_the_websocket_fuzz_reached_the_tunnel(server):
    assert _WS_STATUSES[101] and sum(n for s, n in _WS_STATUSES.items() if s != 101), _WS_STATUSES
    _healthy(server)
    assert not [line for line in server.lines if "Traceback" in line or "internal error" in line]
