"""Resource-based policies: AddPermission writes a statement, GetPolicy reads the policy as Lambda writes it,
RemovePermission takes a statement out. One policy per qualifier ($LATEST's, or a version's), kept in the
function's record; the statements are stored, not evaluated (every caller of the account is let through)."""
from __future__ import annotations

import json

from ..common.registry import operation
from . import names
from .names import LATEST, SERVICE, InvalidParameterValueException, ResourceConflictException, ResourceNotFoundException

MAX_POLICY = 20 * 1024  # "Function resource-based policy: 20 KB"
NO_POLICY = "The resource you requested does not exist."


def _target(ctx, tx, params):
    """(function record, policy key, the ARN statements name, the doc whose RevisionId guards the policy)."""
    named = names.parse(ctx, params["FunctionName"], params.get("Qualifier"))
    doc = names.qualified(ctx, tx, named)
    record = names.function(ctx, tx, named.name)
    key = "" if named.qualifier in (None, LATEST) else named.qualifier
    arn = names.function_arn(ctx, ctx.account, named.name, key or None)
    return record, key, arn, doc


def _principal(principal: str) -> dict | str:
    if principal == "*":
        return "*"
    if principal.isdigit() and len(principal) == 12:
        return {"AWS": f"arn:aws:iam::{principal}:root"}
    if principal.startswith("arn:"):
        return {"AWS": principal}
    if "." in principal:
        return {"Service": principal}
    raise InvalidParameterValueException(f"The principal {principal[:200]} is not valid: give a service "
                                         "(edgelambda.amazonaws.com), an account id, an ARN or *.")


def _statement(params: dict, arn: str) -> dict:
    statement = {"Sid": params["StatementId"], "Effect": "Allow", "Principal": _principal(params["Principal"]),
                 "Action": params["Action"], "Resource": arn}
    conditions: dict[str, dict] = {}
    if params.get("SourceArn"):
        conditions.setdefault("ArnLike", {})["AWS:SourceArn"] = params["SourceArn"]
    for member, key in (("SourceAccount", "AWS:SourceAccount"), ("EventSourceToken", "lambda:EventSourceToken"),
                        ("PrincipalOrgID", "aws:PrincipalOrgID"), ("FunctionUrlAuthType", "lambda:FunctionUrlAuthType")):
        if params.get(member):
            conditions.setdefault("StringEquals", {})[key] = params[member]
    if conditions:
        statement["Condition"] = conditions
    return statement


def _document(arn: str, statements: list[dict]) -> str:
    return json.dumps({"Version": "2012-10-17", "Id": "default", "Statement": statements}, separators=(",", ":"))


@operation("AddPermission", SERVICE)
def add_permission(ctx, tx, params):
    record, key, arn, doc = _target(ctx, tx, params)
    names.check_revision(doc, params.get("RevisionId"))
    policies = dict(record.doc.get("Policy") or {})
    statements = list(policies.get(key, []))
    if any(s["Sid"] == params["StatementId"] for s in statements):
        raise ResourceConflictException(f"The statement id ({params['StatementId']}) provided already exists. Please "
                                        "provide a new statement id, or remove the existing statement.")
    statement = _statement(params, arn)
    statements.append(statement)
    if len(_document(arn, statements)) > MAX_POLICY:
        raise names.errors.PolicyLengthExceededException("The final policy size is bigger than the limit (20 KB).")
    policies[key] = statements
    changed = {**record.doc, "Policy": policies}
    if not key:
        changed["RevisionId"] = names.revision()
    tx.replace(record, changed)
    return {"Statement": json.dumps(statement, separators=(",", ":"))}


@operation("GetPolicy", SERVICE)
def get_policy(ctx, tx, params):
    record, key, arn, doc = _target(ctx, tx, params)
    statements = (record.doc.get("Policy") or {}).get(key)
    if not statements:
        raise ResourceNotFoundException(NO_POLICY)
    revision = record.doc["RevisionId"] if not key else doc["RevisionId"]
    return {"Policy": _document(arn, statements), "RevisionId": revision}


@operation("RemovePermission", SERVICE)
def remove_permission(ctx, tx, params):
    record, key, arn, doc = _target(ctx, tx, params)
    names.check_revision(doc, params.get("RevisionId"))
    policies = dict(record.doc.get("Policy") or {})
    statements = [s for s in policies.get(key, []) if s["Sid"] != params["StatementId"]]
    if len(statements) == len(policies.get(key, [])):
        raise ResourceNotFoundException(f"Statement {params['StatementId']} is not found in resource policy.")
    if statements:
        policies[key] = statements
    else:
        policies.pop(key, None)
    changed = {**record.doc, "Policy": policies}
    if not key:
        changed["RevisionId"] = names.revision()
    tx.replace(record, changed)
    return {}
