"""What a distribution names in other families is real: checked on create and update, in use while named,
and found again by the ListDistributionsBy… operations. Continuous deployment: staging copies, policies,
promotion."""
import pytest

from conftest import fails

from builders import direct_config
from certificates import public_key_pem

KINESIS = {"StreamType": "Kinesis", "KinesisStreamConfig": {
    "RoleARN": "arn:aws:iam::123456789012:role/logs", "StreamARN": "arn:aws:kinesis:us-east-1:123456789012:stream/s"}}



@pytest.fixture
def resources(client):
    """One of each resource a distribution can name, with what deletes it."""
    none = {"HeaderBehavior": "none"}
    made = {}
    made["cache"] = client.create_cache_policy(CachePolicyConfig={
        "Name": "ref-cache", "MinTTL": 0, "ParametersInCacheKeyAndForwardedToOrigin": {
            "EnableAcceptEncodingGzip": False, "HeadersConfig": none, "CookiesConfig": {"CookieBehavior": "none"},
            "QueryStringsConfig": {"QueryStringBehavior": "none"}}})
    made["orp"] = client.create_origin_request_policy(OriginRequestPolicyConfig={
        "Name": "ref-orp", "HeadersConfig": none, "CookiesConfig": {"CookieBehavior": "none"},
        "QueryStringsConfig": {"QueryStringBehavior": "none"}})
    made["rhp"] = client.create_response_headers_policy(ResponseHeadersPolicyConfig={"Name": "ref-rhp"})
    made["oac"] = client.create_origin_access_control(OriginAccessControlConfig={
        "Name": "ref-oac", "SigningProtocol": "sigv4", "SigningBehavior": "always",
        "OriginAccessControlOriginType": "s3"})
    made["oai"] = client.create_cloud_front_origin_access_identity(CloudFrontOriginAccessIdentityConfig={
        "CallerReference": "ref-oai", "Comment": ""})
    key = client.create_public_key(PublicKeyConfig={"CallerReference": "ref-key", "Name": "ref-key",
                                                    "EncodedKey": public_key_pem()})["PublicKey"]["Id"]
    made["group"] = client.create_key_group(KeyGroupConfig={"Name": "ref-group", "Items": [key]})
    profile = client.create_field_level_encryption_profile(FieldLevelEncryptionProfileConfig={
        "Name": "ref-profile", "CallerReference": "ref-profile", "EncryptionEntities": {"Quantity": 1, "Items": [
            {"PublicKeyId": key, "ProviderId": "p", "FieldPatterns": {"Quantity": 1, "Items": ["f"]}}]}})
    made["fle"] = client.create_field_level_encryption_config(FieldLevelEncryptionConfig={
        "CallerReference": "ref-fle", "QueryArgProfileConfig": {
            "ForwardWhenQueryArgProfileIsUnknown": True, "QueryArgProfiles": {"Quantity": 1, "Items": [
                {"QueryArg": "q", "ProfileId": profile["FieldLevelEncryptionProfile"]["Id"]}]}}})
    made["log"] = client.create_realtime_log_config(Name="ref-log", SamplingRate=1, Fields=["timestamp"],
                                                    EndPoints=[KINESIS])
    made["vpc"] = client.create_vpc_origin(VpcOriginEndpointConfig={
        "Name": "ref-vpc", "Arn": "arn:aws:ec2:us-east-1:123456789012:instance/i-1", "HTTPPort": 80,
        "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"})
    return made


