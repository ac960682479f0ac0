"""Origin access identities (the older way to reach a private S3 bucket): a CallerReference, a comment,
and the canonical user id S3 bucket policies name."""
from __future__ import annotations

import hashlib

from ..common import ids
from ..common.resource import Family, register


def _made(ctx, config: dict) -> dict:
    # An S3 canonical user id is 64 hex digits for accounts and 96 for origin access identities
    # (AWS's examples); ours is derived, so it is stable for the life of the identity.
    return {"S3CanonicalUserId": hashlib.sha384(f"{ctx.account}:{config['CallerReference']}:{ctx.now}".encode())
            .hexdigest()}


ORIGIN_ACCESS_IDENTITY = Family(
    resource="CloudFrontOriginAccessIdentity", config="CloudFrontOriginAccessIdentityConfig",
    kind="origin-access-identity", location="origin-access-identity/cloudfront", noun="origin access identity",
    quota="origin_access_identity_quota", not_found="NoSuchCloudFrontOriginAccessIdentity",
    already_exists="CloudFrontOriginAccessIdentityAlreadyExists",
    too_many="TooManyCloudFrontOriginAccessIdentities", in_use="CloudFrontOriginAccessIdentityInUse",
    new_id=ids.short_id, name_member=None, caller_reference=True, idempotent=True, made=_made)
register(ORIGIN_ACCESS_IDENTITY, list_op="ListCloudFrontOriginAccessIdentities",
         list_key="CloudFrontOriginAccessIdentityList")
