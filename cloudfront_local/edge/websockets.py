"""WebSocket connections through the edge, as CloudFront passes them: the viewer's handshake (a GET with
`Connection: Upgrade` and `Upgrade: websocket`) goes to the origin when the behavior forwards the handshake's
headers, the origin's answer comes back, and after a 101 the two sockets are joined byte for byte, both ways,
until either side goes or no byte has come from the origin for the idle timeout. CloudFront does not read
the frames, and neither does this: text, binary, ping, pong and close frames, extensions and subprotocols are
the two ends' business (docs/behaviour.md, "WebSockets at the edge").

Sources (CloudFront Developer Guide): "Use WebSockets with CloudFront distributions" (forward all viewer
headers, or Sec-WebSocket-Key and Sec-WebSocket-Version, in the origin request policy; the viewer and origin
protocol policies apply as to HTTP); the quotas page ("Origin response timeout (idle timeout)", 10 minutes:
"If CloudFront hasn't detected any bytes sent from the origin to the client within the past 10 minutes, the
connection is assumed to be idle and is closed")."""
from __future__ import annotations

import asyncio
import logging
import socket
import ssl
import time

import httptools

from . import events, forwarding, origins, pages
from .delivery import NOT_FORWARDED, _failed, _parts
from .responses import POP, EdgeResponse, bare_error, finish, via_name

log = logging.getLogger("cloudfront_local")
# The handshake headers the guide says the behavior must forward; without them the origin gets a plain GET.
REQUIRED = ("sec-websocket-key", "sec-websocket-version")
CLOSE_STALL_SECONDS = 10.0  # a side that does not take the last bytes before the close is cut off (ours)


def asks(method: str, headers) -> bool:
    """Whether a request is a WebSocket handshake (RFC 6455, 4.1): a GET whose Connection names `upgrade`
    and whose Upgrade names `websocket`, each among a list of tokens, case-insensitively."""
    if method != "GET":
        return False
    connection, upgrade = set(), set()
    for name, value in headers:
        name = name.lower() if isinstance(name, str) else name.decode("latin-1").lower()
        value = value if isinstance(value, str) else value.decode("latin-1")
        if name == "connection":
            connection.update(token.strip().lower() for token in value.split(","))
        elif name == "upgrade":
            upgrade.update(token.strip().lower().split("/")[0] for token in value.split(","))
    return "upgrade" in connection and "websocket" in upgrade


class Handover:
    """A viewer connection whose handshake's head is in: reading stops there, and what came after the head
    is kept for the tunnel (a client may send its first frame before the 101 arrives)."""

    def __init__(self, protocol):
        self.protocol = protocol  # the server's ViewerProtocol
        self.held = bytearray()
        protocol.flow.pause_reading()

    def hold(self, data: bytes) -> None:
        # Reading is paused, so this is what one read brought at most.
        self.held += data

    def release(self) -> None:
        """The handshake was answered as an ordinary request: the connection goes on as HTTP, from the bytes
        held (closing it with them unread would have the kernel reset it, and the answer could be lost)."""
        self.protocol.handover_released(bytes(self.held))


def _member(plan):
    """The custom origin a handshake can go to, or None: an S3 origin (or a local bucket) answers a plain GET,
    and an unreachable one its 502, through the ordinary path."""
    members = plan.route.members
    return members[0] if members and type(members[0]) is origins.Target else None


