"""AWS Lambda's API, the part Lambda@Edge needs, through boto3's `lambda` client against a live server: every
operation's answer in Lambda's shape, and every refusal with Lambda's error code and status."""
import base64
import hashlib
import io
import json
import random
import zipfile

import boto3
import botocore.config
import pytest
import requests
from botocore.exceptions import ClientError

from conftest import make_client
from lambda_zips import ROLE, node, package, python
from serving import RunningServer


def lambda_client(url: str, account: str, **config):
    return boto3.client("lambda", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account,
                        aws_secret_access_key="secret",
                        config=botocore.config.Config(retries={"max_attempts": 1}, **config))


@pytest.fixture
def aws_lambda(server, account):
    return lambda_client(server.url, account)


def create(client, name="edge", runtime="nodejs20.x", handler="index.handler", code=None, **extra):
    return client.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler,
                                  Code={"ZipFile": node() if code is None else code}, **extra)


def error_of(call, **params) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as raised:
        call(**params)
    error = raised.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Message"]


def test_create_function_answers_latest_as_lambda_does(aws_lambda, account):
    code = node()
    created = create(aws_lambda, code=code, Description="rewrites", Timeout=5, MemorySize=128,
                     Environment={"Variables": {"STAGE": "test"}})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["FunctionName"] == "edge"
    assert created["FunctionArn"] == f"arn:aws:lambda:us-east-1:{account}:function:edge"
    assert created["Version"] == "$LATEST"
    assert created["CodeSha256"] == base64.b64encode(hashlib.sha256(code).digest()).decode()
    assert created["CodeSize"] == len(code)
    assert (created["State"], created["LastUpdateStatus"], created["PackageType"]) == ("Active", "Successful", "Zip")
    assert (created["Runtime"], created["Handler"], created["Role"]) == ("nodejs20.x", "index.handler", ROLE)
    assert (created["Timeout"], created["MemorySize"], created["Description"]) == (5, 128, "rewrites")
    assert created["Environment"] == {"Variables": {"STAGE": "test"}}
    assert created["RevisionId"] and created["LastModified"].endswith("+0000")
    # botocore's own waiter passes at once
    aws_lambda.get_waiter("function_active_v2").wait(FunctionName="edge", WaiterConfig={"Delay": 1, "MaxAttempts": 2})


def test_create_with_publish_answers_version_1(aws_lambda, account):
    created = create(aws_lambda, Publish=True)
    assert created["Version"] == "1"
    assert created["FunctionArn"] == f"arn:aws:lambda:us-east-1:{account}:function:edge:1"
    latest = aws_lambda.get_function_configuration(FunctionName="edge")
    assert latest["Version"] == "$LATEST" and latest["CodeSha256"] == created["CodeSha256"]


def test_python_handlers_and_directories(aws_lambda):
    create(aws_lambda, "py", runtime="python3.13", handler="app.handler", code=python())
    create(aws_lambda, "pydir", runtime="python3.9", handler="src/app.handler", code=python(name="src/app.py"))
    create(aws_lambda, "pypkg", runtime="python3.11", handler="pkg.app.handler", code=python(name="pkg/app.py"))
    create(aws_lambda, "esm", handler="lib/index.handler", code=node(name="lib/index.mjs"))
    create(aws_lambda, "cjs", runtime="nodejs18.x", code=node(name="index.cjs"))
    assert len(aws_lambda.list_functions()["Functions"]) == 5


def test_a_name_taken_is_a_conflict(aws_lambda):
    create(aws_lambda)
    code, status, message = error_of(create, client=aws_lambda)
    assert (code, status) == ("ResourceConflictException", 409) and "edge" in message


@pytest.mark.parametrize("runtime", ["java21", "nodejs16.x", "python3.14", "provided.al2023"])
def test_a_runtime_not_run_here_is_refused_by_name(aws_lambda, runtime):
    code, status, message = error_of(create, client=aws_lambda, runtime=runtime)
    assert (code, status) == ("InvalidParameterValueException", 400) and runtime in message


