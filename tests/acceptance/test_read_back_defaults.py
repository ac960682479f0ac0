"""Read-back as AWS answers it, family by family, through boto3: a minimal create (every optional member left
out, or an empty collection written as {"Quantity": 0, "Items": []}) reads back on Create, Get, GetConfig and
in List with the defaults docs/behaviour.md records ("Read-back"), and nothing AWS would not add. An empty
list answers without Items."""
from __future__ import annotations

import pytest

from builders import direct_config, multi_tenant_config
from certificates import public_key_pem

PEM = public_key_pem()
PARAMETERS = {"EnableAcceptEncodingGzip": False, "HeadersConfig": {"HeaderBehavior": "none"},
              "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "none"}}
KINESIS = [{"StreamType": "Kinesis", "KinesisStreamConfig": {
    "RoleARN": "arn:aws:iam::123456789012:role/logs", "StreamARN": "arn:aws:kinesis:us-east-1:123456789012:stream/s"}}]


def _summaries(page: dict, member: str | None = None) -> list[dict]:
    """A list page's custom items, unwrapped where the summary nests the resource."""
    return [item.get(member, item) if member else item for item in page.get("Items", [])
            if item.get("Type", "custom") == "custom"]


def test_cache_policy_fills_in_comment_and_ttls(client):
    made = client.create_cache_policy(CachePolicyConfig={"Name": "minimal", "MinTTL": 0,
                                                         "ParametersInCacheKeyAndForwardedToOrigin": PARAMETERS})
    expected = {"Name": "minimal", "MinTTL": 0, "ParametersInCacheKeyAndForwardedToOrigin": PARAMETERS,
                "Comment": "", "DefaultTTL": 86400, "MaxTTL": 31536000}
    policy_id = made["CachePolicy"]["Id"]
    assert made["CachePolicy"]["CachePolicyConfig"] == expected
    assert client.get_cache_policy(Id=policy_id)["CachePolicy"]["CachePolicyConfig"] == expected
    assert client.get_cache_policy_config(Id=policy_id)["CachePolicyConfig"] == expected
    listed = _summaries(client.list_cache_policies(Type="custom")["CachePolicyList"], "CachePolicy")
    assert [p["CachePolicyConfig"] for p in listed] == [expected]


def test_policies_read_an_empty_collection_back_by_its_quantity(client):
    """{"Quantity": 0, "Items": []} is answered as {"Quantity": 0}: how CloudFront answers every empty
    collection (the API's own examples, e.g. a distribution's "CustomErrorResponses": {"Quantity": 0})."""
    cache = client.create_cache_policy(CachePolicyConfig={
        "Name": "empty-lists", "MinTTL": 0, "ParametersInCacheKeyAndForwardedToOrigin": {
            **PARAMETERS, "HeadersConfig": {"HeaderBehavior": "none", "Headers": {"Quantity": 0, "Items": []}}}})
    assert client.get_cache_policy_config(Id=cache["CachePolicy"]["Id"])["CachePolicyConfig"][
        "ParametersInCacheKeyAndForwardedToOrigin"]["HeadersConfig"] == {"HeaderBehavior": "none",
                                                                          "Headers": {"Quantity": 0}}
    response = client.create_response_headers_policy(ResponseHeadersPolicyConfig={
        "Name": "empty-lists", "CustomHeadersConfig": {"Quantity": 0, "Items": []},
        "RemoveHeadersConfig": {"Quantity": 0, "Items": []}})
    expected = {"Name": "empty-lists", "Comment": "", "CustomHeadersConfig": {"Quantity": 0},
                "RemoveHeadersConfig": {"Quantity": 0}}
    policy_id = response["ResponseHeadersPolicy"]["Id"]
    assert response["ResponseHeadersPolicy"]["ResponseHeadersPolicyConfig"] == expected
    assert client.get_response_headers_policy(Id=policy_id)["ResponseHeadersPolicy"][
        "ResponseHeadersPolicyConfig"] == expected
    listed = _summaries(client.list_response_headers_policies(Type="custom")["ResponseHeadersPolicyList"],
                        "ResponseHeadersPolicy")
    assert [p["ResponseHeadersPolicyConfig"] for p in listed] == [expected]


def test_origin_request_policy_fills_in_comment(client):
    config = {"Name": "minimal", "HeadersConfig": {"HeaderBehavior": "none"},
              "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "none"}}
    made = client.create_origin_request_policy(OriginRequestPolicyConfig=config)
    policy_id = made["OriginRequestPolicy"]["Id"]
    expected = {**config, "Comment": ""}
    assert client.get_origin_request_policy(Id=policy_id)["OriginRequestPolicy"]["OriginRequestPolicyConfig"] \
        == expected
    listed = _summaries(client.list_origin_request_policies(Type="custom")["OriginRequestPolicyList"],
                        "OriginRequestPolicy")
    assert [p["OriginRequestPolicyConfig"] for p in listed] == [expected]


def test_public_key_reads_back_an_empty_comment(client):
    config = {"CallerReference": "minimal", "Name": "minimal", "EncodedKey": PEM}
    made = client.create_public_key(PublicKeyConfig=config)
    key_id = made["PublicKey"]["Id"]
    expected = {**config, "Comment": ""}
    assert made["PublicKey"]["PublicKeyConfig"] == expected
    assert client.get_public_key(Id=key_id)["PublicKey"]["PublicKeyConfig"] == expected
    assert client.get_public_key_config(Id=key_id)["PublicKeyConfig"] == expected
    [summary] = client.list_public_keys()["PublicKeyList"]["Items"]
    assert summary["Comment"] == "" and summary["Name"] == "minimal" and summary["Id"] == key_id


def test_key_group_reads_back_as_written(client):
    key = client.create_public_key(PublicKeyConfig={"CallerReference": "k", "Name": "k", "EncodedKey": PEM})
    config = {"Name": "minimal", "Items": [key["PublicKey"]["Id"]]}
    made = client.create_key_group(KeyGroupConfig=config)
    assert client.get_key_group_config(Id=made["KeyGroup"]["Id"])["KeyGroupConfig"] == config
    assert [g["KeyGroup"]["KeyGroupConfig"] for g in client.list_key_groups()["KeyGroupList"]["Items"]] == [config]


def test_origin_access_control_and_identity(client):
    oac = {"Name": "minimal", "SigningProtocol": "sigv4", "SigningBehavior": "always",
           "OriginAccessControlOriginType": "s3"}
    made = client.create_origin_access_control(OriginAccessControlConfig=oac)
    got = client.get_origin_access_control(Id=made["OriginAccessControl"]["Id"])["OriginAccessControl"]
    assert got["OriginAccessControlConfig"] == {**oac, "Description": ""}
    [summary] = client.list_origin_access_controls()["OriginAccessControlList"]["Items"]
    assert summary["Description"] == "" and summary["Name"] == "minimal"
    oai = {"CallerReference": "minimal", "Comment": ""}
    identity = client.create_cloud_front_origin_access_identity(CloudFrontOriginAccessIdentityConfig=oai)
    identity_id = identity["CloudFrontOriginAccessIdentity"]["Id"]
    assert client.get_cloud_front_origin_access_identity_config(Id=identity_id)[
        "CloudFrontOriginAccessIdentityConfig"] == oai
    [summary] = client.list_cloud_front_origin_access_identities()["CloudFrontOriginAccessIdentityList"]["Items"]
    assert summary["Comment"] == "" and summary["Id"] == identity_id


def test_field_level_encryption(client):
    key = client.create_public_key(PublicKeyConfig={"CallerReference": "k", "Name": "k", "EncodedKey": PEM})
    entities = {"Quantity": 1, "Items": [{"PublicKeyId": key["PublicKey"]["Id"], "ProviderId": "provider",
                                          "FieldPatterns": {"Quantity": 1, "Items": ["card"]}}]}
    profile = client.create_field_level_encryption_profile(FieldLevelEncryptionProfileConfig={
        "Name": "minimal", "CallerReference": "p", "EncryptionEntities": entities})
    profile_id = profile["FieldLevelEncryptionProfile"]["Id"]
    assert client.get_field_level_encryption_profile_config(Id=profile_id)["FieldLevelEncryptionProfileConfig"] \
        == {"Name": "minimal", "CallerReference": "p", "EncryptionEntities": entities, "Comment": ""}
    [summary] = client.list_field_level_encryption_profiles()["FieldLevelEncryptionProfileList"]["Items"]
    assert summary["Comment"] == "" and summary["EncryptionEntities"] == entities
    config = client.create_field_level_encryption_config(FieldLevelEncryptionConfig={
        "CallerReference": "c", "QueryArgProfileConfig": {"ForwardWhenQueryArgProfileIsUnknown": True,
                                                          "QueryArgProfiles": {"Quantity": 0, "Items": []}}})
    expected = {"CallerReference": "c", "Comment": "", "QueryArgProfileConfig": {
        "ForwardWhenQueryArgProfileIsUnknown": True, "QueryArgProfiles": {"Quantity": 0}}}
    config_id = config["FieldLevelEncryption"]["Id"]
    assert client.get_field_level_encryption(Id=config_id)["FieldLevelEncryption"]["FieldLevelEncryptionConfig"] \
        == expected
    [summary] = client.list_field_level_encryption_configs()["FieldLevelEncryptionList"]["Items"]
    assert summary["Comment"] == "" and summary["QueryArgProfileConfig"] == expected["QueryArgProfileConfig"]


def test_vpc_origin_reads_back_as_written(client):
    config = {"Name": "minimal", "Arn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/a/1",
              "HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}
    made = client.create_vpc_origin(VpcOriginEndpointConfig=config)
    assert client.get_vpc_origin(Id=made["VpcOrigin"]["Id"])["VpcOrigin"]["VpcOriginEndpointConfig"] == config
    [summary] = client.list_vpc_origins()["VpcOriginList"]["Items"]
    assert summary["OriginEndpointArn"] == config["Arn"] and "IpAddressType" not in summary


def test_continuous_deployment_policy_reads_back_as_written(client):
    primary = client.create_distribution(DistributionConfig=direct_config())
    staging = client.copy_distribution(PrimaryDistributionId=primary["Distribution"]["Id"], Staging=True,
                                       CallerReference="staging")["Distribution"]
    config = {"StagingDistributionDnsNames": {"Quantity": 1, "Items": [staging["DomainName"]]}, "Enabled": False}
    made = client.create_continuous_deployment_policy(ContinuousDeploymentPolicyConfig=config)
    policy_id = made["ContinuousDeploymentPolicy"]["Id"]
    assert client.get_continuous_deployment_policy_config(Id=policy_id)["ContinuousDeploymentPolicyConfig"] == config
    [summary] = client.list_continuous_deployment_policies()["ContinuousDeploymentPolicyList"]["Items"]
    assert summary["ContinuousDeploymentPolicy"]["ContinuousDeploymentPolicyConfig"] == config


def test_realtime_log_config_and_monitoring_subscription(client):
    made = client.create_realtime_log_config(Name="minimal", SamplingRate=5, Fields=["timestamp"], EndPoints=KINESIS)
    config = made["RealtimeLogConfig"]
    assert {k: config[k] for k in ("Name", "SamplingRate", "Fields", "EndPoints")} == {
        "Name": "minimal", "SamplingRate": 5, "Fields": ["timestamp"], "EndPoints": KINESIS}
    assert client.get_realtime_log_config(Name="minimal")["RealtimeLogConfig"] == config
    assert client.list_realtime_log_configs()["RealtimeLogConfigs"]["Items"] == [config]
    distribution = client.create_distribution(DistributionConfig=direct_config())["Distribution"]
    subscription = {"RealtimeMetricsSubscriptionConfig": {"RealtimeMetricsSubscriptionStatus": "Enabled"}}
    client.create_monitoring_subscription(DistributionId=distribution["Id"], MonitoringSubscription=subscription)
    assert client.get_monitoring_subscription(DistributionId=distribution["Id"])["MonitoringSubscription"] \
        == subscription


def test_function_and_key_value_store(client):
    config = {"Comment": "", "Runtime": "cloudfront-js-2.0", "KeyValueStoreAssociations": {"Quantity": 0, "Items": []}}
    made = client.create_function(Name="minimal", FunctionConfig=config,
                                  FunctionCode=b"function handler(event) { return event.request; }")
    expected = {"Comment": "", "Runtime": "cloudfront-js-2.0", "KeyValueStoreAssociations": {"Quantity": 0}}
    assert made["FunctionSummary"]["FunctionConfig"] == expected
    assert client.describe_function(Name="minimal")["FunctionSummary"]["FunctionConfig"] == expected
    assert [f["FunctionConfig"] for f in client.list_functions()["FunctionList"]["Items"]] == [expected]
    # No Comment given, none answered (though the model calls it required): docs/behaviour.md, "Read-back".
    store = client.create_key_value_store(Name="minimal")["KeyValueStore"]
    assert "Comment" not in store and store["Status"] == "READY"
    assert "Comment" not in client.describe_key_value_store(Name="minimal")["KeyValueStore"]
    assert ["Comment" in s for s in client.list_key_value_stores()["KeyValueStoreList"]["Items"]] == [False]


def test_connection_group_and_anycast_list_defaults(client):
    group = client.create_connection_group(Name="minimal")["ConnectionGroup"]
    got = client.get_connection_group(Identifier=group["Id"])["ConnectionGroup"]
    assert (got["Ipv6Enabled"], got["Enabled"], got["IsDefault"]) == (True, True, False)
    assert "AnycastIpListId" not in got and "ViewerFallback" not in got
    [summary] = client.list_connection_groups()["ConnectionGroups"]
    assert (summary["Enabled"], summary["IsDefault"]) == (True, False)
    anycast = client.create_anycast_ip_list(Name="minimal", IpCount=3)["AnycastIpList"]
    got = client.get_anycast_ip_list(Id=anycast["Id"])["AnycastIpList"]
    assert got["IpAddressType"] == "ipv4" and "IpamConfig" not in got
    [summary] = client.list_anycast_ip_lists()["AnycastIpLists"]["Items"]
    assert summary["IpAddressType"] == "ipv4" and summary["Id"] == anycast["Id"]


def test_tenant_defaults(client):
    distribution = client.create_distribution(DistributionConfig=multi_tenant_config(parameters=()))["Distribution"]
    made = client.create_distribution_tenant(DistributionId=distribution["Id"], Name="minimal-tenant",
                                             Domains=[{"Domain": "minimal.example.com"}])["DistributionTenant"]
    got = client.get_distribution_tenant(Identifier=made["Id"])["DistributionTenant"]
    assert got["Enabled"] is True and got["ConnectionGroupId"].startswith("cg_")
    assert got["Domains"] == [{"Domain": "minimal.example.com", "Status": "active", "ServeOn": "any"}]
    [summary] = client.list_distribution_tenants()["DistributionTenantList"]
    assert summary["Enabled"] is True and summary["Domains"] == got["Domains"]


@pytest.mark.parametrize("operation, member", [
    ("list_cache_policies", "CachePolicyList"), ("list_origin_request_policies", "OriginRequestPolicyList"),
    ("list_response_headers_policies", "ResponseHeadersPolicyList"), ("list_public_keys", "PublicKeyList"),
    ("list_key_groups", "KeyGroupList"), ("list_origin_access_controls", "OriginAccessControlList"),
    ("list_cloud_front_origin_access_identities", "CloudFrontOriginAccessIdentityList"),
    ("list_field_level_encryption_configs", "FieldLevelEncryptionList"),
    ("list_field_level_encryption_profiles", "FieldLevelEncryptionProfileList"),
    ("list_continuous_deployment_policies", "ContinuousDeploymentPolicyList"), ("list_vpc_origins", "VpcOriginList"),
    ("list_realtime_log_configs", "RealtimeLogConfigs"), ("list_functions", "FunctionList"),
    ("list_key_value_stores", "KeyValueStoreList"), ("list_anycast_ip_lists", "AnycastIpLists"),
    ("list_streaming_distributions", "StreamingDistributionList")])
def test_an_empty_list_leaves_items_out(client, operation, member):
    params = {"Type": "custom"} if "policies" in operation and "deployment" not in operation else {}
    page = getattr(client, operation)(**params)[member]
    assert "Items" not in page and page.get("Quantity", 0) == 0, page


# A distribution's origins and behaviors, as the AWS CLI's create-distribution and get-distribution-config examples
# answer a create that leaves their optional members out.
ORIGIN_DEFAULTS = {"OriginPath": "", "CustomHeaders": {"Quantity": 0}, "ConnectionAttempts": 3,
                   "ConnectionTimeout": 10, "OriginShield": {"Enabled": False}, "OriginAccessControlId": ""}
METHODS = {"Quantity": 2, "Items": ["HEAD", "GET"]}
BEHAVIOR_DEFAULTS = {"TrustedSigners": {"Enabled": False, "Quantity": 0},
                     "TrustedKeyGroups": {"Enabled": False, "Quantity": 0},
                     "AllowedMethods": {**METHODS, "CachedMethods": METHODS}, "SmoothStreaming": False,
                     "Compress": False, "LambdaFunctionAssociations": {"Quantity": 0},
                     "FunctionAssociations": {"Quantity": 0}, "FieldLevelEncryptionId": "",
                     "GrpcConfig": {"Enabled": False}}
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"


def _minimal_distribution() -> dict:
    return {"CallerReference": "minimal-distribution", "Comment": "", "Enabled": True,
            "Origins": {"Quantity": 2, "Items": [
                {"Id": "site", "DomainName": "site.example.com",
                 "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}},
                {"Id": "bucket", "DomainName": "bucket.s3.us-east-1.amazonaws.com",
                 "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "allow-all",
                                     "CachePolicyId": CACHING_OPTIMIZED},
            "CacheBehaviors": {"Quantity": 1, "Items": [{
                "PathPattern": "/legacy/*", "TargetOriginId": "bucket", "ViewerProtocolPolicy": "allow-all",
                "MinTTL": 0, "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                "AllowedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]}}]}}


def test_distribution_fills_in_origin_and_behavior_defaults(client):
    made = client.create_distribution(DistributionConfig=_minimal_distribution())["Distribution"]
    site, bucket = made["DistributionConfig"]["Origins"]["Items"]
    assert site == {"Id": "site", "DomainName": "site.example.com", **ORIGIN_DEFAULTS, "CustomOriginConfig": {
        "HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only", "OriginReadTimeout": 30,
        "OriginKeepaliveTimeout": 5}}
    assert bucket == {"Id": "bucket", "DomainName": "bucket.s3.us-east-1.amazonaws.com", **ORIGIN_DEFAULTS,
                      "S3OriginConfig": {"OriginAccessIdentity": "", "OriginReadTimeout": 30}}
    default = made["DistributionConfig"]["DefaultCacheBehavior"]
    assert default == {"TargetOriginId": "site", "ViewerProtocolPolicy": "allow-all",
                       "CachePolicyId": CACHING_OPTIMIZED, **BEHAVIOR_DEFAULTS}
    [legacy] = made["DistributionConfig"]["CacheBehaviors"]["Items"]
    assert legacy == {"PathPattern": "/legacy/*", "TargetOriginId": "bucket", "ViewerProtocolPolicy": "allow-all",
                      **BEHAVIOR_DEFAULTS, "MinTTL": 0, "DefaultTTL": 86400, "MaxTTL": 31536000,
                      # Items as written; the CachedMethods the create left out filled in.
                      "AllowedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"], "CachedMethods": METHODS},
                      "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"},
                                          "Headers": {"Quantity": 0}, "QueryStringCacheKeys": {"Quantity": 0}}}
    got = client.get_distribution(Id=made["Id"])["Distribution"]["DistributionConfig"]
    assert got == made["DistributionConfig"]
    assert client.get_distribution_config(Id=made["Id"])["DistributionConfig"] == got
    [summary] = client.list_distributions()["DistributionList"]["Items"]
    assert summary["Origins"] == got["Origins"] and summary["DefaultCacheBehavior"] == default