def _origin_request(plan, target: origins.Target) -> tuple[list[tuple[str, str]], str] | None:
    """The handshake's headers and path as the origin gets them, or None when the behavior does not forward
    what the handshake needs."""
    request = events.request_event(plan.method, plan.uri, plan.query, plan.headers + plan.generated_headers())
    uri, query, headers = _parts(request)
    chosen = plan.chosen
    legacy = plan.behavior.get("ForwardedValues") if chosen.cache_policy is None else None
    forwarded = forwarding.to_origin(chosen.cache_params, chosen.origin_request, legacy, headers, query,
                                     plan.generated(), plan.method)
    names = {k.lower() for k, _ in forwarded.headers}
    if not all(name in names for name in REQUIRED):
        return None
    # Upgrade and Connection are hop-by-hop, never forwarded as headers: the edge asks its own upgrade.
    upgrade = next((v for k, v in plan.headers if k.lower() == "upgrade"), "websocket")
    sent = [("Upgrade", upgrade), ("Connection", "Upgrade")]
    sent += [(events.header_name(k), v) for k, v in forwarded.headers if k.lower() not in NOT_FORWARDED]
    forwarded_for = [v for k, v in plan.headers if k.lower() == "x-forwarded-for"]
    sent.append(("X-Forwarded-For", ", ".join([*forwarded_for, plan.viewer_ip])))
    if forwarded.cookie:
        sent.append(("Cookie", forwarded.cookie))
    host = next((v for k, v in headers if k.lower() == "host"), None) if forwarded.host else None
    default_port = 443 if target.scheme == "https" else 80
    sent.append(("Host", host or (target.domain if target.port == default_port
                                  else f"{target.domain}:{target.port}")))
    sent.append(("Via", f"1.1 {via_name()}.cloudfront.net (CloudFront)"))
    sent.append(("X-Amz-Cf-Id", plan.request_id))
    sent += target.headers
    path = target.path + events.quoted_uri(uri)
    return sent, path + (f"?{forwarded.query}" if forwarded.query else "")


def tunnels(plan) -> bool:
    """Whether a handshake goes through as one: a custom origin, and the handshake's headers forwarded. A
    function that could not be loaded still gets its 503 the ordinary way."""
    target = _member(plan)
    return not plan.error and target is not None and _origin_request(plan, target) is not None


async def relay(plan, handover: Handover, respond, idle_seconds: float) -> None:
    """The handshake to the origin and its answer back; after a 101, the tunnel. `respond` sends an ordinary
    answer (the origin's refusal, or CloudFront's 502/504 page), after which the connection goes on as HTTP."""
    target = _member(plan)
    headers, path_and_query = _origin_request(plan, target)
    head = [f"GET {path_and_query} HTTP/1.1"] + [f"{k}: {v}" for k, v in headers]
    wire = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1", "replace")
    loop = asyncio.get_running_loop()
    try:
        transport, side = await _connect(loop, target)
    except origins.OriginError as failure:
        await _refuse(plan, target, respond, failure)
        handover.release()
        return
    transport.write(wire)
    try:
        answer = await side.answer(target.read_timeout)
    except origins.OriginError as failure:
        transport.abort()
        await _refuse(plan, target, respond, failure)
        handover.release()
        return
    if answer.status != 101:
        transport.close()
        kept = [(k, v) for k, v in answer.headers if k.lower() not in origins.HOP_BY_HOP]
        cache = "Error" if answer.status >= 400 else "Miss"
        await respond(finish(EdgeResponse(answer.status, kept, answer.body), plan.request_id, cache), False)
        handover.release()
        return
    viewer = handover.protocol.transport
    if viewer.is_closing():
        transport.abort()
        return
    viewer.write(_switching(answer.headers, plan.request_id))
    Tunnel(loop, handover, transport, side, idle_seconds, answer.rest)


def _switching(headers: list[tuple[str, str]], request_id: str) -> bytes:
    """The 101 the viewer gets: the origin's headers (Upgrade, Connection and Sec-WebSocket-Accept among
    them), CloudFront's own added as on every answer."""
    ours = {"via", "x-cache", "x-amz-cf-pop", "x-amz-cf-id", "content-length", "transfer-encoding"}
    lines = ["HTTP/1.1 101 Switching Protocols"]
    lines += [f"{k}: {v}" for k, v in headers if k.lower() not in ours]
    lines += ["X-Cache: Miss from cloudfront", f"Via: 1.1 {via_name()}.cloudfront.net (CloudFront)",
              f"X-Amz-Cf-Pop: {POP}", f"X-Amz-Cf-Id: {request_id}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")


async def _refuse(plan, target, respond, failure: origins.OriginError) -> None:
    _failed(plan, target.origin_id, failure.status, str(failure))
    message = pages.TIMED_OUT if failure.status == 504 else pages.CANNOT_CONNECT
    await respond(finish(bare_error(failure.status, message, plan.request_id), plan.request_id, "Error"), False)


