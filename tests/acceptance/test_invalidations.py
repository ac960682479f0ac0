"""Invalidations of distributions and tenants through boto3: CallerReference idempotency, path rules, the
in-progress quotas, InProgress then Completed, newest-first paging, and the waiter boto3 ships."""
from __future__ import annotations

import botocore.exceptions
import pytest

from builders import direct_config, multi_tenant_config
from conftest import fails, make_client
from serving import RunningServer


def _batch(reference: str, *paths: str) -> dict:
    return {"CallerReference": reference, "Paths": {"Quantity": len(paths), "Items": list(paths)}}


def test_lifecycle_and_idempotency(client):
    distribution = client.create_distribution(DistributionConfig=direct_config())["Distribution"]["Id"]
    made = client.create_invalidation(DistributionId=distribution, InvalidationBatch=_batch("deploy-1", "/index.html",
                                                                                           "/assets/*"))
    assert made["ResponseMetadata"]["HTTPStatusCode"] == 201
    invalidation = made["Invalidation"]
    assert invalidation["Id"].startswith("I") and len(invalidation["Id"]) == 14
    assert made["Location"].endswith(f"/2020-05-31/distribution/{distribution}/invalidation/{invalidation['Id']}")
    assert invalidation["InvalidationBatch"] == _batch("deploy-1", "/index.html", "/assets/*")
    # The same batch again is the same invalidation; the same reference with other paths is refused, with
    # CloudFront's InvalidArgument (issue 17; InvalidationBatchAlreadyExists before).
    again = client.create_invalidation(DistributionId=distribution, InvalidationBatch=_batch(
        "deploy-1", "/index.html", "/assets/*"))
    assert again["Invalidation"]["Id"] == invalidation["Id"]
    fails(client.create_invalidation, "InvalidArgument", 400, DistributionId=distribution,
          InvalidationBatch=_batch("deploy-1", "/other"))
    got = client.get_invalidation(DistributionId=distribution, Id=invalidation["Id"])["Invalidation"]
    assert got["Status"] == "Completed"  # the default deploy delay is none
    client.get_waiter("invalidation_completed").wait(DistributionId=distribution, Id=invalidation["Id"])
    fails(client.get_invalidation, "NoSuchInvalidation", 404, DistributionId=distribution, Id="INOSUCHTHING00")
    fails(client.create_invalidation, "NoSuchDistribution", 404, DistributionId="ENOSUCHDIST0001",
          InvalidationBatch=_batch("x", "/a"))


@pytest.mark.parametrize("paths, code", [
    (("index.html",), "InvalidArgument"),
    (("/a*b",), "InvalidArgument"),
    (("/" + "x" * 4000,), "InvalidArgument"),
    (tuple(f"/f{n}" for n in range(3001)), "BatchTooLarge"),
])
def test_path_rules(client, paths, code):
    distribution = client.create_distribution(DistributionConfig=direct_config())["Distribution"]["Id"]
    fails(client.create_invalidation, code, DistributionId=distribution, InvalidationBatch=_batch("p", *paths))


def test_inconsistent_quantities(client):
    distribution = client.create_distribution(DistributionConfig=direct_config())["Distribution"]["Id"]
    fails(client.create_invalidation, "InconsistentQuantities", DistributionId=distribution,
          InvalidationBatch={"CallerReference": "q", "Paths": {"Quantity": 2, "Items": ["/a"]}})


def test_in_progress_quotas_and_completion():
    with RunningServer("--deploy-delay", "2") as server:
        client = make_client(server.url, "123456789012")
        distribution = client.create_distribution(DistributionConfig=direct_config())["Distribution"]["Id"]
        made = client.create_invalidation(DistributionId=distribution, InvalidationBatch=_batch(
            "w1", *[f"/dir{n}/*" for n in range(15)]))
        assert made["Invalidation"]["Status"] == "InProgress"
        fails(client.create_invalidation, "TooManyInvalidationsInProgress", 400, DistributionId=distribution,
              InvalidationBatch=_batch("w2", "/one-more/*"))
        client.create_invalidation(DistributionId=distribution, InvalidationBatch=_batch("files", "/plain.html"))
        client.get_waiter("invalidation_completed").wait(
            DistributionId=distribution, Id=made["Invalidation"]["Id"], WaiterConfig={"Delay": 1, "MaxAttempts": 10})
        client.create_invalidation(DistributionId=distribution, InvalidationBatch=_batch("w2", "/one-more/*"))


def test_list_newest_first_in_pages(client):
    distribution = client.create_distribution(DistributionConfig=direct_config())["Distribution"]["Id"]
    made = [client.create_invalidation(DistributionId=distribution, InvalidationBatch=_batch(f"r{n}", f"/p{n}"))
            ["Invalidation"]["Id"] for n in range(5)]
    pages = client.get_paginator("list_invalidations").paginate(DistributionId=distribution,
                                                               PaginationConfig={"PageSize": 2})
    listed = [item["Id"] for page in pages for item in page["InvalidationList"].get("Items", [])]
    assert listed == made[::-1]
    first = client.list_invalidations(DistributionId=distribution, MaxItems="2")["InvalidationList"]
    assert first["IsTruncated"] is True and first["NextMarker"] == made[3]
    assert set(first["Items"][0]) == {"Id", "CreateTime", "Status"}


def test_tenants_are_invalidated_themselves(client):
    multi = client.create_distribution(DistributionConfig=multi_tenant_config())["Distribution"]["Id"]
    fails(client.create_invalidation, "NoSuchDistribution", DistributionId=multi, InvalidationBatch=_batch("m", "/a"))
    tenant = client.create_distribution_tenant(DistributionId=multi, Name="inv-tenant",
                                               Domains=[{"Domain": "inv.example.com"}],
                                               Parameters=[{"Name": "tenantName", "Value": "t"}])["DistributionTenant"]
    made = client.create_invalidation_for_distribution_tenant(Id=tenant["Id"], InvalidationBatch=_batch("t1", "/*"))
    invalidation = made["Invalidation"]
    assert len(invalidation["Id"]) == 26
    assert made["Location"].endswith(f"/distribution-tenant/{tenant['Id']}/invalidation/{invalidation['Id']}")
    got = client.get_invalidation_for_distribution_tenant(DistributionTenantId=tenant["Id"], Id=invalidation["Id"])
    assert got["Invalidation"]["InvalidationBatch"]["Paths"]["Items"] == ["/*"]
    listed = client.list_invalidations_for_distribution_tenant(Id=tenant["Id"])["InvalidationList"]
    assert [i["Id"] for i in listed["Items"]] == [invalidation["Id"]]
    fails(client.create_invalidation_for_distribution_tenant, "EntityNotFound", 404, Id="dt_nosuchtenant",
          InvalidationBatch=_batch("t", "/a"))
    # Another tenant's or distribution's invalidation is not found through this one.
    with pytest.raises(botocore.exceptions.ClientError):
        client.get_invalidation(DistributionId=multi, Id=invalidation["Id"])
