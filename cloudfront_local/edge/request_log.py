"""What the edge did for each viewer request: one plain record per request, kept in a bounded ring (newest
last) for `GET /_cloudfront-local/requests` and `mock_cloudfront.edge_requests`, and one line on the server's
log, text or JSON.

The edge's end-of-request hook (`Edge.answered`) calls `RequestLog.add` once per viewer request, its answer
sent, with the `Viewed` (viewed.py) it filled from values it already held; the record is a tuple of the
strings and numbers it shows, and every rendering (the ISO time, the result type, the line, the JSON
document) waits until someone reads it, so that a cache hit pays for a tuple and a deque append. Lines go to
stderr in batches with the API's (log_lines.py), formatted by the writer's thread."""
from __future__ import annotations

import collections
import json
import threading
import time

from ..log_lines import BatchedLines, stamp
FORMATS = ("text", "json")
DEFAULT_SIZE = 1000
# The X-Cache words the edge writes, as CloudFront's standard log's x-edge-result-type has them. The edge's
# finer words for a failed function are errors there; a Lambda@Edge function over its concurrency is
# CloudFront's LimitExceeded. Anything else (a word a newer edge writes) is an Error too.
RESULT_TYPES = {"Hit": "Hit", "RefreshHit": "RefreshHit", "Miss": "Miss", "Error": "Error", "Redirect": "Redirect",
                "FunctionGeneratedResponse": "FunctionGeneratedResponse",
                "LambdaGeneratedResponse": "LambdaGeneratedResponse", "LimitExceeded": "LimitExceeded",
                "CapacityExceeded": "CapacityExceeded", "LambdaLimitExceeded": "LimitExceeded"}
FILTERS = ("distribution", "tenant", "status", "result")
# A record's fields, in its tuple: (ended, started, method, path, query, host, viewer, scheme, status,
# request_id, x_cache, bytes, distribution, tenant, pattern, asked, functions). The filters read these by place.
STATUS, DISTRIBUTION, TENANT = 8, 12, 13


def result_type(x_cache: str | None) -> tuple[str, str]:
    """(x-edge-result-type, the edge's own word) from the X-Cache value "WORD from cloudfront"."""
    word = (x_cache or "").partition(" ")[0] or "Error"
    return RESULT_TYPES.get(word, "Error"), word


class RequestLog:
    def __init__(self, size: int = DEFAULT_SIZE, form: str = "text", write: bool = True,
                 lines: BatchedLines | None = None):
        if form not in FORMATS:
            raise ValueError(f"the log format is one of {', '.join(FORMATS)}, not {form!r}")
        self.form = form
        self.write = write
        # A deque with maxlen: the oldest record goes as a new one comes, so memory never grows past `size`.
        self._ring: collections.deque = collections.deque(maxlen=max(size, 0))
        self._lock = threading.Lock()  # listing copies the ring while edge threads append
        self.lines = lines if lines is not None else BatchedLines()

    def add(self, viewed) -> None:
        """One viewer request's record, from the edge's `Viewed` (viewed.py): a tuple of the strings and
        numbers the record shows (RECORD's order). Nothing else of the request is kept: the ring holds a
        record for a thousand requests, and the site and behavior a request was answered with are its own
        copies, decoded from the store for it, so holding them (or the request's and answer's header lists)
        kept dozens of objects a request alive that long, freed cold, and cost a hit more than this does."""
        host = None
        for name, value in viewed.headers:
            if name.lower() == "host":
                host = value
                break
        request_id, x_cache = _ours(viewed.answer_headers)
        site, behavior, ran = viewed.site, viewed.behavior, viewed.ran
        record = (viewed.ended, viewed.started, viewed.method, viewed.path, viewed.query, host, viewed.viewer_ip,
                  viewed.scheme, viewed.status, request_id, x_cache, viewed.sent_bytes,
                  site.distribution["Id"] if site is not None else None,
                  site.tenant["Id"] if site is not None and site.tenant is not None else None,
                  (behavior.get("PathPattern") or "*") if behavior is not None else None,
                  tuple(viewed.asked), _functions(ran, behavior) if ran else ())
        with self._lock:
            self._ring.append(record)
        if self.write:
            self.lines.add(self._line, record)

    def _line(self, record: tuple) -> str:
        return f"{stamp(record[0])} {line(record, self.form)}\n"

    def close(self) -> None:
        self.lines.close()

    def records(self, distribution: str | None = None, tenant: str | None = None, status: int | None = None,
                result: str | None = None, limit: int | None = None) -> list[dict]:
        """The records, newest first, as the endpoint shows them; each filter given must match."""
        with self._lock:
            kept = list(self._ring)
        found = []
        for record in reversed(kept):
            if limit is not None and len(found) >= limit:
                break
            if distribution is not None and record[DISTRIBUTION] != distribution:
                continue
            if tenant is not None and record[TENANT] != tenant:
                continue
            if status is not None and record[STATUS] != status:
                continue
            shown = shown_record(record)
            if result is not None and shown["result"] != result:
                continue
            found.append(shown)
        return found

    def clear(self) -> None:
        with self._lock:
            self._ring.clear()


