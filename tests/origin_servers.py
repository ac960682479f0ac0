"""Origin servers the edge tests start: a standard-library HTTP server on a free local port, in a thread."""
from __future__ import annotations

import http.server
import json
import threading


def start(handler: type[http.server.BaseHTTPRequestHandler], name: str = "") -> http.server.ThreadingHTTPServer:
    """Serving at once; `name` is there for handlers that say which origin answered. Stop it with shutdown()."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.name = name
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def send_json(handler: http.server.BaseHTTPRequestHandler, payload, status: int = 200) -> None:
    """Answer with `payload` as JSON: how the test origins tell a test what reached them."""
    body = json.dumps(payload).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def answer(handler: http.server.BaseHTTPRequestHandler, body: bytes, status: int = 200,
           headers: tuple[tuple[str, str], ...] = ()) -> None:
    """One whole answer: the status, the given headers and a Content-Length, the body."""
    handler.send_response(status)
    for name, value in headers:
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class Quiet(http.server.BaseHTTPRequestHandler):
    """A test origin's handler that keeps the test's output clean: no line per request."""

    def log_message(self, *args):
        pass


class Named(Quiet):
    """Answers every GET with its server's name: which origin the edge asked."""

    def do_GET(self):  # noqa: N802 - http.server's name
        answer(self, self.server.name.encode())
