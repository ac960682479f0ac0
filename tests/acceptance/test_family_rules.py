"""Each family's own rules through boto3: policies (and AWS's managed ones), keys and key groups, field-level
encryption, real-time logs, monitoring subscriptions, VPC origins."""
import copy

import botocore.exceptions
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from certificates import public_key_pem
from conftest import fails

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
KINESIS = {"StreamType": "Kinesis", "KinesisStreamConfig": {
    "RoleARN": "arn:aws:iam::123456789012:role/logs", "StreamARN": "arn:aws:kinesis:us-east-1:123456789012:stream/s"}}


def code_of(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]



def cache_config(name="cp", **overrides):
    config = {"Name": name, "MinTTL": 0, "ParametersInCacheKeyAndForwardedToOrigin": {
        "EnableAcceptEncodingGzip": False, "HeadersConfig": {"HeaderBehavior": "none"},
        "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "none"}}}
    config.update(overrides)
    return config


def test_managed_policies_exist_in_every_account_and_cannot_change(client, stranger):
    for account in (client, stranger):
        managed = account.get_cache_policy(Id=CACHING_OPTIMIZED)
        assert managed["CachePolicy"]["CachePolicyConfig"]["Name"] == "Managed-CachingOptimized"
        listed = account.list_cache_policies(Type="managed")["CachePolicyList"]["Items"]
        assert CACHING_OPTIMIZED in [item["CachePolicy"]["Id"] for item in listed]
        assert all(item["Type"] == "managed" for item in listed)
    config = managed["CachePolicy"]["CachePolicyConfig"]
    fails(client.update_cache_policy, "IllegalUpdate", Id=CACHING_OPTIMIZED, IfMatch=managed["ETag"],
          CachePolicyConfig=config)
    fails(client.delete_cache_policy, "IllegalDelete", Id=CACHING_OPTIMIZED, IfMatch=managed["ETag"])
    # A custom policy may not take a managed policy's name.
    fails(client.create_cache_policy, "CachePolicyAlreadyExists",
          CachePolicyConfig=cache_config("Managed-CachingOptimized"))
    # No Type lists managed then custom; Type=custom only the account's own.
    mine = client.create_cache_policy(CachePolicyConfig=cache_config("mine"))["CachePolicy"]["Id"]
    everything = [item["CachePolicy"]["Id"] for item in client.list_cache_policies()["CachePolicyList"]["Items"]]
    assert everything[0] == CACHING_OPTIMIZED or CACHING_OPTIMIZED in everything
    assert everything[-1] == mine
    custom = client.list_cache_policies(Type="custom")["CachePolicyList"]["Items"]
    assert [item["CachePolicy"]["Id"] for item in custom] == [mine]


def test_managed_lists_page_across_managed_and_custom(client):
    mine = [client.create_cache_policy(CachePolicyConfig=cache_config(f"p{n}"))["CachePolicy"]["Id"]
            for n in range(3)]
    seen, marker = [], None
    while True:
        page = client.list_cache_policies(MaxItems="2", **({"Marker": marker} if marker else {}))["CachePolicyList"]
        seen += [item["CachePolicy"]["Id"] for item in page.get("Items", [])]
        marker = page.get("NextMarker")
        if not marker:
            break
    managed = [item["CachePolicy"]["Id"] for item in client.list_cache_policies(Type="managed")
               ["CachePolicyList"]["Items"]]
    assert seen == managed + mine


@pytest.mark.parametrize("change, code", [
    ({"MinTTL": 100, "DefaultTTL": 50}, "InvalidArgument"),
    ({"MaxTTL": 10, "DefaultTTL": 20}, "InvalidArgument"),
    ({"ParametersInCacheKeyAndForwardedToOrigin": {
        "EnableAcceptEncodingGzip": False, "HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": {
            "Quantity": 11, "Items": [f"X-H{n}" for n in range(11)]}},
        "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "none"}}},
     "TooManyHeadersInCachePolicy"),
    ({"ParametersInCacheKeyAndForwardedToOrigin": {
        "EnableAcceptEncodingGzip": False, "HeadersConfig": {"HeaderBehavior": "none"},
        "CookiesConfig": {"CookieBehavior": "whitelist", "Cookies": {"Quantity": 11, "Items": [
            f"c{n}" for n in range(11)]}}, "QueryStringsConfig": {"QueryStringBehavior": "none"}}},
     "TooManyCookiesInCachePolicy"),
    ({"ParametersInCacheKeyAndForwardedToOrigin": {
        "EnableAcceptEncodingGzip": False, "HeadersConfig": {"HeaderBehavior": "none"},
        "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {
            "QueryStringBehavior": "allExcept", "QueryStrings": {"Quantity": 11, "Items": [
                f"q{n}" for n in range(11)]}}}}, "TooManyQueryStringsInCachePolicy"),
    ({"ParametersInCacheKeyAndForwardedToOrigin": {
        "EnableAcceptEncodingGzip": False, "HeadersConfig": {"HeaderBehavior": "whitelist"},
        "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "none"}}},
     "InvalidArgument"),
    ({"ParametersInCacheKeyAndForwardedToOrigin": {
        "EnableAcceptEncodingGzip": False, "HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": {
            "Quantity": 2, "Items": ["A"]}},
        "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "none"}}},
     "InconsistentQuantities"),
    ({"MaxTTL": 0, "DefaultTTL": 0, "ParametersInCacheKeyAndForwardedToOrigin": {
        "EnableAcceptEncodingGzip": True, "HeadersConfig": {"HeaderBehavior": "none"},
        "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "none"}}},
     "InvalidArgument"),
    ({"Name": "has space"}, "InvalidArgument"),
])
def test_cache_policy_rules(client, change, code):
    fails(client.create_cache_policy, code, CachePolicyConfig=cache_config(**change))


def test_cache_policy_ttl_defaults_follow_min_ttl(client):
    made = client.create_cache_policy(CachePolicyConfig=cache_config(MinTTL=100000))["CachePolicy"]
    config = made["CachePolicyConfig"]
    assert (config["MinTTL"], config["DefaultTTL"], config["MaxTTL"]) == (100000, 100000, 31536000)


@pytest.mark.parametrize("member", ["HeaderBehavior", "CookieBehavior", "EnableAcceptEncodingGzip"])
def test_caching_disabled_policies_have_an_empty_cache_key(client, member):
    parameters = {"EnableAcceptEncodingGzip": member == "EnableAcceptEncodingGzip",
                  "HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": {"Quantity": 1, "Items": ["Host"]}}
                  if member == "HeaderBehavior" else {"HeaderBehavior": "none"},
                  "CookiesConfig": {"CookieBehavior": "all" if member == "CookieBehavior" else "none"},
                  "QueryStringsConfig": {"QueryStringBehavior": "none"}}
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        client.create_cache_policy(CachePolicyConfig=cache_config(
            MaxTTL=0, DefaultTTL=0, ParametersInCacheKeyAndForwardedToOrigin=parameters))
    assert excinfo.value.response["Error"]["Message"] == \
        f"The parameter {member} is invalid for policy with caching disabled."


def test_origin_request_policy_rules(client):
    base = {"Name": "orp", "HeadersConfig": {"HeaderBehavior": "none"}, "CookiesConfig": {"CookieBehavior": "none"},
            "QueryStringsConfig": {"QueryStringBehavior": "none"}}
    fails(client.create_origin_request_policy, "TooManyHeadersInOriginRequestPolicy", OriginRequestPolicyConfig={
        **base, "HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": {
            "Quantity": 11, "Items": [f"X-{n}" for n in range(11)]}}})
    fails(client.create_origin_request_policy, "InvalidArgument", OriginRequestPolicyConfig={
        **base, "CookiesConfig": {"CookieBehavior": "all", "Cookies": {"Quantity": 1, "Items": ["a"]}}})
    for header in ("Authorization", "accept-encoding"):
        with pytest.raises(botocore.exceptions.ClientError) as excinfo:
            client.create_origin_request_policy(OriginRequestPolicyConfig={
                **base, "HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": {"Quantity": 1, "Items": [header]}}})
        assert excinfo.value.response["Error"]["Message"] == f"The parameter Headers contains {header} that is not allowed."
    made = client.create_origin_request_policy(OriginRequestPolicyConfig=base)
    assert made["OriginRequestPolicy"]["OriginRequestPolicyConfig"] == {**base, "Comment": ""}


def test_response_headers_policy_rules(client):
    cors = {"AccessControlAllowOrigins": {"Quantity": 1, "Items": ["*"]},
            "AccessControlAllowHeaders": {"Quantity": 1, "Items": ["*"]},
            "AccessControlAllowMethods": {"Quantity": 1, "Items": ["GET"]},
            "AccessControlAllowCredentials": True, "OriginOverride": True}
    fails(client.create_response_headers_policy, "InvalidArgument",
          ResponseHeadersPolicyConfig={"Name": "cors", "CorsConfig": cors})
    fails(client.create_response_headers_policy, "TooLongCSPInResponseHeadersPolicy",
          ResponseHeadersPolicyConfig={"Name": "csp", "SecurityHeadersConfig": {"ContentSecurityPolicy": {
              "Override": True, "ContentSecurityPolicy": "default-src 'self'; " * 100}}})
    fails(client.create_response_headers_policy, "TooManyCustomHeadersInResponseHeadersPolicy",
          ResponseHeadersPolicyConfig={"Name": "many", "CustomHeadersConfig": {"Quantity": 11, "Items": [
              {"Header": f"X-{n}", "Value": "v", "Override": True} for n in range(11)]}})
    fails(client.create_response_headers_policy, "TooManyRemoveHeadersInResponseHeadersPolicy",
          ResponseHeadersPolicyConfig={"Name": "removes", "RemoveHeadersConfig": {"Quantity": 11, "Items": [
              {"Header": f"X-{n}"} for n in range(11)]}})
    for header, reason in (("Strict-Transport-Security", "is a security header"),
                           ("Access-Control-Allow-Origin", "is a security header"), ("Via", "is not allowed"),
                           ("X-Amz-Cf-Pop", "is not allowed")):
        with pytest.raises(botocore.exceptions.ClientError) as excinfo:
            client.create_response_headers_policy(ResponseHeadersPolicyConfig={
                "Name": "reserved", "CustomHeadersConfig": {"Quantity": 1, "Items": [
                    {"Header": header, "Value": "v", "Override": True}]}})
        assert reason in excinfo.value.response["Error"]["Message"]
    fails(client.create_response_headers_policy, "InvalidArgument", ResponseHeadersPolicyConfig={
        "Name": "remove-host", "RemoveHeadersConfig": {"Quantity": 1, "Items": [{"Header": "Content-Length"}]}})
    fails(client.create_response_headers_policy, "InvalidArgument",
          ResponseHeadersPolicyConfig={"Name": "xss", "SecurityHeadersConfig": {"XSSProtection": {
              "Override": True, "Protection": True, "ModeBlock": True, "ReportUri": "https://r.example"}}})


def _pem(key) -> str:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


@pytest.mark.parametrize("encoded", [
    "not a key",
    "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    _pem(ec.generate_private_key(ec.SECP384R1()).public_key()),
    public_key_pem(1024),
])
def test_public_keys_must_be_pem_rsa_2048_or_ecdsa_p256(client, encoded):
    fails(client.create_public_key, "InvalidArgument", 400,
          PublicKeyConfig={"CallerReference": "bad", "Name": "bad", "EncodedKey": encoded})


def test_ecdsa_keys_sign_but_do_not_encrypt_fields(client):
    key = client.create_public_key(PublicKeyConfig={
        "CallerReference": "ec", "Name": "ec", "EncodedKey": _pem(ec.generate_private_key(ec.SECP256R1()).public_key())})
    fails(client.create_field_level_encryption_profile, "InvalidArgument", FieldLevelEncryptionProfileConfig={
        "Name": "ec-profile", "CallerReference": "ec-profile", "EncryptionEntities": {"Quantity": 1, "Items": [
            {"PublicKeyId": key["PublicKey"]["Id"], "ProviderId": "p", "FieldPatterns": {"Quantity": 1,
                                                                                         "Items": ["f"]}}]}})


def test_public_key_encoded_key_is_immutable(client):
    config = {"CallerReference": "immutable", "Name": "immutable", "EncodedKey": public_key_pem()}
    made = client.create_public_key(PublicKeyConfig=config)
    assert made["PublicKey"]["CreatedTime"]
    fails(client.update_public_key, "CannotChangeImmutablePublicKeyFields", Id=made["PublicKey"]["Id"],
          IfMatch=made["ETag"], PublicKeyConfig={**config, "EncodedKey": public_key_pem()})


def test_key_groups(client, stranger):
    keys = [client.create_public_key(PublicKeyConfig={"CallerReference": f"k{n}", "Name": f"k{n}",
                                                      "EncodedKey": public_key_pem()})["PublicKey"] for n in range(6)]
    fails(client.create_key_group, "TooManyPublicKeysInKeyGroup",
          KeyGroupConfig={"Name": "six", "Items": [k["Id"] for k in keys]})
    fails(client.create_key_group, "InvalidArgument", KeyGroupConfig={"Name": "ghost", "Items": ["KNOSUCHKEY00001"]})
    fails(stranger.create_key_group, "InvalidArgument", KeyGroupConfig={"Name": "theirs", "Items": [keys[0]["Id"]]})
    group = client.create_key_group(KeyGroupConfig={"Name": "two", "Items": [keys[0]["Id"], keys[1]["Id"]]})
    assert group["KeyGroup"]["KeyGroupConfig"] == {"Name": "two", "Items": [keys[0]["Id"], keys[1]["Id"]]}
    key_etag = client.get_public_key(Id=keys[0]["Id"])["ETag"]
    fails(client.delete_public_key, "PublicKeyInUse", 409, Id=keys[0]["Id"], IfMatch=key_etag)
    fails(client.get_key_group, "NoSuchResource", 404, Id="no-such-group")
    client.delete_key_group(Id=group["KeyGroup"]["Id"], IfMatch=group["ETag"])
    client.delete_public_key(Id=keys[0]["Id"], IfMatch=key_etag)


def test_field_level_encryption(client):
    key = client.create_public_key(PublicKeyConfig={"CallerReference": "fle", "Name": "fle",
                                                    "EncodedKey": public_key_pem()})["PublicKey"]["Id"]
    entity = {"PublicKeyId": key, "ProviderId": "provider", "FieldPatterns": {"Quantity": 1, "Items": ["card*"]}}
    profile_config = {"Name": "profile", "CallerReference": "profile", "Comment": "",
                      "EncryptionEntities": {"Quantity": 1, "Items": [entity]}}
    fails(client.create_field_level_encryption_profile, "NoSuchPublicKey", FieldLevelEncryptionProfileConfig={
        **profile_config, "EncryptionEntities": {"Quantity": 1, "Items": [{**entity, "PublicKeyId": "KNOPE"}]}})
    fails(client.create_field_level_encryption_profile, "TooManyFieldLevelEncryptionFieldPatterns",
          FieldLevelEncryptionProfileConfig={**profile_config, "EncryptionEntities": {"Quantity": 1, "Items": [
              {**entity, "FieldPatterns": {"Quantity": 11, "Items": [f"f{n}" for n in range(11)]}}]}})
    profile = client.create_field_level_encryption_profile(FieldLevelEncryptionProfileConfig=profile_config)
    profile_id = profile["FieldLevelEncryptionProfile"]["Id"]
    assert profile["FieldLevelEncryptionProfile"]["FieldLevelEncryptionProfileConfig"] == profile_config
    config = {"CallerReference": "fle-config", "Comment": "", "QueryArgProfileConfig": {
        "ForwardWhenQueryArgProfileIsUnknown": False, "QueryArgProfiles": {"Quantity": 1, "Items": [
            {"QueryArg": "fle", "ProfileId": profile_id}]}}}
    fails(client.create_field_level_encryption_config, "QueryArgProfileEmpty", FieldLevelEncryptionConfig={
        "CallerReference": "empty", "QueryArgProfileConfig": {"ForwardWhenQueryArgProfileIsUnknown": False}})
    fails(client.create_field_level_encryption_config, "NoSuchFieldLevelEncryptionProfile",
          FieldLevelEncryptionConfig={**config, "QueryArgProfileConfig": {
              "ForwardWhenQueryArgProfileIsUnknown": False, "QueryArgProfiles": {"Quantity": 1, "Items": [
                  {"QueryArg": "fle", "ProfileId": "ENOSUCHPROFILE"}]}}})
    made = client.create_field_level_encryption_config(FieldLevelEncryptionConfig=config)
    assert made["Location"].endswith("/2020-05-31/field-level-encryption/" + made["FieldLevelEncryption"]["Id"])
    got = client.get_field_level_encryption(Id=made["FieldLevelEncryption"]["Id"])
    assert got["FieldLevelEncryption"]["FieldLevelEncryptionConfig"] == config
    fails(client.delete_field_level_encryption_profile, "FieldLevelEncryptionProfileInUse", Id=profile_id,
          IfMatch=profile["ETag"])
    fails(client.delete_public_key, "PublicKeyInUse", Id=key, IfMatch=client.get_public_key(Id=key)["ETag"])
    client.delete_field_level_encryption_config(Id=made["FieldLevelEncryption"]["Id"], IfMatch=made["ETag"])
    client.delete_field_level_encryption_profile(Id=profile_id, IfMatch=profile["ETag"])


def test_realtime_log_configs(client, stranger, account):
    made = client.create_realtime_log_config(Name="logs", SamplingRate=5, Fields=["timestamp", "c-ip"],
                                             EndPoints=[KINESIS])
    assert made["ResponseMetadata"]["HTTPStatusCode"] == 201
    arn = made["RealtimeLogConfig"]["ARN"]
    assert arn == f"arn:aws:cloudfront::{account}:realtime-log-config/logs"
    assert client.get_realtime_log_config(Name="logs")["RealtimeLogConfig"] == made["RealtimeLogConfig"]
    assert client.get_realtime_log_config(ARN=arn)["RealtimeLogConfig"]["SamplingRate"] == 5
    fails(client.create_realtime_log_config, "RealtimeLogConfigAlreadyExists", Name="logs", SamplingRate=5,
          Fields=["timestamp"], EndPoints=[KINESIS])
    fails(client.create_realtime_log_config, "InvalidArgument", Name="rate", SamplingRate=0, Fields=["timestamp"],
          EndPoints=[KINESIS])
    fails(stranger.get_realtime_log_config, "RealtimeLogConfigOwnerMismatch", ARN=arn)
    fails(stranger.get_realtime_log_config, "NoSuchRealtimeLogConfig", 404, Name="logs")
    updated = client.update_realtime_log_config(Name="logs", SamplingRate=50)["RealtimeLogConfig"]
    assert updated["SamplingRate"] == 50 and updated["Fields"] == ["timestamp", "c-ip"]
    listed = client.list_realtime_log_configs()["RealtimeLogConfigs"]
    assert [item["Name"] for item in listed["Items"]] == ["logs"] and listed["IsTruncated"] is False
    client.delete_realtime_log_config(ARN=arn)
    fails(client.get_realtime_log_config, "NoSuchRealtimeLogConfig", Name="logs")


def test_monitoring_subscriptions(client):
    from builders import direct_config

    distribution = client.create_distribution(DistributionConfig=direct_config())["Distribution"]["Id"]
    fails(client.get_monitoring_subscription, "NoSuchMonitoringSubscription", 404, DistributionId=distribution)
    subscription = {"RealtimeMetricsSubscriptionConfig": {"RealtimeMetricsSubscriptionStatus": "Enabled"}}
    made = client.create_monitoring_subscription(DistributionId=distribution, MonitoringSubscription=subscription)
    assert made["MonitoringSubscription"] == subscription
    fails(client.create_monitoring_subscription, "MonitoringSubscriptionAlreadyExists", DistributionId=distribution,
          MonitoringSubscription=subscription)
    assert client.get_monitoring_subscription(DistributionId=distribution)["MonitoringSubscription"] == subscription
    # A Create that changes it replaces it (Terraform updates a subscription this way).
    disabled = {"RealtimeMetricsSubscriptionConfig": {"RealtimeMetricsSubscriptionStatus": "Disabled"}}
    client.create_monitoring_subscription(DistributionId=distribution, MonitoringSubscription=disabled)
    assert client.get_monitoring_subscription(DistributionId=distribution)["MonitoringSubscription"] == disabled
    fails(client.create_monitoring_subscription, "NoSuchDistribution", 404, DistributionId="ENOSUCHDIST0001",
          MonitoringSubscription=subscription)
    client.delete_monitoring_subscription(DistributionId=distribution)
    fails(client.delete_monitoring_subscription, "NoSuchMonitoringSubscription", DistributionId=distribution)


def test_vpc_origins(client, account):
    config = {"Name": "vpc", "Arn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/a/1",
              "HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only",
              "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]}}
    made = client.create_vpc_origin(VpcOriginEndpointConfig=config, Tags={"Items": [{"Key": "k", "Value": "v"}]})
    assert made["ResponseMetadata"]["HTTPStatusCode"] == 202
    origin = made["VpcOrigin"]
    assert origin["Arn"] == f"arn:aws:cloudfront::{account}:vpc-origin/{origin['Id']}"
    assert origin["VpcOriginEndpointConfig"] == config and origin["Status"] in ("Deploying", "Deployed")
    assert client.list_tags_for_resource(Resource=origin["Arn"])["Tags"]["Items"] == [{"Key": "k", "Value": "v"}]
    fails(client.create_vpc_origin, "EntityAlreadyExists", 409, VpcOriginEndpointConfig=config)
    summary = client.list_vpc_origins()["VpcOriginList"]["Items"][0]
    assert summary["OriginEndpointArn"] == config["Arn"] and summary["Name"] == "vpc"
    updated = client.update_vpc_origin(Id=origin["Id"], IfMatch=made["ETag"],
                                       VpcOriginEndpointConfig={**config, "HTTPPort": 8080})
    assert updated["ResponseMetadata"]["HTTPStatusCode"] == 202
    deleted = client.delete_vpc_origin(Id=origin["Id"], IfMatch=updated["ETag"])
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202 and deleted["VpcOrigin"]["Status"] == "Deleting"
    fails(client.get_vpc_origin, "EntityNotFound", 404, Id=origin["Id"])


def test_key_group_config_reads_back_without_a_comment_it_was_not_given(client):
    key = client.create_public_key(PublicKeyConfig={"CallerReference": "rb", "Name": "rb",
                                                    "EncodedKey": public_key_pem()})["PublicKey"]["Id"]
    config = {"Name": "readback", "Items": [key]}
    made = client.create_key_group(KeyGroupConfig=copy.deepcopy(config))
    assert client.get_key_group_config(Id=made["KeyGroup"]["Id"])["KeyGroupConfig"] == config


MANAGED = {
    ("list_cache_policies", "CachePolicyList", "CachePolicy"): {
        "658327ea-f89d-4fab-a63d-7e88639e58f6": "Managed-CachingOptimized",
        "b2884449-e4de-46a7-ac36-70bc7f1ddd6d": "Managed-CachingOptimizedForUncompressedObjects",
        "4135ea2d-6df8-44a3-9df3-4b5a84be39ad": "Managed-CachingDisabled",
        "08627262-05a9-4f76-9ded-b50ca2e3a84f": "Managed-Elemental-MediaPackage",
        "2e54312d-136d-493c-8eb9-b001f22f67d2": "Managed-Amplify",
        "83da9c7e-98b4-4e11-a168-04f0df8e2c65": "UseOriginCacheControlHeaders",
        "4cc15a8a-d715-48a4-82b8-cc0b614638fe": "UseOriginCacheControlHeaders-QueryStrings",
        "4d1d2f1d-3a71-49ad-9e08-7ea5d843a556": "Managed-Amplify-Default",
        "a6bad946-36c3-4c33-aa98-362c74a7fb13": "Managed-Amplify-DefaultNoCookies",
        "1c6db51a-a33f-469a-8245-dae26771f530": "Managed-Amplify-ImageOptimization",
        "7e5fad67-ee98-4ad0-b05a-394999eefc1a": "Managed-Amplify-StaticContent",
        "1b1c9610-973a-4fb9-9932-a6c274840887": "Managed-Amplify-Default-V2",
        "17322e93-4707-445a-93bc-6c8c16621822": "Managed-Amplify-DefaultNoCookies-V2",
        "766eb028-1aff-4eb2-a5a4-2674e1538f26": "Managed-Amplify-ImageOptimization-V2",
        "4c02794c-7c81-4ba1-8b5d-e05fb0f95ed8": "Managed-Amplify-StaticContent-V2",
    },
    ("list_origin_request_policies", "OriginRequestPolicyList", "OriginRequestPolicy"): {
        "216adef6-5c7f-47e4-b989-5492eafa07d3": "Managed-AllViewer",
        "33f36d7e-f396-46d9-90e0-52428a34d9dc": "Managed-AllViewerAndCloudFrontHeaders-2022-06",
        "b689b0a8-53d0-40ab-baf2-68738e2966ac": "Managed-AllViewerExceptHostHeader",
        "59781a5b-3903-41f3-afcb-af62929ccde1": "Managed-CORS-CustomOrigin",
        "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf": "Managed-CORS-S3Origin",
        "775133bc-15f2-49f9-abea-afb2e0bf67d2": "Managed-Elemental-MediaTailor-PersonalizedManifests",
        "bf0718e1-ba1e-49d1-88b1-f726733018ae": "Managed-HostHeaderOnly",
        "acba4595-bd28-49b8-b9fe-13317c0390fa": "Managed-UserAgentRefererHeaders",
    },
    ("list_response_headers_policies", "ResponseHeadersPolicyList", "ResponseHeadersPolicy"): {
        "60669652-455b-4ae9-85a4-c4c02393f86c": "Managed-SimpleCORS",
        "5cc3b908-e619-4b99-88e5-2cf7f45965bd": "Managed-CORS-With-Preflight",
        "67f7725c-6f97-4210-82d7-5512b31e9d03": "Managed-SecurityHeadersPolicy",
        "e61eb60c-9c35-4d20-a928-2b84e02af89c": "Managed-CORS-and-SecurityHeadersPolicy",
        "eaab4381-ed33-4a86-88ca-d9558dc6cd63": "Managed-CORS-with-preflight-and-SecurityHeadersPolicy",
    },
}
# Managed policies may exceed what a custom one may hold: this one forwards 21 CloudFront headers.
BEYOND_CUSTOM_LIMITS = {"Managed-AllViewerAndCloudFrontHeaders-2022-06": "TooManyHeadersInOriginRequestPolicy"}


@pytest.mark.parametrize("listing", list(MANAGED), ids=lambda key: key[2])
def test_managed_sets_are_whole_and_pass_our_own_rules(client, listing):
    lister, key, resource = listing
    items = getattr(client, lister)(Type="managed")[key]["Items"]
    found = {item[resource]["Id"]: item[resource][f"{resource}Config"] for item in items}
    assert {i: c["Name"] for i, c in found.items()} == MANAGED[listing]
    create = getattr(client, "create_" + lister[len("list_"):-len("ies")] + "y")
    for config in found.values():  # a custom copy of each managed config is accepted, within custom limits
        copy_config = {**config, "Name": "copy-" + config["Name"].removeprefix("Managed-")}
        if config["Name"] in BEYOND_CUSTOM_LIMITS:
            fails(create, BEYOND_CUSTOM_LIMITS[config["Name"]], **{f"{resource}Config": copy_config})
        else:
            create(**{f"{resource}Config": copy_config})