def _config(made: dict, **replace) -> dict:
    config = direct_config()
    ids = {
        "CachePolicyId": made["cache"]["CachePolicy"]["Id"],
        "OriginRequestPolicyId": made["orp"]["OriginRequestPolicy"]["Id"],
        "ResponseHeadersPolicyId": made["rhp"]["ResponseHeadersPolicy"]["Id"],
        "FieldLevelEncryptionId": made["fle"]["FieldLevelEncryption"]["Id"],
        "RealtimeLogConfigArn": made["log"]["RealtimeLogConfig"]["ARN"],
        "KeyGroup": made["group"]["KeyGroup"]["Id"],
        "OriginAccessControlId": made["oac"]["OriginAccessControl"]["Id"],
        "OriginAccessIdentity": "origin-access-identity/cloudfront/" + made["oai"]["CloudFrontOriginAccessIdentity"]["Id"],
        "VpcOriginId": made["vpc"]["VpcOrigin"]["Id"],
        **replace,
    }
    behavior = config["DefaultCacheBehavior"]
    for name in ("CachePolicyId", "OriginRequestPolicyId", "ResponseHeadersPolicyId", "FieldLevelEncryptionId",
                 "RealtimeLogConfigArn"):
        behavior[name] = ids[name]
    behavior["TrustedKeyGroups"] = {"Enabled": True, "Quantity": 1, "Items": [ids["KeyGroup"]]}
    config["Origins"]["Items"][0]["OriginAccessControlId"] = ids["OriginAccessControlId"]
    config["Origins"]["Items"] += [
        {"Id": "s3", "DomainName": "b.s3.amazonaws.com", "S3OriginConfig": {
            "OriginAccessIdentity": ids["OriginAccessIdentity"]}},
        {"Id": "vpc", "DomainName": "internal.example", "VpcOriginConfig": {"VpcOriginId": ids["VpcOriginId"]}}]
    config["Origins"]["Quantity"] = 3
    return config


@pytest.mark.parametrize("member, value, code", [
    ("CachePolicyId", "00000000-0000-0000-0000-000000000000", "NoSuchCachePolicy"),
    ("OriginRequestPolicyId", "00000000-0000-0000-0000-000000000000", "NoSuchOriginRequestPolicy"),
    ("ResponseHeadersPolicyId", "00000000-0000-0000-0000-000000000000", "NoSuchResponseHeadersPolicy"),
    ("FieldLevelEncryptionId", "ENOSUCHCONFIG0", "NoSuchFieldLevelEncryptionConfig"),
    ("RealtimeLogConfigArn", "arn:aws:cloudfront::{account}:realtime-log-config/nope", "NoSuchRealtimeLogConfig"),
    ("KeyGroup", "00000000-0000-0000-0000-000000000000", "TrustedKeyGroupDoesNotExist"),
    ("OriginAccessControlId", "ENOSUCHOAC0000", "NoSuchOriginAccessControl"),
    ("OriginAccessIdentity", "origin-access-identity/cloudfront/ENOSUCHOAI0000", "InvalidOriginAccessIdentity"),
    ("OriginAccessIdentity", "not-an-identity", "InvalidOriginAccessIdentity"),
    ("VpcOriginId", "vo_nosuch", "EntityNotFound"),
])
def test_a_missing_reference_is_refused_on_create_and_update(client, account, resources, member, value, code):
    bad = _config(resources, **{member: value.format(account=account)})
    fails(client.create_distribution, code, DistributionConfig=bad)
    good = client.create_distribution(DistributionConfig=_config(resources))
    bad["CallerReference"] = good["Distribution"]["DistributionConfig"]["CallerReference"]
    fails(client.update_distribution, code, Id=good["Distribution"]["Id"], IfMatch=good["ETag"],
          DistributionConfig=bad)


def test_references_of_another_account_are_refused(client, stranger, resources):
    fails(stranger.create_distribution, "NoSuchCachePolicy", DistributionConfig=direct_config(
        DefaultCacheBehavior={**direct_config()["DefaultCacheBehavior"],
                              "CachePolicyId": resources["cache"]["CachePolicy"]["Id"]}))


