"""Hostile input against the whole application: no request, however malformed, gets a 5xx (501 for
operations not implemented yet aside). Mutations of real botocore requests, and hypothesis."""
import os
import random
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudfront_local.application import Application
from cloudfront_local.config import Settings
from samples import botocore_request, sample

CASES = int(os.environ.get("CLOUDFRONT_LOCAL_FUZZ_CASES", "4000"))
FRAGMENTS = [b"<", b">", b"</", b"&amp;", b"&#0;", b"&#xD800;", b"\xff", b"\xc3\x28", b"\x00", b"<!DOCTYPE a>",
             b"<![CDATA[x]]>", b"<?pi?>", b"<a:b xmlns:a='u'>", b"99999999999999999999999", b"-1", b"true",
             b"<Items>", b"</Items>", b"<Quantity>2</Quantity>", b"\xe2\x80\xae", "é".encode()]
TEXTS = ["", "x" * 300, "cg_" + "a" * 27, "arn:aws:cloudfront::123456789012:connection-group/cg_x",
         "E1A2B3C4D5E6F7", "tenant-only", "658327ea-f89d-4fab-a63d-7e88639e58f6", "a.example.com", "%ff", "../..",
         "\u0000", "\ud7ff", "ipv4", "dualstack", "-1", "2147483648"]


@pytest.fixture(scope="module")
def app():
    return Application(Settings(log_requests=False))


def _mutate_value(value, rng):
    if isinstance(value, dict):
        return {k: _mutate_value(v, rng) for k, v in value.items() if rng.random() < 0.85}
    if isinstance(value, list):
        return [_mutate_value(v, rng) for v in value[: rng.randint(0, 3)]]
    if isinstance(value, bool):
        return rng.random() < 0.5
    if isinstance(value, int):
        return rng.choice([value, 0, -1, 3, 21, 2**31 - 1])
    if isinstance(value, str):
        return rng.choice([value, *TEXTS])
    return value


def _mutate_bytes(body: bytes, rng) -> bytes:
    data = bytearray(body)
    for _ in range(rng.randint(0, 4)):
        choice = rng.random()
        position = rng.randint(0, len(data)) if data else 0
        if choice < 0.4:
            data[position:position] = rng.choice(FRAGMENTS)
        elif choice < 0.7 and data:
            del data[position:position + rng.randint(1, 20)]
        elif data:
            data[min(position, len(data) - 1)] = rng.randrange(256)
    return bytes(data)


def test_mutated_real_requests_never_get_a_5xx(app):
    rng = random.Random(int(os.environ.get("CLOUDFRONT_LOCAL_FUZZ_SEED", time.time_ns() % 2**32)))
    model = app.codec.model
    names = model.operation_names
    answered = {}
    for _ in range(CASES):
        # Mostly implemented operations: they go deepest.
        name = rng.choice([n for n in names if n in app.handlers] if rng.random() < 0.8 else names)
        operation = model.operation_model(name)
        params = _mutate_value(sample(operation.input_shape) or {}, rng) if operation.input_shape else {}
        try:
            method, path, query, headers, body = botocore_request(operation, params)
        except Exception:  # botocore refused to serialize what we made of it: send the sample instead
            method, path, query, headers, body = botocore_request(operation, sample(operation.input_shape) or {}) \
                if operation.input_shape else botocore_request(operation, {})
        if rng.random() < 0.5:
            body = _mutate_bytes(body, rng)
        if rng.random() < 0.2:
            path = path + rng.choice(["/", "//", "/x", "%00", "%ff"])
        if rng.random() < 0.2:
            query = query + rng.choice(["&MaxItems=abc", "&Marker=%ff", "&x", "=&=", "&Operation=Tag"])
        headers["authorization"] = f"AWS4-HMAC-SHA256 Credential=1234567890{rng.randint(10, 12)}/x"
        response = app.handle(method, path, query, headers, body)
        answered[response.status] = answered.get(response.status, 0) + 1
        assert response.status < 500 or response.status == 501, (name, method, path, query, body[:300],
                                                                   response.body[:500])
    assert sum(answered.values()) == CASES
    assert any(200 <= status < 300 for status in answered), answered  # the mutations still reach handlers


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
       path=st.lists(st.sampled_from(["2020-05-31", "connection-group", "distribution-tenant", "anycast-ip-list",
                                      "distribution", "tagging", "config", "x", "%2F", "%ff", "", "cg_1"]),
                     max_size=5).map(lambda parts: "/" + "/".join(parts)),
       query=st.text(max_size=40), headers=st.dictionaries(st.sampled_from(["if-match", "content-type",
                                                                            "authorization", "x-amz-date"]),
                                                           st.text(max_size=40), max_size=3),
       body=st.binary(max_size=300))
def test_arbitrary_requests_never_get_a_5xx(app, method, path, query, headers, body):
    response = app.handle(method, path, query, headers, body)
    assert response.status < 500 or response.status == 501
