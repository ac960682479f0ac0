"""WebSocket connections through the edge: a real WebSocket origin (the `websockets` library's server) behind a
distribution made with boto3, real WebSocket clients on the edge's port and on the API's port by Host. Echo
both ways, text and binary, pings, subprotocols; either side's close reaching the other; what a behavior that
does not forward the handshake gives; the idle timeout; many open connections beside HTTP traffic."""
from __future__ import annotations

import concurrent.futures
import contextlib
import socket
import threading
import time
import urllib.parse
import uuid

import pytest
import requests
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect
from websockets.sync.server import serve

from builders import CACHING_OPTIMIZED, direct_config
from serving import RunningServer

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


class _Origin:
    """A WebSocket server that records, per connection id (`/MODE/ID`), the handshake's headers and how
    the connection ended. Paths: `/echo` (a greeting, then every message back), `/close` (closes with 4001
    after the first message), `/tick` (a message every 0.2 s), `/silent` (reads, never writes), `/http` (a
    plain HTTP 200), `/deny` (refuses the handshake with a 403)."""

    def __init__(self):
        self.seen: dict[str, dict] = {}
        self.lock = threading.Lock()
        self.server = serve(self._handle, "127.0.0.1", 0, process_request=self._request,
                            subprotocols=["chat", "superchat"], select_subprotocol=self._subprotocol,
                            ping_interval=None, max_size=2 ** 22)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.port = self.server.socket.getsockname()[1]

    @staticmethod
    def _subprotocol(connection, offered):
        return offered[0] if offered else None

    def record(self, ident: str) -> dict:
        with self.lock:
            return self.seen.setdefault(ident, {"ended": threading.Event(), "close": None, "headers": None,
                                                "requests": []})

    def _request(self, connection, request):
        mode, ident = _route(request.path)
        self.record(ident)["requests"].append({k.lower(): v for k, v in request.headers.raw_items()})
        if mode == "http":
            return connection.respond(200, "plain HTTP\n")
        if mode == "deny":
            return connection.respond(403, "no WebSocket for you\n")
        return None

    def _handle(self, ws):
        mode, ident = _route(ws.request.path)
        record = self.record(ident)
        record["headers"] = {k.lower(): v for k, v in ws.request.headers.raw_items()}
        try:
            if mode == "echo":
                ws.send("welcome")
                for message in ws:
                    ws.send(message)
            elif mode == "close":
                ws.recv()
                ws.close(4001, "bye")
            elif mode == "tick":
                while True:
                    ws.send("tick")
                    time.sleep(0.2)
            elif mode == "silent":
                for _ in ws:
                    pass
        except ConnectionClosed:
            pass
        finally:
            record["close"] = (ws.close_code, ws.close_reason)
            record["ended"].set()

    def stop(self):
        self.server.shutdown()


def _route(path: str) -> tuple[str, str]:
    """`/MODE/ID` (the id in the path, which every policy forwards, unlike a query string)."""
    parts = urllib.parse.urlsplit(path).path.strip("/").split("/")
    return parts[0], parts[1] if len(parts) > 1 else "-"


@pytest.fixture(scope="module")
def origin():
    running = _Origin()
    yield running
    running.stop()


