"""A stand-in S3 endpoint for tests: answers path-style GET /bucket/key with the objects it was given, 404
NoSuchKey otherwise. Enough for the objects cloudfront-local reads (CA bundles); not an S3."""
from __future__ import annotations

import http.server
import threading


class S3StandIn:
    def __init__(self, objects: dict[str, bytes]):
        self.objects = objects
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the standard library's name
                body = owner.objects.get(self.path.split("?", 1)[0].lstrip("/"))
                if body is None:
                    body = b"<Error><Code>NoSuchKey</Code><Message>no such key</Message></Error>"
                    self.send_response(404)
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
