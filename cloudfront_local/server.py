"""The ASGI applications: the API's (a request off the wire to `Application`, the answer back) and the edge's
(viewer requests to the edge pipeline), and the one that picks between them by the listening socket and the
Host."""
from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import re
import select
import sys
import time
import traceback

import httptools
from uvicorn.protocols.http.httptools_impl import HEADER_RE, HEADER_VALUE_RE, STATUS_LINE, HttpToolsProtocol

from .application import INTERNAL_PREFIX, MAX_URL_BYTES, Application
from .config import Settings
from .edge import pages, responses as edge_pipeline, routing

log = logging.getLogger("cloudfront_local")

# CloudFront's limits on a viewer request (Developer Guide, "Request and response behavior for custom origins",
# "Maximum length of a request and maximum length of a URL"; the quotas page lists the same figures): the
# request line and headers at most 20,480 bytes, the URL CloudFront builds from it at most 8,192; past either,
# "CloudFront returns HTTP status code 413, Request Entity Too Large, to the viewer, and then terminates the
# TCP connection".
MAX_REQUEST_BYTES = 20480
# How long a slow viewer may hold a connection. CloudFront documents no viewer-side figures, so these are
# ours: long enough for any real client on a local machine, short enough that a stalled one is let go.
HEAD_SECONDS = 10.0        # from the connection (or a request's first byte) to the end of its headers
BODY_IDLE_SECONDS = 10.0   # between two pieces of a request body
WRITE_STALL_SECONDS = 10.0  # a viewer that stops reading its answer
# How long an API connection may wait idle, fresh or between requests, before the server closes it: longer than
# any AWS SDK keeps an idle connection (Go's net/http 90 s, the Java SDK's 60 s, hyper's 90 s), so that the
# client is always the one to close. A server that closes first races the client's next request on that
# connection; the client sees a reset and cannot tell whether its write was applied, and SDKs send it again
# (docs/behaviour.md, "Keep-alive connections"). The edge keeps uvicorn_config's shorter figure.
API_IDLE_SECONDS = 120.0


class PayloadTooLarge(Exception):
    pass


class AsgiApp:
    def __init__(self, application: Application):
        self.application = application
        self.max_body = application.settings.max_body_bytes
        # A store whose transactions run side by side (PostgreSQL) gets its requests in threads, as many at
        # once as it has connections for them, so that one server overlaps its database waits; the others keep
        # the event loop (see __call__).
        workers = application.workers
        self._threads = concurrent.futures.ThreadPoolExecutor(workers, "api") if workers else None

    async def __call__(self, scope, receive, send):
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
            return
        if kind != "http":
            return
        raw_path = scope.get("raw_path")
        # The path as sent, still percent-encoded: an encoded '/' inside an ARN must stay inside its label.
        path = raw_path.decode("latin-1").split("?", 1)[0] if raw_path else scope["path"]
        headers = {}
        for key, value in scope["headers"]:
            headers[key.decode("latin-1").lower()] = value.decode("latin-1")
        try:
            declared = int(headers.get("content-length") or 0)
        except ValueError:
            declared = 0
        limit = self.application.body_limit(path)
        try:
            if declared > limit:
                raise PayloadTooLarge
            body = await read_body(receive, limit)
        except PayloadTooLarge:
            body = None
        query = scope.get("query_string", b"").decode("latin-1")
        # Handlers run on the event loop: one SQLite connection serialises them anyway, and each is well
        # under a millisecond, so a thread hop would cost more than it frees. On PostgreSQL, API calls wait
        # on the database, and go to a thread; the emulator's own endpoints (reset, the dashboard) stay here.
        if self._threads is None or path.startswith(INTERNAL_PREFIX):
            response = self.application.handle(scope["method"], path, query, headers, body)
        else:
            response = await asyncio.get_running_loop().run_in_executor(
                self._threads, self.application.handle, scope["method"], path, query, headers, body)
        raw = [(_wire(k), _wire(v)) for k, v in response.headers.items()]
        raw.append((b"content-length", str(len(response.body)).encode()))
        if body is None:
            raw.append((b"connection", b"close"))  # the unread body makes the connection unusable
        await send({"type": "http.response.start", "status": response.status, "headers": raw})
        await send({"type": "http.response.body", "body": response.body})

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                origins = sys.modules.get("cloudfront_local.edge.origins")  # loaded only if a viewer came
                if origins is not None:
                    await origins.close()  # pooled origin connections, closed while their loop still runs
                if self._threads is not None:
                    self._threads.shutdown()  # the calls under way finish before their store closes
                self.application.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