def _distribution(server, client, origin_port: int, **behavior) -> dict:
    name = f"ws-{uuid.uuid4().hex[:10]}.example.com"
    requests.post(server.url + "/_cloudfront-local/dns", json={"name": name, "type": "A", "value": "127.0.0.1"},
                  timeout=5).raise_for_status()
    default = {"TargetOriginId": "origin", "ViewerProtocolPolicy": "allow-all", "CachePolicyId": CACHING_DISABLED,
               "OriginRequestPolicyId": ALL_VIEWER}
    default.update(behavior)
    default = {k: v for k, v in default.items() if v is not None}
    origin = {"Id": "origin", "DomainName": name,
              "CustomOriginConfig": {"HTTPPort": origin_port, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}
    return client.create_distribution(DistributionConfig=direct_config(
        Origins={"Quantity": 1, "Items": [origin]}, DefaultCacheBehavior=default))["Distribution"]


def _address(url: str) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(url)
    return parts.hostname, parts.port


def _open(url: str, host: str, path: str, **options):
    """A WebSocket client on the server's `url` whose handshake names `host`, as one resolving it there."""
    sock = socket.create_connection(_address(url), timeout=10)
    options.setdefault("open_timeout", 10)
    return connect(f"ws://{host}{path}", sock=sock, **options)


def test_echo_both_ways_text_binary_ping_and_subprotocol(server, client, origin):
    """Through the edge's port: the origin's greeting, text and binary echoed (one message of 1 MB), a ping's
    pong, the subprotocol the origin chose; the 101 carries CloudFront's headers, and the origin got the
    handshake with CloudFront's (Via, X-Amz-Cf-Id, X-Forwarded-For) and the viewer's Host (AllViewer)."""
    made = _distribution(server, client, origin.port)
    ident = uuid.uuid4().hex
    with _open(server.edge_url, made["DomainName"], f"/echo/{ident}", subprotocols=["chat"]) as ws:
        assert ws.recv(timeout=5) == "welcome"
        ws.send("hello, origin")
        assert ws.recv(timeout=5) == "hello, origin"
        ws.send(b"\x00\x01\xfe\xff")
        assert ws.recv(timeout=5) == b"\x00\x01\xfe\xff"
        big = bytes(range(256)) * 4096
        ws.send(big)
        assert ws.recv(timeout=10) == big
        assert ws.ping(b"are you there").wait(timeout=5)
        assert ws.subprotocol == "chat"
        headers = ws.response.headers
        assert ws.response.status_code == 101
        assert headers["X-Cache"] == "Miss from cloudfront"
        assert headers["Via"].endswith(".cloudfront.net (CloudFront)")
        assert len(headers["X-Amz-Cf-Id"]) == 56 and headers["X-Amz-Cf-Pop"]
    seen = origin.record(ident)
    assert seen["ended"].wait(5)
    assert seen["close"] == (1000, "")
    sent = seen["headers"]
    assert sent["host"] == made["DomainName"]
    assert sent["upgrade"].lower() == "websocket" and "upgrade" in sent["connection"].lower()
    assert sent["sec-websocket-protocol"] == "chat"
    assert sent["via"].endswith(".cloudfront.net (CloudFront)")
    assert sent["x-amz-cf-id"] == headers["X-Amz-Cf-Id"]
    assert sent["x-forwarded-for"] == "127.0.0.1"


def test_on_the_api_port_by_host(server, client, origin):
    """The API's port takes a viewer's handshake by its Host (`LABEL.cloudfront.localhost:PORT`), as it takes
    HTTP; an upgrade request to the API itself is answered as plain HTTP."""
    made = _distribution(server, client, origin.port, OriginRequestPolicyId=ALL_VIEWER_EXCEPT_HOST)
    port = _address(server.url)[1]
    label = made["DomainName"].split(".", 1)[0]
    ident = uuid.uuid4().hex
    with _open(server.url, f"{label}.cloudfront.localhost:{port}", f"/echo/{ident}") as ws:
        assert ws.recv(timeout=5) == "welcome"
        ws.send("via the API port")
        assert ws.recv(timeout=5) == "via the API port"
    assert origin.record(ident)["headers"]["host"].startswith("ws-")  # the origin's own name: ExceptHost
    answer = requests.get(server.url + "/2020-05-31/distribution", timeout=5,
                          headers={"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                                   "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
    assert answer.status_code in (200, 403), answer.text  # the API's answer, no switch
    assert "Traceback" not in answer.text


def test_origin_closing_reaches_the_viewer(server, client, origin):
    made = _distribution(server, client, origin.port)
    ident = uuid.uuid4().hex
    with _open(server.edge_url, made["DomainName"], f"/close/{ident}") as ws:
        ws.send("goodbye?")
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4001, "bye")  # the origin's close frame
    assert origin.record(ident)["ended"].wait(5)
    assert origin.record(ident)["close"] == (4001, "bye")


def test_viewer_closing_reaches_the_origin(server, client, origin):
    """A close frame goes through with its code and reason; a viewer whose TCP connection just drops ends
    the origin's side too (1006: no close frame came)."""
    made = _distribution(server, client, origin.port)
    ident = uuid.uuid4().hex
    with _open(server.edge_url, made["DomainName"], f"/echo/{ident}") as ws:
        assert ws.recv(timeout=5) == "welcome"
        ws.close(4002, "done here")
    seen = origin.record(ident)
    assert seen["ended"].wait(5)
    assert seen["close"] == (4002, "done here")

    ident = uuid.uuid4().hex
    with _open(server.edge_url, made["DomainName"], f"/echo/{ident}") as ws:
        assert ws.recv(timeout=5) == "welcome"
        ws.socket.shutdown(socket.SHUT_RDWR)
        ws.socket.close()
    seen = origin.record(ident)
    assert seen["ended"].wait(5)
    assert seen["close"][0] == 1006


def test_a_behavior_that_does_not_forward_the_handshake(server, client, origin, account):
    """A cache policy alone (no origin request policy) sends no Sec-WebSocket-* headers: the origin gets a plain
    GET, without Upgrade, and its refusal (the `websockets` server's 426) is what the viewer gets. An origin
    request policy naming Sec-WebSocket-Key and Sec-WebSocket-Version is enough, as the guide says, and so are
    the legacy ForwardedValues, which forward viewer headers by default."""
    plain = _distribution(server, client, origin.port, CachePolicyId=CACHING_OPTIMIZED, OriginRequestPolicyId=None)
    ident = uuid.uuid4().hex
    with pytest.raises(InvalidStatus) as refused:
        with _open(server.edge_url, plain["DomainName"], f"/echo/{ident}"):
            pass
    response = refused.value.response
    assert response.status_code == 426
    assert response.headers["X-Cache"] == "Error from cloudfront"
    sent = origin.record(ident)["requests"][-1]
    assert "sec-websocket-key" not in sent and "upgrade" not in sent
    assert origin.record(ident)["headers"] is None  # no WebSocket was opened

    policy = client.create_origin_request_policy(OriginRequestPolicyConfig={
        "Name": f"ws-{uuid.uuid4().hex[:8]}",
        "HeadersConfig": {"HeaderBehavior": "whitelist",
                          "Headers": {"Quantity": 2, "Items": ["Sec-WebSocket-Key", "Sec-WebSocket-Version"]}},
        "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "all"}})
    named = _distribution(server, client, origin.port, CachePolicyId=CACHING_OPTIMIZED,
                          OriginRequestPolicyId=policy["OriginRequestPolicy"]["Id"])
    ident = uuid.uuid4().hex
    with _open(server.edge_url, named["DomainName"], f"/echo/{ident}", subprotocols=["chat"]) as ws:
        assert ws.recv(timeout=5) == "welcome"
        # Sec-WebSocket-Protocol is not in the policy: the origin is offered no subprotocol, and chooses none.
        assert ws.subprotocol is None
    assert "sec-websocket-protocol" not in origin.record(ident)["headers"]

    legacy = _distribution(server, client, origin.port, CachePolicyId=None, OriginRequestPolicyId=None,
                           ForwardedValues={"QueryString": True, "Cookies": {"Forward": "none"}},
                           MinTTL=0)
    ident = uuid.uuid4().hex
    with _open(server.edge_url, legacy["DomainName"], f"/echo/{ident}") as ws:
        assert ws.recv(timeout=5) == "welcome"


def test_origin_refusing_or_unreachable(server, client, origin):
    """The origin's refusal of the handshake reaches the viewer as it was (403 and its body); an origin that
    is not there gives CloudFront's 502 page."""
    made = _distribution(server, client, origin.port)
    with pytest.raises(InvalidStatus) as refused:
        with _open(server.edge_url, made["DomainName"], "/deny/x"):
            pass
    assert refused.value.response.status_code == 403
    assert refused.value.response.body == b"no WebSocket for you\n"

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        free = closed.getsockname()[1]
    gone = _distribution(server, client, free)
    with pytest.raises(InvalidStatus) as failed:
        with _open(server.edge_url, gone["DomainName"], "/echo"):
            pass
    assert failed.value.response.status_code == 502
    assert b"The request could not be satisfied" in failed.value.response.body


@pytest.fixture(scope="module")
def idle_server():
    with RunningServer("--websocket-idle-seconds", "1") as running:
        yield running


def test_idle_timeout_counts_bytes_from_the_origin(idle_server, origin):
    """With a 1 s idle timeout: a quiet connection is closed (both sides); one the origin keeps writing to
    stays open; one where only the viewer writes is closed all the same, as CloudFront counts only bytes from
    the origin."""
    from conftest import make_client

    client = make_client(idle_server.url, "210987654321")
    made = _distribution(idle_server, client, origin.port)
    host = made["DomainName"]

    ident = uuid.uuid4().hex
    with _open(idle_server.edge_url, host, f"/echo/{ident}", ping_interval=None) as ws:
        assert ws.recv(timeout=5) == "welcome"
        started = time.monotonic()
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=5)
        assert 0.8 < time.monotonic() - started < 4
    assert origin.record(ident)["ended"].wait(5)

    with _open(idle_server.edge_url, host, f"/tick/{uuid.uuid4().hex}", ping_interval=None) as ticking:
        deadline = time.monotonic() + 2.5
        while time.monotonic() < deadline:
            assert ticking.recv(timeout=2) == "tick"

    ident = uuid.uuid4().hex
    with _open(idle_server.edge_url, host, f"/silent/{ident}", ping_interval=None) as talking:
        started = time.monotonic()
        with pytest.raises(ConnectionClosed):
            while time.monotonic() - started < 5:
                talking.send("anyone?")
                time.sleep(0.2)
        assert time.monotonic() - started < 4
    assert origin.record(ident)["ended"].wait(5)


def test_many_connections_do_not_hold_up_http(server, client, origin):
    """Sixty open WebSocket connections through the edge; meanwhile HTTP requests through the edge and API
    calls are answered at once, and every connection still echoes afterwards."""
    made = _distribution(server, client, origin.port)
    host = made["DomainName"]
    with contextlib.ExitStack() as stack:
        sockets = []
        for _ in range(60):
            ws = stack.enter_context(_open(server.edge_url, host, f"/echo/{uuid.uuid4().hex}"))
            assert ws.recv(timeout=5) == "welcome"
            sockets.append(ws)
        started = time.monotonic()

        def plain(_):
            answer = requests.get(f"{server.edge_url}/http/plain", headers={"Host": host}, timeout=10)
            return answer.status_code, answer.text

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(plain, range(24)))
        assert answers == [(200, "plain HTTP\n")] * 24
        assert client.get_distribution(Id=made["Id"])["Distribution"]["Id"] == made["Id"]
        assert time.monotonic() - started < 10
        for index, ws in enumerate(sockets):
            ws.send(f"still here {index}")
        for index, ws in enumerate(sockets):
            assert ws.recv(timeout=5) == f"still here {index}"


def test_a_stopping_server_closes_its_tunnels(origin):
    """SIGTERM with a connection open: the viewer's side and the origin's are closed, and the server exits
    at once rather than waiting for them."""
    from conftest import make_client

    running = RunningServer()
    try:
        client = make_client(running.url, "210987654322")
        made = _distribution(running, client, origin.port)
        ident = uuid.uuid4().hex
        with _open(running.edge_url, made["DomainName"], f"/echo/{ident}", ping_interval=None) as ws:
            assert ws.recv(timeout=5) == "welcome"
            started = time.monotonic()
            running.process.terminate()
            running.process.wait(timeout=10)
            assert time.monotonic() - started < 5
            with pytest.raises(ConnectionClosed):
                ws.recv(timeout=5)
        assert origin.record(ident)["ended"].wait(5)
    finally:
        running.stop(kill=True)


def test_viewer_protocol_policy_and_the_tls_port(origin):
    """The viewer protocol policy applies to a handshake as to any request (the guide): `https-only` refuses
    ws:// with CloudFront's 403, and wss:// on the TLS port goes through; `redirect-to-https` answers 301."""
    import ssl

    from conftest import make_client

    with RunningServer("--edge-tls-port", "0") as running:
        client = make_client(running.url, "210987654323")
        made = _distribution(running, client, origin.port, ViewerProtocolPolicy="https-only")
        with pytest.raises(InvalidStatus) as refused:
            with _open(running.edge_url, made["DomainName"], "/echo/plain"):
                pass
        assert refused.value.response.status_code == 403
        assert refused.value.response.headers["X-Cache"] == "Error from cloudfront"

        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        ident = uuid.uuid4().hex
        sock = socket.create_connection(_address(running.edge_tls_url), timeout=10)
        with connect(f"wss://{made['DomainName']}/echo/{ident}", sock=sock, ssl=context,
                     server_hostname=made["DomainName"], open_timeout=10) as ws:
            assert ws.recv(timeout=5) == "welcome"
            ws.send(b"over TLS")
            assert ws.recv(timeout=5) == b"over TLS"
        assert origin.record(ident)["ended"].wait(5)

        moved = _distribution(running, client, origin.port, ViewerProtocolPolicy="redirect-to-https")
        # (The websockets client follows a redirect itself, and refuses an https:// one: a raw handshake.)
        redirected = requests.get(running.edge_url + "/echo/x", allow_redirects=False, timeout=10, headers={
            "Host": moved["DomainName"], "Connection": "Upgrade", "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
        assert redirected.status_code == 301
        assert redirected.headers["Location"] == f"https://{moved['DomainName']}/echo/x"