def test_what_the_model_refuses_is_a_validation_error(server, account):
    raw = lambda_client(server.url, account, parameter_validation=False)
    assert error_of(create, client=raw, runtime="cobol")[:2] == ("ValidationException", 400)
    code, status, message = error_of(raw.create_function, FunctionName="edge", Runtime="nodejs20.x",
                                     Role="not-a-role", Handler="index.handler", Code={"ZipFile": node()})
    assert (code, status) == ("ValidationException", 400) and "role" in message.lower()


def _symlinkless(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo(name), "x")
        archive.writestr("index.js", "exports.handler = async () => ({});")
    return buffer.getvalue()


@pytest.mark.parametrize("case,params", [
    ("not a zip", {"code": b"this is not a zip"}),
    ("a member outside the package", {"code": _symlinkless("../escape.js")}),
    ("an absolute member", {"code": _symlinkless("/etc/passwd")}),
    ("no file for the handler", {"handler": "main.handler"}),
    ("a Python file for a Node handler", {"code": python(name="index.py")}),
    ("a Node file for a Python handler", {"runtime": "python3.12", "handler": "index.handler"}),
    ("a handler without a function", {"handler": "index"}),
])
def test_bad_packages_and_handlers_are_refused(aws_lambda, case, params):
    code, status, message = error_of(create, client=aws_lambda, **params)
    assert (code, status) == ("InvalidParameterValueException", 400), (case, message)


def test_a_zip_bomb_is_refused(aws_lambda):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.js", "exports.handler = async () => ({});")
        with archive.open("padding.bin", "w", force_zip64=True) as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(251):
                member.write(block)
    assert len(buffer.getvalue()) < 1024 * 1024
    code, status, message = error_of(create, client=aws_lambda, code=buffer.getvalue())
    assert (code, status) == ("InvalidParameterValueException", 400) and "Unzipped size" in message


def test_a_package_over_a_megabyte_is_taken(aws_lambda):
    # Code comes in the body, base64: far over the CloudFront API's 1 MB body limit.
    bulk = random.Random(7).randbytes(3 * 1024 * 1024)  # incompressible
    created = create(aws_lambda, code=package({"index.js": "exports.handler = async () => ({});",
                                               "data.bin": bulk}))
    assert created["CodeSize"] > 3 * 1024 * 1024


def test_image_and_s3_code_are_refused_without_their_sources(aws_lambda):
    code, status, message = error_of(aws_lambda.create_function, FunctionName="img", Role=ROLE,
                                     PackageType="Image", Code={"ImageUri": "123456789012.dkr.ecr/x:1"})
    assert (code, status) == ("InvalidParameterValueException", 400) and "zip" in message.lower()
    code, status, message = error_of(aws_lambda.create_function, FunctionName="s3", Role=ROLE, Runtime="nodejs20.x",
                                     Handler="index.handler", Code={"S3Bucket": "code", "S3Key": "edge.zip"})
    assert (code, status) == ("InvalidParameterValueException", 400) and "--s3-endpoint" in message
    assert error_of(aws_lambda.create_function, FunctionName="none", Role=ROLE, Runtime="nodejs20.x",
                    Handler="index.handler", Code={})[:2] == ("InvalidParameterValueException", 400)


def test_unsupported_settings_are_refused_clearly(aws_lambda):
    code, _, message = error_of(create, client=aws_lambda, Layers=["arn:aws:lambda:us-east-1:123456789012:layer:l:1"])
    assert code == "InvalidParameterValueException" and "layers" in message
    code, _, message = error_of(create, client=aws_lambda, VpcConfig={"SubnetIds": ["subnet-1"]})
    assert code == "InvalidParameterValueException" and "VPC" in message
    code, _, message = error_of(create, client=aws_lambda, Environment={"Variables": {"AWS_REGION": "x"}})
    assert code == "InvalidParameterValueException" and "AWS_REGION" in message