class BodyStalled(Exception):
    pass


async def read_body(receive, limit: int, idle: float | None = None) -> bytes:
    """The request body; PayloadTooLarge as soon as it grows past `limit` bytes, BodyStalled when no piece
    of it arrives for `idle` seconds."""
    chunks = []
    size = 0
    while True:
        if idle is None:
            message = await receive()
        else:
            try:
                # asyncio.timeout, not wait_for: wait_for wraps each receive in a task of its own.
                async with asyncio.timeout(idle):
                    message = await receive()
            except TimeoutError:
                raise BodyStalled from None
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _has_body(headers: list[tuple[str, str]]) -> bool:
    """Whether a request's head announces a body (RFC 9112, 6.3: Content-Length above 0, or Transfer-Encoding)."""
    for name, value in headers:
        if name == "transfer-encoding" or (name == "content-length" and value.strip() not in ("0", "")):
            return True
    return False


def _wire(text: str) -> bytes:
    """Header text as bytes: latin-1 where it fits (what HTTP/1.1 clients decode), UTF-8 where it does not."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


class EdgeAsgiApp:
    """Viewer traffic: the request checked as CloudFront checks it, then handed to the edge pipeline, all on the
    event loop: reading the configuration, where the API's store work runs, and the origin request, awaited,
    so that one slow origin holds up neither the API nor other viewers (what would block, a function's run,
    waits on a thread: edge/delivery.py)."""

    def __init__(self, application, max_body: int):
        self.application = application
        self._edge = None
        self.max_body = max_body

    @property
    def edge(self):
        """The pipeline, made when the first viewer arrives: a server used for its API only never loads it."""
        if self._edge is None:
            from .edge.pipeline import Edge
            from .edge.viewed import Viewed

            self._viewed = Viewed  # each viewer request's record, the end-of-request hook's (Edge.answered)
            self._edge = Edge(self.application)
        return self._edge

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        started = False

        async def respond(response: edge_pipeline.EdgeResponse, close: bool) -> None:
            nonlocal started
            direct = scope.pop(_DIRECT, None)
            if direct is not None and scope.get(VIEWER_WEBSOCKET) is None:
                protocol, cycle = direct
                if protocol.flow.write_paused:
                    await protocol.flow.drain()
                if not protocol.transport.is_closing() and protocol.write_answer(cycle, response, close):
                    started = True
                    return
            raw = [(_wire(k), _wire(v)) for k, v in response.headers]
            raw.append((b"content-length", str(response.content_length).encode()))
            if close:
                raw.append((b"connection", b"close"))
            started = True
            await send({"type": "http.response.start", "status": response.status, "headers": raw})
            await send({"type": "http.response.body",
                        "body": b"" if scope["method"] == "HEAD" else response.body})

        try:
            await self._handle(scope, receive, respond)
        except Exception:  # a bug of ours: logged, and the viewer gets CloudFront's page, never a trace
            log.error("edge: internal error\n%s", traceback.format_exc())
            if not started:
                await respond(edge_pipeline.error(502, pages.CANNOT_CONNECT, edge_pipeline.new_request_id()), True)

    def answer_now(self, scope) -> tuple | None:
        """For a viewer request whose head is all there is (no body announced, no WebSocket handshake): its
        answer when the edge gives it without waiting on anything (a refusal, a redirect, a fresh cache hit),
        as (viewed, response, close), for ViewerProtocol to write at once. Otherwise None, with the request's
        reading of the configuration kept in the scope for the ASGI call that follows to go on from."""
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1").split("?", 1)[0] if raw_path else scope["path"]
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        query = scope.get("query_string", b"").decode("latin-1")
        if _has_body(headers):
            return None
        viewed = self._view(scope, path, query, headers, 0)
        refusal = _refusal(scope, path, query, headers)
        if refusal is not None:
            return viewed, edge_pipeline.error(refusal, pages.BAD_REQUEST, edge_pipeline.new_request_id()), True
        edge = self.edge
        prepared = edge.prepare(viewed, b"")
        if isinstance(prepared, edge_pipeline.EdgeResponse):
            return viewed, prepared, False
        response = edge.quick(prepared)
        if response is not None:
            return viewed, response, False
        scope[_PREPARED] = (viewed, prepared)
        return None

    def _view(self, scope, path, query, headers, body_bytes: int):
        edge = self.edge
        viewer, viewer_port = (scope.get("client") or ("127.0.0.1", 0))[:2]
        return self._viewed(scope["method"], path, query, headers, viewer, viewer_port,
                            "https" if scope.get("scheme") == "https" else "http",
                            f"HTTP/{scope.get('http_version') or '1.1'}", body_bytes, time.time())

    async def _handle(self, scope, receive, respond) -> None:
        edge = self.edge
        begun = scope.pop(_PREPARED, None)
        if begun is not None:  # answer_now read the configuration already; the origin or a function is next
            viewed, prepared = begun
            response = await edge.complete(prepared)
            await respond(response, False)
            edge.answered(viewed, response)
            return
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1").split("?", 1)[0] if raw_path else scope["path"]
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        query = scope.get("query_string", b"").decode("latin-1")
        refusal = _refusal(scope, path, query, headers)
        body = b""
        if refusal is None:
            try:
                # A request that announces no body has its one empty message ready: no idle timer for it.
                body = await read_body(receive, self.max_body, BODY_IDLE_SECONDS if _has_body(headers) else None)
            except PayloadTooLarge:
                refusal = 413
            except BodyStalled:
                refusal = 408
        viewed = self._view(scope, path, query, headers, len(body))
        if refusal is not None:
            # Refused before any distribution is read: logged with none. An unread body leaves the connection
            # unusable; CloudFront closes it after a 413 anyway.
            response = edge_pipeline.error(refusal, pages.BAD_REQUEST, edge_pipeline.new_request_id())
            await respond(response, True)
            edge.answered(viewed, response)
            return
        prepared = edge.prepare(viewed, body)
        handover = scope.get(VIEWER_WEBSOCKET)
        if handover is not None and not isinstance(prepared, edge_pipeline.EdgeResponse):
            from .edge import websockets

            if websockets.tunnels(prepared):
                await websockets.relay(prepared, handover, respond, self.application.settings.websocket_idle_seconds)
                return
        response = prepared if isinstance(prepared, edge_pipeline.EdgeResponse) \
            else edge.quick(prepared) or await edge.complete(prepared)
        await respond(response, False)
        edge.answered(viewed, response)
        if handover is not None:  # a handshake answered as an ordinary request
            handover.release()


# RFC 3986's host (an IP literal in brackets, or reg-name characters) and an optional port.
_HOST = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]+)(:[0-9]{0,5})?")


def _refusal(scope, path: str, query: str, headers: list[tuple[str, str]]) -> int | None:
    """The status CloudFront refuses a request with before looking at any distribution, or None."""
    target = len(path) + (len(query) + 1 if query else 0)
    head = len(scope["method"]) + target + len(" HTTP/1.1\r\n\r\n") + sum(len(k) + len(v) + 4 for k, v in headers)
    hosts = [v for k, v in headers if k == "host"]
    # The URL CloudFront builds is scheme, host and target; the request, its line and headers.
    if head > MAX_REQUEST_BYTES or len("https://") + len(hosts[0] if hosts else "") + target > MAX_URL_BYTES:
        return 413
    # RFC 9112, 3.2: a server MUST answer 400 to an HTTP/1.1 request without a Host, and to any request with
    # more than one Host or an invalid one. An HTTP/1.0 request without one names no distribution: 403.
    if len(hosts) > 1 or (hosts and not _HOST.fullmatch(hosts[0].strip(" \t"))):
        return 400
    if not hosts and scope.get("http_version") != "1.0":
        return 400
    return None


# Where the API's port hands a request to the edge (docs/behaviour.md, "Names and ports for viewers"). A name
# the API is reached by is never a viewer's, even should an alias collide with it: no dot, an IP literal or any
# name whose last label is a number (an IPv4 address, the KeyValueStore client's `ACCOUNT.127.0.0.1`), and
# AWS's own API domains. These need no lookup: an API client's request costs a few string operations.
_API_SUFFIXES = (b".amazonaws.com", b".amazonaws.com.cn", b".api.aws")
VIEWER = "cloudfront_local.viewer"  # the scope's mark, once a request's side is decided
VIEWER_WEBSOCKET = "cloudfront_local.websocket"  # a viewer's WebSocket handshake: its edge/websockets.Handover
_PREPARED = "cloudfront_local.prepared"  # answer_now's reading of the configuration, for the ASGI call to go on
_DIRECT = "cloudfront_local.direct"  # (protocol, cycle) a viewer's answer can be written through at once


class Dispatch:
    """One server, one or more listeners. A request on an edge port goes to the edge; on the API's port, to
    the edge when its Host names a distribution, an alias or a tenant's domain (or a `.localhost` form of
    one) the store holds, else to the API. One uvicorn server keeps one event loop, one store and one
    lifespan for all."""

    def __init__(self, api: AsgiApp, edge: EdgeAsgiApp, edge_ports: list[int]):
        self.api, self.edge, self.edge_ports = api, edge, frozenset(edge_ports)
        self.store = api.application.store
        self._own = api.application.settings.host.lower().encode("latin-1")  # a name given to --host

    def __call__(self, scope, receive, send):
        # The chosen app's coroutine itself, not one awaiting it: an API request pays no extra frame
        # (uvicorn_config names the interface, since this is no coroutine function).
        if scope["type"] == "http" and self.viewer(scope):
            return self.edge(scope, receive, send)
        return self.api(scope, receive, send)

    def viewer(self, scope) -> bool:
        """Whether the request is a viewer's, decided once (ViewerProtocol asks first, when the head is in)."""
        marked = scope.get(VIEWER)
        if marked is None:
            server = scope.get("server") or (None, None)
            marked = scope[VIEWER] = server[1] in self.edge_ports or self._viewer_host(scope)
        return marked

    def _viewer_host(self, scope) -> bool:
        raw = None
        for key, value in scope["headers"]:
            if key == b"host":
                if raw is not None:
                    return False  # two Hosts name nothing; the API answers as it always has
                raw = value
        if not raw:
            return False
        # The API's own names, on the bytes as they came (every API call passes here): port, trailing dot
        # and case dropped as routing.host_name drops them.
        name = raw.strip().lower()
        if name[:1] == b"[":
            return False
        colon = name.rfind(b":")
        name = (name[:colon] if colon >= 0 else name).rstrip(b".")
        dot = name.rfind(b".")
        if dot < 0 or name[dot + 1:].isdigit() or name.endswith(_API_SUFFIXES) or name == self._own:
            return False
        host = routing.host_name(raw.decode("latin-1"))
        try:
            with self.store.transaction() as tx:
                return routing.holder(tx, host)[0] is not None
        except Exception:  # a store that cannot answer: the API's to report, as for any request
            log.error("dispatch: cannot look up %r\n%s", host[:256], traceback.format_exc())
            return False