def test_distribution_keeps_what_the_create_said(client):
    config = _minimal_distribution()
    site = config["Origins"]["Items"][0]
    site.update(ConnectionAttempts=1, ConnectionTimeout=5, OriginPath="/v1",
                OriginShield={"Enabled": True, "OriginShieldRegion": "us-east-2"})
    site["CustomOriginConfig"].update(OriginReadTimeout=60, OriginKeepaliveTimeout=10)
    config["DefaultCacheBehavior"].update(Compress=True, AllowedMethods={
        "Quantity": 3, "Items": ["GET", "HEAD", "OPTIONS"],
        "CachedMethods": {"Quantity": 3, "Items": ["GET", "HEAD", "OPTIONS"]}})
    made = client.create_distribution(DistributionConfig=config)["Distribution"]["DistributionConfig"]
    got_site = made["Origins"]["Items"][0]
    assert (got_site["ConnectionAttempts"], got_site["ConnectionTimeout"], got_site["OriginPath"]) == (1, 5, "/v1")
    assert got_site["OriginShield"] == {"Enabled": True, "OriginShieldRegion": "us-east-2"}
    assert (got_site["CustomOriginConfig"]["OriginReadTimeout"],
            got_site["CustomOriginConfig"]["OriginKeepaliveTimeout"]) == (60, 10)
    assert made["DefaultCacheBehavior"]["Compress"] is True
    assert made["DefaultCacheBehavior"]["AllowedMethods"]["Items"] == ["GET", "HEAD", "OPTIONS"]


