"""CloudFront Functions' control plane through boto3 against a live server: two stages with their own ETags,
publish, statuses, names, size limit, KeyValueStore associations, distributions' function associations,
in-use, paging, quotas and accounts."""
from __future__ import annotations

import botocore.exceptions
import pytest

from builders import direct_config
from conftest import fails, make_client
from serving import RunningServer

CODE = b"function handler(event) { return event.request; }"
CONFIG = {"Comment": "passes the request on", "Runtime": "cloudfront-js-2.0"}


def _create(client, name, code=CODE, **config):
    return client.create_function(Name=name, FunctionConfig={**CONFIG, **config}, FunctionCode=code)


def test_lifecycle_with_two_stages(client, account):
    made = _create(client, "lifecycle")
    assert made["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert made["Location"].endswith("/2020-05-31/function/lifecycle")
    summary = made["FunctionSummary"]
    assert summary["Name"] == "lifecycle" and summary["Status"] == "UNPUBLISHED"
    assert summary["FunctionConfig"] == CONFIG  # read back as written
    metadata = summary["FunctionMetadata"]
    assert metadata["FunctionARN"] == f"arn:aws:cloudfront::{account}:function/lifecycle"
    assert metadata["Stage"] == "DEVELOPMENT"
    development_etag = made["ETag"]

    got = client.get_function(Name="lifecycle")
    assert got["FunctionCode"].read() == CODE and got["ETag"] == development_etag
    fails(client.get_function, "NoSuchFunctionExists", 404, Name="lifecycle", Stage="LIVE")
    fails(client.describe_function, "NoSuchFunctionExists", 404, Name="lifecycle", Stage="LIVE")

    fails(client.publish_function, "PreconditionFailed", 412, Name="lifecycle", IfMatch="E000000000000")
    published = client.publish_function(Name="lifecycle", IfMatch=development_etag)["FunctionSummary"]
    assert published["FunctionMetadata"]["Stage"] == "LIVE" and published["Status"] == "UNASSOCIATED"
    live = client.describe_function(Name="lifecycle", Stage="LIVE")
    assert live["ETag"] != development_etag
    assert client.get_function(Name="lifecycle", Stage="LIVE")["FunctionCode"].read() == CODE

    changed = b"function handler(event) { var r = event.request; r.uri = '/x'; return r; }"
    updated = client.update_function(Name="lifecycle", IfMatch=development_etag, FunctionConfig=CONFIG,
                                     FunctionCode=changed)
    assert updated["ETag"] and updated["ETag"] != development_etag  # read from the model's `ETtag` header
    assert updated["ResponseMetadata"]["HTTPHeaders"]["etag"] == updated["ETag"]
    fails(client.update_function, "PreconditionFailed", Name="lifecycle", IfMatch=development_etag,
          FunctionConfig=CONFIG, FunctionCode=changed)
    # LIVE keeps the published code until the next publish.
    assert client.get_function(Name="lifecycle", Stage="LIVE")["FunctionCode"].read() == CODE
    assert client.get_function(Name="lifecycle")["FunctionCode"].read() == changed
    assert client.describe_function(Name="lifecycle", Stage="LIVE")["ETag"] == live["ETag"]

    fails(client.delete_function, "PreconditionFailed", Name="lifecycle", IfMatch=live["ETag"])
    client.delete_function(Name="lifecycle", IfMatch=updated["ETag"])
    fails(client.describe_function, "NoSuchFunctionExists", Name="lifecycle")


def test_names_sizes_and_accounts(client, stranger):
    _create(client, "taken")
    fails(client.create_function, "FunctionAlreadyExists", 409, Name="taken", FunctionConfig=CONFIG,
          FunctionCode=CODE)
    stranger.create_function(Name="taken", FunctionConfig=CONFIG, FunctionCode=CODE)  # names are per account
    fails(client.create_function, "FunctionSizeLimitExceeded", 413, Name="big", FunctionConfig=CONFIG,
          FunctionCode=b"//" + b"x" * 10 * 1024)
    fails(client.create_function, "InvalidArgument", 400, Name="bad name!", FunctionConfig=CONFIG, FunctionCode=CODE)
    fails(client.create_function, "InvalidArgument", 400, Name="runtime",
          FunctionConfig={**CONFIG, "Runtime": "nodejs20.x"}, FunctionCode=CODE)
    fails(client.update_function, "NoSuchFunctionExists", 404, Name="nobody", IfMatch="E1", FunctionConfig=CONFIG,
          FunctionCode=CODE)
    fails(client.update_function, "InvalidIfMatchVersion", 400, Name="taken", IfMatch="", FunctionConfig=CONFIG,
          FunctionCode=CODE)


def test_quota():
    with RunningServer("--function-quota", "2") as server:
        client = make_client(server.url, "123456789012")
        _create(client, "one")
        _create(client, "two")
        fails(client.create_function, "TooManyFunctions", 400, Name="three", FunctionConfig=CONFIG,
              FunctionCode=CODE)


def test_list_by_stage_and_pages(client):
    etags = {name: _create(client, name)["ETag"] for name in ("la", "lb", "lc")}
    client.publish_function(Name="lb", IfMatch=etags["lb"])
    everything = client.list_functions()["FunctionList"]
    assert [(f["Name"], f["FunctionMetadata"]["Stage"]) for f in everything["Items"]] == [
        ("la", "DEVELOPMENT"), ("lb", "DEVELOPMENT"), ("lb", "LIVE"), ("lc", "DEVELOPMENT")]
    live = client.list_functions(Stage="LIVE")["FunctionList"]
    assert [f["Name"] for f in live["Items"]] == ["lb"]
    seen, marker = [], None
    while True:
        page = client.list_functions(MaxItems="1", **({"Marker": marker} if marker else {}))["FunctionList"]
        assert page["Quantity"] == len(page["Items"]) == 1
        seen += [(f["Name"], f["FunctionMetadata"]["Stage"]) for f in page["Items"]]
        marker = page.get("NextMarker")
        if not marker:
            break
    assert seen == [(f["Name"], f["FunctionMetadata"]["Stage"]) for f in everything["Items"]]


def test_distribution_associations_and_in_use(client, stranger, account):
    etag = _create(client, "assoc")["ETag"]
    arn = f"arn:aws:cloudfront::{account}:function/assoc"

    def config(*associations, reference=None):
        behavior = {"FunctionAssociations": {"Quantity": len(associations), "Items": [
            {"FunctionARN": a, "EventType": e} for a, e in associations]}}
        made = direct_config(reference)
        made["DefaultCacheBehavior"].update(behavior)
        return made

    # Only a published function can be associated.
    fails(client.create_distribution, "InvalidFunctionAssociation", DistributionConfig=config((arn, "viewer-request")))
    client.publish_function(Name="assoc", IfMatch=etag)
    fails(client.create_distribution, "InvalidArgument", DistributionConfig=config((arn, "origin-request")))
    fails(client.create_distribution, "InvalidFunctionAssociation",
          DistributionConfig=config((f"arn:aws:cloudfront::{account}:function/nobody", "viewer-request")))
    fails(client.create_distribution, "InvalidFunctionAssociation",
          DistributionConfig=config((arn, "viewer-request"), (arn, "viewer-request")))
    fails(stranger.create_distribution, "InvalidFunctionAssociation",
          DistributionConfig=config((arn, "viewer-request")))
    made = client.create_distribution(DistributionConfig=config((arn, "viewer-request"), (arn, "viewer-response")))
    assert client.describe_function(Name="assoc", Stage="LIVE")["FunctionSummary"]["Status"] == "DEPLOYED"
    fails(client.delete_function, "FunctionInUse", 409, Name="assoc",
          IfMatch=client.describe_function(Name="assoc")["ETag"])
    distribution_id = made["Distribution"]["Id"]
    current = client.get_distribution_config(Id=distribution_id)
    bare = current["DistributionConfig"]
    bare["DefaultCacheBehavior"]["FunctionAssociations"] = {"Quantity": 0}
    client.update_distribution(Id=distribution_id, IfMatch=current["ETag"], DistributionConfig=bare)
    assert client.describe_function(Name="assoc", Stage="LIVE")["FunctionSummary"]["Status"] == "UNASSOCIATED"
    client.delete_function(Name="assoc", IfMatch=client.describe_function(Name="assoc")["ETag"])


def test_tags(client):
    made = client.create_function(Name="tagged", FunctionConfig=CONFIG, FunctionCode=CODE,
                                  Tags={"Items": [{"Key": "team", "Value": "edge"}]})
    arn = made["FunctionSummary"]["FunctionMetadata"]["FunctionARN"]
    assert client.list_tags_for_resource(Resource=arn)["Tags"]["Items"] == [{"Key": "team", "Value": "edge"}]