def shown_record(record: tuple) -> dict:
    """A stored record as a JSON document: the time in ISO 8601 UTC, the result type from X-Cache."""
    (ended, started, method, path, query, host, viewer, scheme, status, request_id, x_cache, sent, distribution,
     tenant, pattern, asked, functions) = record
    result, detail = result_type(x_cache)
    return {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ended)) + f".{int(ended % 1 * 1000):03d}Z",
        "request_id": request_id, "distribution": distribution, "tenant": tenant,
        "host": host, "method": method, "path": path, "query": query, "viewer": viewer, "protocol": scheme,
        "status": status, "result": result, "detail": detail, "pattern": pattern,
        "origin": asked[-1] if asked else None, "origins_asked": list(asked),
        "functions": [dict(function) for function in functions],
        "bytes": sent, "time_taken": round(max(ended - started, 0.0), 3),
    }


def _ours(headers) -> tuple[str | None, str | None]:
    """The answer's X-Amz-Cf-Id and X-Cache: the edge's own, the last ones an answer has."""
    x_cache = request_id = None
    for name, value in reversed(headers):
        lower = name.lower()
        if lower == "x-amz-cf-id":
            request_id = value
            if x_cache is not None:
                break
        elif lower == "x-cache":
            x_cache = value
            if request_id is not None:
                break
    return request_id, x_cache


def _functions(ran, behavior: dict | None) -> tuple[dict, ...]:
    """What ran, in order: {"event", "type" ("cloudfront-function" or "lambda@edge"), "arn"}."""
    behavior = behavior or {}
    functions = {a.get("EventType"): a.get("FunctionARN")
                 for a in (behavior.get("FunctionAssociations") or {}).get("Items") or []}
    lambdas = {a.get("EventType"): a.get("LambdaFunctionARN")
               for a in (behavior.get("LambdaFunctionAssociations") or {}).get("Items") or []}
    return tuple({"event": event, "type": kind,
                  "arn": (functions if kind == "cloudfront-function" else lambdas).get(event)} for kind, event in ran)


def line(record: tuple, form: str) -> str:
    """The record's line on the server's log, after its time stamp."""
    if form == "json":
        return json.dumps({"edge": shown_record(record)}, separators=(",", ":"))
    # Straight from the record, not through shown_record: the writer's thread makes one per viewer request,
    # and the time it holds the interpreter is time the event loop does not serve.
    (ended, started, method, path, query, host, _, _, status, request_id, x_cache, sent, distribution, tenant,
     pattern, asked, functions) = record
    owner = distribution or "-"
    if tenant:
        owner += "/" + tenant
    functions = ",".join(f"{f['event']}:{'function' if f['type'] == 'cloudfront-function' else 'lambda'}"
                         for f in functions) or "-"
    # Text from the viewer or a configuration (Host, path, a pattern, an origin's id) goes through JSON's
    # escaping when it holds a space or a control character, so that one request is always one line; the
    # rest is the edge's own words and numbers.
    return " ".join((
        "edge", owner, _safe(host or "-"), _safe(method), _safe(path + (f"?{query}" if query else "")),
        str(status), result_type(x_cache)[0],
        _safe(pattern or "-"),
        _safe(asked[-1] if asked else "-"), functions, f"{sent}B", f"{max(ended - started, 0.0) * 1000:.1f}ms",
        request_id or "-"))


def _safe(text: str) -> str:
    if text.isprintable() and " " not in text:
        return text
    return json.dumps(text)
