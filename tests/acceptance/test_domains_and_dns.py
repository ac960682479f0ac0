"""The simulated DNS zone (`/_cloudfront-local/dns`), and what reads it through boto3: VerifyDnsConfiguration,
tenants' managed certificates, AssociateAlias; UpdateDomainAssociation, conflicts, and web ACL associations."""
from __future__ import annotations

import pytest
import requests

from builders import direct_config, disable, multi_tenant_config
from conftest import fails, make_client
from serving import RunningServer

WEB_ACL = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"


@pytest.fixture
def dns_server():
    with RunningServer() as server:
        yield server


def _dns(server, method: str, path: str = "", **kwargs):
    return requests.request(method, f"{server.url}/_cloudfront-local/dns{path}", timeout=10, **kwargs)


def test_the_zone_endpoint(dns_server):
    added = _dns(dns_server, "POST", json={"name": "WWW.Example.com.", "type": "CNAME", "value": "d1.cloudfront.net"})
    assert added.status_code == 201
    assert added.json() == {"name": "www.example.com", "type": "CNAME", "value": "d1.cloudfront.net"}
    assert _dns(dns_server, "POST", json={"name": "api.example.com", "type": "A", "value": "127.0.0.1"}).status_code \
        == 201
    assert _dns(dns_server, "POST", json={"name": "_x.example.com", "type": "TXT", "value": "v=1"}).status_code == 201
    listed = _dns(dns_server, "GET").json()["records"]
    assert {"name": "api.example.com", "type": "A", "value": "127.0.0.1"} in listed and len(listed) == 3
    for bad in ({"name": "a.example.com", "type": "MX", "value": "x"}, {"name": "a b", "type": "A", "value": "1.2.3.4"},
                {"name": "a.example.com", "type": "A", "value": "::1"}, {"name": "a.example.com", "type": "A"},
                {"name": "www.example.com", "type": "A", "value": "1.2.3.4"}, ["not", "an", "object"]):
        answer = _dns(dns_server, "POST", json=bad)
        assert answer.status_code == 400 and answer.json()["error"], bad
    for body in (b"{", b"\xff", b""):
        assert _dns(dns_server, "POST", data=body).status_code == 400
    assert _dns(dns_server, "DELETE", "/www.example.com").status_code == 204
    assert all(r["name"] != "www.example.com" for r in _dns(dns_server, "GET").json()["records"])


def _tenant_setup(client, domain: str, **extra):
    group = client.create_connection_group(Name="certs")["ConnectionGroup"]
    multi = client.create_distribution(DistributionConfig=multi_tenant_config())["Distribution"]["Id"]
    tenant = client.create_distribution_tenant(
        DistributionId=multi, Name="certified", Domains=[{"Domain": domain}], ConnectionGroupId=group["Id"],
        Parameters=[{"Name": "tenantName", "Value": "t"}], **extra)["DistributionTenant"]
    return group, tenant


