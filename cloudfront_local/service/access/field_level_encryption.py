"""Field-level encryption: profiles (which fields to encrypt, with which public key) and configs (which
profile applies to which content type or query argument)."""
from __future__ import annotations

from ..common import errors, ids, quantities
from ..common.resource import Family, register
from ..policies.rules import check_name
from .public_keys import PUBLIC_KEY, is_rsa

MAX_FIELD_PATTERNS = 10   # "Fields to encrypt per field-level encryption profile" (quotas page)
MAX_PROFILES_PER_CONFIG = 10


def _check_profile(ctx, tx, config: dict, record) -> None:
    check_name(config["Name"], "field-level encryption profile")
    quantities.check(config, "FieldLevelEncryptionProfileConfig")
    entities = quantities.items(config["EncryptionEntities"])
    patterns = [p for entity in entities for p in quantities.items(entity["FieldPatterns"])]
    if len(patterns) > MAX_FIELD_PATTERNS:
        raise errors.TooManyFieldLevelEncryptionFieldPatterns(
            f"A profile can encrypt at most {MAX_FIELD_PATTERNS} field patterns.")
    if len(set(patterns)) != len(patterns):
        raise errors.InvalidArgument("A field pattern can be listed only once in a profile.")
    for entity in entities:
        if not PUBLIC_KEY.exists(ctx, tx, entity["PublicKeyId"]):
            raise errors.NoSuchPublicKey(f"The public key {entity['PublicKeyId']} does not exist.")
        key = PUBLIC_KEY.record(ctx, tx, entity["PublicKeyId"])
        if not is_rsa(key["PublicKeyConfig"]["EncodedKey"]):
            raise errors.InvalidArgument("Field-level encryption is only compatible with RSA 2048 public keys.")


def _defaults(config: dict) -> dict:
    config.setdefault("Comment", "")
    return config


FIELD_LEVEL_ENCRYPTION_PROFILE = Family(
    resource="FieldLevelEncryptionProfile", config="FieldLevelEncryptionProfileConfig",
    kind="field-level-encryption-profile", noun="field-level encryption profile",
    quota="field_level_encryption_profile_quota", not_found="NoSuchFieldLevelEncryptionProfile",
    already_exists="FieldLevelEncryptionProfileAlreadyExists", too_many="TooManyFieldLevelEncryptionProfiles",
    in_use="FieldLevelEncryptionProfileInUse", new_id=ids.short_id, caller_reference=True,
    check=_check_profile, defaults=_defaults)
register(FIELD_LEVEL_ENCRYPTION_PROFILE, list_op="ListFieldLevelEncryptionProfiles",
         list_key="FieldLevelEncryptionProfileList")


def _profile_ids(config: dict) -> list[str]:
    query = quantities.items((config.get("QueryArgProfileConfig") or {}).get("QueryArgProfiles"))
    content = quantities.items((config.get("ContentTypeProfileConfig") or {}).get("ContentTypeProfiles"))
    return [item["ProfileId"] for item in query + content if item.get("ProfileId")]


def _check_config(ctx, tx, config: dict, record) -> None:
    quantities.check(config, "FieldLevelEncryptionConfig")
    query = config.get("QueryArgProfileConfig")
    if query is not None and not query.get("ForwardWhenQueryArgProfileIsUnknown") \
            and not quantities.items(query.get("QueryArgProfiles")):
        raise errors.QueryArgProfileEmpty("No query argument profiles are given, and unknown ones are not forwarded.")
    if len(quantities.items((query or {}).get("QueryArgProfiles"))) > MAX_PROFILES_PER_CONFIG:
        raise errors.TooManyFieldLevelEncryptionQueryArgProfiles(
            f"A config can have at most {MAX_PROFILES_PER_CONFIG} query argument profiles.")
    content = quantities.items((config.get("ContentTypeProfileConfig") or {}).get("ContentTypeProfiles"))
    if len(content) > MAX_PROFILES_PER_CONFIG:
        raise errors.TooManyFieldLevelEncryptionContentTypeProfiles(
            f"A config can have at most {MAX_PROFILES_PER_CONFIG} content type profiles.")
    for profile_id in _profile_ids(config):
        if not FIELD_LEVEL_ENCRYPTION_PROFILE.exists(ctx, tx, profile_id):
            raise errors.NoSuchFieldLevelEncryptionProfile(f"The profile {profile_id} does not exist.")


FIELD_LEVEL_ENCRYPTION = Family(
    resource="FieldLevelEncryption", config="FieldLevelEncryptionConfig", kind="field-level-encryption",
    noun="field-level encryption config", quota="field_level_encryption_config_quota",
    not_found="NoSuchFieldLevelEncryptionConfig", already_exists="FieldLevelEncryptionConfigAlreadyExists",
    too_many="TooManyFieldLevelEncryptionConfigs", in_use="FieldLevelEncryptionConfigInUse",
    new_id=ids.short_id, name_member=None, caller_reference=True, check=_check_config, defaults=_defaults,
    mirrors=lambda config: {"_profiles": _profile_ids(config)})  # what the profiles' in-use check looks up
register(FIELD_LEVEL_ENCRYPTION, list_op="ListFieldLevelEncryptionConfigs", list_key="FieldLevelEncryptionList",
         create_op="CreateFieldLevelEncryptionConfig", get_op="GetFieldLevelEncryption",
         get_config_op="GetFieldLevelEncryptionConfig", update_op="UpdateFieldLevelEncryptionConfig",
         delete_op="DeleteFieldLevelEncryptionConfig")


def _config_user(ctx, tx, profile_id: str) -> str | None:
    if tx.page(FIELD_LEVEL_ENCRYPTION.kind, ctx.account, 0, 1, {"_profiles": profile_id}):
        return f"The field-level encryption profile {profile_id} is used by a field-level encryption config."
    return None


def _profile_user(ctx, tx, key_id: str) -> str | None:
    for record in tx.page(FIELD_LEVEL_ENCRYPTION_PROFILE.kind, ctx.account, 0, 1000):
        entities = quantities.items(record.doc["FieldLevelEncryptionProfileConfig"]["EncryptionEntities"])
        if any(entity["PublicKeyId"] == key_id for entity in entities):
            return f"The public key {key_id} is used by a field-level encryption profile."
    return None


FIELD_LEVEL_ENCRYPTION_PROFILE.users.append(_config_user)
PUBLIC_KEY.users.append(_profile_user)