def test_multi_tenant_distribution_reads_back_without_standard_only_members(client):
    config = multi_tenant_config(parameters=())
    made = client.create_distribution(DistributionConfig=config)["Distribution"]["DistributionConfig"]
    for absent in ("Aliases", "PriceClass", "IsIPV6Enabled", "Staging", "ContinuousDeploymentPolicyId"):
        assert absent not in made, absent
    behavior = made["DefaultCacheBehavior"]
    assert "TrustedSigners" not in behavior and "SmoothStreaming" not in behavior
    assert behavior["TrustedKeyGroups"] == {"Enabled": False, "Quantity": 0}
    assert made["ViewerCertificate"]["SSLSupportMethod"] == "sni-only"
    [summary] = client.list_distributions_by_connection_mode(ConnectionMode="tenant-only")["DistributionList"]["Items"]
    assert (summary["Aliases"], summary["PriceClass"], summary["IsIPV6Enabled"], summary["Staging"]) == (
        {"Quantity": 0}, "PriceClass_All", False, False)


def test_an_empty_distribution_list_leaves_items_out(client):
    page = client.list_distributions()["DistributionList"]
    assert "Items" not in page and page["Quantity"] == 0, page
    page = client.list_distributions_by_connection_mode(ConnectionMode="tenant-only")["DistributionList"]
    assert "Items" not in page and page["Quantity"] == 0, page