def test_verify_dns_and_managed_certificate(dns_server):
    client = make_client(dns_server.url, "123456789012")
    group, tenant = _tenant_setup(client, "shop.example.com", ManagedCertificateRequest={
        "ValidationTokenHost": "cloudfront", "PrimaryDomainName": "shop.example.com"})
    assert tenant["Domains"][0]["Status"] == "inactive"
    details = client.get_managed_certificate_details(Identifier=tenant["Id"])["ManagedCertificateDetails"]
    assert details["CertificateStatus"] == "pending-validation" and details["ValidationTokenHost"] == "cloudfront"
    assert details["CertificateArn"].startswith("arn:aws:acm:us-east-1:123456789012:certificate/")
    token = details["ValidationTokenDetails"][0]
    assert token["Domain"] == "shop.example.com"
    assert token["RedirectFrom"].startswith("http://shop.example.com/.well-known/pki-validation/")
    verified = client.verify_dns_configuration(Identifier=tenant["Id"])["DnsConfigurationList"]
    assert [(v["Domain"], v["Status"]) for v in verified] == [("shop.example.com", "unknown-configuration")]
    # A CNAME elsewhere is an invalid configuration; through a chain to the routing endpoint, a valid one.
    _dns(dns_server, "POST", json={"name": "shop.example.com", "type": "CNAME", "value": "elsewhere.example.net"})
    verified = client.verify_dns_configuration(Identifier=tenant["Id"], Domain="shop.example.com")
    assert verified["DnsConfigurationList"][0]["Status"] == "invalid-configuration"
    assert client.get_managed_certificate_details(Identifier=tenant["Id"])["ManagedCertificateDetails"][
        "CertificateStatus"] == "pending-validation"
    _dns(dns_server, "DELETE", "/shop.example.com")
    _dns(dns_server, "POST", json={"name": "shop.example.com", "type": "CNAME", "value": "edge.example.net"})
    _dns(dns_server, "POST", json={"name": "edge.example.net", "type": "CNAME", "value": group["RoutingEndpoint"]})
    verified = client.verify_dns_configuration(Identifier=tenant["Id"])["DnsConfigurationList"]
    assert verified[0]["Status"] == "valid-configuration"
    details = client.get_managed_certificate_details(Identifier=tenant["Id"])["ManagedCertificateDetails"]
    assert details["CertificateStatus"] == "issued" and "ValidationTokenDetails" not in details
    assert client.get_distribution_tenant(Identifier=tenant["Id"])["DistributionTenant"]["Domains"][0]["Status"] \
        == "active"
    # Issued stays issued when the record goes.
    _dns(dns_server, "DELETE", "/edge.example.net")
    assert client.get_managed_certificate_details(Identifier=tenant["Id"])["ManagedCertificateDetails"][
        "CertificateStatus"] == "issued"
    fails(client.verify_dns_configuration, "InvalidArgument", Identifier=tenant["Id"], Domain="other.example.com")
    fails(client.verify_dns_configuration, "EntityNotFound", 404, Identifier="dt_nosuchtenant")


def test_tenants_without_a_managed_certificate(client):
    _, tenant = _tenant_setup(client, "plain.example.com")
    assert tenant["Domains"][0]["Status"] == "active"
    fails(client.get_managed_certificate_details, "EntityNotFound", 404, Identifier=tenant["Id"])


def test_associate_alias_needs_a_certificate_and_the_txt_record(dns_server):
    client = make_client(dns_server.url, "123456789012")
    certificate = {"ACMCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/1",
                   "SSLSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"}
    source = client.create_distribution(DistributionConfig=direct_config(
        Aliases={"Quantity": 1, "Items": ["www.moving.example"]}, ViewerCertificate=certificate))["Distribution"]
    target = client.create_distribution(DistributionConfig=direct_config(ViewerCertificate=certificate))[
        "Distribution"]
    plain = client.create_distribution(DistributionConfig=direct_config())["Distribution"]
    fails(client.associate_alias, "InvalidArgument", TargetDistributionId=plain["Id"], Alias="www.moving.example")
    fails(client.associate_alias, "InvalidArgument", TargetDistributionId=target["Id"], Alias="www.moving.example")
    conflicts = client.list_conflicting_aliases(DistributionId=target["Id"], Alias="www.moving.example")
    items = conflicts["ConflictingAliasesList"]["Items"]
    assert [i["Alias"] for i in items] == ["www.moving.example"]
    assert items[0]["DistributionId"].endswith(source["Id"][-4:]) and items[0]["DistributionId"].startswith("*")
    assert items[0]["AccountId"] == "********9012"
    # Another account's overlapping wildcard is a conflict too, its ids masked (the same name it cannot hold:
    # issue 17, aliases are unique across accounts).
    stranger = make_client(dns_server.url, "210987654321")
    fails(stranger.create_distribution, "CNAMEAlreadyExists", 409, DistributionConfig=direct_config(
        Aliases={"Quantity": 1, "Items": ["www.moving.example"]}))
    theirs = stranger.create_distribution(DistributionConfig=direct_config(
        Aliases={"Quantity": 1, "Items": ["*.moving.example"]}))["Distribution"]["Id"]
    items = client.list_conflicting_aliases(DistributionId=target["Id"], Alias="www.moving.example")[
        "ConflictingAliasesList"]["Items"]
    assert [(i["Alias"], i["AccountId"]) for i in items] == [("www.moving.example", "********9012"),
                                                               ("*.moving.example", "********4321")]
    assert [i["DistributionId"][-4:] for i in items] == [source["Id"][-4:], theirs[-4:]]
    _dns(dns_server, "POST", json={"name": "_www.moving.example", "type": "TXT", "value": target["DomainName"]})
    client.associate_alias(TargetDistributionId=target["Id"], Alias="www.moving.example")
    moved = client.get_distribution_config(Id=target["Id"])["DistributionConfig"]["Aliases"]
    assert moved == {"Quantity": 1, "Items": ["www.moving.example"]}
    assert client.get_distribution_config(Id=source["Id"])["DistributionConfig"]["Aliases"]["Quantity"] == 0
    fails(client.associate_alias, "NoSuchDistribution", 404, TargetDistributionId="ENOSUCHDIST0001",
          Alias="www.moving.example")


