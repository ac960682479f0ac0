"""Connection groups: CreateConnectionGroup, Get (by id, name or ARN), GetByRoutingEndpoint, List, Update, Delete."""
from __future__ import annotations

from ..store import GLOBAL, KeyTaken, Record, Transaction
from . import ids, lifecycle, paging, tagging
from .context import Context
from .errors import (
    CannotDeleteEntityWhileInUse,
    EntityAlreadyExists,
    EntityLimitExceeded,
    EntityNotFound,
    InvalidArgument,
    ResourceNotDisabled,
)
from .registry import operation

KIND = "connection-group"
ARN_TYPE = "connection-group"
NAME_KEY = "connection-group:name"
ENDPOINT_KEY = "routing-endpoint"
tagging.TAGGABLE[ARN_TYPE] = KIND

MAX_NAME_LENGTH = 64
# Fields of ConnectionGroupSummary, in addition to Status which is derived.
_SUMMARY_FIELDS = ("Id", "Name", "Arn", "RoutingEndpoint", "CreatedTime", "LastModifiedTime", "ETag",
                   "AnycastIpListId", "Enabled", "IsDefault")
_GROUP_FIELDS = ("Id", "Name", "Arn", "CreatedTime", "LastModifiedTime", "Ipv6Enabled", "RoutingEndpoint",
                 "AnycastIpListId", "Enabled", "IsDefault", "ViewerFallback")


def _not_found(identifier: str) -> EntityNotFound:
    return EntityNotFound(f"The connection group {identifier} does not exist.")


def _output(ctx: Context, doc: dict, status: str | None = None) -> dict:
    group = {name: doc[name] for name in _GROUP_FIELDS if doc.get(name) is not None}
    group["Status"] = status or lifecycle.status(ctx, doc)
    group["Tags"] = tagging.tags_output(doc)
    return {"ConnectionGroup": group, "ETag": doc["ETag"]}


def _check_name(name: str) -> None:
    if not 1 <= len(name) <= MAX_NAME_LENGTH or not all(c.isascii() and (c.isalnum() or c in "-_") for c in name):
        raise InvalidArgument(
            f"The connection group name {name!r} is invalid: use 1 to {MAX_NAME_LENGTH} letters, digits, - and _"
        )


def _check_references(ctx: Context, tx: Transaction, params: dict) -> None:
    """Referenced Anycast IP lists and distributions must exist in the caller's account."""
    list_id = params.get("AnycastIpListId")
    if list_id and tx.get("anycast-ip-list", ctx.account, list_id) is None:
        raise EntityNotFound(f"The Anycast static IP list {list_id} does not exist.")
    fallback = params.get("ViewerFallback")
    if fallback is not None:
        distribution_id = fallback.get("DistributionId")
        if not distribution_id or tx.get("distribution", ctx.account, distribution_id) is None:
            raise EntityNotFound(f"The distribution {distribution_id} does not exist.")


def lookup(ctx: Context, tx: Transaction, identifier: str) -> Record | None:
    """A connection group of the caller's account by its id, ARN or name."""
    parsed = ids.parse_arn(identifier) if identifier.startswith("arn:") else None
    if parsed is not None:
        account, resource_type, resource_id = parsed
        if account != ctx.account or resource_type != ARN_TYPE:
            return None
        return tx.get(KIND, account, resource_id)
    record = tx.get(KIND, ctx.account, identifier)
    if record is None:
        record = tx.find(ctx.account, NAME_KEY, identifier)
    return record


