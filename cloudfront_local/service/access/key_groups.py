"""Key groups: up to five public keys that signed URLs and cookies of a cache behavior are checked against."""
from __future__ import annotations

from ..common import errors, ids
from ..common.resource import Family, register
from ..policies.rules import check_name
from .public_keys import PUBLIC_KEY

MAX_KEYS = 5  # "Public keys in a single key group: 5" (quotas page)


def _check(ctx, tx, config: dict, record) -> None:
    check_name(config["Name"], "key group")
    keys = config["Items"]
    if len(keys) > MAX_KEYS:
        raise errors.TooManyPublicKeysInKeyGroup(f"A key group can hold at most {MAX_KEYS} public keys.")
    if len(set(keys)) != len(keys):
        raise errors.InvalidArgument("A public key can be in a key group only once.")
    for key_id in keys:
        if not PUBLIC_KEY.exists(ctx, tx, key_id):
            raise errors.InvalidArgument(f"The public key {key_id} does not exist.")


KEY_GROUP = Family(
    resource="KeyGroup", config="KeyGroupConfig", kind="key-group", noun="key group", quota="key_group_quota",
    not_found="NoSuchResource", already_exists="KeyGroupAlreadyExists", too_many="TooManyKeyGroups",
    in_use="ResourceInUse", new_id=ids.uuid_id, check=_check)
register(KEY_GROUP, list_op="ListKeyGroups", list_key="KeyGroupList")


def _key_group_user(ctx, tx, key_id: str) -> str | None:
    if tx.page(KEY_GROUP.kind, ctx.account, 0, 1, {"KeyGroupConfig.Items": key_id}):
        return f"The public key {key_id} is in a key group."
    return None


PUBLIC_KEY.users.append(_key_group_user)


def active_trusted_key_groups(tx, account: str, behaviors: list[dict]) -> dict:
    """ActiveTrustedKeyGroups as GetDistribution answers it: each key group the behaviors trust, with the ids of
    the public keys in it (the API reference's ActiveTrustedKeyGroups and KGKeyPairIds)."""
    groups: list[str] = []
    for behavior in behaviors:
        trusted = behavior.get("TrustedKeyGroups") or {}
        if trusted.get("Enabled"):
            groups += [g for g in trusted.get("Items") or [] if g not in groups]
    if not groups:
        return {"Enabled": False, "Quantity": 0}
    items = []
    for group_id in groups:
        record = tx.get(KEY_GROUP.kind, account, group_id)
        keys = list(record.doc[KEY_GROUP.config]["Items"]) if record is not None else []
        items.append({"KeyGroupId": group_id,
                      "KeyPairIds": {"Quantity": len(keys), **({"Items": keys} if keys else {})}})
    return {"Enabled": True, "Quantity": len(items), "Items": items}
