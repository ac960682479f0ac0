"""Origin access controls: how CloudFront signs its requests to an S3 (or other AWS) origin."""
from __future__ import annotations

from ..common import ids
from ..common.resource import Family, register

MAX_NAME_LENGTH = 64  # the console and the quotas page: "Origin access control name: 64 characters"


def _check(ctx, tx, config: dict, record) -> None:
    from ..common.errors import InvalidArgument

    if not 1 <= len(config["Name"]) <= MAX_NAME_LENGTH:
        raise InvalidArgument(f"The origin access control name must be 1 to {MAX_NAME_LENGTH} characters.")


def _defaults(config: dict) -> dict:
    config.setdefault("Description", "")
    return config


ORIGIN_ACCESS_CONTROL = Family(
    resource="OriginAccessControl", config="OriginAccessControlConfig", kind="origin-access-control",
    noun="origin access control", quota="origin_access_control_quota", not_found="NoSuchOriginAccessControl",
    already_exists="OriginAccessControlAlreadyExists", too_many="TooManyOriginAccessControls",
    in_use="OriginAccessControlInUse", new_id=ids.short_id, check=_check, defaults=_defaults)
register(ORIGIN_ACCESS_CONTROL, list_op="ListOriginAccessControls", list_key="OriginAccessControlList")
