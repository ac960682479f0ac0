"""TestFunction and TestConnectionFunction through boto3 against a live server: real-world functions give the
FunctionOutput AWS documents for them, a KeyValueStore written through boto3's `cloudfront-keyvaluestore` client
is read by a function, code CloudFront refuses fails as it does there, and hostile code ends its own run only."""
from __future__ import annotations

import json
import time

import pytest

from builders import direct_config
from conftest import fails
from function_samples import (AB_TEST, CONNECTION, KVS_BY_HOST, PREFIX, REDIRECT, REVOCATION, SAMPLE_REQUEST,
                              SAMPLE_RESPONSE, SECURITY_HEADERS, TRUE_CLIENT_IP, URL_REWRITE, V1, V2, event)
from test_key_value_stores import data_client


def _published(client, name: str, code: str, runtime: str, **config) -> str:
    """Create the function; returns the DEVELOPMENT ETag TestFunction takes."""
    made = client.create_function(Name=name, FunctionConfig={"Comment": "", "Runtime": runtime, **config},
                                  FunctionCode=code.encode())
    return made["ETag"]


def _test(client, name: str, etag: str, event_object: bytes, **extra) -> dict:
    answer = client.test_function(Name=name, IfMatch=etag, EventObject=event_object, **extra)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    return answer["TestResult"]


# (name, code, runtime, event, the FunctionOutput aws-samples/amazon-cloudfront-functions shows)
DOCUMENTED = [
    ("url-rewrite", URL_REWRITE, V2, event(uri="/blog/"),
     {"request": {"headers": {"host": {"value": "www.example.com"}, "accept": {"value": "text/html"}},
                  "method": "GET", "querystring": {"test": {"value": "true"}, "arg": {"value": "val1"}},
                  "uri": "/blog/index.html",
                  "cookies": {"loggedIn": {"value": "false"}, "id": {"value": "CookeIdValue"}}}}),
    ("redirect", REDIRECT, V1, event(headers=dict(SAMPLE_REQUEST["headers"],
                                                  **{"cloudfront-viewer-country": {"value": "DE"}})),
     {"response": {"headers": {"location": {"value": "https://www.example.com/de/index.html"}},
                   "statusDescription": "Found", "cookies": {}, "statusCode": 302}}),
    ("header-add", TRUE_CLIENT_IP, V2, event(),
     {"request": {"headers": {"true-client-ip": {"value": "0.0.0.0"}, "host": {"value": "www.example.com"},
                              "accept": {"value": "text/html"}}, "method": "GET",
                  "querystring": {"test": {"value": "true"}, "arg": {"value": "val1"}}, "uri": "/index.html",
                  "cookies": {"loggedIn": {"value": "false"}, "id": {"value": "CookeIdValue"}}}}),
]


@pytest.mark.parametrize("name, code, runtime, event_object, expected", DOCUMENTED, ids=[d[0] for d in DOCUMENTED])
def test_documented_functions_give_the_documented_output(client, name, code, runtime, event_object, expected):
    etag = _published(client, name, code, runtime)
    result = _test(client, name, etag, event_object)
    assert result["FunctionErrorMessage"] == "" and result["FunctionExecutionLogs"] == []
    assert json.loads(result["FunctionOutput"]) == expected
    assert list(json.loads(result["FunctionOutput"])[next(iter(expected))]) == list(expected[next(iter(expected))])
    assert 0 <= int(result["ComputeUtilization"]) <= 100
    assert result["FunctionSummary"]["Name"] == name
    assert result["FunctionSummary"]["FunctionMetadata"]["Stage"] == "DEVELOPMENT"


def test_viewer_response_security_headers(client):
    etag = _published(client, "security-headers", SECURITY_HEADERS, V1)
    output = json.loads(_test(client, "security-headers", etag, event("viewer-response",
                                                                       response=SAMPLE_RESPONSE))["FunctionOutput"])
    headers = output["response"]["headers"]
    assert headers["strict-transport-security"] == {"value": "max-age=63072000; includeSubdomains; preload"}
    assert headers["x-frame-options"] == {"value": "DENY"} and headers["server"] == {"value": "CustomOriginServer"}
    assert output["response"]["statusCode"] == 200


