"""The fuzzer's mutants over real sockets, through the HTTP server and the ASGI layer to the application:
no answer is a 5xx, with and without --credentials, and the server still answers afterwards."""
import os
import random
import time

import pytest
import requests

from fuzzing import AUTH_REGION, REGIONS, HttpTarget, fuzz, record_corpus
from serving import RunningServer

CASES = int(os.environ.get("CLOUDFRONT_LOCAL_HTTP_FUZZ_CASES", "600"))
KEY_ID, SECRET, ACCOUNT = "AKIDHTTPFUZZ", "http-fuzz-secret", "210987654322"


def _seed() -> int:
    seed = int(os.environ.get("CLOUDFRONT_LOCAL_FUZZ_SEED", time.time_ns() % 2**32))
    print(f"fuzz seed {seed}")
    return seed


def _no_5xx(request, response, regions):
    # Requests the HTTP server cannot parse get its own plain 400 before they reach us; every other
    # answer is ours. Neither may be a 5xx.
    assert response.status < 500 or response.status == 501, (
        regions, request.operation, request.method, request.path, request.query, request.headers,
        request.body[:400], response.body[:400])


def _healthy(url):
    assert requests.get(f"{url}/_cloudfront-local/health", timeout=5).status_code == 200


def test_mutants_over_http_never_get_a_5xx(server, account):
    corpus = record_corpus(account, "secret", endpoint_url=server.url)
    tally = fuzz(HttpTarget(server.url), corpus, random.Random(_seed()), CASES, on_answer=_no_5xx)
    assert set(tally.regions) == set(REGIONS)
    assert any(200 <= status < 300 for status in tally.statuses), tally.statuses
    _healthy(server.url)
    assert not [line for line in server.lines if "Traceback" in line or "internal error" in line]


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    path = tmp_path_factory.mktemp("http-fuzz") / "credentials.toml"
    path.write_text(f'[[credentials]]\naccess_key_id = "{KEY_ID}"\nsecret_access_key = "{SECRET}"\n'
                    f'account_id = "{ACCOUNT}"\n')
    with RunningServer("--credentials", str(path)) as running:
        yield running


def test_signed_mutants_over_http_never_get_a_5xx(guarded):
    corpus = record_corpus(KEY_ID, SECRET, endpoint_url=guarded.url)
    tally = fuzz(HttpTarget(guarded.url), corpus, random.Random(_seed()), CASES, key=(KEY_ID, SECRET),
                 on_answer=_no_5xx)
    assert set(tally.regions) == {*REGIONS, AUTH_REGION}
    assert any(200 <= status < 300 for status in tally.statuses), tally.statuses
    assert tally.statuses.get(403), tally.statuses
    _healthy(guarded.url)
    assert not [line for line in guarded.lines if "Traceback" in line or "internal error" in line]
