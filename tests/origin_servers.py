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