@pytest.mark.parametrize("group", ["a", "b"])
def test_a_b_by_cookie(client, group):
    name = f"ab-{group}"
    etag = _published(client, name, AB_TEST, V1)
    result = _test(client, name, etag, event(uri="/", cookies={"ab-group": {"value": group}}))
    assert json.loads(result["FunctionOutput"])["request"]["uri"] == f"/{group}/index.html"
    assert result["FunctionExecutionLogs"] == [f"group {group}"]


def test_a_store_written_through_the_data_plane_is_read_by_a_function(server, client, account):
    store = client.create_key_value_store(Name="hosts")["KeyValueStore"]
    kvs = data_client(server.url, account)
    etag = kvs.describe_key_value_store(KvsARN=store["ARN"])["ETag"]
    kvs.put_key(KvsARN=store["ARN"], Key="www.example.com", Value="/site-a", IfMatch=etag)
    function_etag = _published(client, "by-host", KVS_BY_HOST, V2, KeyValueStoreAssociations={
        "Quantity": 1, "Items": [{"KeyValueStoreARN": store["ARN"]}]})
    found = _test(client, "by-host", function_etag, event())
    assert json.loads(found["FunctionOutput"])["request"]["uri"] == "/site-a/index.html"
    missing = _test(client, "by-host", function_etag, event(headers={"host": {"value": "other.example"}}))
    assert json.loads(missing["FunctionOutput"])["request"]["uri"] == "/index.html"
    assert missing["FunctionExecutionLogs"] == ["no prefix: Error: Key other.example not found"]
    # A key changed through the data plane is what the next run reads.
    etag = kvs.describe_key_value_store(KvsARN=store["ARN"])["ETag"]
    kvs.put_key(KvsARN=store["ARN"], Key="other.example", Value="/site-b", IfMatch=etag)
    again = _test(client, "by-host", function_etag, event(headers={"host": {"value": "other.example"}}))
    assert json.loads(again["FunctionOutput"])["request"]["uri"] == "/site-b/index.html"


def test_code_cloudfront_refuses(client):
    # A 1.0 function with `const` is stored (AWS stores code it cannot run) and fails when tested.
    etag = _published(client, "const-in-1", "function handler(event) { const r = event.request; return r; }", V1)
    result = _test(client, "const-in-1", etag, event())
    assert result["FunctionErrorMessage"] == PREFIX + 'SyntaxError: Token "const" not supported in this version in 1'
    assert result["FunctionOutput"] == ""
    assert json.loads(_test(client, "const-in-1", etag, event())["ComputeUtilization"]) >= 0
    etag = _published(client, "uses-eval", "function handler(event) { return eval('event.request'); }", V2)
    assert _test(client, "uses-eval", etag, event())["FunctionErrorMessage"] == \
        PREFIX + "InternalError: Not implemented"


def test_stages_and_if_match(client):
    etag = _published(client, "staged", URL_REWRITE, V2)
    fails(client.test_function, "PreconditionFailed", 412, Name="staged", IfMatch="E000000000000",
          EventObject=event())
    fails(client.test_function, "NoSuchFunctionExists", 404, Name="staged", IfMatch=etag, Stage="LIVE",
          EventObject=event())
    client.publish_function(Name="staged", IfMatch=etag)
    live_etag = client.describe_function(Name="staged", Stage="LIVE")["ETag"]
    fails(client.test_function, "PreconditionFailed", Name="staged", IfMatch=etag, Stage="LIVE", EventObject=event())
    live = _test(client, "staged", live_etag, event(uri="/docs/"), Stage="LIVE")
    assert json.loads(live["FunctionOutput"])["request"]["uri"] == "/docs/index.html"
    assert live["FunctionSummary"]["FunctionMetadata"]["Stage"] == "LIVE"