def test_update_domain_association_and_conflicts(client):
    multi = client.create_distribution(DistributionConfig=multi_tenant_config())["Distribution"]["Id"]
    params = [{"Name": "tenantName", "Value": "t"}]
    first = client.create_distribution_tenant(DistributionId=multi, Name="first", Parameters=params,
                                              Domains=[{"Domain": "a.moving.example"},
                                                       {"Domain": "b.moving.example"}])["DistributionTenant"]
    second = client.create_distribution_tenant(DistributionId=multi, Name="second", Parameters=params,
                                               Domains=[{"Domain": "c.moving.example"}])
    conflicts = client.list_domain_conflicts(Domain="a.moving.example", DomainControlValidationResource={
        "DistributionTenantId": second["DistributionTenant"]["Id"]})["DomainConflicts"]
    assert [(c["Domain"], c["ResourceType"]) for c in conflicts] == [("a.moving.example", "distribution-tenant")]
    assert conflicts[0]["ResourceId"].endswith(first["Id"][-14:]) and conflicts[0]["ResourceId"].startswith("*")
    assert conflicts[0]["AccountId"] == client.get_distribution_tenant(Identifier=first["Id"])[
        "DistributionTenant"]["Arn"].split(":")[4]  # the caller's own account, whole
    fails(client.update_domain_association, "PreconditionFailed", 412, Domain="a.moving.example",
          TargetResource={"DistributionTenantId": second["DistributionTenant"]["Id"]}, IfMatch="E000000000000")
    moved = client.update_domain_association(Domain="a.moving.example", TargetResource={
        "DistributionTenantId": second["DistributionTenant"]["Id"]}, IfMatch=second["ETag"])
    assert moved["Domain"] == "a.moving.example" and moved["ResourceId"] == second["DistributionTenant"]["Id"]
    assert moved["ETag"] != second["ETag"]
    now = client.get_distribution_tenant(Identifier=second["DistributionTenant"]["Id"])["DistributionTenant"]
    assert [d["Domain"] for d in now["Domains"]] == ["c.moving.example", "a.moving.example"]
    assert [d["Domain"] for d in client.get_distribution_tenant(Identifier=first["Id"])["DistributionTenant"][
        "Domains"]] == ["b.moving.example"]
    fails(client.update_domain_association, "EntityNotFound", Domain="nobody.moving.example",
          TargetResource={"DistributionTenantId": first["Id"]})
    fails(client.update_domain_association, "InvalidArgument", Domain="b.moving.example", TargetResource={})


def test_web_acl_associations(client):
    distribution = client.create_distribution(DistributionConfig=direct_config())
    distribution_id = distribution["Distribution"]["Id"]
    fails(client.associate_distribution_web_acl, "InvalidArgument", Id=distribution_id, WebACLArn="arn:aws:wafv2:x")
    fails(client.associate_distribution_web_acl, "PreconditionFailed", Id=distribution_id, WebACLArn=WEB_ACL,
          IfMatch="E000000000000")
    fails(client.associate_distribution_web_acl, "EntityNotFound", 404, Id="ENOSUCHDIST0001", WebACLArn=WEB_ACL)
    associated = client.associate_distribution_web_acl(Id=distribution_id, WebACLArn=WEB_ACL,
                                                       IfMatch=distribution["ETag"])
    assert associated["WebACLArn"] == WEB_ACL and associated["ETag"] != distribution["ETag"]
    assert client.get_distribution_config(Id=distribution_id)["DistributionConfig"]["WebACLId"] == WEB_ACL
    listed = client.list_distributions_by_web_acl_id(WebACLId=WEB_ACL)["DistributionList"]
    assert [d["Id"] for d in listed["Items"]] == [distribution_id]
    fails(client.list_distributions_by_web_acl_id, "InvalidWebACLId", 400, WebACLId="not-an-acl")
    gone = client.disassociate_distribution_web_acl(Id=distribution_id, IfMatch=associated["ETag"])
    assert client.get_distribution_config(Id=distribution_id)["DistributionConfig"]["WebACLId"] == ""
    assert gone["ETag"] != associated["ETag"]
    multi = client.create_distribution(DistributionConfig=multi_tenant_config())["Distribution"]["Id"]
    tenant = client.create_distribution_tenant(DistributionId=multi, Name="waf-tenant", Domains=[
        {"Domain": "waf.example.com"}], Parameters=[{"Name": "tenantName", "Value": "t"}])
    tenant_id = tenant["DistributionTenant"]["Id"]
    made = client.associate_distribution_tenant_web_acl(Id=tenant_id, WebACLArn=WEB_ACL, IfMatch=tenant["ETag"])
    customizations = client.get_distribution_tenant(Identifier=tenant_id)["DistributionTenant"]["Customizations"]
    assert customizations["WebAcl"] == {"Action": "override", "Arn": WEB_ACL}
    client.disassociate_distribution_tenant_web_acl(Id=tenant_id, IfMatch=made["ETag"])
    assert "WebAcl" not in (client.get_distribution_tenant(Identifier=tenant_id)["DistributionTenant"]
                            .get("Customizations") or {})


