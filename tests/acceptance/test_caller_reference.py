"""A used CallerReference, family by family, through boto3, as each family's own docs in the model say
(docs/behaviour.md): distributions, public keys and field-level encryption refuse any reuse; origin access
identities and invalidations answer the same request again with what it made, and refuse other content.
A reference is the account's own: another account may use the same one."""
from __future__ import annotations

import uuid

import pytest

from builders import direct_config, multi_tenant_config
from certificates import public_key_pem
from conftest import fails

PEM = public_key_pem()


def test_distributions_refuse_any_reuse(client, stranger):
    config = direct_config("distribution-ref")
    first = client.create_distribution(DistributionConfig=config)["Distribution"]
    # The very same request again is refused too, and names the distribution the reference made.
    message = fails(client.create_distribution, "DistributionAlreadyExists", 409, DistributionConfig=config)
    assert message == ("The caller reference that you are using to create a distribution is associated with "
                       f"another distribution. Already exists: {first['Id']}")
    fails(client.create_distribution, "DistributionAlreadyExists", 409,
          DistributionConfig=direct_config("distribution-ref", Comment="another config"))
    fails(client.create_distribution_with_tags, "DistributionAlreadyExists", 409, DistributionConfigWithTags={
        "DistributionConfig": config, "Tags": {"Items": [{"Key": "team", "Value": "cdn"}]}})
    assert [d["Id"] for d in client.list_distributions()["DistributionList"]["Items"]] == [first["Id"]]
    stranger.create_distribution(DistributionConfig=config)


def test_create_with_tags_and_copies_share_the_reference_space(client):
    tagged = client.create_distribution_with_tags(DistributionConfigWithTags={
        "DistributionConfig": direct_config("tagged-ref"), "Tags": {"Items": [{"Key": "k", "Value": "v"}]}})
    fails(client.create_distribution_with_tags, "DistributionAlreadyExists", 409, DistributionConfigWithTags={
        "DistributionConfig": direct_config("tagged-ref"), "Tags": {"Items": [{"Key": "k", "Value": "v"}]}})
    primary = tagged["Distribution"]["Id"]
    copy = client.copy_distribution(PrimaryDistributionId=primary, CallerReference="copy-ref", Staging=True)
    assert copy["Distribution"]["DistributionConfig"]["CallerReference"] == "copy-ref"
    for reference in ("copy-ref", "tagged-ref"):
        fails(client.copy_distribution, "DistributionAlreadyExists", 409, PrimaryDistributionId=primary,
              CallerReference=reference, Staging=True)
    fails(client.create_distribution, "DistributionAlreadyExists", 409, DistributionConfig=direct_config("copy-ref"))


def test_streaming_distributions_are_refused_whatever_the_reference(client):
    config = {"CallerReference": "rtmp", "S3Origin": {"DomainName": "media.s3.amazonaws.com",
                                                      "OriginAccessIdentity": ""},
              "Comment": "", "TrustedSigners": {"Enabled": False, "Quantity": 0}, "Enabled": True}
    for _ in range(2):
        fails(client.create_streaming_distribution, "InvalidArgument", 400, StreamingDistributionConfig=config)


def test_origin_access_identities_are_idempotent(client, stranger):
    config = {"CallerReference": "oai-ref", "Comment": "bucket reader"}
    first = client.create_cloud_front_origin_access_identity(CloudFrontOriginAccessIdentityConfig=config)
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 201
    again = client.create_cloud_front_origin_access_identity(CloudFrontOriginAccessIdentityConfig=config)
    identity = first["CloudFrontOriginAccessIdentity"]
    assert again["CloudFrontOriginAccessIdentity"] == identity and again["ETag"] == first["ETag"]
    fails(client.create_cloud_front_origin_access_identity, "CloudFrontOriginAccessIdentityAlreadyExists", 409,
          CloudFrontOriginAccessIdentityConfig={**config, "Comment": "another comment"})
    listed = client.list_cloud_front_origin_access_identities()["CloudFrontOriginAccessIdentityList"]["Items"]
    assert [item["Id"] for item in listed] == [identity["Id"]]
    assert stranger.create_cloud_front_origin_access_identity(CloudFrontOriginAccessIdentityConfig=config)[
        "CloudFrontOriginAccessIdentity"]["Id"] != identity["Id"]


def _public_key(reference: str, name: str, comment: str = "signing") -> dict:
    return {"CallerReference": reference, "Name": name, "EncodedKey": PEM, "Comment": comment}


