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


# Lambda's model is served in part (the part Lambda@Edge needs): every operation of it routes to Lambda's codec
# (never CloudFront's), the served ones answer without a 5xx, and the rest answer 501 saying they are not served.
LAMBDA = load_service_model("lambda")
LAMBDA_SERVED = {"CreateFunction", "UpdateFunctionCode", "UpdateFunctionConfiguration", "PublishVersion",
                 "GetFunction", "GetFunctionConfiguration", "ListFunctions", "ListVersionsByFunction",
                 "DeleteFunction", "AddPermission", "GetPolicy", "RemovePermission", "TagResource", "UntagResource",
                 "ListTags", "GetFunctionCodeSigningConfig", "GetFunctionConcurrency", "GetRuntimeManagementConfig",
                 "GetFunctionRecursionConfig", "ListAliases", "GetAlias", "GetFunctionUrlConfig",
                 "ListFunctionUrlConfigs", "GetFunctionEventInvokeConfig", "ListFunctionEventInvokeConfigs",
                 "GetProvisionedConcurrencyConfig", "ListProvisionedConcurrencyConfigs"}


def test_the_lambda_operations_served_are_those_written():
    assert set(Application(Settings(log_requests=False)).lambda_handlers) == LAMBDA_SERVED


def test_no_lambda_path_is_a_cloudfront_path():
    cloudfront_versions = {MODEL.operation_model(n).http["requestUri"].split("/")[1] for n in MODEL.operation_names}
    lambda_versions = {LAMBDA.operation_model(n).http["requestUri"].split("/")[1] for n in LAMBDA.operation_names}
    assert cloudfront_versions == {"2020-05-31"}
    assert not lambda_versions & cloudfront_versions
    # an older CloudFront API version stays CloudFront's (its XML 404), whatever Lambda's dates
    app = Application(Settings(log_requests=False))
    assert app.handle("GET", "/2019-03-26/distribution", "", {}, b"").headers["Content-Type"] == "text/xml"
    assert app.handle("GET", "/2015-03-31/functions", "", {}, b"").headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("name", LAMBDA.operation_names)
def test_every_lambda_operation_reaches_lambda_and_never_a_5xx(app, name):
    operation = LAMBDA.operation_model(name)
    method, path, query, headers, body = botocore_request(operation, sample(operation.input_shape) or {})
    response = app.handle(method, path, query, headers, body)
    # Sample values often break the model's patterns, so a ValidationException (before any operation is
    # named) is a fair answer; it must be Lambda's codec's (JSON), never CloudFront's XML.
    assert response.headers.get("Content-Type") == "application/json", (name, response.status, response.body[:300])
    if response.operation is None:
        assert response.headers["x-amzn-ErrorType"] == "ValidationException", (name, response.body[:300])
    elif name in LAMBDA_SERVED:
        assert response.operation == name and response.status < 500, (name, response.status, response.body[:300])
    else:
        assert response.status == 501 and b"Lambda@Edge" in response.body, (name, response.status)
