"""The dashboard's pages at 10,000 resources: a distribution made through boto3 (in process), copied 10,000 times
straight into the store as the service keeps it, then the home page, a family's first and last page and a detail
page, each answered within a bound a person would not notice."""
from __future__ import annotations

import copy
import time

import boto3

from builders import direct_config
from cloudfront_local import mock_cloudfront

ACCOUNT = "123456789012"
COPIES = 10_000
BOUND = 0.5  # seconds, a generous ceiling for a shared two-core machine; pages take a fraction of it


def _timed(application, path: str, query: str = "") -> tuple[float, bytes]:
    started = time.perf_counter()
    answer = application.handle("GET", path, query, {"host": "127.0.0.1:4599"}, b"")
    took = time.perf_counter() - started
    assert answer.status == 200, answer.body[:300]
    return took, answer.body


def test_pages_stay_fast_at_ten_thousand_distributions():
    with mock_cloudfront() as mock:
        client = boto3.client("cloudfront", region_name="us-east-1", aws_access_key_id=ACCOUNT,
                              aws_secret_access_key="secret")
        made = client.create_distribution(DistributionConfig=direct_config())["Distribution"]
        application = mock.application
        with application.store.transaction() as tx:
            template = tx.get("distribution", ACCOUNT, made["Id"]).doc
            for n in range(COPIES):
                doc = copy.deepcopy(template)
                doc["Id"] = f"E{n:013d}"
                doc["DomainName"] = f"d{n:013d}.cloudfront.net"
                tx.insert("distribution", ACCOUNT, doc["Id"], doc)
            last = tx.page("distribution", ACCOUNT, 0, COPIES + 1)[-101].seq
        timings = {}
        timings["home"], body = _timed(application, "/_cloudfront-local/")
        assert b">10001<" in body.replace(b'<span class="count">', b">")
        timings["first page"], body = _timed(application, f"/_cloudfront-local/ui/a/{ACCOUNT}/distribution")
        assert body.count(b"<tr>") == 101 and b'rel="next"' in body  # a header row and 100 records
        timings["last page"], body = _timed(application, f"/_cloudfront-local/ui/a/{ACCOUNT}/distribution",
                                            f"after={last}")
        assert b"E0000000009999" in body and b'rel="next"' not in body
        timings["detail"], body = _timed(application, f"/_cloudfront-local/ui/a/{ACCOUNT}/distribution/E0000000005000")
        assert b"d0000000005000.cloudfront.net" in body
        slow = {page: took for page, took in timings.items() if took > BOUND}
        assert not slow, timings
        print({page: f"{took * 1000:.1f} ms" for page, took in timings.items()})
