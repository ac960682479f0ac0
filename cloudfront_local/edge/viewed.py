"""`Viewed`: one viewer request as it came and as it was answered, the one record every end-of-request consumer
reads — the edge's request log (request_log.py) takes its record's few values from it, CloudFront's standard
and real-time logs (standard_logs.py, realtime_logs.py) read their fields from it.

A cache hit fills it with values the edge already holds (two clock reads in all, one at each end); whatever
takes work — the request's and the answer's sizes, the answer's headers with Content-Length, the request id —
is worked out only when a consumer asks, so a distribution that logs nothing pays for none of it."""
from __future__ import annotations


class Viewed:
    __slots__ = ("method", "path", "query", "headers", "viewer_ip", "viewer_port", "scheme", "http_version",
                 "body_bytes", "started", "ended", "status", "answer_headers", "content_length", "site",
                 "behavior", "country", "asked", "ran", "_response_headers")

    def __init__(self, method: str, path: str, query: str, headers: list[tuple[str, str]], viewer_ip: str,
                 viewer_port: int, scheme: str, http_version: str, body_bytes: int, started: float):
        # As the viewer sent them: the pipeline's own copies (a `.localhost` Host rewritten) are the plan's.
        self.method, self.path, self.query, self.headers = method, path, query, headers
        self.viewer_ip, self.viewer_port, self.scheme, self.http_version = viewer_ip, viewer_port, scheme, http_version
        self.body_bytes = body_bytes
        self.started = started    # time.time() when the edge first looked at the request, its body read
        self.ended = 0.0          # time.time() when its answer was handed to the viewer's connection
        # The answer as sent, without its body (nor the plan, which holds the request's): nothing here keeps
        # what a request carried alive past its own logging.
        self.status = 0
        self.answer_headers: list[tuple[str, str]] = []  # the EdgeResponse's own list, not a copy
        self.content_length = 0
        self.site = None          # the routing.Site that answered, or None (a Host no distribution holds)
        self.behavior = None      # the cache behavior chosen, or None (answered before one was)
        self.country = ""
        # The plan's own lists, which the pipeline appends to: the origins asked, the functions that ran.
        self.asked: list | tuple = ()
        self.ran: list | tuple = ()
        self._response_headers = None

    def answer(self, response, ended: float) -> None:
        """The answer, final and handed to the viewer's connection at `ended`."""
        self.ended = ended
        self.status, self.answer_headers, self.content_length = \
            response.status, response.headers, response.content_length

    # -- the request ------------------------------------------------------------------------------------------
    def header(self, name: str) -> str | None:
        """The viewer's first header of a (lower-case) name."""
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    @property
    def request_bytes(self) -> int:
        """The request's size as the cs-bytes log field counts it: request line, headers and body."""
        target = len(self.path) + (len(self.query) + 1 if self.query else 0)
        return len(self.method) + target + len(" HTTP/1.1\r\n\r\n") + \
            sum(len(k) + len(v) + 4 for k, v in self.headers) + self.body_bytes

    # -- the answer -------------------------------------------------------------------------------------------
    @property
    def response_headers(self) -> list[tuple[str, str]]:
        """The answer's headers as they were sent, Content-Length included."""
        if self._response_headers is None:
            self._response_headers = [*self.answer_headers, ("Content-Length", str(self.content_length))]
        return self._response_headers

    def response_header(self, name: str) -> str | None:
        for key, value in self.response_headers:
            if key.lower() == name:
                return value
        return None

    @property
    def response_bytes(self) -> int:
        """The answer's size as sc-bytes counts it: status line, headers and body (none for HEAD)."""
        return len(f"HTTP/1.1 {self.status} \r\n\r\n") + \
            sum(len(k) + len(v) + 4 for k, v in self.response_headers) + self.sent_bytes

    @property
    def sent_bytes(self) -> int:
        """The body's bytes sent: none for HEAD."""
        return 0 if self.method == "HEAD" else self.content_length

    @property
    def request_id(self) -> str:
        return self.response_header("x-amz-cf-id") or ""

    @property
    def result_type(self) -> str:
        """CloudFront's result type, which X-Cache carries as "<type> from cloudfront"."""
        cache = self.response_header("x-cache") or ""
        return cache.split(" ", 1)[0] or "Error"

    def range(self) -> tuple[str | None, str | None]:
        value = self.response_header("content-range") or ""
        unit, _, rest = value.partition(" ")
        span = rest.partition("/")[0]
        if unit != "bytes" or "-" not in span:
            return None, None
        start, _, end = span.partition("-")
        return start, end