@operation("CreateConnectionGroup")
def create_connection_group(ctx: Context, tx: Transaction, params: dict) -> dict:
    name = params["Name"]
    _check_name(name)
    tags = tagging.checked_tags(params.get("Tags"))
    _check_references(ctx, tx, params)
    if tx.find(ctx.account, NAME_KEY, name) is not None:
        raise EntityAlreadyExists(f"A connection group named {name} already exists.")
    quota = ctx.settings.connection_group_quota
    if tx.count(KIND, ctx.account) >= quota:
        raise EntityLimitExceeded(f"You have reached the limit of {quota} connection groups for this account.")
    created = ids.timestamp(ctx.now)
    group_id = ids.connection_group_id()
    doc = {
        "Id": group_id,
        "Name": name,
        "Arn": ids.arn(ctx.account, ARN_TYPE, group_id),
        "CreatedTime": created,
        "LastModifiedTime": created,
        "Ipv6Enabled": params.get("Ipv6Enabled", True),
        "RoutingEndpoint": ids.routing_endpoint(),
        "AnycastIpListId": params.get("AnycastIpListId") or None,
        "ViewerFallback": params.get("ViewerFallback"),
        "Enabled": params.get("Enabled", True),
        "IsDefault": False,
        "Tags": tags,
        "ETag": ids.etag(),
        **lifecycle.deploying(ctx),
    }
    try:
        tx.insert(KIND, ctx.account, group_id, doc, [
            (ctx.account, NAME_KEY, name),
            (GLOBAL, ENDPOINT_KEY, doc["RoutingEndpoint"]),
        ])
    except KeyTaken as taken:
        if taken.key == NAME_KEY:
            raise EntityAlreadyExists(f"A connection group named {name} already exists.") from None
        raise  # a routing-endpoint collision is a 1-in-36^13 event; let the caller retry
    return _output(ctx, doc, "InProgress")


@operation("GetConnectionGroup")
def get_connection_group(ctx: Context, tx: Transaction, params: dict) -> dict:
    record = lookup(ctx, tx, params["Identifier"])
    if record is None:
        raise _not_found(params["Identifier"])
    return _output(ctx, record.doc)


@operation("GetConnectionGroupByRoutingEndpoint")
def get_connection_group_by_routing_endpoint(ctx: Context, tx: Transaction, params: dict) -> dict:
    endpoint = params["RoutingEndpoint"]
    record = tx.find(GLOBAL, ENDPOINT_KEY, endpoint.lower())
    if record is None or record.account != ctx.account:
        raise EntityNotFound(f"No connection group has the routing endpoint {endpoint}.")
    return _output(ctx, record.doc)


@operation("ListConnectionGroups")
def list_connection_groups(ctx: Context, tx: Transaction, params: dict) -> dict:
    limit = paging.max_items(params.get("MaxItems"))
    list_id = (params.get("AssociationFilter") or {}).get("AnycastIpListId")
    where = {"AnycastIpListId": list_id} if list_id else None
    records, next_marker = paging.page(tx, KIND, ctx.account, params.get("Marker"), limit, where)
    output: dict = {"ConnectionGroups": [_summary(ctx, record.doc) for record in records]}
    if next_marker:
        output["NextMarker"] = next_marker
    return output


def _summary(ctx: Context, doc: dict) -> dict:
    summary = {name: doc[name] for name in _SUMMARY_FIELDS if doc.get(name) is not None}
    summary["Status"] = lifecycle.status(ctx, doc)
    return summary


@operation("UpdateConnectionGroup")
def update_connection_group(ctx: Context, tx: Transaction, params: dict) -> dict:
    record = tx.get(KIND, ctx.account, params["Id"])
    if record is None:
        raise _not_found(params["Id"])
    lifecycle.check_if_match(record.doc, params.get("IfMatch"))
    _check_references(ctx, tx, params)
    doc = dict(record.doc)
    for name in ("Ipv6Enabled", "Enabled", "ViewerFallback"):
        if name in params:
            doc[name] = params[name]
    if "AnycastIpListId" in params:
        doc["AnycastIpListId"] = params["AnycastIpListId"] or None  # an empty id detaches the list
    doc["LastModifiedTime"] = ids.timestamp(ctx.now)
    doc["ETag"] = ids.etag()
    doc.update(lifecycle.deploying(ctx))
    tx.replace(record, doc)
    return _output(ctx, doc, "InProgress")


@operation("DeleteConnectionGroup")
def delete_connection_group(ctx: Context, tx: Transaction, params: dict) -> dict:
    record = tx.get(KIND, ctx.account, params["Id"])
    if record is None:
        raise _not_found(params["Id"])
    doc = record.doc
    lifecycle.check_if_match(doc, params.get("IfMatch"))
    if doc["Enabled"] or lifecycle.status(ctx, doc) != "Deployed":
        raise ResourceNotDisabled(
            "The connection group must be disabled, and that change deployed, before it can be deleted."
        )
    if tx.page("distribution-tenant", ctx.account, 0, 1, {"ConnectionGroupId": doc["Id"]}):
        raise CannotDeleteEntityWhileInUse("The connection group is in use by distribution tenants.")
    tx.delete(record)
    return {}