def test_get_function_gives_a_location_that_serves_the_zip(aws_lambda, account):
    code = node()
    create(aws_lambda, code=code, Tags={"team": "edge"}, Publish=True)
    answer = aws_lambda.get_function(FunctionName="edge")
    assert answer["Configuration"]["Version"] == "$LATEST"
    assert answer["Tags"] == {"team": "edge"}
    assert answer["Code"]["RepositoryType"] == "S3"
    downloaded = requests.get(answer["Code"]["Location"], timeout=10)
    assert downloaded.status_code == 200 and downloaded.content == code
    tampered = answer["Code"]["Location"].replace("Signature=", "Signature=0")
    assert requests.get(tampered, timeout=10).status_code == 403
    version = aws_lambda.get_function(FunctionName=f"arn:aws:lambda:us-east-1:{account}:function:edge:1")
    assert version["Configuration"]["Version"] == "1"
    assert requests.get(version["Code"]["Location"], timeout=10).content == code


def test_reads_of_what_does_not_exist(aws_lambda, account):
    for call, params in ((aws_lambda.get_function, {"FunctionName": "missing"}),
                         (aws_lambda.get_function_configuration, {"FunctionName": "missing"}),
                         (aws_lambda.list_versions_by_function, {"FunctionName": "missing"}),
                         (aws_lambda.delete_function, {"FunctionName": "missing"}),
                         (aws_lambda.get_policy, {"FunctionName": "missing"}),
                         (aws_lambda.publish_version, {"FunctionName": "missing"})):
        assert error_of(call, **params)[:2] == ("ResourceNotFoundException", 404), call
    create(aws_lambda)
    assert error_of(aws_lambda.get_function, FunctionName="edge", Qualifier="7")[:2] == \
        ("ResourceNotFoundException", 404)
    assert error_of(aws_lambda.get_function, FunctionName="edge:1", Qualifier="2")[:2] == \
        ("InvalidParameterValueException", 400)


def test_update_code_and_configuration_renew_the_revision(aws_lambda):
    created = create(aws_lambda)
    updated = aws_lambda.update_function_code(FunctionName="edge", ZipFile=node("exports.handler = async () => 1;"))
    assert updated["CodeSha256"] != created["CodeSha256"] and updated["RevisionId"] != created["RevisionId"]
    assert updated["Version"] == "$LATEST" and updated["LastUpdateStatus"] == "Successful"
    code, status, _ = error_of(aws_lambda.update_function_code, FunctionName="edge", ZipFile=node(),
                               RevisionId=created["RevisionId"])
    assert (code, status) == ("PreconditionFailedException", 412)
    configured = aws_lambda.update_function_configuration(FunctionName="edge", Timeout=7, Description="d",
                                                          RevisionId=updated["RevisionId"])
    assert (configured["Timeout"], configured["Description"]) == (7, "d")
    assert configured["CodeSha256"] == updated["CodeSha256"]
    assert error_of(aws_lambda.update_function_configuration, FunctionName="edge",
                    Handler="other.handler")[:2] == ("InvalidParameterValueException", 400)
    assert error_of(aws_lambda.update_function_configuration, FunctionName="edge",
                    Runtime="python3.12")[:2] == ("InvalidParameterValueException", 400)
    dry = aws_lambda.update_function_code(FunctionName="edge", ZipFile=node("// dry"), DryRun=True)
    assert aws_lambda.get_function_configuration(FunctionName="edge")["CodeSha256"] != dry["CodeSha256"]
    assert error_of(aws_lambda.update_function_code, FunctionName="edge:1", ZipFile=node())[:2] == \
        ("InvalidParameterValueException", 400)