def create_app(settings: Settings | None = None) -> AsgiApp:
    return AsgiApp(Application(settings or Settings.from_env()))


def with_edge(api: AsgiApp, edge_ports: list[int] = ()) -> Dispatch:
    """The API, and the edge on its port (by Host) and on the given local ports (the plain one, the TLS one)."""
    return Dispatch(api, EdgeAsgiApp(api.application, api.max_body), list(edge_ports))


class ViewerProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol with what a server facing the internet needs and uvicorn leaves out: a
    deadline on a request's headers (uvicorn waits forever for a first request, or for a head sent a byte at
    a time), a bound on their size while they arrive (httptools buffers any amount), a viewer that stops
    reading let go, and on the edge's port CloudFront's own page where uvicorn answers a request it cannot
    parse. The API's port keeps uvicorn's answers."""

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._head_bytes = 0
        self._in_head = True
        self._write_timer = None
        self._handover = None  # a viewer's WebSocket handshake, once its head is in
        # A viewer has HEAD_SECONDS from connecting to the end of its first head. An API client may dial
        # ahead of need and pool the connection unused (Go's transport does), so a fresh API connection waits
        # as long as a kept-alive one, and HEAD_SECONDS start at its first byte.
        self._fresh = not self._on_edge()
        if self._fresh:
            self.timeout_keep_alive = API_IDLE_SECONDS
        self._head_timer = self.loop.call_later(API_IDLE_SECONDS if self._fresh else HEAD_SECONDS,
                                                self._head_expired)

    def connection_lost(self, exc) -> None:
        for timer in (self._head_timer, self._write_timer):
            if timer is not None:
                timer.cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._handover is not None:  # past a WebSocket handshake's head: the tunnel's, if one is made
            self._handover.hold(data)
            return
        if self._in_head:
            self._head_bytes += len(data)
        self._feed(data)
        # Counted in whole reads, so past the limit by up to one read; the exact check is EdgeAsgiApp's.
        if self._in_head and self._head_bytes > MAX_REQUEST_BYTES and not self.transport.is_closing():
            if self._on_edge():
                self._refuse(edge_pipeline.error(413, pages.BAD_REQUEST, edge_pipeline.new_request_id()))
            else:
                super().send_400_response("Request header fields too large.")

    def _feed(self, data: bytes) -> None:
        """uvicorn's data_received, keeping where an upgrade's head ends: what follows a viewer's WebSocket
        handshake is the tunnel's (edge/websockets.py), not another request."""
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self.send_400_response("Invalid HTTP request received.")
        except httptools.HttpParserUpgrade as upgrade:
            if self._handover is not None:
                self._handover.hold(data[upgrade.args[0]:])

    def handover_released(self, held: bytes) -> None:
        """A viewer's handshake answered as an ordinary request: the connection is HTTP again, from what the
        viewer sent after the handshake's head."""
        self._handover = None
        if self.transport.is_closing():
            return
        self.flow.resume_reading()
        if held:
            self.data_received(held)

    def _should_upgrade(self) -> bool:
        # uvicorn's own WebSocket protocols (whichever library happens to be installed) never take a
        # connection: a viewer's handshake is the edge's to pass to the origin, the API answers one as HTTP.
        return False

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        if self._head_timer is None or self._fresh:
            if self._head_timer is not None:
                self._head_timer.cancel()
            self._fresh = False
            self._head_timer = self.loop.call_later(HEAD_SECONDS, self._head_expired)

    def on_headers_complete(self) -> None:
        self._in_head, self._head_bytes = False, 0
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        super().on_headers_complete()
        if self.cycle is not None and self._viewer(self.cycle.scope):
            # uvicorn writes its Date on every answer; the edge writes its own (the origin's, kept), and two
            # would reach the viewer. The API keeps uvicorn's.
            self.cycle.default_headers = [h for h in self.cycle.default_headers if h[0].lower() != b"date"]
            if self.parser.should_upgrade():
                from .edge import websockets

                if websockets.asks(self.cycle.scope["method"], self.cycle.scope["headers"]):
                    self._handover = self.cycle.scope[VIEWER_WEBSOCKET] = websockets.Handover(self)

    def _start_asgi_task(self, cycle, app) -> None:
        """A viewer request the edge answers without waiting (a fresh hit, a refusal) is written here, in one
        piece and in the same turn of the loop: no ASGI task, no two writes. Anything else, or anything
        unusual about the connection, takes uvicorn's way."""
        answer_now = getattr(getattr(self.app, "edge", None), "answer_now", None)
        if answer_now is not None and not self.flow.write_paused and not self.transport.is_closing() \
                and not cycle.waiting_for_100_continue \
                and not self.parser.should_upgrade() and self._viewer(cycle.scope):
            try:
                answered = answer_now(cycle.scope)
            except Exception:  # a bug of ours: the ASGI way answers it (and logs it) as for any request
                log.error("edge: internal error\n%s", traceback.format_exc())
                cycle.scope.pop(_PREPARED, None)
                answered = None
            if answered is not None:
                viewed, response, close = answered
                if self.write_answer(cycle, response, close):
                    self.app.edge.edge.answered(viewed, response)
                    return
            cycle.scope[_DIRECT] = (self, cycle)  # the edge's answer, when it comes, is written in one piece
        super()._start_asgi_task(cycle, app)

    def write_answer(self, cycle, response: edge_pipeline.EdgeResponse, close: bool) -> bool:
        """uvicorn's writing of an answer (names lowered, values checked, its default headers but Date, the
        connection closed after when either side asked), in one write; False, with nothing written, when a
        header would not pass uvicorn's checks (the ASGI way then answers as it always has)."""
        close = close or not cycle.keep_alive
        parts = [STATUS_LINE[response.status]]
        for name, value in [h for h in cycle.default_headers if h[0].lower() != b"date"]:
            parts += (name.lower(), b": ", value, b"\r\n")
        for name, value in response.headers:
            name, value = _wire(name), _wire(value)
            if HEADER_RE.search(name) or HEADER_VALUE_RE.search(value):
                cycle.scope.pop(_PREPARED, None)
                return False
            parts += (name.lower(), b": ", value, b"\r\n")
        parts += (b"content-length: ", str(response.content_length).encode(), b"\r\n")
        if close:
            parts.append(b"connection: close\r\n")
        parts.append(b"\r\n")
        if cycle.scope["method"] != "HEAD":
            parts.append(response.body)
        self.transport.write(b"".join(parts))
        cycle.response_started = cycle.response_complete = True
        if close:
            self.transport.close()
        self.on_response_complete()
        return True

    def _head_expired(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            # A pipelined head waits behind an answer still being written: it is not the viewer's delay.
            self._head_timer = self.loop.call_later(HEAD_SECONDS, self._head_expired)
            return
        if self._fresh and self._bytes_waiting():
            self._head_timer = self.loop.call_later(HEAD_SECONDS, self._head_expired)
            return
        self.transport.close()

    def timeout_keep_alive_handler(self) -> None:
        if self._bytes_waiting():
            self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive,
                                                                self.timeout_keep_alive_handler)
            return
        super().timeout_keep_alive_handler()

    def _bytes_waiting(self) -> bool:
        """Whether the socket holds bytes the event loop has not read yet. An idle timer can fire in the
        same turn as a request arrives and before the loop reads it; closing then would drop a request whose
        bytes are here, and the kernel would answer the client with a reset. It is read and answered instead
        (the timer, armed again, is cancelled when it is)."""
        sock = self.transport.get_extra_info("socket")
        if sock is None:
            return False
        poller = select.poll()  # poll, not select: select cannot take descriptors past FD_SETSIZE
        poller.register(sock.fileno(), select.POLLIN)
        return bool(poller.poll(0))

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._write_timer is None:
            self._write_timer = self.loop.call_later(WRITE_STALL_SECONDS, self._write_stalled)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self._write_timer is not None:
            self._write_timer.cancel()
            self._write_timer = None

    def _write_stalled(self) -> None:
        self._write_timer = None
        # abort, not close: close would wait for the unread answer to drain, which it never does.
        self.transport.abort()

    def send_400_response(self, msg: str) -> None:
        if self._on_edge():
            self._refuse(edge_pipeline.error(400, pages.BAD_REQUEST, edge_pipeline.new_request_id()))
        else:
            super().send_400_response(msg)

    def _on_edge(self) -> bool:
        """Whether the connection came in on an edge port (the API's port keeps uvicorn's ways with a
        connection: its idle timeout, its answers to a request it cannot parse)."""
        ports = getattr(self.app, "edge_ports", None)
        return ports is not None and self.server is not None and self.server[1] in ports

    def _viewer(self, scope) -> bool:
        """Whether this request goes to the edge, on whichever port it came."""
        decide = getattr(self.app, "viewer", None)
        return decide is not None and decide(scope)

    def _refuse(self, response: edge_pipeline.EdgeResponse) -> None:
        lines = [f"HTTP/1.1 {response.status} {_REASONS.get(response.status, 'Error')}".encode()]
        lines += [_wire(k) + b": " + _wire(v) for k, v in response.headers]
        lines += [b"Content-Length: " + str(len(response.body)).encode(), b"Connection: close", b"", response.body]
        self.transport.write(b"\r\n".join(lines))
        self.transport.close()
        self._in_head = False


_REASONS = {400: "Bad Request", 413: "Request Entity Too Large"}