def test_what_a_distribution_uses_is_in_use_and_listed(client, resources):
    made = client.create_distribution(DistributionConfig=_config(resources))
    distribution_id = made["Distribution"]["Id"]
    in_use = [
        (client.delete_cache_policy, resources["cache"]["CachePolicy"]["Id"], resources["cache"]["ETag"],
         "CachePolicyInUse"),
        (client.delete_origin_request_policy, resources["orp"]["OriginRequestPolicy"]["Id"], resources["orp"]["ETag"],
         "OriginRequestPolicyInUse"),
        (client.delete_response_headers_policy, resources["rhp"]["ResponseHeadersPolicy"]["Id"],
         resources["rhp"]["ETag"], "ResponseHeadersPolicyInUse"),
        (client.delete_origin_access_control, resources["oac"]["OriginAccessControl"]["Id"],
         resources["oac"]["ETag"], "OriginAccessControlInUse"),
        (client.delete_cloud_front_origin_access_identity, resources["oai"]["CloudFrontOriginAccessIdentity"]["Id"],
         resources["oai"]["ETag"], "CloudFrontOriginAccessIdentityInUse"),
        (client.delete_key_group, resources["group"]["KeyGroup"]["Id"], resources["group"]["ETag"], "ResourceInUse"),
        (client.delete_field_level_encryption_config, resources["fle"]["FieldLevelEncryption"]["Id"],
         resources["fle"]["ETag"], "FieldLevelEncryptionConfigInUse"),
        (client.delete_vpc_origin, resources["vpc"]["VpcOrigin"]["Id"], resources["vpc"]["ETag"],
         "CannotDeleteEntityWhileInUse"),
    ]
    for delete, resource_id, etag, code in in_use:
        fails(delete, code, 409, Id=resource_id, IfMatch=etag)
    fails(client.delete_realtime_log_config, "RealtimeLogConfigInUse", Name="ref-log")
    listed = [
        client.list_distributions_by_cache_policy_id(CachePolicyId=resources["cache"]["CachePolicy"]["Id"]),
        client.list_distributions_by_origin_request_policy_id(
            OriginRequestPolicyId=resources["orp"]["OriginRequestPolicy"]["Id"]),
        client.list_distributions_by_response_headers_policy_id(
            ResponseHeadersPolicyId=resources["rhp"]["ResponseHeadersPolicy"]["Id"]),
        client.list_distributions_by_key_group(KeyGroupId=resources["group"]["KeyGroup"]["Id"]),
        client.list_distributions_by_vpc_origin_id(VpcOriginId=resources["vpc"]["VpcOrigin"]["Id"]),
    ]
    for answer in listed:
        assert answer["DistributionIdList"]["Items"] == [distribution_id]
        assert answer["DistributionIdList"]["Quantity"] == 1
    by_log = client.list_distributions_by_realtime_log_config(RealtimeLogConfigName="ref-log")["DistributionList"]
    assert [item["Id"] for item in by_log["Items"]] == [distribution_id]
    by_mode = client.list_distributions_by_connection_mode(ConnectionMode="direct")["DistributionList"]
    assert distribution_id in [item["Id"] for item in by_mode["Items"]]
    fails(client.list_distributions_by_cache_policy_id, "NoSuchCachePolicy", 404,
          CachePolicyId="00000000-0000-0000-0000-000000000000")
    # Once the distribution no longer names them, everything can go.
    current = client.get_distribution_config(Id=distribution_id)
    plain = direct_config(CallerReference=current["DistributionConfig"]["CallerReference"])
    client.update_distribution(Id=distribution_id, IfMatch=current["ETag"], DistributionConfig=plain)
    assert client.list_distributions_by_key_group(
        KeyGroupId=resources["group"]["KeyGroup"]["Id"])["DistributionIdList"]["Quantity"] == 0
    for delete, resource_id, etag, _code in in_use:
        delete(Id=resource_id, IfMatch=etag)
    client.delete_realtime_log_config(Name="ref-log")


def test_managed_policies_can_be_named_and_listed_by(client):
    managed = "658327ea-f89d-4fab-a63d-7e88639e58f6"
    made = client.create_distribution(DistributionConfig=direct_config())["Distribution"]["Id"]
    ids = client.list_distributions_by_cache_policy_id(CachePolicyId=managed)["DistributionIdList"]["Items"]
    assert made in ids