def test_versions_are_immutable_snapshots(aws_lambda, account):
    first = create(aws_lambda, Publish=True)
    again = aws_lambda.publish_version(FunctionName="edge")
    assert again["Version"] == "1"  # nothing changed since version 1
    second = aws_lambda.update_function_code(FunctionName="edge", ZipFile=node("exports.handler = async () => 2;"),
                                             Publish=True)
    assert second["Version"] == "2" and second["FunctionArn"].endswith(":edge:2")
    aws_lambda.update_function_configuration(FunctionName="edge", Timeout=9)
    third = aws_lambda.publish_version(FunctionName="edge", Description="third")
    assert (third["Version"], third["Timeout"], third["Description"]) == ("3", 9, "third")
    one = aws_lambda.get_function_configuration(FunctionName="edge", Qualifier="1")
    assert (one["CodeSha256"], one["Timeout"]) == (first["CodeSha256"], 3)
    code, _, message = error_of(aws_lambda.publish_version, FunctionName="edge", CodeSha256="AAAA")
    assert code == "InvalidParameterValueException" and "CodeSHA256" in message
    assert error_of(aws_lambda.publish_version, FunctionName="edge", RevisionId="stale")[:2] == \
        ("PreconditionFailedException", 412)


def test_list_versions_pages_with_marker(aws_lambda):
    create(aws_lambda, Publish=True)
    for n in range(2, 5):
        aws_lambda.update_function_code(FunctionName="edge", ZipFile=node(f"// {n}\nexports.handler = 0;"),
                                        Publish=True)
    seen, marker = [], None
    while True:
        page = aws_lambda.list_versions_by_function(FunctionName="edge", MaxItems=2, **({"Marker": marker} if marker
                                                                                         else {}))
        assert len(page["Versions"]) <= 2
        seen += [v["Version"] for v in page["Versions"]]
        marker = page.get("NextMarker")
        if not marker:
            break
    assert seen == ["$LATEST", "1", "2", "3", "4"]
    paginated = aws_lambda.get_paginator("list_versions_by_function").paginate(FunctionName="edge",
                                                                              PaginationConfig={"PageSize": 3})
    assert [v["Version"] for p in paginated for v in p["Versions"]] == seen
    assert error_of(aws_lambda.list_versions_by_function, FunctionName="edge", Marker="junk")[:2] == \
        ("InvalidParameterValueException", 400)


def test_list_functions_pages_and_lists_every_version(aws_lambda):
    for name in ("c", "a", "b"):
        create(aws_lambda, name, Publish=True)
    first = aws_lambda.list_functions(MaxItems=2)
    assert [f["FunctionName"] for f in first["Functions"]] == ["a", "b"]
    rest = aws_lambda.list_functions(MaxItems=2, Marker=first["NextMarker"])
    assert [f["FunctionName"] for f in rest["Functions"]] == ["c"] and "NextMarker" not in rest
    every = aws_lambda.list_functions(FunctionVersion="ALL")["Functions"]
    assert [(f["FunctionName"], f["Version"]) for f in every] == [
        ("a", "$LATEST"), ("a", "1"), ("b", "$LATEST"), ("b", "1"), ("c", "$LATEST"), ("c", "1")]


def test_delete_a_version_or_the_whole_function(aws_lambda):
    create(aws_lambda, Publish=True)
    aws_lambda.update_function_code(FunctionName="edge", ZipFile=node("// 2\nexports.handler = 0;"), Publish=True)
    assert error_of(aws_lambda.delete_function, FunctionName="edge", Qualifier="$LATEST")[:2] == \
        ("InvalidParameterValueException", 400)
    aws_lambda.delete_function(FunctionName="edge", Qualifier="1")
    assert [v["Version"] for v in aws_lambda.list_versions_by_function(FunctionName="edge")["Versions"]] == \
        ["$LATEST", "2"]
    assert error_of(aws_lambda.delete_function, FunctionName="edge", Qualifier="1")[:2] == \
        ("ResourceNotFoundException", 404)
    # Version numbers are never given again, even after a deletion.
    aws_lambda.update_function_code(FunctionName="edge", ZipFile=node("// 3\nexports.handler = 0;"))
    assert aws_lambda.publish_version(FunctionName="edge")["Version"] == "3"
    aws_lambda.delete_function(FunctionName="edge")
    assert error_of(aws_lambda.get_function, FunctionName="edge")[:2] == ("ResourceNotFoundException", 404)
    assert error_of(aws_lambda.get_function, FunctionName="edge", Qualifier="2")[:2] == \
        ("ResourceNotFoundException", 404)


