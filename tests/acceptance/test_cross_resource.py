"""Rules that span resource families and accounts, through boto3."""
import concurrent.futures

import pytest

from builders import direct_config, disable, multi_tenant_config
from conftest import make_client
from serving import RunningServer


def code_of(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_a_list_keeps_the_address_families_its_users_need(client):
    dual = client.create_anycast_ip_list(Name="dual", IpCount=3, IpAddressType="dualstack")
    list_id = dual["AnycastIpList"]["Id"]
    client.create_distribution(DistributionConfig=direct_config(AnycastIpListId=list_id, IsIPV6Enabled=True))
    with pytest.raises(client.exceptions.InvalidArgument) as excinfo:
        client.update_anycast_ip_list(Id=list_id, IfMatch=dual["ETag"], IpAddressType="ipv4")
    assert "distribution" in excinfo.value.response["Error"]["Message"]
    v6 = client.create_anycast_ip_list(Name="v6", IpCount=3, IpAddressType="ipv6")["AnycastIpList"]
    with pytest.raises(client.exceptions.InvalidArgument):
        client.create_connection_group(Name="v4-on-v6", AnycastIpListId=v6["Id"], Ipv6Enabled=False)
    client.create_connection_group(Name="v6-on-v6", AnycastIpListId=v6["Id"])


def test_viewer_fallback_needs_a_multi_tenant_distribution_and_an_anycast_list(client):
    standard = client.create_distribution(DistributionConfig=direct_config())["Distribution"]
    multi = client.create_distribution(DistributionConfig=multi_tenant_config())["Distribution"]
    anycast = client.create_anycast_ip_list(Name="fallback", IpCount=3)["AnycastIpList"]
    with pytest.raises(client.exceptions.InvalidArgument):
        client.create_connection_group(Name="std-fallback", AnycastIpListId=anycast["Id"], Ipv6Enabled=False,
                                       ViewerFallback={"DistributionId": standard["Id"]})
    with pytest.raises(client.exceptions.InvalidArgument):
        client.create_connection_group(Name="no-list", ViewerFallback={"DistributionId": multi["Id"]})


def test_references_to_other_accounts_are_not_found(client, stranger):
    their_list = stranger.create_anycast_ip_list(Name="theirs", IpCount=3)["AnycastIpList"]
    their_multi = stranger.create_distribution(DistributionConfig=multi_tenant_config())["Distribution"]
    their_group = stranger.create_connection_group(Name="theirs")["ConnectionGroup"]
    with pytest.raises(client.exceptions.EntityNotFound):
        client.create_connection_group(Name="borrow-list", AnycastIpListId=their_list["Id"], Ipv6Enabled=False)
    with pytest.raises(client.exceptions.EntityNotFound):
        client.create_distribution_tenant(DistributionId=their_multi["Id"], Name="borrow",
                                          Domains=[{"Domain": "borrow.example.com"}],
                                          Parameters=[{"Name": "tenantName", "Value": "x"}])
    mine = client.create_distribution(DistributionConfig=multi_tenant_config())["Distribution"]
    with pytest.raises(client.exceptions.EntityNotFound):
        client.create_distribution_tenant(DistributionId=mine["Id"], Name="borrow-group",
                                          Domains=[{"Domain": "bg.example.com"}], ConnectionGroupId=their_group["Arn"],
                                          Parameters=[{"Name": "tenantName", "Value": "x"}])
    # Domains are unique across CloudFront (issue 17; per account before): another account cannot hold one.
    client.create_distribution_tenant(DistributionId=mine["Id"], Name="same-domain",
                                      Domains=[{"Domain": "same.example.com"}],
                                      Parameters=[{"Name": "tenantName", "Value": "x"}])
    with pytest.raises(stranger.exceptions.CNAMEAlreadyExists):
        stranger.create_distribution_tenant(DistributionId=their_multi["Id"], Name="same-domain",
                                            Domains=[{"Domain": "same.example.com"}],
                                            Parameters=[{"Name": "tenantName", "Value": "x"}])


@pytest.mark.parametrize("domains", [[""], ["no_underscores.example.com"], ["single-label"], ["a..example.com"],
                                     [f"d{i}.example.com" for i in range(6)]])
def test_tenant_domains_are_checked(client, domains):
    distribution = client.create_distribution(DistributionConfig=multi_tenant_config())["Distribution"]
    with pytest.raises(client.exceptions.InvalidArgument):
        client.create_distribution_tenant(DistributionId=distribution["Id"], Name="bad-domains",
                                          Domains=[{"Domain": d} for d in domains],
                                          Parameters=[{"Name": "tenantName", "Value": "x"}])


def test_takeover_of_a_distribution_alias(client):
    standard = client.create_distribution(DistributionConfig=direct_config(
        Aliases={"Quantity": 2, "Items": ["keep.example.com", "take.example.com"]}))
    multi = client.create_distribution(DistributionConfig=multi_tenant_config())["Distribution"]
    client.create_distribution_tenant(DistributionId=multi["Id"], Name="taker", OnDomainTakeover="allow",
                                      Domains=[{"Domain": "take.example.com"}],
                                      Parameters=[{"Name": "tenantName", "Value": "x"}])
    after = client.get_distribution_config(Id=standard["Distribution"]["Id"])
    assert after["DistributionConfig"]["Aliases"] == {"Quantity": 1, "Items": ["keep.example.com"]}
    assert after["ETag"] != standard["ETag"]


def test_moving_a_tenant_to_another_distribution_checks_its_parameters(client):
    first = client.create_distribution(DistributionConfig=multi_tenant_config())["Distribution"]
    second = client.create_distribution(DistributionConfig=multi_tenant_config(
        parameters=(("tenantName", True, None), ("tier", True, None))))["Distribution"]
    created = client.create_distribution_tenant(DistributionId=first["Id"], Name="traveller",
                                                Domains=[{"Domain": "t.example.com"}],
                                                Parameters=[{"Name": "tenantName", "Value": "x"}])
    tenant_id = created["DistributionTenant"]["Id"]
    with pytest.raises(client.exceptions.InvalidArgument):
        client.update_distribution_tenant(Id=tenant_id, IfMatch=created["ETag"], DistributionId=second["Id"])
    moved = client.update_distribution_tenant(
        Id=tenant_id, IfMatch=created["ETag"], DistributionId=second["Id"],
        Parameters=[{"Name": "tenantName", "Value": "x"}, {"Name": "tier", "Value": "gold"}])
    assert moved["DistributionTenant"]["DistributionId"] == second["Id"]
    # An empty ConnectionGroupId changes nothing.
    unchanged = client.update_distribution_tenant(Id=tenant_id, IfMatch=moved["ETag"], ConnectionGroupId="")
    assert unchanged["DistributionTenant"]["ConnectionGroupId"] == moved["DistributionTenant"]["ConnectionGroupId"]


def test_the_default_group_comes_back_after_it_is_deleted(client):
    multi = client.create_distribution(DistributionConfig=multi_tenant_config())["Distribution"]
    created = client.create_distribution_tenant(DistributionId=multi["Id"], Name="first",
                                                Domains=[{"Domain": "first.example.com"}],
                                                Parameters=[{"Name": "tenantName", "Value": "x"}])
    default_id = created["DistributionTenant"]["ConnectionGroupId"]
    disabled = client.update_distribution_tenant(Id=created["DistributionTenant"]["Id"], IfMatch=created["ETag"],
                                                 Enabled=False)
    client.delete_distribution_tenant(Id=created["DistributionTenant"]["Id"], IfMatch=disabled["ETag"])
    group = client.get_connection_group(Identifier=default_id)
    group = client.update_connection_group(Id=default_id, IfMatch=group["ETag"], Enabled=False)
    client.delete_connection_group(Id=default_id, IfMatch=group["ETag"])
    again = client.create_distribution_tenant(DistributionId=multi["Id"], Name="second",
                                              Domains=[{"Domain": "second.example.com"}],
                                              Parameters=[{"Name": "tenantName", "Value": "x"}])
    new_default = client.get_connection_group(Identifier=again["DistributionTenant"]["ConnectionGroupId"])
    assert new_default["ConnectionGroup"]["IsDefault"] is True
    assert new_default["ConnectionGroup"]["Id"] != default_id


def test_a_distribution_is_not_deletable_until_its_disabling_has_deployed():
    with RunningServer("--deploy-delay", "30") as slow:
        client = make_client(slow.url, "666677778888")
        created = client.create_distribution(DistributionConfig=direct_config())
        etag = disable(client, created["Distribution"]["Id"])
        with pytest.raises(client.exceptions.DistributionNotDisabled):
            client.delete_distribution(Id=created["Distribution"]["Id"], IfMatch=etag)


def test_first_tenants_racing_on_two_servers_share_one_default_group(tmp_path):
    state = str(tmp_path / "shared.sqlite")
    account = "777788889999"
    with RunningServer("--state", state) as first, RunningServer("--state", state) as second:
        distribution = make_client(first.url, account).create_distribution(
            DistributionConfig=multi_tenant_config())["Distribution"]

        def create(i):
            url = (first if i % 2 else second).url
            return make_client(url, account).create_distribution_tenant(
                DistributionId=distribution["Id"], Name=f"racer-{i}", Domains=[{"Domain": f"r{i}.example.com"}],
                Parameters=[{"Name": "tenantName", "Value": "x"}])["DistributionTenant"]["ConnectionGroupId"]

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            group_ids = set(pool.map(create, range(24)))
        assert len(group_ids) == 1
        groups = make_client(second.url, account).list_connection_groups()["ConnectionGroups"]
        assert [g["Id"] for g in groups if g["IsDefault"]] == list(group_ids)