@pytest.mark.parametrize("code, message", [
    ("function handler(e) { for (;;) {} }", "Error: The function exceeded the maximum allowed compute time"),
    ("function handler(e) { var s = 'x'; for (;;) s += s; }", "MemoryError"),
    ("function handler(e) { return /(a+)+$/.test('a'.repeat(40) + 'b'); }",
     "Error: The function exceeded the maximum allowed compute time"),
], ids=["infinite-loop", "allocation-bomb", "catastrophic-regex"])
def test_hostile_code_ends_its_own_run_only(client, code, message):
    name = f"hostile-{abs(hash(code)) % 10**8}"
    etag = _published(client, name, code, V2)
    started = time.monotonic()
    result = _test(client, name, etag, event())
    assert result["FunctionErrorMessage"] == PREFIX + message
    assert result["ComputeUtilization"] == "100" or message == "MemoryError"
    assert time.monotonic() - started < 10
    # The server goes on: the next run of a good function works.
    good = _published(client, name + "-then", URL_REWRITE, V2)
    assert _test(client, name + "-then", good, event(uri="/x/"))["FunctionErrorMessage"] == ""


def test_connection_functions(client, account):
    store = client.create_key_value_store(Name="revoked")["KeyValueStore"]
    made = client.create_connection_function(Name="revocation", ConnectionFunctionConfig={
        "Comment": "mTLS revocation", "Runtime": V2, "KeyValueStoreAssociations": {
            "Quantity": 1, "Items": [{"KeyValueStoreARN": store["ARN"]}]}}, ConnectionFunctionCode=REVOCATION.encode())
    summary = made["ConnectionFunctionSummary"]
    assert summary["Status"] == "UNPUBLISHED" and summary["Stage"] == "DEVELOPMENT"
    assert summary["ConnectionFunctionArn"] == f"arn:aws:cloudfront::{account}:connection-function/{summary['Id']}"
    assert made["Location"].endswith("/connection-function/" + summary["Id"])
    result = client.test_connection_function(Id=summary["Id"], IfMatch=made["ETag"],
                                              ConnectionObject=CONNECTION)["ConnectionFunctionTestResult"]
    assert result["ConnectionFunctionOutput"] == '{"action":"allow"}'
    assert result["ConnectionFunctionErrorMessage"] == ""
    assert client.get_connection_function(Identifier="revocation")["ConnectionFunctionCode"].read() == \
        REVOCATION.encode()
    fails(client.describe_connection_function, "EntityNotFound", 404, Identifier=summary["Id"], Stage="LIVE")
    fails(client.create_connection_function, "EntityAlreadyExists", 409, Name="revocation",
          ConnectionFunctionConfig={"Comment": "", "Runtime": V2}, ConnectionFunctionCode=b"x")
    client.publish_connection_function(Id=summary["Id"], IfMatch=made["ETag"])
    listed = client.list_connection_functions(Stage="LIVE")["ConnectionFunctions"]
    assert [(f["Id"], f["Stage"], f["Status"]) for f in listed] == [(summary["Id"], "LIVE", "UNASSOCIATED")]
    assert client.list_distributions_by_connection_function(
        ConnectionFunctionIdentifier=summary["Id"])["DistributionList"]["Quantity"] == 0
    fails(client.delete_key_value_store, "CannotDeleteEntityWhileInUse", Name="revoked",
          IfMatch=client.describe_key_value_store(Name="revoked")["ETag"])
    # A distribution names the published function; it is then DEPLOYED, listed by it, and held.
    fails(client.create_distribution, "EntityNotFound", DistributionConfig=direct_config(
        ConnectionFunctionAssociation={"Id": "cf_doesnotexist"}))
    distribution = client.create_distribution(DistributionConfig=direct_config(
        ConnectionFunctionAssociation={"Id": summary["Id"]}))["Distribution"]
    assert client.describe_connection_function(Identifier=summary["Id"], Stage="LIVE")[
        "ConnectionFunctionSummary"]["Status"] == "DEPLOYED"
    listed = client.list_distributions_by_connection_function(ConnectionFunctionIdentifier=summary["Id"])
    assert [d["Id"] for d in listed["DistributionList"]["Items"]] == [distribution["Id"]]
    fails(client.delete_connection_function, "CannotDeleteEntityWhileInUse", 409, Id=summary["Id"],
          IfMatch=made["ETag"])
    config = client.get_distribution_config(Id=distribution["Id"])
    bare = {k: v for k, v in config["DistributionConfig"].items() if k != "ConnectionFunctionAssociation"}
    client.update_distribution(Id=distribution["Id"], IfMatch=config["ETag"], DistributionConfig=bare)
    client.delete_connection_function(Id=summary["Id"], IfMatch=made["ETag"])
    fails(client.describe_connection_function, "EntityNotFound", Identifier=summary["Id"])
