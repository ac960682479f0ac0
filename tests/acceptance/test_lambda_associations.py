"""A distribution's LambdaFunctionAssociations, checked as CloudFront checks them, against versions made through
the Lambda API with boto3: a numbered version in us-east-1 that exists, one per event type, IncludeBody on request
events only, no CloudFront function on the same event, Lambda@Edge's limits; a version in use cannot be deleted."""
from __future__ import annotations

import io
import zipfile

import boto3
import botocore.config
import pytest

from builders import direct_config

ROLE = "arn:aws:iam::123456789012:role/edge"
CODE = b"exports.handler = async (event) => event.Records[0].cf.request;\n"


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def lambda_client(server, account):
    return boto3.client("lambda", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id=account,
                        aws_secret_access_key="secret", config=botocore.config.Config(retries={"max_attempts": 1}))


def _version(lambda_client, name: str, **config) -> str:
    made = lambda_client.create_function(FunctionName=name, Runtime=config.pop("Runtime", "nodejs20.x"), Role=ROLE,
                                         Handler="index.handler", Code={"ZipFile": _zip({"index.js": CODE})},
                                         Publish=True, **config)
    return made["FunctionArn"] if made["Version"] != "$LATEST" else lambda_client.publish_version(
        FunctionName=name)["FunctionArn"]


def _with(associations: list[dict], functions: list[dict] | None = None) -> dict:
    config = direct_config()
    config["DefaultCacheBehavior"]["LambdaFunctionAssociations"] = {"Quantity": len(associations),
                                                                    "Items": associations}
    if functions is not None:
        config["DefaultCacheBehavior"]["FunctionAssociations"] = {"Quantity": len(functions), "Items": functions}
    return config


def _refused(client, config: dict, code: str = "InvalidLambdaFunctionAssociation") -> str:
    with pytest.raises(client.exceptions.ClientError) as caught:
        client.create_distribution(DistributionConfig=config)
    error = caught.value.response["Error"]
    assert error["Code"] == code and caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400, error
    return error["Message"]


def test_a_numbered_version_is_associated_and_read_back(client, lambda_client):
    arn = _version(lambda_client, "edge-ok")
    association = {"LambdaFunctionARN": arn, "EventType": "viewer-request", "IncludeBody": True}
    made = client.create_distribution(DistributionConfig=_with([association]))["Distribution"]
    assert made["DistributionConfig"]["DefaultCacheBehavior"]["LambdaFunctionAssociations"] == {
        "Quantity": 1, "Items": [association]}


def test_latest_and_unqualified_arns_are_refused(client, lambda_client):
    arn = _version(lambda_client, "edge-latest")
    base = arn.rsplit(":", 1)[0]
    for named in (base + ":$LATEST", base, base + ":live"):
        message = _refused(client, _with([{"LambdaFunctionARN": named, "EventType": "origin-request"}]))
        assert message == ("The function ARN must reference a specific function version. (The ARN must end with "
                           f"the version number.) ARN: {named}")


def test_another_region_and_a_missing_version(client, lambda_client, account):
    elsewhere = f"arn:aws:lambda:eu-west-1:{account}:function:edge:1"
    assert _refused(client, _with([{"LambdaFunctionARN": elsewhere, "EventType": "viewer-request"}])) == (
        f"The function must be in region 'us-east-1'. ARN: {elsewhere}")
    missing = f"arn:aws:lambda:us-east-1:{account}:function:nothing-here:7"
    assert "ARN: " + missing in _refused(client, _with([{"LambdaFunctionARN": missing,
                                                         "EventType": "viewer-request"}]))


def test_one_per_event_type_and_include_body_on_request_events_only(client, lambda_client):
    arn = _version(lambda_client, "edge-rules")
    twice = [{"LambdaFunctionARN": arn, "EventType": "origin-request"}] * 2
    assert "origin-request" in _refused(client, _with(twice))
    body = [{"LambdaFunctionARN": arn, "EventType": "origin-response", "IncludeBody": True}]
    assert "IncludeBody" in _refused(client, _with(body))


def test_at_most_four_associations_per_behavior(client, lambda_client):
    arn = _version(lambda_client, "edge-many")
    events = ["viewer-request", "viewer-response", "origin-request", "origin-response", "viewer-request"]
    message = _refused(client, _with([{"LambdaFunctionARN": arn, "EventType": e} for e in events]),
                       "TooManyLambdaFunctionAssociations")
    assert "Max allowed: 4" in message


def test_a_cloudfront_function_and_a_lambda_on_the_same_event(client, lambda_client):
    arn = _version(lambda_client, "edge-clash")
    function = client.create_function(Name="clash", FunctionConfig={"Comment": "", "Runtime": "cloudfront-js-2.0"},
                                      FunctionCode=b"function handler(event) { return event.request; }")
    etag = function["ETag"]
    live = client.publish_function(Name="clash", IfMatch=etag)["FunctionSummary"]["FunctionMetadata"]["FunctionARN"]
    config = _with([{"LambdaFunctionARN": arn, "EventType": "viewer-request"}],
                   [{"FunctionARN": live, "EventType": "viewer-request"}])
    assert "viewer-request" in _refused(client, config)
    config = _with([{"LambdaFunctionARN": arn, "EventType": "origin-request"}],
                   [{"FunctionARN": live, "EventType": "viewer-request"}])
    client.create_distribution(DistributionConfig=config)


@pytest.mark.parametrize("config, event, message", [
    ({"Timeout": 30}, "viewer-request", "The function timeout is larger than the maximum allowed for functions that "
                                        "are triggered by a CloudFront event: 30 Max allowed: 5 Function: "),
    ({"MemorySize": 1024}, "viewer-response", "The function memory size is larger than the maximum allowed size for "
                                              "functions that are triggered by a CloudFront event: 1024 Max allowed: "
                                              "128 Function: "),
    ({"Environment": {"Variables": {"STAGE": "1"}}}, "origin-request", "The function cannot have environment variables. "
                                                                   "Function: "),
])
def test_lambda_at_edge_limits(client, lambda_client, config, event, message):
    arn = _version(lambda_client, "edge-limit", **config)
    assert _refused(client, _with([{"LambdaFunctionARN": arn, "EventType": event}])) == message + arn


def test_origin_events_allow_more_time_and_memory(client, lambda_client):
    arn = _version(lambda_client, "edge-origin", Timeout=30, MemorySize=1024)
    client.create_distribution(DistributionConfig=_with([{"LambdaFunctionARN": arn, "EventType": "origin-request"}]))


def test_a_version_in_use_cannot_be_deleted(client, lambda_client):
    arn = _version(lambda_client, "edge-used")
    client.create_distribution(DistributionConfig=_with([{"LambdaFunctionARN": arn, "EventType": "viewer-request"}]))
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as caught:
        lambda_client.delete_function(FunctionName="edge-used", Qualifier=arn.rsplit(":", 1)[1])
    assert "because it is a replicated function" in caught.value.response["Error"]["Message"]
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException):
        lambda_client.delete_function(FunctionName="edge-used")
