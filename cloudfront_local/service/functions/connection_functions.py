"""Connection functions: JavaScript CloudFront runs when a viewer opens a mutual-TLS connection, deciding
with `connection.allow()` or `connection.deny()`. The same two-stage life as CloudFront Functions
(`staged`), known by an id; a distribution names one in its ConnectionFunctionAssociation."""
from __future__ import annotations

from ..common import ids
from ..common.context import Context
from ..common.registry import operation
from ..distributions import distributions, references
from . import staged
from .key_value_stores import reader_for

CONNECTION_FUNCTION = staged.CodeKind(
    kind="connection-function", noun="connection function", quota="connection_function_quota",
    not_found="EntityNotFound", already_exists="EntityAlreadyExists", too_many="EntityLimitExceeded",
    too_large="EntitySizeLimitExceeded", in_use="CannotDeleteEntityWhileInUse",
    new_id=lambda name: ids.connection_function_id())


def summary(ctx: Context, tx, doc: dict, stage_name: str | None = None) -> dict:
    stage = staged.stage(CONNECTION_FUNCTION, doc, stage_name)
    return {"Name": doc["Name"], "Id": doc["Id"], "ConnectionFunctionConfig": stage["Config"],
            "ConnectionFunctionArn": CONNECTION_FUNCTION.arn(ctx, doc),
            "Status": staged.status(ctx, tx, CONNECTION_FUNCTION, doc, doc["Id"]),
            "Stage": stage_name or staged.DEVELOPMENT, "CreatedTime": stage["CreatedTime"],
            "LastModifiedTime": stage["LastModifiedTime"]}


staged.register(CONNECTION_FUNCTION, staged.Wire(
    suffix="ConnectionFunction", key="Id", lookup_key="Identifier", config="ConnectionFunctionConfig",
    code="ConnectionFunctionCode", summary="ConnectionFunctionSummary",
    location="https://cloudfront.amazonaws.com/2020-05-31/connection-function/"), summary)


@operation("ListConnectionFunctions")
def list_connection_functions(ctx, tx, params):
    entries, next_marker = staged.listing(CONNECTION_FUNCTION, ctx, tx, params.get("Marker"), params.get("MaxItems"),
                                          params.get("Stage"))
    answer = {"ConnectionFunctions": [summary(ctx, tx, doc, stage) for doc, stage in entries]}
    if next_marker:
        answer["NextMarker"] = next_marker
    return answer


@operation("TestConnectionFunction")
def test(ctx, tx, params):
    doc, stage = staged.for_test(CONNECTION_FUNCTION, ctx, tx, params["Id"], params.get("IfMatch"),
                                 params.get("Stage"))
    outcome = staged.runtime().run_connection_function(staged.code(stage), stage["Config"]["Runtime"],
                                                       params["ConnectionObject"],
                                                       kvs=reader_for(ctx, tx, stage["Config"]))
    result = {"ConnectionFunctionSummary": summary(ctx, tx, doc, params.get("Stage")),
              "ComputeUtilization": str(outcome.utilization),
              "ConnectionFunctionExecutionLogs": list(outcome.logs),
              "ConnectionFunctionErrorMessage": outcome.error or "", "ConnectionFunctionOutput": outcome.output or ""}
    return {"ConnectionFunctionTestResult": result}


def _associated(config: dict) -> list[str]:
    association = config.get("ConnectionFunctionAssociation") or {}
    return [association["Id"]] if association.get("Id") else []


def _published(ctx, tx, function_id: str) -> bool:
    found = tx.get(CONNECTION_FUNCTION.kind, ctx.account, function_id)
    return found is not None and staged.LIVE in found.doc["Stages"]


references.add(references.Reference(CONNECTION_FUNCTION.kind, _associated, _published, "EntityNotFound",
                                    CONNECTION_FUNCTION.users.append))


@operation("ListDistributionsByConnectionFunction")
def list_distributions_by_connection_function(ctx, tx, params):
    found = staged.record(CONNECTION_FUNCTION, ctx, tx, params["ConnectionFunctionIdentifier"])
    return distributions.list_where(ctx, tx, params, {"_uses": f"{CONNECTION_FUNCTION.kind}:{found.id}"})
