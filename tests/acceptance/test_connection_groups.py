"""Connection groups through boto3 against a live `cloudfront-local serve`: every rule and error code."""
import datetime
import re
import time

import botocore.exceptions
import pytest

from conftest import make_client
from serving import RunningServer


def error_of(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_create_answers_201_with_every_member(client, account):
    response = client.create_connection_group(Name="tenants-eu", Tags={"Items": [{"Key": "team", "Value": "edge"}]})
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    group = response["ConnectionGroup"]
    assert re.fullmatch(r"cg_[0-9A-Za-z]{27}", group["Id"])
    assert group["Arn"] == f"arn:aws:cloudfront::{account}:connection-group/{group['Id']}"
    assert re.fullmatch(r"d[0-9a-z]{13}\.cloudfront\.net", group["RoutingEndpoint"])
    assert group["Name"] == "tenants-eu"
    assert group["Status"] == "InProgress"
    assert group["Ipv6Enabled"] is True
    assert group["Enabled"] is True
    assert group["IsDefault"] is False
    assert group["Tags"] == {"Items": [{"Key": "team", "Value": "edge"}]}
    assert group["CreatedTime"] == group["LastModifiedTime"]
    assert abs(group["CreatedTime"] - datetime.datetime.now(datetime.timezone.utc)) < datetime.timedelta(seconds=30)
    assert re.fullmatch(r"E[0-9A-Z]{13}", response["ETag"])


def test_create_keeps_what_was_sent(client):
    group = client.create_connection_group(Name="v4-only", Ipv6Enabled=False, Enabled=False)["ConnectionGroup"]
    assert group["Ipv6Enabled"] is False
    assert group["Enabled"] is False


def test_names_are_unique_per_account(client, stranger):
    client.create_connection_group(Name="shared-name")
    with pytest.raises(client.exceptions.EntityAlreadyExists) as excinfo:
        client.create_connection_group(Name="shared-name")
    assert error_of(excinfo) == ("EntityAlreadyExists", 409)
    assert stranger.create_connection_group(Name="shared-name")["ConnectionGroup"]["Name"] == "shared-name"


def test_routing_endpoints_and_ids_are_unique(client):
    groups = [client.create_connection_group(Name=f"g{i}")["ConnectionGroup"] for i in range(20)]
    assert len({g["RoutingEndpoint"] for g in groups}) == 20
    assert len({g["Id"] for g in groups}) == 20


@pytest.mark.parametrize("name", ["", "has space", "x" * 65, "ünïcode", "semi;colon"])
def test_invalid_names_are_refused(raw_client, name):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        raw_client.create_connection_group(Name=name)
    assert error_of(excinfo) == ("InvalidArgument", 400)


def test_missing_name_is_invalid_argument_naming_the_member(raw_client):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        raw_client.create_connection_group(Enabled=True)
    assert error_of(excinfo) == ("InvalidArgument", 400)
    assert "'Name'" in excinfo.value.response["Error"]["Message"]


def test_unknown_anycast_list_is_entity_not_found(client):
    with pytest.raises(client.exceptions.EntityNotFound) as excinfo:
        client.create_connection_group(Name="anycast", AnycastIpListId="aip_doesnotexist")
    assert error_of(excinfo) == ("EntityNotFound", 404)


def test_unknown_viewer_fallback_distribution_is_entity_not_found(client):
    with pytest.raises(client.exceptions.EntityNotFound):
        client.create_connection_group(Name="fallback", ViewerFallback={"DistributionId": "E1A2B3C4D5E6F7"})


def test_quota_is_enforced_per_account():
    with RunningServer("--connection-group-quota", "3") as small:
        first, second = make_client(small.url, "111122223333"), make_client(small.url, "444455556666")
        for i in range(3):
            first.create_connection_group(Name=f"q{i}")
        with pytest.raises(first.exceptions.EntityLimitExceeded) as excinfo:
            first.create_connection_group(Name="one-too-many")
        assert error_of(excinfo) == ("EntityLimitExceeded", 400)
        second.create_connection_group(Name="q0")


@pytest.mark.parametrize("tags", [
    [{"Key": "", "Value": "v"}],
    [{"Key": "k" * 129, "Value": "v"}],
    [{"Key": "k", "Value": "v" * 257}],
    [{"Key": "bad#char", "Value": "v"}],
    [{"Key": "k", "Value": "bad*value"}],
    [{"Key": "aws:reserved", "Value": "v"}],
    [{"Key": "dup", "Value": "1"}, {"Key": "dup", "Value": "2"}],
    [{"Key": f"k{i}", "Value": "v"} for i in range(51)],
])
def test_invalid_tags_are_refused(raw_client, tags):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        raw_client.create_connection_group(Name="tagged", Tags={"Items": tags})
    assert error_of(excinfo) == ("InvalidTagging", 400)


def test_tags_at_the_limits_are_accepted(client):
    tags = [{"Key": f"k{i:02d}" + "x" * 125, "Value": "v" * 256} for i in range(50)]
    tags[0] = {"Key": "Ünïcode key:/=+-@_.", "Value": ""}
    group = client.create_connection_group(Name="tag-limits", Tags={"Items": tags})["ConnectionGroup"]
    assert group["Tags"]["Items"] == tags


def test_get_by_id_name_and_arn(client):
    group = client.create_connection_group(Name="findable")["ConnectionGroup"]
    for identifier in (group["Id"], group["Name"], group["Arn"]):
        found = client.get_connection_group(Identifier=identifier)
        assert found["ConnectionGroup"]["Id"] == group["Id"]
        assert found["ETag"]


def test_get_after_create_is_deployed(client):
    group = client.create_connection_group(Name="deploys")["ConnectionGroup"]
    assert client.get_connection_group(Identifier=group["Id"])["ConnectionGroup"]["Status"] == "Deployed"


def test_get_unknown_is_entity_not_found(client):
    for identifier in ("cg_000000000000000000000000000", "no-such-name",
                       "arn:aws:cloudfront::123456789012:connection-group/cg_000000000000000000000000000"):
        with pytest.raises(client.exceptions.EntityNotFound) as excinfo:
            client.get_connection_group(Identifier=identifier)
        assert error_of(excinfo) == ("EntityNotFound", 404)


def test_get_by_routing_endpoint(client):
    group = client.create_connection_group(Name="routed")["ConnectionGroup"]
    found = client.get_connection_group_by_routing_endpoint(RoutingEndpoint=group["RoutingEndpoint"])
    assert found["ConnectionGroup"]["Id"] == group["Id"]
    with pytest.raises(client.exceptions.EntityNotFound):
        client.get_connection_group_by_routing_endpoint(RoutingEndpoint="d0000000000000.cloudfront.net")


def test_resources_are_invisible_across_accounts(client, stranger):
    group = client.create_connection_group(Name="private")["ConnectionGroup"]
    for identifier in (group["Id"], group["Name"], group["Arn"]):
        with pytest.raises(stranger.exceptions.EntityNotFound):
            stranger.get_connection_group(Identifier=identifier)
    with pytest.raises(stranger.exceptions.EntityNotFound):
        stranger.get_connection_group_by_routing_endpoint(RoutingEndpoint=group["RoutingEndpoint"])
    assert stranger.list_connection_groups()["ConnectionGroups"] == []
    with pytest.raises(stranger.exceptions.EntityNotFound):
        stranger.update_connection_group(Id=group["Id"], IfMatch="E0", Enabled=False)


def test_list_summaries_carry_every_required_member(client):
    created = client.create_connection_group(Name="listed")
    listed = client.list_connection_groups()["ConnectionGroups"]
    assert len(listed) == 1
    summary = listed[0]
    for member in ("Id", "Name", "Arn", "RoutingEndpoint", "CreatedTime", "LastModifiedTime", "ETag",
                   "Enabled", "Status", "IsDefault"):
        assert member in summary, member
    assert summary["ETag"] == created["ETag"]
    assert summary["Status"] == "Deployed"


def test_list_pages_are_complete_and_never_repeat(client):
    names = {f"page-{i:03d}" for i in range(23)}
    for name in sorted(names):
        client.create_connection_group(Name=name)
    seen = []
    marker = None
    while True:
        kwargs = {"MaxItems": 5, **({"Marker": marker} if marker else {})}
        page = client.list_connection_groups(**kwargs)
        assert len(page["ConnectionGroups"]) <= 5
        seen += [g["Name"] for g in page["ConnectionGroups"]]
        marker = page.get("NextMarker")
        if not marker:
            break
    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == names


def test_paging_while_groups_are_created_and_deleted(client):
    for i in range(10):
        client.create_connection_group(Name=f"before-{i}", Enabled=False)
    first = client.list_connection_groups(MaxItems=4)
    seen = [g["Name"] for g in first["ConnectionGroups"]]
    # Meanwhile: more groups arrive, and one not yet listed goes away.
    for i in range(6):
        client.create_connection_group(Name=f"during-{i}")
    doomed = client.get_connection_group(Identifier="before-7")
    client.delete_connection_group(Id=doomed["ConnectionGroup"]["Id"], IfMatch=doomed["ETag"])
    marker = first["NextMarker"]
    while marker:
        page = client.list_connection_groups(MaxItems=4, Marker=marker)
        seen += [g["Name"] for g in page["ConnectionGroups"]]
        marker = page.get("NextMarker")
    assert len(seen) == len(set(seen))
    survivors = {f"before-{i}" for i in range(10)} - {"before-7"}
    assert survivors <= set(seen)
    assert {f"during-{i}" for i in range(6)} <= set(seen)


def test_boto3_paginator_walks_everything(client):
    for i in range(12):
        client.create_connection_group(Name=f"pg-{i}")
    paginator = client.get_paginator("list_connection_groups")
    names = [g["Name"] for page in paginator.paginate(PaginationConfig={"PageSize": 5})
             for g in page["ConnectionGroups"]]
    assert sorted(names) == sorted(f"pg-{i}" for i in range(12))


def test_list_rejects_bad_marker_and_max_items(raw_client):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        raw_client.list_connection_groups(Marker="not-a-marker")
    assert error_of(excinfo) == ("InvalidArgument", 400)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        raw_client.list_connection_groups(MaxItems=0)
    assert error_of(excinfo) == ("InvalidArgument", 400)


def test_list_filter_by_unknown_anycast_list_is_empty(client):
    client.create_connection_group(Name="unfiltered")
    page = client.list_connection_groups(AssociationFilter={"AnycastIpListId": "aip_unknown"})
    assert page["ConnectionGroups"] == []


def test_update_changes_only_what_is_sent(client):
    created = client.create_connection_group(Name="updatable", Ipv6Enabled=False,
                                             Tags={"Items": [{"Key": "k", "Value": "v"}]})
    group = created["ConnectionGroup"]
    updated = client.update_connection_group(Id=group["Id"], IfMatch=created["ETag"], Enabled=False)
    new = updated["ConnectionGroup"]
    assert updated["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert new["Enabled"] is False
    assert new["Ipv6Enabled"] is False
    assert new["Name"] == "updatable"
    assert new["Tags"] == group["Tags"]
    assert new["Status"] == "InProgress"
    assert new["CreatedTime"] == group["CreatedTime"]
    assert new["LastModifiedTime"] >= group["LastModifiedTime"]
    assert updated["ETag"] != created["ETag"]
    fetched = client.get_connection_group(Identifier=group["Id"])
    assert fetched["ETag"] == updated["ETag"]
    assert fetched["ConnectionGroup"]["Enabled"] is False


def test_update_with_stale_etag_is_precondition_failed(client):
    created = client.create_connection_group(Name="stale")
    group_id = created["ConnectionGroup"]["Id"]
    client.update_connection_group(Id=group_id, IfMatch=created["ETag"], Ipv6Enabled=False)
    with pytest.raises(client.exceptions.PreconditionFailed) as excinfo:
        client.update_connection_group(Id=group_id, IfMatch=created["ETag"], Ipv6Enabled=True)
    assert error_of(excinfo) == ("PreconditionFailed", 412)


def test_update_without_if_match_is_invalid_if_match_version(raw_client):
    group = raw_client.create_connection_group(Name="no-if-match")["ConnectionGroup"]
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        raw_client.update_connection_group(Id=group["Id"], Enabled=False)
    assert error_of(excinfo) == ("InvalidIfMatchVersion", 400)


def test_update_unknown_group_is_entity_not_found(client):
    with pytest.raises(client.exceptions.EntityNotFound):
        client.update_connection_group(Id="cg_000000000000000000000000000", IfMatch="E0", Enabled=False)


def test_update_to_unknown_anycast_list_is_entity_not_found(client):
    created = client.create_connection_group(Name="relist")
    with pytest.raises(client.exceptions.EntityNotFound):
        client.update_connection_group(Id=created["ConnectionGroup"]["Id"], IfMatch=created["ETag"],
                                       AnycastIpListId="aip_unknown")


def test_delete_requires_disabled_and_current_etag(client):
    created = client.create_connection_group(Name="deletable")
    group_id = created["ConnectionGroup"]["Id"]
    with pytest.raises(client.exceptions.ResourceNotDisabled) as excinfo:
        client.delete_connection_group(Id=group_id, IfMatch=created["ETag"])
    assert error_of(excinfo) == ("ResourceNotDisabled", 409)
    disabled = client.update_connection_group(Id=group_id, IfMatch=created["ETag"], Enabled=False)
    with pytest.raises(client.exceptions.PreconditionFailed):
        client.delete_connection_group(Id=group_id, IfMatch=created["ETag"])
    response = client.delete_connection_group(Id=group_id, IfMatch=disabled["ETag"])
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(client.exceptions.EntityNotFound):
        client.get_connection_group(Identifier=group_id)
    # The name is free again.
    client.create_connection_group(Name="deletable")


def test_delete_without_if_match_is_invalid_if_match_version(raw_client):
    group = raw_client.create_connection_group(Name="no-if-match-delete", Enabled=False)["ConnectionGroup"]
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        raw_client.delete_connection_group(Id=group["Id"])
    assert error_of(excinfo) == ("InvalidIfMatchVersion", 400)


def test_delete_unknown_is_entity_not_found(client):
    with pytest.raises(client.exceptions.EntityNotFound) as excinfo:
        client.delete_connection_group(Id="cg_000000000000000000000000000", IfMatch="E0")
    assert error_of(excinfo) == ("EntityNotFound", 404)


def test_status_follows_the_deploy_delay():
    delay = 1.5
    with RunningServer("--deploy-delay", str(delay)) as slow:
        client = make_client(slow.url, "222233334444")
        started = time.monotonic()
        created = client.create_connection_group(Name="slow", Enabled=False)
        group_id = created["ConnectionGroup"]["Id"]
        assert client.get_connection_group(Identifier=group_id)["ConnectionGroup"]["Status"] == "InProgress"
        # Not deployed yet: even a disabled group cannot be deleted until its change has deployed.
        with pytest.raises(client.exceptions.ResourceNotDisabled):
            client.delete_connection_group(Id=group_id, IfMatch=created["ETag"])
        while client.get_connection_group(Identifier=group_id)["ConnectionGroup"]["Status"] != "Deployed":
            assert time.monotonic() - started < delay + 10
            time.sleep(0.05)
        # The deadline is counted from the create, which began after `started`.
        assert time.monotonic() - started >= delay - 0.05
        client.delete_connection_group(Id=group_id, IfMatch=created["ETag"])


def test_anycast_lists_and_ipv6(client):
    ipv4 = client.create_anycast_ip_list(Name="v4-list", IpCount=3)["AnycastIpList"]
    dual = client.create_anycast_ip_list(Name="dual-list", IpCount=3, IpAddressType="dualstack")["AnycastIpList"]
    # IPv6 is on by default, and an IPv4-only list cannot serve it.
    with pytest.raises(client.exceptions.InvalidArgument) as excinfo:
        client.create_connection_group(Name="v6-on-v4", AnycastIpListId=ipv4["Id"])
    assert "IPv6" in excinfo.value.response["Error"]["Message"]
    on_v4 = client.create_connection_group(Name="v4-only", AnycastIpListId=ipv4["Id"], Ipv6Enabled=False)
    assert on_v4["ConnectionGroup"]["AnycastIpListId"] == ipv4["Id"]
    on_dual = client.create_connection_group(Name="dual", AnycastIpListId=dual["Id"])["ConnectionGroup"]
    assert on_dual["Ipv6Enabled"] is True
    with pytest.raises(client.exceptions.InvalidArgument):
        client.update_connection_group(Id=on_v4["ConnectionGroup"]["Id"], IfMatch=on_v4["ETag"], Ipv6Enabled=True)


def test_list_filter_by_anycast_list(client):
    anycast = client.create_anycast_ip_list(Name="filter-list", IpCount=3)["AnycastIpList"]
    client.create_connection_group(Name="plain")
    on_list = client.create_connection_group(Name="on-list", AnycastIpListId=anycast["Id"], Ipv6Enabled=False)
    page = client.list_connection_groups(AssociationFilter={"AnycastIpListId": anycast["Id"]})
    assert [g["Id"] for g in page["ConnectionGroups"]] == [on_list["ConnectionGroup"]["Id"]]
    assert page["ConnectionGroups"][0]["AnycastIpListId"] == anycast["Id"]


def test_attach_an_anycast_list_by_update(client):
    anycast = client.create_anycast_ip_list(Name="later-list", IpCount=21)["AnycastIpList"]
    created = client.create_connection_group(Name="attach-later", Ipv6Enabled=False)
    updated = client.update_connection_group(Id=created["ConnectionGroup"]["Id"], IfMatch=created["ETag"],
                                             AnycastIpListId=anycast["Id"])
    assert updated["ConnectionGroup"]["AnycastIpListId"] == anycast["Id"]
