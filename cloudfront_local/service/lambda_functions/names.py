"""What every Lambda operation shares: how a FunctionName (name, partial ARN or ARN, with or without a
qualifier) names a record, the records' kinds and ARNs, and the errors, named as Lambda's model names them."""
from __future__ import annotations

import re
import time
import uuid
from typing import NamedTuple

from ...protocol import load_service_model
from ..common import errors
from ..common.context import Context

SERVICE = "lambda"
FUNCTION = "lambda-function"   # record id: the name; doc: $LATEST's configuration, "Code", "Tags", "Policy"
VERSION = "lambda-version"     # record id: "name:N"; doc: that version's configuration and "Code"
LATEST = "$LATEST"

ResourceNotFoundException = errors.ResourceNotFoundException
InvalidParameterValueException = errors.InvalidParameterValueException
ResourceConflictException = errors.ResourceConflictException
PreconditionFailedException = errors.PreconditionFailedException

# The members a FunctionConfiguration answer may carry: a doc's other keys ("Code", "Tags", "_next", ...)
# are the service's own.
CONFIGURATION = frozenset(load_service_model(SERVICE).shape_for("FunctionConfiguration").members)

# (arn:aws:lambda:)?(REGION:)?(ACCOUNT:)?(function:)?NAME(:QUALIFIER)? as the model's NamespacedFunctionName
# pattern has it; the codec has already checked the whole value against that pattern.
_NAME = re.compile(r"(?:arn:aws[a-zA-Z-]*:lambda:)?(?:(?P<region>(?:eusc-)?[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):)?"
                   r"(?:(?P<account>\d{12}):)?(?:function:)?(?P<name>[a-zA-Z0-9-_.]+)(?::(?P<qualifier>[^:]+))?")


class Named(NamedTuple):
    name: str
    qualifier: str | None


def parse(ctx: Context, function_name: str, qualifier: str | None = None) -> Named:
    """The function and qualifier a FunctionName (and Qualifier parameter) names in the caller's account."""
    found = _NAME.fullmatch(function_name or "")
    if found is None:
        raise InvalidParameterValueException(f"The function name {function_name[:300]!r} is not valid.")
    if found["account"] and found["account"] != ctx.account:
        # Another account's function would need its resource policy to allow the caller, which this
        # emulator does not evaluate: the caller sees no such function.
        raise ResourceNotFoundException(f"Function not found: {function_name}")
    if found["region"] and found["region"] != ctx.region:
        raise ResourceNotFoundException(f"Function not found: {function_name} (the request is signed for "
                                        f"{ctx.region})")
    derived = found["qualifier"]
    if derived and qualifier and derived != qualifier:
        raise InvalidParameterValueException("The derived qualifier from the function name does not match the "
                                             "specified qualifier.")
    return Named(found["name"], derived or qualifier)


def function_arn(ctx_or_region, account: str, name: str, qualifier: str | None = None) -> str:
    region = ctx_or_region if isinstance(ctx_or_region, str) else ctx_or_region.region
    arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def not_found(ctx: Context, name: str, qualifier: str | None = None) -> errors.ServiceError:
    return ResourceNotFoundException(f"Function not found: {function_arn(ctx, ctx.account, name, qualifier)}")


def function(ctx: Context, tx, name: str):
    """The function's record in the caller's account and region, or ResourceNotFoundException."""
    record = tx.get(FUNCTION, ctx.account, name)
    if record is None or record.doc.get("Region") != ctx.region:
        raise not_found(ctx, name)
    return record


def version(ctx: Context, tx, name: str, number: str):
    record = tx.get(VERSION, ctx.account, f"{name}:{number}")
    if record is None or record.doc.get("Region") != ctx.region:
        raise not_found(ctx, name, number)
    return record


def qualified(ctx: Context, tx, named: Named) -> dict:
    """The configuration doc a name and qualifier denote: $LATEST's or a version's. An alias qualifier finds
    nothing, since no alias can be made here."""
    if named.qualifier in (None, LATEST):
        return function(ctx, tx, named.name).doc
    function(ctx, tx, named.name)
    if not named.qualifier.isdigit():
        raise ResourceNotFoundException(f"Function not found: {function_arn(ctx, ctx.account, named.name, named.qualifier)}"
                                        " (cloudfront-local has no aliases)")
    return version(ctx, tx, named.name, named.qualifier).doc


def configuration(doc: dict) -> dict:
    return {key: value for key, value in doc.items() if key in CONFIGURATION}


def check_revision(doc: dict, revision: str | None) -> None:
    if revision and revision != doc.get("RevisionId"):
        raise PreconditionFailedException("The Revision Id provided does not match the latest Revision Id. Call "
                                          "the GetFunction/GetAlias API to retrieve the latest Revision Id")


def revision() -> str:
    return str(uuid.uuid4())


def timestamp(now: float) -> str:
    """Lambda's LastModified: 2024-05-01T12:00:00.000+0000."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}+0000"
