"""Paging through boto3 for the lists the family tests do not walk: key groups, field-level encryption configs
and profiles, real-time log configs, VPC origins, continuous deployment policies, and the paginator boto3 ships
for origin access identities (trust stores' is walked with their S3 stand-in). Each list is walked one item a page: every item once, in creation
order, and the page members AWS answers."""
from __future__ import annotations

from builders import direct_config
from certificates import public_key_pem

KINESIS = {"StreamType": "Kinesis", "KinesisStreamConfig": {
    "RoleARN": "arn:aws:iam::123456789012:role/logs", "StreamARN": "arn:aws:kinesis:us-east-1:123456789012:stream/s"}}


def walk(call, list_key: str, item_id, **params) -> list[str]:
    """Every id a list answers, one page at a time, following NextMarker."""
    seen, marker = [], None
    while True:
        page = call(MaxItems="1", **params, **({"Marker": marker} if marker else {}))[list_key]
        items = page.get("Items", [])
        assert len(items) <= 1 and int(page["MaxItems"]) == 1
        if "Quantity" in page:
            assert page["Quantity"] == len(items)
        seen += [item_id(item) for item in items]
        marker = page.get("NextMarker")
        if "IsTruncated" in page:
            assert page["IsTruncated"] is bool(marker)
        if not marker:
            return seen


def test_key_groups_page(client):
    key = client.create_public_key(PublicKeyConfig={"CallerReference": "kg", "Name": "kg",
                                                    "EncodedKey": public_key_pem()})["PublicKey"]["Id"]
    made = [client.create_key_group(KeyGroupConfig={"Name": f"group-{n}", "Items": [key]})["KeyGroup"]["Id"]
            for n in range(3)]
    assert walk(client.list_key_groups, "KeyGroupList", lambda item: item["KeyGroup"]["Id"]) == made


def test_field_level_encryption_lists_page(client):
    key = client.create_public_key(PublicKeyConfig={"CallerReference": "fle", "Name": "fle",
                                                    "EncodedKey": public_key_pem()})["PublicKey"]["Id"]
    profiles = [client.create_field_level_encryption_profile(FieldLevelEncryptionProfileConfig={
        "Name": f"profile-{n}", "CallerReference": f"profile-{n}", "EncryptionEntities": {"Quantity": 1, "Items": [
            {"PublicKeyId": key, "ProviderId": "provider", "FieldPatterns": {"Quantity": 1, "Items": [f"f{n}"]}}]}})
        ["FieldLevelEncryptionProfile"]["Id"] for n in range(3)]
    assert walk(client.list_field_level_encryption_profiles, "FieldLevelEncryptionProfileList",
                lambda item: item["Id"]) == profiles
    configs = [client.create_field_level_encryption_config(FieldLevelEncryptionConfig={
        "CallerReference": f"config-{n}", "QueryArgProfileConfig": {
            "ForwardWhenQueryArgProfileIsUnknown": True, "QueryArgProfiles": {"Quantity": 1, "Items": [
                {"QueryArg": f"arg{n}", "ProfileId": profiles[n]}]}}})["FieldLevelEncryption"]["Id"]
        for n in range(3)]
    assert walk(client.list_field_level_encryption_configs, "FieldLevelEncryptionList",
                lambda item: item["Id"]) == configs


def test_realtime_log_configs_page(client):
    made = [client.create_realtime_log_config(Name=f"logs-{n}", SamplingRate=10, Fields=["timestamp"],
                                              EndPoints=[KINESIS])["RealtimeLogConfig"]["ARN"] for n in range(3)]
    assert walk(client.list_realtime_log_configs, "RealtimeLogConfigs", lambda item: item["ARN"]) == made


def test_vpc_origins_page(client):
    made = [client.create_vpc_origin(VpcOriginEndpointConfig={
        "Name": f"vpc-{n}", "Arn": f"arn:aws:ec2:us-east-1:123456789012:instance/i-{n}", "HTTPPort": 80,
        "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"})["VpcOrigin"]["Id"] for n in range(3)]
    assert walk(client.list_vpc_origins, "VpcOriginList", lambda item: item["Id"]) == made


def test_continuous_deployment_policies_page(client):
    made = []
    for n in range(3):
        primary = client.create_distribution(DistributionConfig=direct_config(f"cd-primary-{n}"))
        staging = client.copy_distribution(PrimaryDistributionId=primary["Distribution"]["Id"], Staging=True,
                                           IfMatch=primary["ETag"], CallerReference=f"cd-staging-{n}")
        made.append(client.create_continuous_deployment_policy(ContinuousDeploymentPolicyConfig={
            "StagingDistributionDnsNames": {"Quantity": 1, "Items": [staging["Distribution"]["DomainName"]]},
            "Enabled": False, "TrafficConfig": {"Type": "SingleWeight", "SingleWeightConfig": {"Weight": 0.1}}})
            ["ContinuousDeploymentPolicy"]["Id"])
    assert walk(client.list_continuous_deployment_policies, "ContinuousDeploymentPolicyList",
                lambda item: item["ContinuousDeploymentPolicy"]["Id"]) == made


def test_origin_access_identity_paginator(client):
    made = [client.create_cloud_front_origin_access_identity(CloudFrontOriginAccessIdentityConfig={
        "CallerReference": f"oai-{n}", "Comment": ""})["CloudFrontOriginAccessIdentity"]["Id"] for n in range(3)]
    pages = client.get_paginator("list_cloud_front_origin_access_identities").paginate(
        PaginationConfig={"PageSize": 1})
    assert [item["Id"] for page in pages
            for item in page["CloudFrontOriginAccessIdentityList"].get("Items", [])] == made
