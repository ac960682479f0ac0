"""Resource policies: a JSON policy document attached to one of the account's resources (by ARN), and
ListDistributionsByOwnedResource, the distributions that use a resource the caller owns."""
from __future__ import annotations

import json

from ..common import errors, ids, tagging
from ..common.context import Context
from ..common.registry import operation
from ..distributions import distributions

KIND = "resource-policy"  # one per resource, stored under the resource's ARN
MAX_DOCUMENT = 20480      # the size IAM allows a resource policy; CloudFront documents none of its own


def _resource(ctx: Context, tx, arn: str):
    if ids.parse_arn(arn) is None:
        raise errors.InvalidArgument(f"{arn!r} is not the ARN of a CloudFront resource.")
    record = tagging.record_for_arn(ctx, tx, arn)
    if record is None:
        raise errors.EntityNotFound(f"The resource {arn} does not exist.")
    return record


def _checked(document: str) -> str:
    if len(document) > MAX_DOCUMENT:
        raise errors.InvalidArgument(f"The policy document is longer than {MAX_DOCUMENT} characters.")
    try:
        parsed = json.loads(document)
    except ValueError:
        raise errors.InvalidArgument("The policy document is not valid JSON.") from None
    if not isinstance(parsed, dict) or "Statement" not in parsed:
        raise errors.InvalidArgument("The policy document must be a JSON object with a Statement.")
    return document


@operation("PutResourcePolicy")
def put(ctx: Context, tx, params: dict) -> dict:
    arn = params["ResourceArn"]
    _resource(ctx, tx, arn)
    document = _checked(params["PolicyDocument"])
    existing = tx.get(KIND, ctx.account, arn)
    if existing is None:
        tx.insert(KIND, ctx.account, arn, {"ResourceArn": arn, "PolicyDocument": document})
    else:
        tx.replace(existing, {"ResourceArn": arn, "PolicyDocument": document})
    return {"ResourceArn": arn}


def _policy(ctx: Context, tx, arn: str):
    _resource(ctx, tx, arn)
    record = tx.get(KIND, ctx.account, arn)
    if record is None:
        raise errors.EntityNotFound(f"The resource {arn} has no resource policy.")
    return record


@operation("GetResourcePolicy")
def get(ctx: Context, tx, params: dict) -> dict:
    return _policy(ctx, tx, params["ResourceArn"]).doc


@operation("DeleteResourcePolicy")
def delete(ctx: Context, tx, params: dict) -> dict:
    tx.delete(_policy(ctx, tx, params["ResourceArn"]))
    return {}


@operation("ListDistributionsByOwnedResource")
def list_distributions_by_owned_resource(ctx: Context, tx, params: dict) -> dict:
    arn = params["ResourceArn"]
    record = _resource(ctx, tx, arn)
    return distributions.list_where(ctx, tx, params, {"_uses": f"{record.kind}:{record.id}"})