async def _connect(loop, target: origins.Target):
    """A connection to the origin, tried ConnectionAttempts times within ConnectionTimeout each; raises
    OriginError as origins.fetch does (502 refused or unresolvable, 504 no connection in time)."""
    where = f"{target.address}:{target.port}"
    context = None
    if target.scheme == "https":
        context = ssl.create_default_context()
        context.check_hostname = False  # as origins.fetch: the origin's certificate is not verified
        context.verify_mode = ssl.CERT_NONE
    failure = None
    for _ in range(target.attempts):
        side = _OriginSide()
        try:
            async with asyncio.timeout(target.connect_timeout):
                transport, _ = await loop.create_connection(
                    lambda: side, target.address, target.port, ssl=context,
                    server_hostname=target.domain if context else None)
            return transport, side
        except TimeoutError:
            failure = origins.OriginError(504, f"no connection to {where} within {target.connect_timeout:g} s "
                                               f"(ConnectionTimeout), {target.attempts} attempts")
        except socket.gaierror:
            failure = origins.OriginError(502, f"{target.address} does not resolve")
        except ssl.SSLError as error:
            failure = origins.OriginError(502, f"TLS with {where} failed: {error}")
        except (OSError, ValueError) as error:
            failure = origins.OriginError(502, f"cannot connect to {where}: {error}")
    raise failure


class _Answer:
    def __init__(self):
        self.status = 0
        self.headers: list[tuple[str, str]] = []
        self.body = bytearray()
        self.rest = b""  # what came after a 101's head: the origin's first frames


class _OriginSide(asyncio.Protocol):
    """The origin's socket: first its answer to the handshake, parsed; after a 101, one end of the tunnel."""

    def __init__(self):
        self.parser = httptools.HttpResponseParser(self)
        self.result = _Answer()
        self.done: asyncio.Future | None = None
        self.head_bytes = 0    # read before the end of the head: bounds a head that never ends
        self.header_bytes = 0  # the headers' own size, as origins.fetch counts it
        self.headers_complete = False
        self.tunnel: Tunnel | None = None
        self.transport = None
        self._name = b""

    # -- the handshake's answer ----------------------------------------------------------------------------
    def answer(self, read_timeout: float):
        self.done = asyncio.get_running_loop().create_future()
        if self.transport is None or self.transport.is_closing():
            self._fail(502, "closed the connection before answering")

        async def waited():
            try:
                async with asyncio.timeout(read_timeout):
                    return await self.done
            except TimeoutError:
                raise origins.OriginError(504, f"no answer to a WebSocket handshake within {read_timeout:g} s "
                                               "(OriginReadTimeout)") from None
        return waited()

    def on_header(self, name: bytes, value: bytes) -> None:
        self.header_bytes += len(name) + len(value) + 4
        self.result.headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        self.headers_complete = True
        self.result.status = self.parser.get_status_code()
        if self.header_bytes > origins.MAX_HEADER_BYTES:  # as origins.fetch bounds an answer's headers
            self._fail(502, f"answered headers over {origins.MAX_HEADER_BYTES} bytes")

    def on_body(self, body: bytes) -> None:
        self.result.body += body
        if len(self.result.body) > origins.MAX_RESPONSE_BYTES:
            self._fail(502, f"answered more than {origins.MAX_RESPONSE_BYTES} bytes")

    def on_message_complete(self) -> None:
        if self.result.status == 101:
            return
        if 200 <= self.result.status <= 599:
            self._finish()
        else:  # a 1xx other than 101, as origins.fetch refuses one
            self._fail(502, f"answered with status {self.result.status}")

    def _finish(self) -> None:
        if self.done is not None and not self.done.done():
            self.result.body = bytes(self.result.body)
            self.done.set_result(self.result)

    def _fail(self, status: int, reason: str) -> None:
        if self.done is not None and not self.done.done():
            self.done.set_exception(origins.OriginError(status, f"origin {reason}"))
        if self.transport is not None:
            self.transport.abort()

    # -- the socket ----------------------------------------------------------------------------------------
    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self.tunnel is not None:
            self.tunnel.from_origin(data)
            return
        if self.done is not None and self.done.done():
            return
        if not self.headers_complete:
            self.head_bytes += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade as upgrade:
            if self.result.status == 101:
                self.result.rest = bytes(data[upgrade.args[0]:])
                self.transport.pause_reading()  # until the tunnel takes the socket over
                self._finish()
                return
        except httptools.HttpParserError as error:
            self._fail(502, f"answered what is not HTTP ({error})")
            return
        if not self.headers_complete and self.head_bytes > origins.MAX_HEADER_BYTES:
            self._fail(502, f"answered headers over {origins.MAX_HEADER_BYTES} bytes")
        elif self.headers_complete and self.result.status == 101 and self.done is not None:
            self._finish()  # a 101 the parser did not pause on: the tunnel starts all the same

    def eof_received(self):
        if self.tunnel is not None:
            self.tunnel.close()
            return False
        if self.headers_complete and self.result.status not in (0, 101):
            self._finish()  # a body that runs to the end of the connection
        else:
            self._fail(502, "closed the connection before answering")
        return False

    def connection_lost(self, exc) -> None:
        if self.tunnel is not None:
            self.tunnel.close()
        else:
            self._fail(502, "closed the connection before answering")

    def pause_writing(self) -> None:
        if self.tunnel is not None:
            self.tunnel.viewer.pause_reading()

    def resume_writing(self) -> None:
        if self.tunnel is not None and not self.tunnel.viewer.is_closing():
            self.tunnel.viewer.resume_reading()


