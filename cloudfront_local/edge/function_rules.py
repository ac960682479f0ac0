"""What CloudFront checks in a viewer function's result before it goes on, from the Developer Guide's
"Restrictions on all edge functions" (HTTP headers, Query strings, URI) and "HTTP 502 status code (Bad
Gateway)" (CloudFront function validation error): a result that breaks one is answered with a 502, the origin
not asked. TestFunction checks none of this ("This error does not show up during testing")."""
from __future__ import annotations

import re

from . import events

# "Not exposed to edge functions, and functions can't add them"; the two ending in * are prefixes.
DISALLOWED = frozenset({
    "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
    "trailer", "upgrade", "x-accel-buffering", "x-accel-charset", "x-accel-limit-rate", "x-accel-redirect",
    "x-amzn-auth", "x-amzn-cf-billing", "x-amzn-cf-id", "x-amzn-cf-xff", "x-amzn-errortype",
    "x-amzn-fle-profile", "x-amzn-header-count", "x-amzn-header-order", "x-amzn-lambda-integration-tag",
    "x-amzn-requestid", "x-cache", "x-forwarded-proto", "x-real-ip",
})
DISALLOWED_PREFIXES = ("x-amz-cf-", "x-edge-")
# "Your function can read them ... but it can't change the values"; the 502 page adds "add, delete".
READ_ONLY = {
    "viewer-request": frozenset({"content-length", "host", "transfer-encoding", "via"}),
    "viewer-response": frozenset({"warning", "via"}),
}
MAX_URI = 8192  # "The total size of the URI, including the query string, must be less than 8,192 characters"
# "The query string can't include spaces, control characters, or the fragment identifier (#)".
_BAD_QUERY = re.compile(r"[\x00-\x20\x7f#]")


def disallowed(name: str) -> bool:
    low = name.lower()
    return low in DISALLOWED or low.startswith(DISALLOWED_PREFIXES)


def hidden(entries: dict) -> tuple[dict, dict]:
    """The headers a function is shown, and the disallowed ones kept back from it."""
    shown, kept = {}, {}
    for name, entry in entries.items():
        (kept if disallowed(name) else shown)[name] = entry
    return shown, kept


def broken(kind: str, before: dict, after: dict) -> str | None:
    """What the function did to its headers that CloudFront refuses, or None. `before` is what it was shown."""
    was = {name.lower(): events.entry_values(entry) for name, entry in before.items()}
    now = {}
    for name, entry in after.items():
        now.setdefault(name.lower(), []).extend(events.entry_values(entry))
    for name, values in now.items():
        if disallowed(name) and was.get(name) != values:
            return f"added the disallowed header {name}"
    for name in READ_ONLY.get(kind, ()):
        if was.get(name) != now.get(name):
            return f"added, deleted or changed the read-only header {name}"
    return None


def broken_request(before: dict, after: dict) -> str | None:
    """A returned request CloudFront refuses: its headers, then a query string it wrote as one string (the
    entries form is written out by CloudFront itself), then the URI's length."""
    problem = broken("viewer-request", before.get("headers") or {}, after.get("headers") or {})
    if problem:
        return problem
    query = after.get("querystring")
    text = query if isinstance(query, str) else events.query_text(query or {})
    if isinstance(query, str) and _BAD_QUERY.search(query):
        return "wrote a query string with a space, a control character or #"
    if len(str(after.get("uri") or "")) + (len(text) + 1 if text else 0) >= MAX_URI:
        return "made the URI and query string 8,192 characters or longer"
    return None


def broken_response(kind: str, before: dict, after: dict) -> str | None:
    """A returned (or, for a viewer request, generated) response CloudFront refuses."""
    return broken(kind, before.get("headers") or {}, after.get("headers") or {})
