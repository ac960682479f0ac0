"""KeyValueStores through boto3 against a live server: the control plane in the CloudFront API (create, import
from S3, describe, comment, in use by a function, list) and the data plane through boto3's own
`cloudfront-keyvaluestore` client, reached with the one setting the README shows."""
from __future__ import annotations

import json

import boto3
import botocore.config
import pytest

from conftest import fails, make_client
from s3_stand_in import S3StandIn
from serving import RunningServer

CODE = b"function handler(event) { return event.request; }"


def data_client(url: str, account: str):
    """boto3's own KeyValueStore client, sent to the emulator as the README shows: the emulator as its proxy
    (the client puts the account id in front of the endpoint's host)."""
    return boto3.client("cloudfront-keyvaluestore", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id=account, aws_secret_access_key="secret",
                        config=botocore.config.Config(proxies={"http": url}, retries={"max_attempts": 1}))


def test_data_plane_through_boto3(server, client, account):
    kvs = data_client(server.url, account)
    store = client.create_key_value_store(Name="keys")["KeyValueStore"]
    arn = store["ARN"]
    described = kvs.describe_key_value_store(KvsARN=arn)
    assert described["KvsARN"] == arn and described["ItemCount"] == 0 and described["TotalSizeInBytes"] == 0
    assert described["Status"] == "READY" and described["Created"]
    etag = described["ETag"]
    assert etag != client.describe_key_value_store(Name="keys")["ETag"]  # the data's own ETag
    put = kvs.put_key(KvsARN=arn, Key="example.com", Value="tenant-a", IfMatch=etag)
    assert put["ItemCount"] == 1 and put["TotalSizeInBytes"] == len("example.com") + len("tenant-a")
    assert put["ETag"] != etag
    fails(kvs.put_key, "ConflictException", 409, KvsARN=arn, Key="other", Value="v", IfMatch=etag)
    assert kvs.get_key(KvsARN=arn, Key="example.com")["Value"] == "tenant-a"
    fails(kvs.get_key, "ResourceNotFoundException", 404, KvsARN=arn, Key="missing")
    batch = kvs.update_keys(KvsARN=arn, IfMatch=put["ETag"], Puts=[
        {"Key": f"host{n:02d}.example", "Value": f"tenant-{n}"} for n in range(12)], Deletes=[{"Key": "example.com"}])
    assert batch["ItemCount"] == 12
    pages = list(kvs.get_paginator("list_keys").paginate(KvsARN=arn, PaginationConfig={"PageSize": 5}))
    assert [len(page["Items"]) for page in pages] == [5, 5, 2]
    assert [item["Key"] for page in pages for item in page["Items"]] == [f"host{n:02d}.example" for n in range(12)]
    deleted = kvs.delete_key(KvsARN=arn, Key="host00.example", IfMatch=batch["ETag"])
    assert deleted["ItemCount"] == 11
    fails(kvs.delete_key, "ResourceNotFoundException", KvsARN=arn, Key="host00.example", IfMatch=deleted["ETag"])
    for key, value in (("k" * 513, "v"), ("k", "v" * 1025)):
        fails(kvs.put_key, "ValidationException", 400, KvsARN=arn, Key=key, Value=value, IfMatch=deleted["ETag"])
    fails(kvs.update_keys, "ValidationException", KvsARN=arn, IfMatch=deleted["ETag"],
          Puts=[{"Key": f"k{n}", "Value": "v"} for n in range(51)])
    # Another account cannot reach the store by its ARN.
    stranger = data_client(server.url, "210987654321")
    fails(stranger.describe_key_value_store, "ResourceNotFoundException", 404, KvsARN=arn)
    fails(kvs.describe_key_value_store, "ResourceNotFoundException", 404,
          KvsARN=arn.rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000")


def test_store_size_limit():
    with RunningServer() as server:
        client = make_client(server.url, "123456789012")
        kvs = data_client(server.url, "123456789012")
        arn = client.create_key_value_store(Name="full")["KeyValueStore"]["ARN"]
        etag = kvs.describe_key_value_store(KvsARN=arn)["ETag"]
        value = "v" * 1000
        for batch in range(108):  # 50 keys of ~1 KB a batch: past 5 MB in the 108th
            puts = [{"Key": f"{batch:03d}-{n:02d}", "Value": value} for n in range(50)]
            try:
                etag = kvs.update_keys(KvsARN=arn, IfMatch=etag, Puts=puts)["ETag"]
            except kvs.exceptions.ServiceQuotaExceededException as error:
                assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 402
                break
        else:
            raise AssertionError("5 MB of keys and values were accepted")
        assert kvs.describe_key_value_store(KvsARN=arn)["TotalSizeInBytes"] <= 5 * 1024 * 1024


def test_store_made_without_comment_is_answered_without_one(client):
    # The model calls KeyValueStore's Comment required, yet the Terraform provider's own acceptance test of a store
    # without a comment passes against AWS, which it could not if AWS answered Comment "" (null then "").
    made = client.create_key_value_store(Name="no-comment")
    assert "Comment" not in made["KeyValueStore"]
    assert "Comment" not in client.describe_key_value_store(Name="no-comment")["KeyValueStore"]
    listed = client.list_key_value_stores()["KeyValueStoreList"]["Items"]
    assert [store for store in listed if store["Name"] == "no-comment" and "Comment" not in store]
    updated = client.update_key_value_store(Name="no-comment", Comment="now one", IfMatch=made["ETag"])
    assert updated["KeyValueStore"]["Comment"] == "now one"
    assert client.create_key_value_store(Name="empty-comment", Comment="")["KeyValueStore"]["Comment"] == ""


def test_control_plane_lifecycle(client, account):
    made = client.create_key_value_store(Name="tenants", Comment="per host",
                                         Tags={"Items": [{"Key": "team", "Value": "edge"}]})
    assert made["ResponseMetadata"]["HTTPStatusCode"] == 201
    store = made["KeyValueStore"]
    assert store["Name"] == "tenants" and store["Comment"] == "per host" and store["Status"] == "READY"
    assert store["ARN"] == f"arn:aws:cloudfront::{account}:key-value-store/{store['Id']}"
    assert made["Location"].endswith("/2020-05-31/key-value-store/tenants")
    assert client.list_tags_for_resource(Resource=store["ARN"])["Tags"]["Items"] == [{"Key": "team", "Value": "edge"}]
    described = client.describe_key_value_store(Name="tenants")
    assert described["KeyValueStore"] == store and described["ETag"] == made["ETag"]
    fails(client.create_key_value_store, "EntityAlreadyExists", 409, Name="tenants")
    fails(client.describe_key_value_store, "EntityNotFound", 404, Name="nobody")
    fails(client.update_key_value_store, "PreconditionFailed", 412, Name="tenants", Comment="x", IfMatch="E0")
    updated = client.update_key_value_store(Name="tenants", Comment="changed", IfMatch=made["ETag"])
    assert updated["KeyValueStore"]["Comment"] == "changed" and updated["ETag"] != made["ETag"]

    # A function that reads the store holds it.
    association = {"Quantity": 1, "Items": [{"KeyValueStoreARN": store["ARN"]}]}
    function = client.create_function(Name="reader", FunctionConfig={
        "Comment": "", "Runtime": "cloudfront-js-2.0", "KeyValueStoreAssociations": association}, FunctionCode=CODE)
    assert function["FunctionSummary"]["FunctionConfig"]["KeyValueStoreAssociations"] == association
    fails(client.delete_key_value_store, "CannotDeleteEntityWhileInUse", 409, Name="tenants", IfMatch=updated["ETag"])
    client.delete_function(Name="reader", IfMatch=function["ETag"])
    client.delete_key_value_store(Name="tenants", IfMatch=updated["ETag"])
    fails(client.describe_key_value_store, "EntityNotFound", Name="tenants")


def test_function_associations_are_checked(client, stranger):
    theirs = stranger.create_key_value_store(Name="theirs")["KeyValueStore"]["ARN"]
    ours = [client.create_key_value_store(Name=f"ours{n}")["KeyValueStore"]["ARN"] for n in range(2)]
    for arns in ([theirs], ours, [ours[0].rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000"]):
        fails(client.create_function, "InvalidArgument", 400, Name="f", FunctionConfig={
            "Comment": "", "Runtime": "cloudfront-js-2.0", "KeyValueStoreAssociations": {
                "Quantity": len(arns), "Items": [{"KeyValueStoreARN": arn} for arn in arns]}}, FunctionCode=CODE)


def test_list_pages_and_status_filter(client):
    made = [client.create_key_value_store(Name=f"page{n}")["KeyValueStore"]["Id"] for n in range(3)]
    seen, marker = [], None
    while True:
        page = client.list_key_value_stores(MaxItems="2", **({"Marker": marker} if marker else {}))
        page = page["KeyValueStoreList"]
        seen += [item["Id"] for item in page.get("Items", [])]
        marker = page.get("NextMarker")
        if not marker:
            break
    assert seen == made
    assert [s["Id"] for s in client.list_key_value_stores(Status="READY")["KeyValueStoreList"]["Items"]] == made
    assert client.list_key_value_stores(Status="PROVISIONING")["KeyValueStoreList"]["Quantity"] == 0
    pages = client.get_paginator("list_key_value_stores").paginate(PaginationConfig={"PageSize": 1})
    assert [s["Id"] for page in pages for s in page["KeyValueStoreList"].get("Items", [])] == made


def test_quota():
    with RunningServer("--key-value-store-quota", "1") as server:
        client = make_client(server.url, "123456789012")
        client.create_key_value_store(Name="one")
        fails(client.create_key_value_store, "EntityLimitExceeded", 400, Name="two")


@pytest.fixture(scope="module")
def s3():
    data = {"data": [{"key": "example.com", "value": "tenant-a"}, {"key": "other.example", "value": "tenant-b"}]}
    stand_in = S3StandIn({"imports/tenants.json": json.dumps(data).encode(),
                          "imports/broken.json": b'{"data": [{"key": 1}]}'})
    yield stand_in
    stand_in.close()


def test_import_from_s3(s3):
    with RunningServer("--s3-endpoint", s3.url) as server:
        client = make_client(server.url, "123456789012")
        made = client.create_key_value_store(Name="imported", ImportSource={
            "SourceType": "S3", "SourceARN": "arn:aws:s3:::imports/tenants.json"})["KeyValueStore"]
        assert made["Status"] == "READY"
        fails(client.create_key_value_store, "InvalidArgument", Name="broken", ImportSource={
            "SourceType": "S3", "SourceARN": "arn:aws:s3:::imports/broken.json"})
        fails(client.create_key_value_store, "InvalidArgument", Name="missing", ImportSource={
            "SourceType": "S3", "SourceARN": "arn:aws:s3:::imports/missing.json"})


def test_import_without_an_s3_endpoint_is_refused_clearly(client):
    message = fails(client.create_key_value_store, "InvalidArgument", Name="imported", ImportSource={
        "SourceType": "S3", "SourceARN": "arn:aws:s3:::imports/tenants.json"})
    assert "--s3-endpoint" in message