class _ViewerSide(asyncio.Protocol):
    """The viewer's socket once the 101 is sent: what it reads goes to the origin."""

    def __init__(self, tunnel: "Tunnel"):
        self.tunnel = tunnel

    def data_received(self, data: bytes) -> None:
        self.tunnel.origin.write(data)

    def eof_received(self):
        self.tunnel.close()
        return False

    def connection_lost(self, exc) -> None:
        self.tunnel.close()

    def pause_writing(self) -> None:
        self.tunnel.origin.pause_reading()

    def resume_writing(self) -> None:
        if not self.tunnel.origin.is_closing():
            self.tunnel.origin.resume_reading()


class Tunnel:
    """The viewer's socket and the origin's joined. Either one's end (a close, an EOF, a reset) closes the
    other after what it already sent is written; so does the idle timeout, counted from the last byte the
    origin sent, as CloudFront counts it. It counts among the server's connections, so that a shutdown
    closes it."""

    def __init__(self, loop, handover: Handover, origin, origin_side: _OriginSide, idle_seconds: float,
                 first: bytes):
        protocol = handover.protocol
        self.loop, self.idle_seconds = loop, idle_seconds
        self.viewer, self.origin = protocol.transport, origin
        self.connections = protocol.connections
        self.closed = False
        # The server no longer tracks the HTTP protocol, whose cycle ends here without an answer of its own.
        self.connections.discard(protocol)
        if protocol.cycle is not None:
            protocol.cycle.disconnected = True
        self.connections.add(self)
        self.viewer.set_protocol(_ViewerSide(self))
        origin_side.tunnel = self
        self.last = time.monotonic()
        self.timer = loop.call_later(idle_seconds, self._check_idle)
        if origin.is_closing():  # the origin went between its 101 and now: its first bytes still go
            self.viewer.write(first)
            self.close()
            return
        if first:
            self.from_origin(first)
        if handover.held:
            origin.write(bytes(handover.held))
        origin.resume_reading()
        self.viewer.resume_reading()

    def from_origin(self, data: bytes) -> None:
        self.last = time.monotonic()
        self.viewer.write(data)

    def _check_idle(self) -> None:
        left = self.last + self.idle_seconds - time.monotonic()
        if left > 0:
            self.timer = self.loop.call_later(left, self._check_idle)
            return
        self.timer = None
        log.info("edge: WebSocket connection closed: no byte from the origin for %g s", self.idle_seconds)
        self.close()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.timer is not None:
            self.timer.cancel()
        self.connections.discard(self)
        for transport in (self.viewer, self.origin):
            transport.close()  # after what is buffered is written
        # A side that never reads what is left holds its socket no longer than this.
        self.loop.call_later(CLOSE_STALL_SECONDS, self._abort)

    def _abort(self) -> None:
        for transport in (self.viewer, self.origin):
            transport.abort()  # nothing for a transport already closed

    def shutdown(self) -> None:
        """uvicorn's call to every connection when the server stops."""
        self.close()
