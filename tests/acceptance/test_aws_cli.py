"""The AWS CLI, unmodified, through a whole connection-group lifecycle against `cloudfront-local serve`."""
import json
import os
import subprocess
import sys

import pytest


@pytest.fixture
def aws(server, account, tmp_path):
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": account,
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_CLOUDFRONT": server.url,   # the CLI finds the emulator through this variable alone
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_PAGER": "",
    }

    def run(*args, expect_error: str | None = None):
        result = subprocess.run([sys.executable, "-m", "awscli", "cloudfront", *args, "--output", "json"],
                                capture_output=True, text=True, env=env, timeout=60)
        if expect_error:
            assert result.returncode != 0
            assert expect_error in result.stderr, result.stderr
            return result.stderr
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout) if result.stdout.strip() else None

    return run


def test_cli_lifecycle(aws, account):
    created = aws("create-connection-group", "--name", "cli-group", "--no-ipv6-enabled",
                  "--tags", "Items=[{Key=env,Value=test}]")
    group = created["ConnectionGroup"]
    assert group["Name"] == "cli-group"
    assert group["Ipv6Enabled"] is False
    assert group["Arn"].startswith(f"arn:aws:cloudfront::{account}:connection-group/cg_")

    fetched = aws("get-connection-group", "--identifier", "cli-group")
    assert fetched["ConnectionGroup"]["Id"] == group["Id"]
    assert fetched["ConnectionGroup"]["Status"] == "Deployed"
    by_endpoint = aws("get-connection-group-by-routing-endpoint", "--routing-endpoint", group["RoutingEndpoint"])
    assert by_endpoint["ConnectionGroup"]["Id"] == group["Id"]

    listed = aws("list-connection-groups")
    assert [g["Id"] for g in listed["ConnectionGroups"]] == [group["Id"]]

    aws("create-connection-group", "--name", "cli-group", expect_error="EntityAlreadyExists")
    aws("delete-connection-group", "--id", group["Id"], "--if-match", created["ETag"], expect_error="ResourceNotDisabled")

    updated = aws("update-connection-group", "--id", group["Id"], "--if-match", created["ETag"], "--no-enabled")
    assert updated["ConnectionGroup"]["Enabled"] is False
    aws("update-connection-group", "--id", group["Id"], "--if-match", created["ETag"], "--enabled",
        expect_error="PreconditionFailed")

    tags = aws("list-tags-for-resource", "--resource", group["Arn"])
    assert tags["Tags"]["Items"] == [{"Key": "env", "Value": "test"}]

    aws("delete-connection-group", "--id", group["Id"], "--if-match", updated["ETag"])
    aws("get-connection-group", "--identifier", group["Id"], expect_error="EntityNotFound")


def test_cli_policies_and_access(aws):
    """The families a distribution refers to, through the CLI's own argument parsing and output."""
    policy = aws("create-origin-access-control", "--origin-access-control-config",
                 "Name=cli-oac,SigningProtocol=sigv4,SigningBehavior=always,OriginAccessControlOriginType=s3")
    oac = policy["OriginAccessControl"]
    assert oac["OriginAccessControlConfig"]["Name"] == "cli-oac"
    listed = aws("list-origin-access-controls")["OriginAccessControlList"]["Items"]
    assert [item["Id"] for item in listed] == [oac["Id"]]
    managed = aws("list-cache-policies", "--type", "managed")["CachePolicyList"]["Items"]
    assert "Managed-CachingOptimized" in [item["CachePolicy"]["CachePolicyConfig"]["Name"] for item in managed]
    aws("delete-cache-policy", "--id", "658327ea-f89d-4fab-a63d-7e88639e58f6", "--if-match", "E1",
        expect_error="IllegalDelete")
    identity = aws("create-cloud-front-origin-access-identity", "--cloud-front-origin-access-identity-config",
                   "CallerReference=cli-oai,Comment=cli")["CloudFrontOriginAccessIdentity"]
    got = aws("get-cloud-front-origin-access-identity", "--id", identity["Id"])
    aws("delete-cloud-front-origin-access-identity", "--id", identity["Id"], "--if-match", got["ETag"])
    aws("get-cloud-front-origin-access-identity", "--id", identity["Id"],
        expect_error="NoSuchCloudFrontOriginAccessIdentity")


def test_cli_functions_and_key_value_stores(aws, tmp_path):
    code = tmp_path / "function.js"
    code.write_text("function handler(event) { var r = event.request; r.uri = r.uri + 'index.html'; "
                    "console.log('to ' + r.uri); return r; }")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"version": "1.0", "context": {"eventType": "viewer-request"},
                                 "viewer": {"ip": "198.51.100.1"}, "request": {
                                     "method": "GET", "uri": "/docs/", "querystring": {}, "headers": {},
                                     "cookies": {}}}))
    store = aws("create-key-value-store", "--name", "cli-store", "--comment", "from the CLI")["KeyValueStore"]
    assert aws("describe-key-value-store", "--name", "cli-store")["KeyValueStore"]["ARN"] == store["ARN"]
    created = aws("create-function", "--name", "cli-function", "--function-code", f"fileb://{code}",
                  "--function-config", "Comment=cli,Runtime=cloudfront-js-1.0")
    assert created["FunctionSummary"]["Status"] == "UNPUBLISHED"
    tested = aws("test-function", "--name", "cli-function", "--if-match", created["ETag"],
                 "--event-object", f"fileb://{event}")["TestResult"]
    assert json.loads(tested["FunctionOutput"])["request"]["uri"] == "/docs/index.html"
    assert tested["FunctionExecutionLogs"] == ["to /docs/index.html"]
    published = aws("publish-function", "--name", "cli-function", "--if-match", created["ETag"])
    assert published["FunctionSummary"]["FunctionMetadata"]["Stage"] == "LIVE"
    listed = aws("list-functions", "--stage", "LIVE")["FunctionList"]["Items"]
    assert [f["Name"] for f in listed] == ["cli-function"]
    aws("delete-function", "--name", "cli-function", "--if-match", created["ETag"])
    aws("describe-function", "--name", "cli-function", expect_error="NoSuchFunctionExists")
    etag = aws("describe-key-value-store", "--name", "cli-store")["ETag"]
    aws("delete-key-value-store", "--name", "cli-store", "--if-match", etag)
