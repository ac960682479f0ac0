"""A cache behavior's LambdaFunctionAssociations: the rules CloudFront enforces when a distribution names a
Lambda@Edge function (a numbered version in us-east-1 that exists, one per event type, IncludeBody only on
request events, no CloudFront function on the same event, Lambda@Edge's runtime, size, memory and time limits).
The messages are CloudFront's where its answers were found (docs/behaviour.md, "Lambda@Edge associations")."""
from __future__ import annotations

import re

from ..common import errors, quantities
from . import references

KIND = "lambda-version"
_ARN = re.compile(r"arn:aws:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):function:(?P<name>[A-Za-z0-9_-]{1,64})"
                  r"(?::(?P<qualifier>[A-Za-z0-9$_-]{1,128}))?")
VIEWER_EVENTS = ("viewer-request", "viewer-response")
BODY_EVENTS = ("viewer-request", "origin-request")
RUNTIMES = re.compile(r"nodejs\d+\.x|python3\.\d+")
# Quotas on Lambda@Edge (Developer Guide, "Quotas"): viewer events, origin events.
TIMEOUT = {"viewer": 5, "origin": 30}
MEMORY = {"viewer": 128, "origin": 10240}
CODE_SIZE = {"viewer": 1048576, "origin": 52428800}
PER_BEHAVIOR = 4
_LIMIT = ("The function {what} is larger than the maximum allowed{size} for functions that are triggered by a "
          "CloudFront event: {value} Max allowed: {limit} Function: {arn}")


def _associations(config: dict):
    for behavior in references.behaviors(config):
        yield behavior, quantities.items(behavior.get("LambdaFunctionAssociations"))


def _parsed(arn: str) -> re.Match:
    match = _ARN.fullmatch(arn)
    if match is None or not (match["qualifier"] or "").isdigit():
        raise errors.InvalidLambdaFunctionAssociation(
            "The function ARN must reference a specific function version. (The ARN must end with the version "
            f"number.) ARN: {arn}")
    if match["region"] != "us-east-1":
        raise errors.InvalidLambdaFunctionAssociation(f"The function must be in region 'us-east-1'. ARN: {arn}")
    return match


def _version(tx, arn: str) -> dict | None:
    # The Lambda API's store of versions, read through its one entry point (imported late: the Lambda
    # families register after the distributions').
    from ..lambda_functions import code

    return code.version_for_arn(tx, arn)


def _check_limits(version: dict, event: str, arn: str) -> None:
    side = "viewer" if event in VIEWER_EVENTS else "origin"
    runtime = version.get("Runtime") or ""
    if not RUNTIMES.fullmatch(runtime):
        raise errors.InvalidLambdaFunctionAssociation(
            f"The function runtime is not supported for functions that are triggered by a CloudFront event: "
            f"{runtime} Function: {arn}")
    if ((version.get("Environment") or {}).get("Variables")):
        raise errors.InvalidLambdaFunctionAssociation(f"The function cannot have environment variables. Function: {arn}")
    for what, size, member, limits in (("code size", " size", "CodeSize", CODE_SIZE),
                                       ("timeout", "", "Timeout", TIMEOUT),
                                       ("memory size", " size", "MemorySize", MEMORY)):
        value = int(version.get(member) or 0)
        if value > limits[side]:
            raise errors.InvalidLambdaFunctionAssociation(
                _LIMIT.format(what=what, size=size, value=value, limit=limits[side], arn=arn))


def check_config(ctx, tx, config: dict) -> None:
    for behavior, associations in _associations(config):
        if len(associations) > PER_BEHAVIOR:
            raise errors.TooManyLambdaFunctionAssociations(
                f"Your request contains more Lambda@Edge function associations than are allowed per cache "
                f"behavior: {len(associations)} Max allowed: {PER_BEHAVIOR}")
        functions = {a["EventType"] for a in quantities.items(behavior.get("FunctionAssociations"))}
        seen = set()
        for association in associations:
            event, arn = association["EventType"], association["LambdaFunctionARN"]
            if event in seen:
                raise errors.InvalidLambdaFunctionAssociation(
                    f"A cache behavior can have one Lambda@Edge function for each event type: {event} has more.")
            seen.add(event)
            if association.get("IncludeBody") and event not in BODY_EVENTS:
                raise errors.InvalidLambdaFunctionAssociation(
                    f"IncludeBody is only supported for viewer-request and origin-request events, not {event}.")
            if event in functions:
                raise errors.InvalidLambdaFunctionAssociation(
                    f"A cache behavior can't have a CloudFront function and a Lambda@Edge function for the same "
                    f"event type: {event}")
            _parsed(arn)
            version = _version(tx, arn)
            if version is None:
                raise errors.InvalidLambdaFunctionAssociation(
                    f"The function does not exist or you don't have access to it. ARN: {arn}")
            _check_limits(version, event, arn)


def _ids(config: dict) -> list[str]:
    """What `_uses` mirrors: ACCOUNT:NAME:VERSION of each associated version (checked by check_config first)."""
    found = []
    for _, associations in _associations(config):
        for association in associations:
            match = _ARN.fullmatch(association["LambdaFunctionARN"])
            if match is not None:
                found.append(f"{match['account']}:{match['name']}:{match['qualifier']}")
    return found


references.add(references.Reference(KIND, _ids, lambda ctx, tx, _id: True, "InvalidLambdaFunctionAssociation",
                                    check_config=check_config))
