"""What one ListConnectionGroups page costs as an account grows: 100, 20,000 and 100,000 groups."""
from __future__ import annotations

import statistics
import time

from cloudfront_local.application import Application
from cloudfront_local.config import Settings

HEADERS = {"authorization": "AWS4-HMAC-SHA256 Credential=123456789012/20261124/us-east-1/cloudfront/aws4_request"}
LIST_BODY = (b'<ListConnectionGroupsRequest xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">'
             b"<MaxItems>100</MaxItems>%s</ListConnectionGroupsRequest>")


def _populate(app: Application, start: int, end: int) -> None:
    for i in range(start, end):
        body = b"<CreateConnectionGroupRequest><Name>g%d</Name></CreateConnectionGroupRequest>" % i
        response = app.handle("POST", "/2020-05-31/connection-group", "", HEADERS, body)
        assert response.status == 201, response.body


def _page_cost(app: Application, repeats: int) -> float:
    """Median seconds for a 100-item page from the middle of the account (a marker walk's typical page)."""
    first = app.handle("POST", "/2020-05-31/connection-groups", "", HEADERS, LIST_BODY % b"")
    marker = first.body.split(b"<NextMarker>")[1].split(b"</NextMarker>")[0] if b"<NextMarker>" in first.body else b""
    body = LIST_BODY % (b"<Marker>" + marker + b"</Marker>" if marker else b"")
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = app.handle("POST", "/2020-05-31/connection-groups", "", HEADERS, body)
        timings.append(time.perf_counter() - started)
        assert response.status == 200
    return statistics.median(timings)


def measure(sizes=(100, 20_000, 100_000), repeats: int = 200) -> dict:
    app = Application(Settings(log_requests=False, connection_group_quota=max(sizes)))
    results = {}
    done = 0
    for size in sizes:
        _populate(app, done, size)
        done = size
        results[str(size)] = {"page_us": _page_cost(app, repeats) * 1e6}
    base = results[str(sizes[0])]["page_us"]
    for entry in results.values():
        entry["ratio_to_100"] = entry["page_us"] / base
    app.close()
    return results
