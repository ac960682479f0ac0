"""The ASGI application: reads a request off the wire, hands it to `Application`, writes the answer."""
from __future__ import annotations

from .application import Application
from .config import Settings


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
        chunks = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise PayloadTooLarge
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        return b"".join(chunks)

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.application.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


def _wire(text: str) -> bytes:
    """Header text as bytes: latin-1 where it fits (what HTTP/1.1 clients decode), UTF-8 where it does not."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def create_app(settings: Settings | None = None) -> AsgiApp:
    return AsgiApp(Application(settings or Settings.from_env()))
