"""The answers the edge writes itself: CloudFront's error pages and redirects, a function's generated response,
and the headers CloudFront adds to every answer."""
from __future__ import annotations

import base64
import binascii
import email.utils
import re
import secrets
from dataclasses import dataclass, field

from . import events, pages
from .origins import HOP_BY_HOP

POP = "LOC50-C1"  # an edge location's code as CloudFront writes it (airport code, number, "-C1"/"-P1")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}")  # RFC 9110's field-name
_BAD_VALUE = re.compile(r"[\r\n\0]")
_OURS = {"via", "x-cache", "x-amz-cf-pop", "x-amz-cf-id", "content-length"}


@dataclass
class EdgeResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    length: int | None = None  # Content-Length when it is not len(body): a HEAD answered by the origin

    @property
    def content_length(self) -> int:
        return len(self.body) if self.length is None else self.length

    def header(self, name: str) -> str | None:
        """The first value of a header (names compared case-insensitively)."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


def error(status: int, message: str, request_id: str) -> EdgeResponse:
    return finish(bare_error(status, message, request_id), request_id, "Error")


def bare_error(status: int, message: str, request_id: str) -> EdgeResponse:
    """CloudFront's page for a status, before the headers `finish` adds."""
    headers = [("Server", "CloudFront"), ("Content-Type", "text/html")]
    return EdgeResponse(status, headers, pages.page(status, message, request_id))


def finish(response: EdgeResponse, request_id: str, cache: str) -> EdgeResponse:
    """The headers CloudFront adds to every answer; the hop-by-hop ones, and its own, replaced."""
    # A function can write any text: a header that could not be sent (or would split the response) is left out.
    headers = [(k, v) for k, v in response.headers if k.lower() not in HOP_BY_HOP and k.lower() not in _OURS
               and _TOKEN.fullmatch(k) and not _BAD_VALUE.search(v)]
    if not 100 <= response.status <= 599:
        return error(503, pages.FUNCTION_FAILED, request_id)
    headers = _one_date(headers)
    headers += [("X-Cache", f"{cache} from cloudfront"), ("Via", f"1.1 {via_name()}.cloudfront.net (CloudFront)"),
                ("X-Amz-Cf-Pop", POP), ("X-Amz-Cf-Id", request_id)]
    return EdgeResponse(response.status, headers, response.body, response.length)


def _one_date(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Exactly one Date (RFC 9110, 6.6.1: a message carries one). The origin's is kept, on a hit too (a cache
    answers with the stored Date and an Age, RFC 9111, 4); an answer without one, CloudFront's own pages
    among them, gets the time it leaves the edge."""
    dates = [i for i, (k, _) in enumerate(headers) if k.lower() == "date"]
    if not dates:
        return headers + [("Date", email.utils.formatdate(usegmt=True))]
    return [h for i, h in enumerate(headers) if i not in dates[1:]]


def generated(response: dict) -> EdgeResponse | None:
    """A viewer-request function's own response; None when its body cannot be sent (bad base64)."""
    headers = events.http_header_pairs(response.get("headers") or {})
    headers += [("Set-Cookie", v) for v in events.set_cookie_values(response.get("cookies") or {})]
    body = response.get("body")
    data = b""
    if isinstance(body, dict):
        text = body.get("data") or ""
        if body.get("encoding") == "base64":
            try:
                data = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                return None
        else:
            data = str(text).encode()
    elif isinstance(body, str):
        data = body.encode()
    status = response.get("statusCode", 200)
    return EdgeResponse(status if isinstance(status, int) else 0, headers, data)


def moved(location: str) -> EdgeResponse:
    body = (b"<html>\r\n<head><title>301 Moved Permanently</title></head>\r\n<body>\r\n"
            b"<center><h1>301 Moved Permanently</h1></center>\r\n<hr><center>CloudFront</center>\r\n</body>\r\n"
            b"</html>\r\n")
    return EdgeResponse(301, [("Location", location), ("Content-Type", "text/html"), ("Server", "CloudFront")],
                        body)


def via_name() -> str:
    return secrets.token_hex(16)


def new_request_id() -> str:
    # 56 characters of URL-safe base64, as X-Amz-Cf-Id values look.
    return base64.urlsafe_b64encode(secrets.token_bytes(42)).decode()