@pytest.mark.parametrize("origin, message", [
    ({"Id": "o", "DomainName": "192.0.2.10", "CustomOriginConfig": {
        "HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}},
     "The parameter origin name cannot be an IP address."),
    ({"Id": "o", "DomainName": "2001:db8::1", "CustomOriginConfig": {
        "HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}},
     "The parameter origin name cannot be an IP address."),
    ({"Id": "o", "DomainName": "www.example.com", "S3OriginConfig": {"OriginAccessIdentity": ""}},
     "The parameter Origin DomainName does not refer to a valid S3 bucket.")])
def test_origin_domain_names_cloudfront_refuses(client, origin, message):
    config = direct_config(Origins={"Quantity": 1, "Items": [origin]})
    config["DefaultCacheBehavior"]["TargetOriginId"] = "o"
    with pytest.raises(client.exceptions.InvalidArgument) as caught:
        client.create_distribution(DistributionConfig=config)
    assert caught.value.response["Error"]["Message"] == message
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_a_missing_target_origin_in_cloudfronts_words(client):
    config = direct_config()
    config["DefaultCacheBehavior"]["TargetOriginId"] = "nowhere"
    with pytest.raises(client.exceptions.NoSuchOrigin) as caught:
        client.create_distribution(DistributionConfig=config)
    assert caught.value.response["Error"]["Message"] == "One or more of your origins or origin groups do not exist."


def test_active_trusted_key_groups_list_the_trusted_groups_and_their_keys(client):
    key = client.create_public_key(PublicKeyConfig={"CallerReference": "atkg", "Name": "atkg", "EncodedKey": PEM})
    key_id = key["PublicKey"]["Id"]
    group = client.create_key_group(KeyGroupConfig={"Name": "atkg", "Items": [key_id]})["KeyGroup"]["Id"]
    config = direct_config()
    config["DefaultCacheBehavior"]["TrustedKeyGroups"] = {"Enabled": True, "Quantity": 1, "Items": [group]}
    made = client.create_distribution(DistributionConfig=config)["Distribution"]
    expected = {"Enabled": True, "Quantity": 1,
                "Items": [{"KeyGroupId": group, "KeyPairIds": {"Quantity": 1, "Items": [key_id]}}]}
    assert made["ActiveTrustedKeyGroups"] == expected
    assert client.get_distribution(Id=made["Id"])["Distribution"]["ActiveTrustedKeyGroups"] == expected
    plain = client.create_distribution(DistributionConfig=direct_config())["Distribution"]
    assert plain["ActiveTrustedKeyGroups"] == {"Enabled": False, "Quantity": 0}
