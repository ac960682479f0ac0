"""The simulated DNS zone (`/_cloudfront-local/dns`), and what reads it through boto3: VerifyDnsConfiguration,
tenants' managed certificates, AssociateAlias; UpdateDomainAssociation, conflicts, and web ACL associations."""
from __future__ import annotations

import pytest
import requests

from builders import direct_config, multi_tenant_config
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
    # Another account holding the alias is a conflict too, its ids masked.
    stranger = make_client(dns_server.url, "210987654321")
    theirs = stranger.create_distribution(DistributionConfig=direct_config(
        Aliases={"Quantity": 1, "Items": ["www.moving.example"]}))["Distribution"]["Id"]
    items = client.list_conflicting_aliases(DistributionId=target["Id"], Alias="www.moving.example")[
        "ConflictingAliasesList"]["Items"]
    assert sorted(i["AccountId"] for i in items) == ["********4321", "********9012"]
    assert all(i["DistributionId"][-4:] in (source["Id"][-4:], theirs[-4:]) for i in items)
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
