"""Everything a DistributionConfig names in other resource families: checked on every create and update
(the model's NoSuch…/Invalid… error for one the caller's account does not have), mirrored in the
distribution's document as `_uses` ("cache-policy:<id>", …), and registered with each family as a user,
so that deleting what a distribution uses answers the family's …InUse error."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..access.field_level_encryption import FIELD_LEVEL_ENCRYPTION
from ..access.key_groups import KEY_GROUP
from ..access.origin_access_controls import ORIGIN_ACCESS_CONTROL
from ..access.origin_access_identities import ORIGIN_ACCESS_IDENTITY
from ..common import errors, quantities
from ..common.resource import Family
from ..observability import realtime_logs
from ..policies.cache import CACHE_POLICY
from ..policies.origin_request import ORIGIN_REQUEST_POLICY
from ..policies.response_headers import RESPONSE_HEADERS_POLICY

KIND = "distribution"
OAI_PREFIX = "origin-access-identity/cloudfront/"


def behaviors(config: dict) -> list[dict]:
    return [config["DefaultCacheBehavior"], *quantities.items(config.get("CacheBehaviors"))]


def origins(config: dict) -> list[dict]:
    return quantities.items(config.get("Origins"))


def _member(member: str) -> Callable[[dict], list[str]]:
    return lambda config: [b[member] for b in behaviors(config) if b.get(member)]


def _key_groups(config: dict) -> list[str]:
    return [k for b in behaviors(config) for k in quantities.items(b.get("TrustedKeyGroups"))]


def _oacs(config: dict) -> list[str]:
    return [o["OriginAccessControlId"] for o in origins(config) if o.get("OriginAccessControlId")]


def _oais(config: dict) -> list[str]:
    found = []
    for origin in origins(config):
        identity = (origin.get("S3OriginConfig") or {}).get("OriginAccessIdentity") or ""
        if identity:
            if not identity.startswith(OAI_PREFIX) or len(identity) == len(OAI_PREFIX):
                raise errors.InvalidOriginAccessIdentity(
                    f"The origin access identity {identity!r} is not of the form {OAI_PREFIX}<id>.")
            found.append(identity[len(OAI_PREFIX):])
    return found


@dataclass(frozen=True)
class Reference:
    kind: str                                  # the `_uses` prefix
    ids: Callable[[dict], list[str]]           # the ids a config names
    exists: Callable                           # (ctx, tx, id) -> bool
    missing: str                               # the model's error for an id that does not exist
    in_use: Callable | None = None             # how the used family is told: appends a user check
    check_config: Callable | None = None       # (ctx, tx, config) -> None: rules that need the whole config


def _family(family: Family, ids: Callable[[dict], list[str]], missing: str) -> Reference:
    return Reference(family.kind, ids, family.exists, missing, family.users.append)


def _realtime_log_exists(ctx, tx, arn: str) -> bool:
    try:
        realtime_logs.find(ctx, tx, config_arn=arn)
    except errors.NoSuchRealtimeLogConfig:
        return False
    return True


REFERENCES: list[Reference] = [
    _family(CACHE_POLICY, _member("CachePolicyId"), "NoSuchCachePolicy"),
    _family(ORIGIN_REQUEST_POLICY, _member("OriginRequestPolicyId"), "NoSuchOriginRequestPolicy"),
    _family(RESPONSE_HEADERS_POLICY, _member("ResponseHeadersPolicyId"), "NoSuchResponseHeadersPolicy"),
    _family(FIELD_LEVEL_ENCRYPTION, _member("FieldLevelEncryptionId"), "NoSuchFieldLevelEncryptionConfig"),
    _family(KEY_GROUP, _key_groups, "TrustedKeyGroupDoesNotExist"),
    _family(ORIGIN_ACCESS_CONTROL, _oacs, "NoSuchOriginAccessControl"),
    _family(ORIGIN_ACCESS_IDENTITY, _oais, "InvalidOriginAccessIdentity"),
    Reference(realtime_logs.KIND, _member("RealtimeLogConfigArn"), _realtime_log_exists, "NoSuchRealtimeLogConfig",
              realtime_logs.USERS.append),
]


def add(reference: Reference) -> None:
    """Another family a distribution config can name (VPC origins, continuous deployment policies, …)."""
    REFERENCES.append(reference)
    _tell(reference)


def check(ctx, tx, config: dict) -> list[str]:
    """Raise the model's error for the first reference the caller's account lacks; return `_uses`."""
    uses = []
    for reference in REFERENCES:
        if reference.check_config is not None:
            reference.check_config(ctx, tx, config)
        for resource_id in dict.fromkeys(reference.ids(config)):
            if not reference.exists(ctx, tx, resource_id):
                raise getattr(errors, reference.missing)(f"The {reference.kind.replace('-', ' ')} {resource_id} "
                                                         "does not exist.")
            uses.append(f"{reference.kind}:{resource_id}")
    return uses


def users(ctx, tx, kind: str, resource_id: str, limit: int = 1):
    return tx.page(KIND, ctx.account, 0, limit, {"_uses": f"{kind}:{resource_id}"})


def _tell(reference: Reference) -> None:
    if reference.in_use is None:
        return
    kind = reference.kind

    def in_use(ctx, tx, resource_id: str) -> str | None:
        if users(ctx, tx, kind, resource_id):
            return f"The {kind.replace('-', ' ')} {resource_id} is used by a distribution."
        return None

    reference.in_use(in_use)


for _reference in REFERENCES:
    _tell(_reference)