CERTIFICATE = {"ACMCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/1",
               "SSLSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"}


def _aliased(*aliases: str, **members) -> dict:
    return direct_config(Aliases={"Quantity": len(aliases), "Items": list(aliases)}, ViewerCertificate=CERTIFICATE,
                         **members)


def test_aliases_are_unique_across_accounts(dns_server):
    owner = make_client(dns_server.url, "123456789012")
    other = make_client(dns_server.url, "210987654321")
    held = owner.create_distribution(DistributionConfig=_aliased("shop.accounts.example"))["Distribution"]
    fails(other.create_distribution, "CNAMEAlreadyExists", 409, DistributionConfig=_aliased("SHOP.accounts.example"))
    fails(other.create_distribution_with_tags, "CNAMEAlreadyExists", 409, DistributionConfigWithTags={
        "DistributionConfig": _aliased("shop.accounts.example"), "Tags": {"Items": []}})
    # On update too.
    mine = other.create_distribution(DistributionConfig=_aliased("mine.accounts.example"))
    config = mine["Distribution"]["DistributionConfig"]
    config["Aliases"] = {"Quantity": 2, "Items": ["mine.accounts.example", "shop.accounts.example"]}
    fails(other.update_distribution, "CNAMEAlreadyExists", 409, Id=mine["Distribution"]["Id"],
          IfMatch=mine["ETag"], DistributionConfig=config)
    # A tenant domain and a distribution alias share the one namespace, across accounts as within one.
    multi = other.create_distribution(DistributionConfig=multi_tenant_config())["Distribution"]["Id"]
    fails(other.create_distribution_tenant, "CNAMEAlreadyExists", 409, DistributionId=multi, Name="other-tenant",
          Domains=[{"Domain": "shop.accounts.example"}], Parameters=[{"Name": "tenantName", "Value": "t"}])
    # A wildcard may overlap another account's name: that is how the guide moves a name between accounts.
    other.create_distribution(DistributionConfig=_aliased("*.accounts.example"))
    # The owner's name still answers for the owner only; once it lets go, the other account may take it.
    fails(other.get_distribution_tenant_by_domain, "EntityNotFound", 404, Domain="shop.accounts.example")
    current = owner.get_distribution_config(Id=held["Id"])
    current["DistributionConfig"]["Aliases"] = {"Quantity": 0}
    owner.update_distribution(Id=held["Id"], IfMatch=current["ETag"], DistributionConfig=current["DistributionConfig"])
    other.create_distribution(DistributionConfig=_aliased("shop.accounts.example"))
    fails(owner.create_distribution, "CNAMEAlreadyExists", 409, DistributionConfig=_aliased("shop.accounts.example"))


