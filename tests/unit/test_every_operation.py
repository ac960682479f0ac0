"""Every operation of botocore's CloudFront model answers: a request made from its input shape by botocore's
own serializer gets neither a 501 nor a 5xx, and every operation has a handler. The 501 path is left only for
an operation of a newer botocore model than this code knows, and says so."""
from __future__ import annotations

import pytest

from cloudfront_local.application import Application
from cloudfront_local.config import Settings
from cloudfront_local.protocol import load_service_model
from samples import botocore_request, sample

MODEL = load_service_model("cloudfront")


@pytest.fixture(scope="module")
def app():
    return Application(Settings(log_requests=False))


def test_every_operation_of_the_model_has_a_handler(app):
    assert sorted(set(MODEL.operation_names) - set(app.handlers)) == []
    assert len(MODEL.operation_names) >= 167


@pytest.mark.parametrize("name", MODEL.operation_names)
def test_a_request_of_every_operation_gets_neither_501_nor_5xx(app, name):
    operation = MODEL.operation_model(name)
    method, path, query, headers, body = botocore_request(operation, sample(operation.input_shape) or {})
    response = app.handle(method, path, query, headers, body)
    assert response.status != 501 and response.status < 500, (name, response.status, response.body[:300])


def test_an_operation_of_a_newer_model_is_501_and_says_so(app):
    handler = app.handlers.pop("ListStreamingDistributions")
    try:
        operation = MODEL.operation_model("ListStreamingDistributions")
        response = app.handle(*botocore_request(operation, {}))
    finally:
        app.handlers["ListStreamingDistributions"] = handler
    assert response.status == 501
    assert b"<Code>NotImplemented</Code>" in response.body
    assert b"ListStreamingDistributions" in response.body and b"newer" in response.body
