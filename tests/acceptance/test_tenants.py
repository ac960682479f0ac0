"""Distribution tenants through boto3, with the default connection group and the cross-resource rules."""
import botocore.exceptions
import pytest

from builders import direct_config, disable, multi_tenant_config


def code_of(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def distribution(client):
    return client.create_distribution(DistributionConfig=multi_tenant_config(parameters=(
        ("tenantName", True, None), ("region", True, "eu"), ("optional", False, None))))["Distribution"]


def tenant(client, distribution, name, domain, **extra):
    extra.setdefault("Parameters", [{"Name": "tenantName", "Value": name}])
    return client.create_distribution_tenant(DistributionId=distribution["Id"], Name=name,
                                             Domains=[{"Domain": domain}], **extra)


def test_create_tenant_with_the_default_connection_group(client, account, distribution):
    created = tenant(client, distribution, "tenant-one", "one.example.com")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    dt = created["DistributionTenant"]
    assert dt["Id"].startswith("dt_") and len(dt["Id"]) == 30
    assert dt["Arn"] == f"arn:aws:cloudfront::{account}:distribution-tenant/{dt['Id']}"
    assert dt["Status"] == "InProgress"
    assert dt["Enabled"] is True
    assert dt["Domains"] == [{"Domain": "one.example.com", "Status": "active", "ServeOn": "any"}]
    # Required parameters with a default are filled in.
    assert {p["Name"]: p["Value"] for p in dt["Parameters"]} == {"tenantName": "tenant-one", "region": "eu"}
    default = client.get_connection_group(Identifier=dt["ConnectionGroupId"])["ConnectionGroup"]
    assert default["IsDefault"] is True
    assert default["Name"] == "CreatedByCloudFront-" + default["Id"]
    second = tenant(client, distribution, "tenant-two", "two.example.com")["DistributionTenant"]
    assert second["ConnectionGroupId"] == dt["ConnectionGroupId"]
    groups = client.list_connection_groups()["ConnectionGroups"]
    assert [g["Id"] for g in groups if g["IsDefault"]] == [default["Id"]]


def test_tenant_needs_a_multi_tenant_distribution_of_the_account(client):
    direct = client.create_distribution(DistributionConfig=direct_config())["Distribution"]
    with pytest.raises(client.exceptions.InvalidAssociation) as excinfo:
        tenant(client, direct, "on-direct", "d.example.com")
    assert code_of(excinfo) == ("InvalidAssociation", 409)
    with pytest.raises(client.exceptions.EntityNotFound):
        tenant(client, {"Id": "E000000000000"}, "nowhere", "n.example.com")


def test_names_and_domains_are_unique(client, distribution):
    tenant(client, distribution, "unique", "u.example.com")
    with pytest.raises(client.exceptions.EntityAlreadyExists) as excinfo:
        tenant(client, distribution, "unique", "other.example.com")
    assert code_of(excinfo) == ("EntityAlreadyExists", 409)
    with pytest.raises(client.exceptions.CNAMEAlreadyExists) as excinfo:
        tenant(client, distribution, "thief", "U.example.com")
    assert code_of(excinfo) == ("CNAMEAlreadyExists", 409)
    # A distribution alias and a tenant domain share one namespace.
    with pytest.raises(client.exceptions.CNAMEAlreadyExists):
        client.create_distribution(DistributionConfig=direct_config(Aliases={"Quantity": 1,
                                                                             "Items": ["u.example.com"]}))


def test_domain_takeover_moves_the_domain(client, distribution):
    first = tenant(client, distribution, "owner", "moving.example.com")["DistributionTenant"]
    second = tenant(client, distribution, "taker", "moving.example.com", OnDomainTakeover="allow")
    assert second["DistributionTenant"]["Domains"][0]["Domain"] == "moving.example.com"
    assert client.get_distribution_tenant(Identifier=first["Id"])["DistributionTenant"]["Domains"] == []
    by_domain = client.get_distribution_tenant_by_domain(Domain="moving.example.com")
    assert by_domain["DistributionTenant"]["Id"] == second["DistributionTenant"]["Id"]


@pytest.mark.parametrize("parameters,problem", [
    ([], "tenantName"),
    ([{"Name": "tenantName", "Value": "x"}, {"Name": "unknown", "Value": "y"}], "unknown"),
    ([{"Name": "tenantName", "Value": "x"}, {"Name": "tenantName", "Value": "y"}], "tenantName"),
])
def test_parameters_are_checked_against_the_distribution(client, distribution, parameters, problem):
    with pytest.raises(client.exceptions.InvalidArgument) as excinfo:
        tenant(client, distribution, "params", "p.example.com", Parameters=parameters)
    assert problem in excinfo.value.response["Error"]["Message"]


def test_get_by_id_name_arn_and_domain(client, distribution):
    dt = tenant(client, distribution, "findable", "find.example.com")["DistributionTenant"]
    for identifier in (dt["Id"], dt["Name"], dt["Arn"]):
        assert client.get_distribution_tenant(Identifier=identifier)["DistributionTenant"]["Id"] == dt["Id"]
    assert client.get_distribution_tenant_by_domain(Domain="find.example.com")["DistributionTenant"]["Id"] == dt["Id"]
    with pytest.raises(client.exceptions.EntityNotFound):
        client.get_distribution_tenant(Identifier="dt_unknown")
    with pytest.raises(client.exceptions.EntityNotFound):
        client.get_distribution_tenant_by_domain(Domain="nobody.example.com")


def test_lists_and_filters(client, distribution):
    other = client.create_distribution(DistributionConfig=multi_tenant_config())["Distribution"]
    group = client.create_connection_group(Name="custom")["ConnectionGroup"]
    a = tenant(client, distribution, "ten-a", "a.example.com")["DistributionTenant"]
    b = tenant(client, distribution, "ten-b", "b.example.com", ConnectionGroupId=group["Id"])["DistributionTenant"]
    c = tenant(client, other, "ten-c", "c.example.com",
               Customizations={"WebAcl": {"Action": "override", "Arn": "arn:aws:wafv2:us-east-1:1:global/webacl/w/1"},
                               "Certificate": {"Arn": "arn:aws:acm:us-east-1:1:certificate/c"}})["DistributionTenant"]

    def ids(**kwargs):
        return [t["Id"] for t in client.list_distribution_tenants(**kwargs)["DistributionTenantList"]]

    assert ids() == [a["Id"], b["Id"], c["Id"]]
    assert ids(AssociationFilter={"DistributionId": distribution["Id"]}) == [a["Id"], b["Id"]]
    assert ids(AssociationFilter={"ConnectionGroupId": group["Id"]}) == [b["Id"]]
    page = client.list_distribution_tenants(MaxItems=2)
    assert len(page["DistributionTenantList"]) == 2
    assert [t["Id"] for t in client.list_distribution_tenants(Marker=page["NextMarker"])["DistributionTenantList"]] \
        == [c["Id"]]
    summary = page["DistributionTenantList"][0]
    assert summary["ETag"] and summary["Status"] and summary["Domains"]

    def by_customization(**kwargs):
        return [t["Id"] for t in client.list_distribution_tenants_by_customization(**kwargs)["DistributionTenantList"]]

    assert by_customization(WebACLArn="arn:aws:wafv2:us-east-1:1:global/webacl/w/1") == [c["Id"]]
    assert by_customization(CertificateArn="arn:aws:acm:us-east-1:1:certificate/c") == [c["Id"]]
    with pytest.raises(client.exceptions.InvalidArgument):
        by_customization(WebACLArn="x", CertificateArn="y")
    with pytest.raises(client.exceptions.InvalidArgument):
        by_customization()


def test_move_a_tenant_between_connection_groups(client, distribution):
    created = tenant(client, distribution, "mover", "mover.example.com")
    dt = created["DistributionTenant"]
    target = client.create_connection_group(Name="target")["ConnectionGroup"]
    moved = client.update_distribution_tenant(Id=dt["Id"], IfMatch=created["ETag"], ConnectionGroupId=target["Id"])
    assert moved["DistributionTenant"]["ConnectionGroupId"] == target["Id"]
    assert moved["DistributionTenant"]["Status"] == "InProgress"
    assert moved["ETag"] != created["ETag"]
    assert moved["DistributionTenant"]["Domains"] == dt["Domains"]
    with pytest.raises(client.exceptions.PreconditionFailed):
        client.update_distribution_tenant(Id=dt["Id"], IfMatch=created["ETag"], Enabled=False)
    with pytest.raises(client.exceptions.EntityNotFound):
        client.update_distribution_tenant(Id=dt["Id"], IfMatch=moved["ETag"], ConnectionGroupId="cg_unknown")


def test_update_without_if_match(raw_client, distribution):
    dt = tenant(raw_client, distribution, "no-etag", "ne.example.com")["DistributionTenant"]
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        raw_client.update_distribution_tenant(Id=dt["Id"], Enabled=False)
    assert code_of(excinfo) == ("InvalidIfMatchVersion", 400)


def test_delete_rules_across_resources(client, distribution):
    group = client.create_connection_group(Name="busy")
    created = tenant(client, distribution, "leaving", "leaving.example.com",
                     ConnectionGroupId=group["ConnectionGroup"]["Id"])
    dt = created["DistributionTenant"]
    # The connection group is in use by the tenant.
    disabled_group = client.update_connection_group(Id=group["ConnectionGroup"]["Id"], IfMatch=group["ETag"],
                                                    Enabled=False)
    with pytest.raises(client.exceptions.CannotDeleteEntityWhileInUse) as excinfo:
        client.delete_connection_group(Id=group["ConnectionGroup"]["Id"], IfMatch=disabled_group["ETag"])
    assert code_of(excinfo) == ("CannotDeleteEntityWhileInUse", 409)
    # The distribution has a tenant.
    distribution_etag = disable(client, distribution["Id"])
    with pytest.raises(client.exceptions.ResourceInUse):
        client.delete_distribution(Id=distribution["Id"], IfMatch=distribution_etag)
    # An enabled tenant cannot be deleted.
    with pytest.raises(client.exceptions.ResourceNotDisabled) as excinfo:
        client.delete_distribution_tenant(Id=dt["Id"], IfMatch=created["ETag"])
    assert code_of(excinfo) == ("ResourceNotDisabled", 409)
    disabled = client.update_distribution_tenant(Id=dt["Id"], IfMatch=created["ETag"], Enabled=False)
    assert client.delete_distribution_tenant(Id=dt["Id"], IfMatch=disabled["ETag"]
                                             )["ResponseMetadata"]["HTTPStatusCode"] == 204
    # Now both can go, and the domain is free again.
    client.delete_connection_group(Id=group["ConnectionGroup"]["Id"], IfMatch=disabled_group["ETag"])
    client.delete_distribution(Id=distribution["Id"], IfMatch=distribution_etag)
    with pytest.raises(client.exceptions.EntityNotFound):
        client.get_distribution_tenant_by_domain(Domain="leaving.example.com")


def test_tags_on_tenants(client, distribution):
    dt = tenant(client, distribution, "tagged", "tagged.example.com",
                Tags={"Items": [{"Key": "plan", "Value": "gold"}]})["DistributionTenant"]
    assert dt["Tags"]["Items"] == [{"Key": "plan", "Value": "gold"}]
    client.tag_resource(Resource=dt["Arn"], Tags={"Items": [{"Key": "tier", "Value": "1"}]})
    keys = [t["Key"] for t in client.list_tags_for_resource(Resource=dt["Arn"])["Tags"]["Items"]]
    assert keys == ["plan", "tier"]


def test_default_connection_group_can_be_disabled_but_not_deleted_while_used(client, distribution):
    dt = tenant(client, distribution, "defaulted", "def.example.com")["DistributionTenant"]
    group = client.get_connection_group(Identifier=dt["ConnectionGroupId"])
    updated = client.update_connection_group(Id=group["ConnectionGroup"]["Id"], IfMatch=group["ETag"], Enabled=False)
    assert updated["ConnectionGroup"]["IsDefault"] is True
    with pytest.raises(client.exceptions.CannotDeleteEntityWhileInUse):
        client.delete_connection_group(Id=group["ConnectionGroup"]["Id"], IfMatch=updated["ETag"])