def test_continuous_deployment_from_copy_to_promotion(client):
    primary = client.create_distribution(DistributionConfig=direct_config(
        Aliases={"Quantity": 1, "Items": ["www.cd.example"]}, Comment="primary"))
    primary_id = primary["Distribution"]["Id"]
    staging = client.copy_distribution(PrimaryDistributionId=primary_id, Staging=True, IfMatch=primary["ETag"],
                                       CallerReference="cd-staging")
    assert staging["ResponseMetadata"]["HTTPStatusCode"] == 201
    staged = staging["Distribution"]["DistributionConfig"]
    assert staged["Staging"] is True and staged["Aliases"] == {"Quantity": 0}
    assert staged["CallerReference"] == "cd-staging" and staged["Comment"] == "primary"
    fails(client.copy_distribution, "PreconditionFailed", PrimaryDistributionId=primary_id, Staging=True,
          IfMatch="E0000000000000", CallerReference="cd-other")
    dns = staging["Distribution"]["DomainName"]
    policy_config = {"StagingDistributionDnsNames": {"Quantity": 1, "Items": [dns]}, "Enabled": True,
                     "TrafficConfig": {"Type": "SingleHeader", "SingleHeaderConfig": {
                         "Header": "aws-cf-cd-stage", "Value": "yes"}}}
    for bad, code in (
            ({**policy_config, "TrafficConfig": {"Type": "SingleHeader", "SingleHeaderConfig": {
                "Header": "x-stage", "Value": "yes"}}}, "InvalidArgument"),
            ({**policy_config, "TrafficConfig": {"Type": "SingleWeight", "SingleWeightConfig": {"Weight": 0.5}}},
             "InvalidArgument"),
            ({**policy_config, "StagingDistributionDnsNames": {"Quantity": 1, "Items": [
                primary["Distribution"]["DomainName"]]}}, "InvalidArgument")):
        fails(client.create_continuous_deployment_policy, code, ContinuousDeploymentPolicyConfig=bad)
    policy = client.create_continuous_deployment_policy(ContinuousDeploymentPolicyConfig=policy_config)
    assert policy["ContinuousDeploymentPolicy"]["ContinuousDeploymentPolicyConfig"] == policy_config
    fails(client.create_continuous_deployment_policy, "StagingDistributionInUse",
          ContinuousDeploymentPolicyConfig=policy_config)
    policy_id = policy["ContinuousDeploymentPolicy"]["Id"]
    current = client.get_distribution_config(Id=primary_id)
    attached = client.update_distribution(Id=primary_id, IfMatch=current["ETag"], DistributionConfig={
        **current["DistributionConfig"], "ContinuousDeploymentPolicyId": policy_id})
    fails(client.delete_continuous_deployment_policy, "ContinuousDeploymentPolicyInUse", Id=policy_id,
          IfMatch=policy["ETag"])
    # Change the staging config, then promote it.
    staging_config = client.get_distribution_config(Id=staging["Distribution"]["Id"])
    changed = client.update_distribution(Id=staging["Distribution"]["Id"], IfMatch=staging_config["ETag"],
                                         DistributionConfig={**staging_config["DistributionConfig"],
                                                             "Comment": "new version"})
    fails(client.update_distribution_with_staging_config, "InvalidIfMatchVersion", Id=primary_id,
          StagingDistributionId=staging["Distribution"]["Id"], IfMatch=attached["ETag"])
    promoted = client.update_distribution_with_staging_config(
        Id=primary_id, StagingDistributionId=staging["Distribution"]["Id"],
        IfMatch=f"{attached['ETag']}, {changed['ETag']}")["Distribution"]
    config = promoted["DistributionConfig"]
    assert config["Comment"] == "new version" and config["Staging"] is False
    assert config["Aliases"] == {"Quantity": 1, "Items": ["www.cd.example"]}
    assert config["CallerReference"] == primary["Distribution"]["DistributionConfig"]["CallerReference"]
    assert config["ContinuousDeploymentPolicyId"] == policy_id
    # Promotion disables the policy: all traffic goes to the primary again.
    assert client.get_continuous_deployment_policy_config(Id=policy_id)[
        "ContinuousDeploymentPolicyConfig"]["Enabled"] is False
    fails(client.update_distribution, "InvalidArgument", Id=primary_id, IfMatch=client.get_distribution(
        Id=primary_id)["ETag"], DistributionConfig={**config, "HttpVersion": "http2and3"})
