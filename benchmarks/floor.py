"""The do-nothing floor: an ASGI app that answers every request with a canned response recorded from the
emulator, under the same server and settings as `cloudfront-local serve`.

    python3 -m benchmarks.floor CANNED.json     # prints "floor listening on http://HOST:PORT"
"""
from __future__ import annotations

import base64
import json
import sys

import uvicorn

from cloudfront_local import listener
from cloudfront_local.cli import uvicorn_config


def load(path: str) -> dict[tuple[str, str], tuple[int, list, bytes]]:
    """(method, path prefix) -> (status, headers, body)."""
    canned = {}
    for entry in json.loads(open(path).read()):
        headers = [(k.lower().encode(), v.encode()) for k, v in entry["headers"].items()]
        canned[(entry["method"], entry["prefix"])] = (entry["status"], headers, base64.b64decode(entry["body"]))
    return canned


class FloorApp:
    def __init__(self, canned):
        self.canned = canned

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                while (await receive())["type"] != "lifespan.shutdown":
                    await send({"type": "lifespan.startup.complete"})
                await send({"type": "lifespan.shutdown.complete"})
            return
        more = True
        while more:  # read the body, as any server must
            more = (await receive()).get("more_body", False)
        path = scope["path"]
        answer = None
        for (method, prefix), response in self.canned.items():
            if method == scope["method"] and path.startswith(prefix):
                answer = response
                break
        status, headers, body = answer or (404, [], b"")
        await send({"type": "http.response.start", "status": status,
                    "headers": headers + [(b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def main() -> None:
    sock = listener.listen("127.0.0.1", 0)
    print(f"floor listening on {listener.url(sock)}", file=sys.stderr, flush=True)
    uvicorn.Server(uvicorn_config(FloorApp(load(sys.argv[1])))).run(sockets=[sock])


if __name__ == "__main__":
    main()
