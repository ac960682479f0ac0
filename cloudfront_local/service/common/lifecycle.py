"""Rules every versioned CloudFront resource shares: If-Match against the ETag, and InProgress -> Deployed."""
from __future__ import annotations

from . import ids
from .context import Context
from .errors import (
    IF_MATCH_MISSING,
    EntityAlreadyExists,
    EntityLimitExceeded,
    InvalidIfMatchVersion,
    PreconditionFailed,
)

DEPLOY_AT = "_deploy_at"  # stored with the document; not part of any output shape


def check_new(ctx: Context, tx, kind: str, name_key: str, name: str, quota: int, noun: str) -> None:
    """A new resource's name must be free in the account, and the account under its quota."""
    if tx.count(kind, ctx.account) >= quota:
        # At the quota, a taken name still says so first.
        if tx.find(ctx.account, name_key, name) is not None:
            raise EntityAlreadyExists(f"A {noun} named {name} already exists.")
        raise EntityLimitExceeded(f"You have reached the limit of {quota} {noun}s for this account.")


def current(record, not_found: Exception, if_match: str | None):
    """The record an update or delete acts on: it must exist, and If-Match must name its version."""
    if record is None:
        raise not_found
    check_if_match(record.doc, if_match)
    return record


def check_if_match(doc: dict, if_match: str | None) -> None:
    if not if_match:
        raise InvalidIfMatchVersion(IF_MATCH_MISSING)
    if if_match != doc["ETag"]:
        raise PreconditionFailed(
            "The request failed because it didn't meet the preconditions in one or more request-header fields.")


def deploying(ctx: Context) -> dict:
    """Fields a change sets: the deployment it starts finishes after the configured delay."""
    return {DEPLOY_AT: ctx.now + ctx.settings.deploy_delay}


def status(ctx: Context, doc: dict, pending: str = "InProgress") -> str:
    """`pending` until the change's deployment is due, then Deployed (Anycast lists say "Deploying")."""
    return "Deployed" if is_deployed(ctx, doc) else pending


def is_deployed(ctx: Context, doc: dict) -> bool:
    return deployed_at(doc, ctx.now)


def deployed_at(doc: dict, now: float) -> bool:
    """Whether the document's deployment is done at `now`: is_deployed for a reader with no request's
    context (the dashboard)."""
    return now >= doc[DEPLOY_AT]


def created(ctx: Context) -> dict:
    """The version fields of a new resource: times, first ETag, a deployment under way."""
    now = ids.timestamp(ctx.now)
    return {"CreatedTime": now, "LastModifiedTime": now, "ETag": ids.etag(), **deploying(ctx)}


def changed(ctx: Context, doc: dict) -> dict:
    """`doc` as a new version: LastModifiedTime, a fresh ETag and a new deployment."""
    return {**doc, "LastModifiedTime": ids.timestamp(ctx.now), "ETag": ids.etag(), **deploying(ctx)}
