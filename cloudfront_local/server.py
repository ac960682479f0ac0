"""The ASGI applications: the API's (a request off the wire to `Application`, the answer back) and the edge's
(viewer requests to the edge pipeline), and the one that picks between them by the listening socket."""
from __future__ import annotations

import asyncio

from .application import MAX_URL_BYTES, Application
from .config import Settings
from .edge import pages, pipeline as edge_pipeline
from .edge.pipeline import Edge


class PayloadTooLarge(Exception):
    pass


class AsgiApp:
    def __init__(self, application: Application):
        self.application = application
        self.max_body = application.settings.max_body_bytes

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
        try:
            if declared > self.max_body:
                raise PayloadTooLarge
            body = await self._body(receive)
        except PayloadTooLarge:
            body = None
        query = scope.get("query_string", b"").decode("latin-1")
        # Handlers run on the event loop: one SQLite connection serialises them anyway, and each is well
        # under a millisecond, so a thread hop would cost more than it frees.
        response = self.application.handle(scope["method"], path, query, headers, body)
        raw = [(_wire(k), _wire(v)) for k, v in response.headers.items()]
        raw.append((b"content-length", str(len(response.body)).encode()))
        if body is None:
            raw.append((b"connection", b"close"))  # the unread body makes the connection unusable
        await send({"type": "http.response.start", "status": response.status, "headers": raw})
        await send({"type": "http.response.body", "body": response.body})

    async def _body(self, receive) -> bytes:
        return await read_body(receive, self.max_body)

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.application.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def read_body(receive, limit: int) -> bytes:
    """The request body; PayloadTooLarge as soon as it grows past `limit` bytes."""
    chunks = []
    size = 0
    while True:
        message = await receive()
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


def _wire(text: str) -> bytes:
    """Header text as bytes: latin-1 where it fits (what HTTP/1.1 clients decode), UTF-8 where it does not."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


class EdgeAsgiApp:
    """Viewer traffic: the request handed to the edge pipeline. Reading the configuration runs on the event
    loop, where the API's store work runs; functions and the origin request, which can take seconds, run in
    a thread so that one slow origin holds up neither the API nor other viewers."""

    def __init__(self, edge: Edge, max_body: int):
        self.edge = edge
        self.max_body = max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1").split("?", 1)[0] if raw_path else scope["path"]
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        query = scope.get("query_string", b"").decode("latin-1")
        viewer = (scope.get("client") or ("127.0.0.1", 0))[0]
        try:
            body = await read_body(receive, self.max_body)
        except PayloadTooLarge:
            body = None
        if body is None:
            response = edge_pipeline.error(413, pages.BAD_REQUEST, edge_pipeline.new_request_id())
        elif len(path) + len(query) > MAX_URL_BYTES:
            response = edge_pipeline.error(414, pages.BAD_REQUEST, edge_pipeline.new_request_id())
        else:
            prepared = self.edge.prepare(scope["method"], path, query, headers, body, viewer)
            response = prepared if isinstance(prepared, edge_pipeline.EdgeResponse) \
                else await asyncio.to_thread(self.edge.complete, prepared)
        raw = [(_wire(k), _wire(v)) for k, v in response.headers]
        raw.append((b"content-length", str(len(response.body)).encode()))
        if body is None:
            raw.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": response.status, "headers": raw})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else response.body})


class BySocket:
    """One server, two listeners: a request on the edge's port goes to the edge, any other to the API.
    One uvicorn server keeps one event loop, one store and one lifespan for both."""

    def __init__(self, api: AsgiApp, edge: EdgeAsgiApp, edge_port: int):
        self.api, self.edge, self.edge_port = api, edge, edge_port

    async def __call__(self, scope, receive, send):
        server = scope.get("server") or (None, None)
        if scope["type"] == "http" and server[1] == self.edge_port:
            await self.edge(scope, receive, send)
        else:
            await self.api(scope, receive, send)


def create_app(settings: Settings | None = None) -> AsgiApp:
    return AsgiApp(Application(settings or Settings.from_env()))


def with_edge(api: AsgiApp, edge_port: int) -> BySocket:
    return BySocket(api, EdgeAsgiApp(Edge(api.application), api.max_body), edge_port)
