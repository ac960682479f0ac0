"""Hostile input against the whole application: no request, however malformed, gets a 5xx (501 for
operations not implemented yet aside). Mutants of real boto3 requests that reach every byte (`fuzzing.py`),
with and without --credentials, and hypothesis.

CLOUDFRONT_LOCAL_FUZZ_CASES sets the number of mutants per test (3,000 by default, to keep CI quick), and
CLOUDFRONT_LOCAL_FUZZ_SEED repeats a run."""
import json
import os
import random
import time
import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudfront_local.application import Application
from cloudfront_local.config import Settings
from fuzzing import AUTH_REGION, CA_BUNDLE_KEY, KVS, LAMBDA, REGIONS, ca_bundle, fuzz, record_corpus
from s3_stand_in import S3StandIn

CASES = int(os.environ.get("CLOUDFRONT_LOCAL_FUZZ_CASES", "3000"))
KEY_ID, SECRET, ACCOUNT = "AKIDFUZZ", "fuzz-secret", "210987654321"


def _seed() -> int:
    seed = int(os.environ.get("CLOUDFRONT_LOCAL_FUZZ_SEED", time.time_ns() % 2**32))
    print(f"fuzz seed {seed}")  # shown with a failure, so that the run can be repeated
    return seed


@pytest.fixture(scope="module")
def s3():
    stand_in = S3StandIn({"/".join(CA_BUNDLE_KEY): ca_bundle()})
    yield stand_in
    stand_in.close()


@pytest.fixture(scope="module")
def open_app(s3):
    app = Application(Settings(log_requests=False, s3_endpoint=s3.url))
    return app, record_corpus(ACCOUNT, "secret", app=app)


@pytest.fixture(scope="module")
def guarded_app(tmp_path_factory, s3):
    path = tmp_path_factory.mktemp("fuzz") / "credentials.toml"
    path.write_text(f'[[credentials]]\naccess_key_id = "{KEY_ID}"\nsecret_access_key = "{SECRET}"\n'
                    f'account_id = "{ACCOUNT}"\n')
    app = Application(Settings(log_requests=False, credentials=str(path), s3_endpoint=s3.url))
    return app, record_corpus(KEY_ID, SECRET, app=app)


def _no_5xx(request, response, regions):
    assert response.status < 500 or response.status == 501, (
        regions, request.operation, request.method, request.path, request.query, request.headers,
        request.body[:400], response.body[:400])
    assert response.headers["x-amz-request-id"]


def test_the_corpus_calls_every_implemented_operation(open_app, guarded_app):
    for app, corpus in (open_app, guarded_app):
        assert {r.operation for r in corpus} >= set(app.handlers), set(app.handlers) - {r.operation for r in corpus}
        data_plane = {r.operation for r in corpus if r.service == KVS}
        assert data_plane >= set(app.key_value_store_handlers), set(app.key_value_store_handlers) - data_plane
        functions = {r.operation for r in corpus if r.service == LAMBDA}
        assert functions == set(app.lambda_handlers), set(app.lambda_handlers) ^ functions


def test_mutants_of_real_requests_never_get_a_5xx(open_app):
    app, corpus = open_app
    tally = fuzz(app, corpus, random.Random(_seed()), CASES, on_answer=_no_5xx)
    assert tally.cases == CASES
    assert set(tally.regions) == set(REGIONS)  # every region of a request was mutated
    assert tally.operations >= set(app.handlers) | set(app.lambda_handlers)
    assert any(200 <= status < 300 for status in tally.statuses), tally.statuses  # mutants still reach handlers


def test_signed_mutants_under_credentials_never_get_a_5xx(guarded_app):
    app, corpus = guarded_app
    tally = fuzz(app, corpus, random.Random(_seed()), CASES, key=(KEY_ID, SECRET), on_answer=_no_5xx)
    assert set(tally.regions) == {*REGIONS, AUTH_REGION}
    # Re-signed mutants pass authentication and reach the handlers; broken signatures are 403s.
    assert any(200 <= status < 300 for status in tally.statuses), tally.statuses
    assert tally.statuses.get(403), tally.statuses


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
       path=st.lists(st.sampled_from(["2020-05-31", "connection-group", "distribution-tenant", "anycast-ip-list",
                                      "distribution", "tagging", "config", "x", "%2F", "%ff", "", "cg_1"]),
                     max_size=5).map(lambda parts: "/" + "/".join(parts)),
       query=st.text(max_size=40), headers=st.dictionaries(st.sampled_from(["if-match", "content-type",
                                                                            "authorization", "x-amz-date"]),
                                                           st.text(max_size=40), max_size=3),
       body=st.binary(max_size=300))
def test_arbitrary_requests_never_get_a_5xx(open_app, method, path, query, headers, body):
    app, _corpus = open_app
    response = app.handle(method, path, query, headers, body)
    assert response.status < 500 or response.status == 501


RECORD_PARTS = st.one_of(st.text(max_size=300), st.integers(), st.none(), st.lists(st.text(max_size=5), max_size=3),
                         st.sampled_from(["CNAME", "A", "AAAA", "TXT", "www.example.com", "127.0.0.1", "::1"]))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.one_of(st.binary(max_size=400),
                      st.dictionaries(st.sampled_from(["name", "type", "value", "extra"]), RECORD_PARTS,
                                      max_size=4).map(lambda d: json.dumps(d).encode())),
       name=st.text(max_size=300))
def test_the_dns_zone_answers_hostile_records_with_a_4xx(open_app, body, name):
    app, _corpus = open_app
    added = app.handle("POST", "/_cloudfront-local/dns", "", {}, body)
    assert added.status in (201, 400), (body, added.status, added.body)
    removed = app.handle("DELETE", "/_cloudfront-local/dns/" + urllib.parse.quote(name), "", {}, b"")
    assert removed.status in (204, 400, 404), (name, removed.status, removed.body)
    assert app.handle("GET", "/_cloudfront-local/dns", "", {}, b"").status == 200


KEY_PAIR_PARTS = st.one_of(st.text(max_size=300), st.integers(), st.none(), st.lists(st.text(max_size=5), max_size=3),
                           st.sampled_from(["123456789012", "APKA0123456789ABCDEF", "-----BEGIN PUBLIC KEY-----\n",
                                            "self"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.one_of(st.binary(max_size=400),
                      st.dictionaries(st.sampled_from(["account", "publicKey", "id", "extra"]), KEY_PAIR_PARTS,
                                      max_size=4).map(lambda d: json.dumps(d).encode())),
       name=st.text(max_size=100))
def test_the_key_pairs_endpoint_answers_hostile_entries_with_a_4xx(open_app, body, name):
    app, _corpus = open_app
    added = app.handle("POST", "/_cloudfront-local/key-pairs", "", {}, body)
    assert added.status in (201, 400), (body, added.status, added.body)
    removed = app.handle("DELETE", "/_cloudfront-local/key-pairs/" + urllib.parse.quote(name), "", {}, b"")
    assert removed.status in (204, 404), (name, removed.status, removed.body)