def test_permissions(aws_lambda, account):
    created = create(aws_lambda, Publish=True)
    assert error_of(aws_lambda.get_policy, FunctionName="edge")[:2] == ("ResourceNotFoundException", 404)
    added = aws_lambda.add_permission(FunctionName="edge", StatementId="replicator", Action="lambda:GetFunction",
                                      Principal="replicator.lambda.amazonaws.com", Qualifier="1")
    assert added["ResponseMetadata"]["HTTPStatusCode"] == 201
    statement = json.loads(added["Statement"])
    assert statement == {"Sid": "replicator", "Effect": "Allow", "Principal": {"Service": "replicator.lambda.amazonaws.com"},
                         "Action": "lambda:GetFunction",
                         "Resource": f"arn:aws:lambda:us-east-1:{account}:function:edge:1"}
    policy = aws_lambda.get_policy(FunctionName="edge", Qualifier="1")
    assert json.loads(policy["Policy"])["Statement"] == [statement]
    assert error_of(aws_lambda.get_policy, FunctionName="edge")[:2] == ("ResourceNotFoundException", 404)
    assert error_of(aws_lambda.add_permission, FunctionName="edge", StatementId="replicator", Action="lambda:*",
                    Principal="*", Qualifier="1")[:2] == ("ResourceConflictException", 409)
    latest = aws_lambda.add_permission(FunctionName="edge", StatementId="cf", Action="lambda:InvokeFunction",
                                       Principal="edgelambda.amazonaws.com", SourceAccount=account,
                                       SourceArn=f"arn:aws:cloudfront::{account}:distribution/E1")
    assert json.loads(latest["Statement"])["Condition"] == {
        "ArnLike": {"AWS:SourceArn": f"arn:aws:cloudfront::{account}:distribution/E1"},
        "StringEquals": {"AWS:SourceAccount": account}}
    assert aws_lambda.get_policy(FunctionName="edge")["RevisionId"] != created["RevisionId"]
    assert error_of(aws_lambda.add_permission, FunctionName="edge", StatementId="x", Action="lambda:*",
                    Principal="*", RevisionId="stale")[:2] == ("PreconditionFailedException", 412)
    aws_lambda.remove_permission(FunctionName="edge", StatementId="replicator", Qualifier="1")
    assert error_of(aws_lambda.get_policy, FunctionName="edge", Qualifier="1")[:2] == ("ResourceNotFoundException", 404)
    assert error_of(aws_lambda.remove_permission, FunctionName="edge", StatementId="replicator",
                    Qualifier="1")[:2] == ("ResourceNotFoundException", 404)


def test_tags(aws_lambda, account):
    arn = create(aws_lambda, Tags={"a": "1"})["FunctionArn"]
    aws_lambda.tag_resource(Resource=arn, Tags={"b": "2"})
    assert aws_lambda.list_tags(Resource=arn)["Tags"] == {"a": "1", "b": "2"}
    aws_lambda.untag_resource(Resource=arn, TagKeys=["a"])
    assert aws_lambda.list_tags(Resource=arn)["Tags"] == {"b": "2"}
    assert error_of(aws_lambda.tag_resource, Resource=arn, Tags={"aws:x": "1"})[:2] == \
        ("InvalidParameterValueException", 400)
    assert error_of(aws_lambda.list_tags, Resource=arn + "x")[:2] == ("ResourceNotFoundException", 404)