def test_public_keys_refuse_any_reuse(client, stranger):
    config = _public_key("key-ref", "key-one")
    made = client.create_public_key(PublicKeyConfig=config)["PublicKey"]
    # The same config would also clash on its name: a new name shows the reference alone is refused.
    fails(client.create_public_key, "PublicKeyAlreadyExists", 409, PublicKeyConfig=_public_key("key-ref", "key-two"))
    fails(client.create_public_key, "PublicKeyAlreadyExists", 409, PublicKeyConfig=config)
    assert [k["Id"] for k in client.list_public_keys()["PublicKeyList"]["Items"]] == [made["Id"]]
    stranger.create_public_key(PublicKeyConfig=config)


def _profile(key_id: str, reference: str, name: str) -> dict:
    return {"Name": name, "CallerReference": reference, "EncryptionEntities": {"Quantity": 1, "Items": [{
        "PublicKeyId": key_id, "ProviderId": "provider", "FieldPatterns": {"Quantity": 1, "Items": ["card"]}}]}}


def test_field_level_encryption_profiles_and_configs_refuse_any_reuse(client):
    key = client.create_public_key(PublicKeyConfig=_public_key("fle-key", "fle-key"))["PublicKey"]["Id"]
    profile = _profile(key, "profile-ref", "profile-one")
    client.create_field_level_encryption_profile(FieldLevelEncryptionProfileConfig=profile)
    fails(client.create_field_level_encryption_profile, "FieldLevelEncryptionProfileAlreadyExists", 409,
          FieldLevelEncryptionProfileConfig=profile)
    fails(client.create_field_level_encryption_profile, "FieldLevelEncryptionProfileAlreadyExists", 409,
          FieldLevelEncryptionProfileConfig=_profile(key, "profile-ref", "profile-two"))
    config = {"CallerReference": "fle-ref", "Comment": "", "QueryArgProfileConfig": {
        "ForwardWhenQueryArgProfileIsUnknown": True, "QueryArgProfiles": {"Quantity": 0}}}
    client.create_field_level_encryption_config(FieldLevelEncryptionConfig=config)
    fails(client.create_field_level_encryption_config, "FieldLevelEncryptionConfigAlreadyExists", 409,
          FieldLevelEncryptionConfig=config)
    fails(client.create_field_level_encryption_config, "FieldLevelEncryptionConfigAlreadyExists", 409,
          FieldLevelEncryptionConfig={**config, "Comment": "another"})
    assert client.list_field_level_encryption_configs()["FieldLevelEncryptionList"]["Quantity"] == 1


def _batch(reference: str, *paths: str) -> dict:
    return {"CallerReference": reference, "Paths": {"Quantity": len(paths), "Items": list(paths)}}


REUSED = "Your request contains a caller reference that was used for a previous invalidation batch for the " \
         "same distribution."


@pytest.mark.parametrize("owner", ["distribution", "tenant"])
def test_invalidations_are_idempotent_per_owner(client, owner):
    multi = client.create_distribution(DistributionConfig=multi_tenant_config())["Distribution"]["Id"]
    if owner == "distribution":
        owners = [client.create_distribution(DistributionConfig=direct_config())["Distribution"]["Id"]
                  for _ in range(2)]
        create = client.create_invalidation
        key = "DistributionId"
    else:
        owners = [client.create_distribution_tenant(
            DistributionId=multi, Name=f"inv-{n}", Domains=[{"Domain": f"{uuid.uuid4().hex[:12]}.ref.example"}],
            Parameters=[{"Name": "tenantName", "Value": "t"}])["DistributionTenant"]["Id"] for n in range(2)]
        create = client.create_invalidation_for_distribution_tenant
        key = "Id"
    first = create(**{key: owners[0]}, InvalidationBatch=_batch("deploy", "/a", "/b/*"))
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 201
    again = create(**{key: owners[0]}, InvalidationBatch=_batch("deploy", "/a", "/b/*"))
    assert again["Invalidation"]["Id"] == first["Invalidation"]["Id"]
    assert again["Location"] == first["Location"]
    assert fails(create, "InvalidArgument", 400, **{key: owners[0]},
                 InvalidationBatch=_batch("deploy", "/other")) == REUSED
    # The reference is the owner's: another distribution or tenant may use it.
    other = create(**{key: owners[1]}, InvalidationBatch=_batch("deploy", "/other"))
    assert other["Invalidation"]["Id"] != first["Invalidation"]["Id"]
