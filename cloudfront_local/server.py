"""The ASGI application: internal endpoints under /_cloudfront-local/, everything else to `Application`."""
from __future__ import annotations

import json
import uuid

from .application import Application
from .config import Settings

INTERNAL_PREFIX = "/_cloudfront-local/"


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
        path = raw_path.decode("latin-1").split("?", 1)[0] if raw_path else scope["path"]
        if path.startswith(INTERNAL_PREFIX):
            await self._internal(scope, path, send)
            return
        headers = {}
        for key, value in scope["headers"]:
            headers[key.decode("latin-1").lower()] = value.decode("latin-1")
        app = self.application
        try:
            declared = int(headers.get("content-length") or 0)
        except ValueError:
            declared = 0
        try:
            if declared > self.max_body:
                raise PayloadTooLarge
            body = await self._body(receive)
        except PayloadTooLarge:
            request_id = str(uuid.uuid4())
            response = app.codec.encode_error(
                "RequestEntityTooLarge", f"The request body is larger than {self.max_body} bytes", request_id, 413)
            response.headers["x-amz-request-id"] = request_id
            await self._send(send, response.status, response.headers, response.body, close=True)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        response = app.handle(scope["method"], path, query, headers, body)
        await self._send(send, response.status, response.headers, response.body)

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

    @staticmethod
    async def _send(send, status: int, headers: dict[str, str], body: bytes, close: bool = False) -> None:
        raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        raw.append((b"content-length", str(len(body)).encode()))
        if close:
            raw.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})

    async def _internal(self, scope, path: str, send) -> None:
        name = path[len(INTERNAL_PREFIX):]
        if name == "health":
            body = json.dumps({"status": "ok", "service": "cloudfront"}).encode()
            await self._send(send, 200, {"Content-Type": "application/json"}, body)
        elif name == "reset" and scope["method"] == "POST":
            self.application.reset()
            await self._send(send, 204, {}, b"")
        else:
            await self._send(send, 404, {"Content-Type": "application/json"}, b'{"error": "not found"}')

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.application.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


def create_app(settings: Settings | None = None) -> AsgiApp:
    return AsgiApp(Application(settings or Settings.from_env()))