def test_settings_a_function_here_never_has(aws_lambda, account):
    create(aws_lambda, Publish=True)
    signing = aws_lambda.get_function_code_signing_config(FunctionName="edge")
    assert (signing["CodeSigningConfigArn"], signing["FunctionName"]) == ("", "edge")
    assert "ReservedConcurrentExecutions" not in aws_lambda.get_function_concurrency(FunctionName="edge")
    assert aws_lambda.get_runtime_management_config(FunctionName="edge")["UpdateRuntimeOn"] == "Auto"
    assert aws_lambda.get_function_recursion_config(FunctionName="edge")["RecursiveLoop"] == "Terminate"
    assert aws_lambda.list_aliases(FunctionName="edge")["Aliases"] == []
    assert aws_lambda.list_function_url_configs(FunctionName="edge")["FunctionUrlConfigs"] == []
    assert aws_lambda.list_function_event_invoke_configs(FunctionName="edge")["FunctionEventInvokeConfigs"] == []
    assert aws_lambda.list_provisioned_concurrency_configs(FunctionName="edge")["ProvisionedConcurrencyConfigs"] == []
    for call, params in ((aws_lambda.get_function_url_config, {}), (aws_lambda.get_alias, {"Name": "live"}),
                         (aws_lambda.get_function_event_invoke_config, {})):
        assert error_of(call, FunctionName="edge", **params)[:2] == ("ResourceNotFoundException", 404)
    assert error_of(aws_lambda.get_provisioned_concurrency_config, FunctionName="edge", Qualifier="1")[:2] == \
        ("ProvisionedConcurrencyConfigNotFoundException", 404)
    assert error_of(aws_lambda.get_function_concurrency, FunctionName="missing")[:2] == \
        ("ResourceNotFoundException", 404)


def test_an_operation_not_served_is_501_and_says_why(aws_lambda):
    create(aws_lambda)
    code, status, message = error_of(aws_lambda.invoke, FunctionName="edge")
    assert (code, status) == ("NotImplemented", 501) and "Lambda@Edge" in message


def test_accounts_and_regions_are_apart(server, aws_lambda, account):
    arn = create(aws_lambda)["FunctionArn"]
    other = lambda_client(server.url, "210987654321")
    assert "edge" not in [f["FunctionName"] for f in other.list_functions()["Functions"]]
    assert error_of(other.get_function, FunctionName=arn)[:2] == ("ResourceNotFoundException", 404)
    west = boto3.client("lambda", endpoint_url=server.url, region_name="eu-west-1", aws_access_key_id=account,
                        aws_secret_access_key="secret")
    assert west.list_functions()["Functions"] == []
    assert error_of(west.get_function, FunctionName="edge")[:2] == ("ResourceNotFoundException", 404)
    # CloudFront's API on the same port is untouched.
    assert make_client(server.url, account).list_distributions()["DistributionList"]["Quantity"] == 0


def test_aws_endpoint_url_lambda_reaches_the_server(server, account, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", server.url)
    client = boto3.client("lambda", region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="s")
    assert client.list_functions()["Functions"] == []


def test_sigv4_for_lambda_is_verified_under_credentials(tmp_path):
    path = tmp_path / "credentials.toml"
    path.write_text('[[credentials]]\naccess_key_id = "AKIDLAMBDA"\nsecret_access_key = "right"\n'
                    'account_id = "333333333333"\nallow = ["lambda:*"]\n')
    with RunningServer("--credentials", str(path), "--edge-port", "-1") as running:
        good = boto3.client("lambda", endpoint_url=running.url, region_name="us-east-1",
                            aws_access_key_id="AKIDLAMBDA", aws_secret_access_key="right")
        assert create(good)["FunctionArn"] == "arn:aws:lambda:us-east-1:333333333333:function:edge"
        bad = boto3.client("lambda", endpoint_url=running.url, region_name="us-east-1",
                           aws_access_key_id="AKIDLAMBDA", aws_secret_access_key="wrong",
                           config=botocore.config.Config(retries={"max_attempts": 1}))
        assert error_of(bad.list_functions)[:2] == ("SignatureDoesNotMatch", 403)
        cloudfront = make_client(running.url)
        cloudfront._request_signer._credentials = good._request_signer._credentials
        assert error_of(cloudfront.list_distributions)[:2] == ("AccessDenied", 403)
