"""A stand-in S3 endpoint that checks SigV4: path-style GET and PUT of objects, each signed request answered
only when its signature, recomputed with botocore from what arrived, matches. For the S3-origin tests."""
from __future__ import annotations

import hashlib
import http.server
import threading
import urllib.parse

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

SECRET = "cloudfront-local"


class SigningS3:
    """Path-style GET and PUT of objects; a request with a SigV4 Authorization is answered only when the
    signature, recomputed here from what arrived, matches; one without is a private bucket's AccessDenied."""

    def __init__(self, objects: dict[str, bytes]):
        self.objects = objects
        self.seen: list[dict] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the standard library's name
                owner.answer(self, b"")

            def do_PUT(self):  # noqa: N802
                owner.answer(self, self.rfile.read(int(self.headers.get("Content-Length") or 0)))

            def log_message(self, *_args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # A short poll: shutdown waits out one, and the default half second per test adds up.
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, handler, body: bytes) -> None:
        headers = list(handler.headers.items())
        seen = {"method": handler.command, "path": handler.path, "headers": headers, "scope": None}
        self.seen.append(seen)
        status, code = self.check(handler.command, handler.path, headers, body, seen)
        key = urllib.parse.unquote(handler.path.split("?", 1)[0]).lstrip("/")
        if status == 200 and handler.command == "PUT":
            self.objects[key] = body
            data = b""
        elif status == 200 and key not in self.objects:
            status, code = 404, "NoSuchKey"
        if status == 200 and handler.command == "GET":
            data = self.objects[key]
        elif status != 200:
            data = f"<Error><Code>{code}</Code></Error>".encode()
        handler.send_response(status)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def check(self, method, path, headers, body, seen) -> tuple[int, str]:
        values = {}
        for name, value in headers:
            values.setdefault(name.lower(), []).append(value)
        authorization = (values.get("authorization") or [None])[0]
        if authorization is None:
            return 403, "AccessDenied"
        if not authorization.startswith("AWS4-HMAC-SHA256 "):
            return 400, "InvalidArgument"
        fields = dict(part.strip().split("=", 1) for part in authorization[len("AWS4-HMAC-SHA256 "):].split(","))
        key_id, day, region, service, terminal = fields["Credential"].split("/")
        seen["scope"] = (key_id, region, service)
        if key_id != "cloudfront-local":
            return 403, "InvalidAccessKeyId"
        signed = fields["SignedHeaders"].split(";")
        if "host" not in signed or "x-amz-content-sha256" not in signed:
            return 400, "AuthorizationHeaderMalformed"
        if values["x-amz-content-sha256"][0] != hashlib.sha256(body).hexdigest():
            return 400, "XAmzContentSHA256Mismatch"
        # S3's canonical request: the path and query decoded, each part encoded once, the query sorted.
        raw_path, _, query = path.partition("?")
        canonical = urllib.parse.quote(urllib.parse.unquote(raw_path), safe="/-_.~")
        pairs = sorted((urllib.parse.quote(k, safe="-_.~"), urllib.parse.quote(v, safe="-_.~"))
                       for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True))
        if pairs:
            canonical += "?" + "&".join(f"{k}={v}" for k, v in pairs)
        request = AWSRequest(method=method, url="http://stand-in" + canonical, data=body)
        for name in signed:
            request.headers[name] = ",".join(values.get(name) or [])
        request.context["timestamp"] = values["x-amz-date"][0]
        auth = S3SigV4Auth(Credentials(key_id, SECRET), service, region)
        expected = auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request)
        if expected != fields["Signature"] or not values["x-amz-date"][0].startswith(day):
            return 403, "SignatureDoesNotMatch"
        return 200, ""
