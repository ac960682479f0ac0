"""Anycast static IP lists through boto3: create, read, list, update, delete, addresses and their rules."""
import ipaddress

import botocore.exceptions
import pytest

from builders import direct_config, disable
from conftest import make_client
from serving import RunningServer

DOCUMENTATION_V4 = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]
DOCUMENTATION_V6 = ipaddress.ip_network("2001:db8::/32")


def code_of(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_create_answers_202_deploying_with_addresses(client, account):
    response = client.create_anycast_ip_list(Name="edge-ips", IpCount=3)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202
    anycast = response["AnycastIpList"]
    assert anycast["Id"].startswith("aip_")
    assert anycast["Arn"] == f"arn:aws:cloudfront::{account}:anycast-ip-list/{anycast['Id']}"
    assert anycast["Status"] == "Deploying"
    assert anycast["IpCount"] == 3
    assert anycast["IpAddressType"] == "ipv4"
    assert response["ETag"]
    addresses = [ipaddress.ip_address(a) for a in anycast["AnycastIps"]]
    assert len(set(addresses)) == 3
    assert all(any(a in n for n in DOCUMENTATION_V4) for a in addresses)
    assert client.get_anycast_ip_list(Id=anycast["Id"])["AnycastIpList"]["Status"] == "Deployed"


@pytest.mark.parametrize("address_type,v4,v6", [("ipv4", 21, 0), ("ipv6", 0, 21), ("dualstack", 21, 21)])
def test_address_types(client, address_type, v4, v6):
    anycast = client.create_anycast_ip_list(Name="t-" + address_type, IpCount=21,
                                            IpAddressType=address_type)["AnycastIpList"]
    addresses = [ipaddress.ip_address(a) for a in anycast["AnycastIps"]]
    assert sum(a.version == 4 for a in addresses) == v4
    assert sum(a.version == 6 and a in DOCUMENTATION_V6 for a in addresses) == v6


def test_addresses_are_unique_within_an_account(client):
    seen = []
    for i in range(4):
        seen += client.create_anycast_ip_list(Name=f"many-{i}", IpCount=21, IpAddressType="dualstack"
                                              )["AnycastIpList"]["AnycastIps"]
    assert len(seen) == len(set(seen)) == 4 * 42


@pytest.mark.parametrize("count", [0, 1, 4, 20, 22])
def test_ip_count_must_be_3_or_21(client, count):
    with pytest.raises(client.exceptions.InvalidArgument) as excinfo:
        client.create_anycast_ip_list(Name="bad-count", IpCount=count)
    assert code_of(excinfo) == ("InvalidArgument", 400)


def test_names_unique_and_checked(client, raw_client):
    client.create_anycast_ip_list(Name="dup", IpCount=3)
    with pytest.raises(client.exceptions.EntityAlreadyExists) as excinfo:
        client.create_anycast_ip_list(Name="dup", IpCount=21)
    assert code_of(excinfo) == ("EntityAlreadyExists", 409)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        raw_client.create_anycast_ip_list(Name="has space", IpCount=3)
    assert code_of(excinfo) == ("InvalidArgument", 400)


def test_quota():
    with RunningServer("--anycast-ip-list-quota", "2") as small:
        client = make_client(small.url, "555566667777")
        client.create_anycast_ip_list(Name="a", IpCount=3)
        client.create_anycast_ip_list(Name="b", IpCount=3)
        with pytest.raises(client.exceptions.EntityLimitExceeded):
            client.create_anycast_ip_list(Name="c", IpCount=3)


def test_get_unknown_is_entity_not_found(client):
    with pytest.raises(client.exceptions.EntityNotFound) as excinfo:
        client.get_anycast_ip_list(Id="aip_unknown")
    assert code_of(excinfo) == ("EntityNotFound", 404)


def test_list_pages(client):
    for i in range(5):
        client.create_anycast_ip_list(Name=f"paged-{i}", IpCount=3)
    first = client.list_anycast_ip_lists(MaxItems=2)["AnycastIpLists"]
    assert first["Quantity"] == 2 and first["IsTruncated"] is True and first["MaxItems"] == 2
    names = [item["Name"] for item in first["Items"]]
    marker = first["NextMarker"]
    while marker:
        page = client.list_anycast_ip_lists(MaxItems=2, Marker=marker)["AnycastIpLists"]
        names += [item["Name"] for item in page["Items"]]
        marker = page.get("NextMarker")
    assert names == [f"paged-{i}" for i in range(5)]
    assert all(item["ETag"] for item in first["Items"])


def test_update_with_if_match(client, raw_client):
    created = client.create_anycast_ip_list(Name="changing", IpCount=3)
    list_id = created["AnycastIpList"]["Id"]
    updated = client.update_anycast_ip_list(Id=list_id, IfMatch=created["ETag"], IpAddressType="dualstack")
    assert updated["ETag"] != created["ETag"]
    assert updated["AnycastIpList"]["Status"] == "Deploying"
    assert len(updated["AnycastIpList"]["AnycastIps"]) == 6
    with pytest.raises(client.exceptions.PreconditionFailed):
        client.update_anycast_ip_list(Id=list_id, IfMatch=created["ETag"], IpAddressType="ipv4")
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        raw_client.update_anycast_ip_list(Id=list_id, IpAddressType="ipv4")
    assert code_of(excinfo) == ("InvalidIfMatchVersion", 400)


def test_ipam_cidr_configs_are_reported(client):
    configs = [{"Cidr": "203.0.113.0/28", "IpamPoolArn": "arn:aws:ec2::123456789012:ipam-pool/ipam-pool-1"}]
    anycast = client.create_anycast_ip_list(Name="byoip", IpCount=3, IpamCidrConfigs=configs)["AnycastIpList"]
    reported = anycast["IpamConfig"]
    assert reported["Quantity"] == 1
    assert reported["IpamCidrConfigs"][0]["Cidr"] == "203.0.113.0/28"
    assert reported["IpamCidrConfigs"][0]["AnycastIp"] == "203.0.113.0"
    with pytest.raises(client.exceptions.InvalidArgument):
        client.create_anycast_ip_list(Name="bad-cidr", IpCount=3,
                                      IpamCidrConfigs=[{"Cidr": "not-a-cidr", "IpamPoolArn": configs[0]["IpamPoolArn"]}])


def test_delete_refused_while_a_connection_group_uses_it(client):
    created = client.create_anycast_ip_list(Name="in-use", IpCount=3)
    list_id = created["AnycastIpList"]["Id"]
    group = client.create_connection_group(Name="on-anycast", AnycastIpListId=list_id, Ipv6Enabled=False)
    with pytest.raises(client.exceptions.CannotDeleteEntityWhileInUse) as excinfo:
        client.delete_anycast_ip_list(Id=list_id, IfMatch=created["ETag"])
    assert code_of(excinfo) == ("CannotDeleteEntityWhileInUse", 409)
    detached = client.update_connection_group(Id=group["ConnectionGroup"]["Id"], IfMatch=group["ETag"],
                                              AnycastIpListId="")
    assert "AnycastIpListId" not in detached["ConnectionGroup"]
    assert client.delete_anycast_ip_list(Id=list_id, IfMatch=created["ETag"]
                                         )["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(client.exceptions.EntityNotFound):
        client.get_anycast_ip_list(Id=list_id)


def test_delete_refused_while_a_distribution_uses_it(client):
    created = client.create_anycast_ip_list(Name="for-distribution", IpCount=3)
    list_id = created["AnycastIpList"]["Id"]
    distribution = client.create_distribution(DistributionConfig=direct_config(AnycastIpListId=list_id))
    listed = client.list_distributions_by_anycast_ip_list_id(AnycastIpListId=list_id)["DistributionList"]
    assert [d["Id"] for d in listed["Items"]] == [distribution["Distribution"]["Id"]]
    assert listed["Items"][0]["AnycastIpListId"] == list_id
    with pytest.raises(client.exceptions.CannotDeleteEntityWhileInUse):
        client.delete_anycast_ip_list(Id=list_id, IfMatch=created["ETag"])
    distribution_id = distribution["Distribution"]["Id"]
    client.delete_distribution(Id=distribution_id, IfMatch=disable(client, distribution_id))
    client.delete_anycast_ip_list(Id=list_id, IfMatch=created["ETag"])


def test_list_distributions_by_unknown_list_is_entity_not_found(client):
    with pytest.raises(client.exceptions.EntityNotFound):
        client.list_distributions_by_anycast_ip_list_id(AnycastIpListId="aip_unknown")


def test_tags_on_anycast_lists(client):
    anycast = client.create_anycast_ip_list(Name="tagged", IpCount=3, Tags={"Items": [{"Key": "k", "Value": "v"}]})
    arn = anycast["AnycastIpList"]["Arn"]
    assert client.list_tags_for_resource(Resource=arn)["Tags"]["Items"] == [{"Key": "k", "Value": "v"}]
    client.untag_resource(Resource=arn, TagKeys={"Items": ["k"]})
    assert client.list_tags_for_resource(Resource=arn)["Tags"].get("Items", []) == []
