"""Distributions through boto3: the model-driven config, AWS's documented checks, multi-tenant rules."""
import botocore.exceptions
import pytest

from builders import direct_config, disable, multi_tenant_config


def code_of(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


def _holds(read, written) -> bool:
    """Everything written is in what was read back, which may add members."""
    if isinstance(written, dict):
        return isinstance(read, dict) and all(k in read and _holds(read[k], v) for k, v in written.items())
    if isinstance(written, list):
        return isinstance(read, list) and len(read) == len(written) and all(map(_holds, read, written))
    return read == written


def test_create_get_and_config(client, account):
    config = direct_config(Aliases={"Quantity": 1, "Items": ["www.example.com"]})
    created = client.create_distribution(DistributionConfig=config)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    distribution = created["Distribution"]
    assert created["Location"].endswith("/2020-05-31/distribution/" + distribution["Id"])
    assert distribution["ARN"] == f"arn:aws:cloudfront::{account}:distribution/{distribution['Id']}"
    assert distribution["Status"] == "InProgress"
    assert distribution["DomainName"].endswith(".cloudfront.net")
    assert distribution["InProgressInvalidationBatches"] == 0
    stored = client.get_distribution_config(Id=distribution["Id"])
    assert stored["ETag"] == created["ETag"]
    # What was sent comes back, with the defaults AWS fills in (test_read_back_defaults.py checks those).
    for name, value in config.items():
        assert _holds(stored["DistributionConfig"][name], value), name
    assert stored["DistributionConfig"]["PriceClass"] == "PriceClass_All"
    assert stored["DistributionConfig"]["ConnectionMode"] == "direct"
    fetched = client.get_distribution(Id=distribution["Id"])
    assert fetched["Distribution"]["Status"] == "Deployed"
    assert fetched["Distribution"]["DistributionConfig"] == stored["DistributionConfig"]


def test_create_with_tags(client):
    created = client.create_distribution_with_tags(DistributionConfigWithTags={
        "DistributionConfig": direct_config(), "Tags": {"Items": [{"Key": "team", "Value": "cdn"}]}})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    tags = client.list_tags_for_resource(Resource=created["Distribution"]["ARN"])["Tags"]["Items"]
    assert tags == [{"Key": "team", "Value": "cdn"}]
    with pytest.raises(client.exceptions.InvalidTagging):
        client.create_distribution_with_tags(DistributionConfigWithTags={
            "DistributionConfig": direct_config(), "Tags": {"Items": [{"Key": "aws:no", "Value": "v"}]}})


def test_list_distributions(client):
    ids = [client.create_distribution(DistributionConfig=direct_config())["Distribution"]["Id"] for _ in range(3)]
    first = client.list_distributions(MaxItems="2")["DistributionList"]
    assert first["IsTruncated"] is True and first["Quantity"] == 2
    rest = client.list_distributions(Marker=first["NextMarker"])["DistributionList"]
    assert [d["Id"] for d in first["Items"] + rest["Items"]] == ids
    summary = first["Items"][0]
    for member in ("ARN", "ETag", "Status", "DomainName", "Aliases", "Origins", "DefaultCacheBehavior",
                   "CacheBehaviors", "CustomErrorResponses", "PriceClass", "ViewerCertificate", "Restrictions",
                   "WebACLId", "HttpVersion", "IsIPV6Enabled", "Staging", "ConnectionMode"):
        assert member in summary, member


def test_quantities_must_match_items(client):
    config = direct_config(Aliases={"Quantity": 2, "Items": ["a.example.com"]})
    with pytest.raises(client.exceptions.InconsistentQuantities) as excinfo:
        client.create_distribution(DistributionConfig=config)
    assert code_of(excinfo) == ("InconsistentQuantities", 400)
    assert "Aliases (2)" in excinfo.value.response["Error"]["Message"]


def test_target_origin_must_exist(client):
    config = direct_config()
    config["DefaultCacheBehavior"]["TargetOriginId"] = "nowhere"
    with pytest.raises(client.exceptions.NoSuchOrigin) as excinfo:
        client.create_distribution(DistributionConfig=config)
    assert code_of(excinfo) == ("NoSuchOrigin", 404)


def test_cache_policy_must_be_known(client):
    config = direct_config()
    config["DefaultCacheBehavior"]["CachePolicyId"] = "00000000-0000-0000-0000-000000000000"
    with pytest.raises(client.exceptions.NoSuchCachePolicy):
        client.create_distribution(DistributionConfig=config)


def test_a_behavior_needs_a_cache_policy_or_forwarded_values(client):
    config = direct_config()
    del config["DefaultCacheBehavior"]["CachePolicyId"]
    with pytest.raises(client.exceptions.InvalidArgument):
        client.create_distribution(DistributionConfig=config)
    config["DefaultCacheBehavior"].update(
        ForwardedValues={"QueryString": False, "Cookies": {"Forward": "none"}}, MinTTL=0)
    client.create_distribution(DistributionConfig=config)


def test_a_used_caller_reference_is_refused_whatever_the_config(client):
    # Issue 17 reverses the earlier idempotency: the same config again is refused too (the model's docs).
    config = direct_config("same-reference")
    client.create_distribution(DistributionConfig=config)
    for again in (config, direct_config("same-reference", Comment="something else")):
        with pytest.raises(client.exceptions.DistributionAlreadyExists) as excinfo:
            client.create_distribution(DistributionConfig=again)
        assert code_of(excinfo) == ("DistributionAlreadyExists", 409)


def test_aliases_are_unique(client):
    client.create_distribution(DistributionConfig=direct_config(Aliases={"Quantity": 1, "Items": ["shop.example.com"]}))
    with pytest.raises(client.exceptions.CNAMEAlreadyExists) as excinfo:
        client.create_distribution(
            DistributionConfig=direct_config(Aliases={"Quantity": 1, "Items": ["SHOP.example.com"]}))
    assert code_of(excinfo) == ("CNAMEAlreadyExists", 409)


@pytest.mark.parametrize("members", [
    {"Aliases": {"Quantity": 1, "Items": ["t.example.com"]}},
    {"PriceClass": "PriceClass_100"},
    {"IsIPV6Enabled": True},
    {"Staging": True},
    {"WebACLId": "classic-web-acl-id"},
])
def test_multi_tenant_distributions_refuse_standard_only_settings(client, members):
    with pytest.raises(client.exceptions.InvalidArgument) as excinfo:
        client.create_distribution(DistributionConfig=multi_tenant_config(**members))
    assert code_of(excinfo) == ("InvalidArgument", 400)
    assert "Multi-tenant" in excinfo.value.response["Error"]["Message"]


def test_multi_tenant_distributions_refuse_legacy_cache_settings(client):
    config = multi_tenant_config()
    config["DefaultCacheBehavior"]["MinTTL"] = 0
    with pytest.raises(client.exceptions.InvalidArgument):
        client.create_distribution(DistributionConfig=config)


def test_multi_tenant_distribution_reports_its_mode(client):
    created = client.create_distribution(DistributionConfig=multi_tenant_config(WebACLId=(
        "arn:aws:wafv2:us-east-1:123456789012:global/webacl/name/id")))
    config = created["Distribution"]["DistributionConfig"]
    assert config["ConnectionMode"] == "tenant-only"
    assert "PriceClass" not in config
    summary = client.list_distributions()["DistributionList"]["Items"][0]
    assert summary["ConnectionMode"] == "tenant-only"


def test_tenant_config_needs_a_multi_tenant_distribution(client):
    config = direct_config(TenantConfig={"ParameterDefinitions": []})
    with pytest.raises(client.exceptions.InvalidArgument):
        client.create_distribution(DistributionConfig=config)


def test_update_rules(client, raw_client):
    created = client.create_distribution(DistributionConfig=direct_config())
    distribution_id = created["Distribution"]["Id"]
    config = client.get_distribution_config(Id=distribution_id)["DistributionConfig"]
    config["Comment"] = "updated"
    updated = client.update_distribution(Id=distribution_id, IfMatch=created["ETag"], DistributionConfig=config)
    assert updated["ETag"] != created["ETag"]
    assert updated["Distribution"]["Status"] == "InProgress"
    assert updated["Distribution"]["DistributionConfig"]["Comment"] == "updated"
    with pytest.raises(client.exceptions.PreconditionFailed):
        client.update_distribution(Id=distribution_id, IfMatch=created["ETag"], DistributionConfig=config)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        raw_client.update_distribution(Id=distribution_id, DistributionConfig=config)
    assert code_of(excinfo) == ("InvalidIfMatchVersion", 400)
    for change in ({"CallerReference": "another"}, {"ConnectionMode": "tenant-only"}):
        with pytest.raises(client.exceptions.IllegalUpdate) as excinfo:
            client.update_distribution(Id=distribution_id, IfMatch=updated["ETag"], DistributionConfig={**config,
                                                                                                         **change})
        assert code_of(excinfo) == ("IllegalUpdate", 400)


def test_unknown_distribution_is_no_such_distribution(client):
    for call in (lambda: client.get_distribution(Id="E000000000000"),
                 lambda: client.get_distribution_config(Id="E000000000000"),
                 lambda: client.delete_distribution(Id="E000000000000", IfMatch="E1")):
        with pytest.raises(client.exceptions.NoSuchDistribution) as excinfo:
            call()
        assert code_of(excinfo) == ("NoSuchDistribution", 404)


def test_delete_requires_disabled(client):
    created = client.create_distribution(DistributionConfig=direct_config())
    distribution_id = created["Distribution"]["Id"]
    with pytest.raises(client.exceptions.DistributionNotDisabled) as excinfo:
        client.delete_distribution(Id=distribution_id, IfMatch=created["ETag"])
    assert code_of(excinfo) == ("DistributionNotDisabled", 409)
    etag = disable(client, distribution_id)
    assert client.delete_distribution(Id=distribution_id, IfMatch=etag)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(client.exceptions.NoSuchDistribution):
        client.get_distribution(Id=distribution_id)


def test_viewer_fallback_distribution_must_exist_and_stays_in_use(client):
    distribution = client.create_distribution(DistributionConfig=multi_tenant_config())["Distribution"]
    anycast = client.create_anycast_ip_list(Name="fallback-ips", IpCount=3)["AnycastIpList"]
    group = client.create_connection_group(Name="with-fallback", AnycastIpListId=anycast["Id"], Ipv6Enabled=False,
                                           ViewerFallback={"DistributionId": distribution["Id"]})
    assert group["ConnectionGroup"]["ViewerFallback"] == {"DistributionId": distribution["Id"]}
    etag = disable(client, distribution["Id"])
    with pytest.raises(client.exceptions.ResourceInUse) as excinfo:
        client.delete_distribution(Id=distribution["Id"], IfMatch=etag)
    assert code_of(excinfo) == ("ResourceInUse", 409)
    # An empty fallback removes it, and the distribution can go.
    cleared = client.update_connection_group(Id=group["ConnectionGroup"]["Id"], IfMatch=group["ETag"],
                                             ViewerFallback={})
    assert "ViewerFallback" not in cleared["ConnectionGroup"]
    client.delete_distribution(Id=distribution["Id"], IfMatch=etag)