def test_associate_alias_moves_an_alias_from_another_account(dns_server):
    owner = make_client(dns_server.url, "123456789012")
    taker = make_client(dns_server.url, "210987654321")
    source = owner.create_distribution(DistributionConfig=_aliased("www.across.example", "keep.across.example"))
    target = taker.create_distribution(DistributionConfig=direct_config(ViewerCertificate=CERTIFICATE))[
        "Distribution"]
    conflicts = taker.list_conflicting_aliases(DistributionId=target["Id"], Alias="www.across.example")[
        "ConflictingAliasesList"]["Items"]
    assert [(c["Alias"], c["AccountId"]) for c in conflicts] == [("www.across.example", "********9012")]
    fails(taker.associate_alias, "InvalidArgument", TargetDistributionId=target["Id"], Alias="www.across.example")
    _dns(dns_server, "POST", json={"name": "_www.across.example", "type": "TXT", "value": target["DomainName"]})
    taker.associate_alias(TargetDistributionId=target["Id"], Alias="www.across.example")
    assert taker.get_distribution_config(Id=target["Id"])["DistributionConfig"]["Aliases"] == {
        "Quantity": 1, "Items": ["www.across.example"]}
    left = owner.get_distribution_config(Id=source["Distribution"]["Id"])
    assert left["DistributionConfig"]["Aliases"] == {"Quantity": 1, "Items": ["keep.across.example"]}
    assert left["ETag"] != source["ETag"]
    fails(owner.create_distribution, "CNAMEAlreadyExists", 409, DistributionConfig=_aliased("www.across.example"))


def test_update_domain_association_from_another_account(dns_server):
    owner = make_client(dns_server.url, "123456789012")
    taker = make_client(dns_server.url, "210987654321")
    source = owner.create_distribution(DistributionConfig=_aliased("api.across.example"))["Distribution"]
    target = taker.create_distribution(DistributionConfig=direct_config(ViewerCertificate=CERTIFICATE))
    target_id = target["Distribution"]["Id"]
    conflicts = taker.list_domain_conflicts(Domain="api.across.example", DomainControlValidationResource={
        "DistributionId": target_id})["DomainConflicts"]
    assert [(c["Domain"], c["ResourceType"], c["AccountId"]) for c in conflicts] == [
        ("api.across.example", "distribution", "********9012")]
    assert conflicts[0]["ResourceId"].startswith("*") and conflicts[0]["ResourceId"].endswith(source["Id"][-4:])
    move = {"Domain": "api.across.example", "TargetResource": {"DistributionId": target_id}}
    # The source in another account must be disabled first, and the domain's owner must allow the move.
    fails(taker.update_domain_association, "IllegalUpdate", 400, **move)
    disable(owner, source["Id"])
    fails(taker.update_domain_association, "InvalidArgument", 400, **move)
    _dns(dns_server, "POST", json={"name": "_api.across.example", "type": "TXT",
                                   "value": target["Distribution"]["DomainName"]})
    moved = taker.update_domain_association(**move, IfMatch=target["ETag"])
    assert moved["ResourceId"] == target_id and moved["ETag"] != target["ETag"]
    assert taker.get_distribution_config(Id=target_id)["DistributionConfig"]["Aliases"]["Items"] == [
        "api.across.example"]
    assert owner.get_distribution_config(Id=source["Id"])["DistributionConfig"]["Aliases"] == {"Quantity": 0}


def test_tenant_takeover_from_another_account_needs_the_dns_to_point_at_it(dns_server):
    owner = make_client(dns_server.url, "123456789012")
    taker = make_client(dns_server.url, "210987654321")
    source = owner.create_distribution(DistributionConfig=_aliased("tenant.across.example"))["Distribution"]
    group = taker.create_connection_group(Name="takers")["ConnectionGroup"]
    multi = taker.create_distribution(DistributionConfig=multi_tenant_config())["Distribution"]["Id"]
    request = {"DistributionId": multi, "Name": "taker", "Domains": [{"Domain": "tenant.across.example"}],
               "ConnectionGroupId": group["Id"], "Parameters": [{"Name": "tenantName", "Value": "t"}],
               "OnDomainTakeover": "allow"}
    fails(taker.create_distribution_tenant, "CNAMEAlreadyExists", 409, **request)
    _dns(dns_server, "POST", json={"name": "tenant.across.example", "type": "CNAME",
                                   "value": group["RoutingEndpoint"]})
    tenant = taker.create_distribution_tenant(**request)["DistributionTenant"]
    assert [d["Domain"] for d in tenant["Domains"]] == ["tenant.across.example"]
    assert taker.get_distribution_tenant_by_domain(Domain="tenant.across.example")["DistributionTenant"]["Id"] \
        == tenant["Id"]
    assert owner.get_distribution_config(Id=source["Id"])["DistributionConfig"]["Aliases"] == {"Quantity": 0}
