"""CloudFront Functions: JavaScript run at viewer request and viewer response, known by name.

The two-stage life is `staged`; what is CloudFront Functions' own is here: names as ids, the runtimes, at
most one KeyValueStore association, the status a summary reports, and which distributions use one.
"""
from __future__ import annotations

from ..common import errors, ids
from ..common.context import Context
from ..common.registry import operation
from ..distributions import references
from . import staged
from .key_value_stores import reader_for

FUNCTION = staged.CodeKind(
    kind="function", noun="function", quota="function_quota", not_found="NoSuchFunctionExists",
    already_exists="FunctionAlreadyExists", too_many="TooManyFunctions", too_large="FunctionSizeLimitExceeded",
    in_use="FunctionInUse", new_id=lambda name: name)


def summary(ctx: Context, tx, doc: dict, stage_name: str | None = None) -> dict:
    stage = staged.stage(FUNCTION, doc, stage_name)
    return {"Name": doc["Name"], "Status": staged.status(ctx, tx, FUNCTION, doc, FUNCTION.arn(ctx, doc)),
            "FunctionConfig": stage["Config"],
            "FunctionMetadata": {"FunctionARN": FUNCTION.arn(ctx, doc), "Stage": stage_name or staged.DEVELOPMENT,
                                 "CreatedTime": stage["CreatedTime"], "LastModifiedTime": stage["LastModifiedTime"]}}


# botocore reads UpdateFunction's ETag from a header spelled `ETtag` (the model's), which real CloudFront must
# send: Terraform publishes with the ETag boto-style SDKs read there. `ETag` goes too, for clients that read it.
staged.register(FUNCTION, staged.Wire(
    suffix="Function", key="Name", lookup_key="Name", config="FunctionConfig", code="FunctionCode",
    summary="FunctionSummary", location="https://cloudfront.amazonaws.com/2020-05-31/function/",
    update_etag_header=True), summary)


@operation("ListFunctions")
def list_functions(ctx, tx, params):
    entries, next_marker = staged.listing(FUNCTION, ctx, tx, params.get("Marker"), params.get("MaxItems"),
                                          params.get("Stage"))
    items = [summary(ctx, tx, doc, stage_name) for doc, stage_name in entries]
    page = {"MaxItems": int(params.get("MaxItems") or 100), "Quantity": len(items)}
    if items:
        page["Items"] = items
    if next_marker:
        page["NextMarker"] = next_marker
    return {"FunctionList": page}


@operation("TestFunction")
def test_function(ctx, tx, params):
    doc, stage = staged.for_test(FUNCTION, ctx, tx, params["Name"], params.get("IfMatch"), params.get("Stage"))
    outcome = staged.runtime().run_function(staged.code(stage), stage["Config"]["Runtime"], params["EventObject"],
                                            kvs=reader_for(ctx, tx, stage["Config"]))
    result = {"FunctionSummary": summary(ctx, tx, doc, params.get("Stage")),
              "ComputeUtilization": str(outcome.utilization), "FunctionExecutionLogs": list(outcome.logs),
              # Both always present, empty when there is nothing to say (as real TestFunction answers show).
              "FunctionErrorMessage": outcome.error or "", "FunctionOutput": outcome.output or ""}
    return {"TestResult": result}


# Distributions name functions by the ARN of their LIVE stage in each behavior's FunctionAssociations.
VIEWER_EVENTS = ("viewer-request", "viewer-response")


def _associated(config: dict) -> list[str]:
    names = []
    for behavior in references.behaviors(config):
        seen = set()
        for association in (behavior.get("FunctionAssociations") or {}).get("Items") or []:
            event = association["EventType"]
            if event not in VIEWER_EVENTS:
                # AWS answers this as a validation error of the request (docs/behaviour.md).
                raise errors.InvalidArgument(f"1 validation error detected: Value '{event}' at 'EventType' failed to "
                                             "satisfy constraint: Member must satisfy value set: "
                                             "[viewer-request, viewer-response]")
            if event in seen:
                raise errors.InvalidFunctionAssociation(f"A cache behavior can have one function for {event}.")
            seen.add(event)
            parsed = ids.parse_arn(association["FunctionARN"])
            if parsed is None or parsed[1] != FUNCTION.kind:
                raise errors.InvalidFunctionAssociation(
                    f"{association['FunctionARN']} is not the ARN of a CloudFront function.")
            names.append(association["FunctionARN"])
    return names


def _published(ctx, tx, arn: str) -> bool:
    account, _, name = ids.parse_arn(arn)
    if account != ctx.account:
        return False
    found = tx.get(FUNCTION.kind, ctx.account, name)
    return found is not None and staged.LIVE in found.doc["Stages"]


def _uses(ctx, tx, name: str) -> str | None:
    if references.users(ctx, tx, FUNCTION.kind, ids.arn(ctx.account, FUNCTION.kind, name)):
        return f"The function {name} is associated with a distribution."
    return None


references.add(references.Reference(FUNCTION.kind, _associated, _published, "InvalidFunctionAssociation"))
FUNCTION.users.append(_uses)
