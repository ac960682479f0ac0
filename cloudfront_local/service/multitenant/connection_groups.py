"""Connection groups: CreateConnectionGroup, Get (by id, name or ARN), GetByRoutingEndpoint, List, Update, Delete."""
from __future__ import annotations

from ...store import GLOBAL, KeyTaken, Record, Transaction
from . import anycast_ip_lists
from ..common import ids, lifecycle, paging, tagging
from ..distributions import distributions
from ..common.context import Context
from ..common.errors import (
    CannotDeleteEntityWhileInUse,
    EntityAlreadyExists,
    EntityNotFound,
    InvalidArgument,
    ResourceNotDisabled,
)
from ..common.registry import operation

KIND = "connection-group"
ARN_TYPE = "connection-group"
NAME_KEY = "connection-group:name"
ENDPOINT_KEY = "routing-endpoint"
tagging.TAGGABLE[ARN_TYPE] = KIND

MAX_NAME_LENGTH = 64
DEFAULT_KEY = "connection-group:default"
DEFAULT_NAME_PREFIX = "CreatedByCloudFront-"


def _not_found(identifier: str) -> EntityNotFound:
    return EntityNotFound(f"The connection group {identifier} does not exist.")


def _output(ctx: Context, doc: dict, status: str | None = None) -> dict:
    # The codec writes the members of the output shape and nothing else, so the document goes as it is.
    group = {**doc, "Status": status or lifecycle.status(ctx, doc), "Tags": tagging.tags_output(doc)}
    return {"ConnectionGroup": group, "ETag": doc["ETag"]}


def _check_name(name: str) -> None:
    if not 1 <= len(name) <= MAX_NAME_LENGTH or not all(c.isascii() and (c.isalnum() or c in "-_") for c in name):
        raise InvalidArgument(
            f"The connection group name {name!r} is invalid: use 1 to {MAX_NAME_LENGTH} letters, digits, - and _"
        )


def _check_references(ctx: Context, tx: Transaction, doc: dict) -> None:
    """What the group (as it will be) refers to must exist in the caller's account and suit it."""
    anycast_ip_lists.check_ipv6(ctx, tx, doc.get("AnycastIpListId"), doc["Ipv6Enabled"])
    distribution_id = (doc.get("ViewerFallback") or {}).get("DistributionId")
    if distribution_id:
        distribution = tx.get(distributions.KIND, ctx.account, distribution_id)
        if distribution is None:
            raise EntityNotFound(f"The distribution {distribution_id} does not exist.")
        # A viewer fallback serves TLS for viewers without SNI on the group's Anycast IPs, with the
        # certificate of a multi-tenant distribution (Developer Guide, "viewer fallback").
        if not distributions.is_multi_tenant(distribution.doc):
            raise InvalidArgument(f"The viewer fallback distribution {distribution_id} must be a multi-tenant "
                                  "distribution.")
        if not doc.get("AnycastIpListId"):
            raise InvalidArgument("A viewer fallback needs a connection group with an Anycast static IP list.")


def users_of_anycast_list(ctx: Context, tx: Transaction, list_id: str, limit: int = 1000):
    return [("connection group", record.doc["Ipv6Enabled"])
            for record in tx.page(KIND, ctx.account, 0, limit, {"AnycastIpListId": list_id})]


anycast_ip_lists.USERS.append(users_of_anycast_list)


def _fallback_user(ctx: Context, tx: Transaction, distribution_id: str) -> str | None:
    if tx.page(KIND, ctx.account, 0, 1, {"ViewerFallback.DistributionId": distribution_id}):
        return "The distribution is the viewer fallback of a connection group."
    return None


distributions.IN_USE.append(_fallback_user)

# Checks (ctx, tx, group_id) -> reason or None, registered by the families that use connection groups.
IN_USE: list = []



def lookup(ctx: Context, tx: Transaction, identifier: str) -> Record | None:
    """A connection group of the caller's account by its id, ARN or name."""
    return tagging.by_identifier(ctx, tx, identifier, KIND, ARN_TYPE, NAME_KEY)


def _fallback(fallback: dict | None) -> dict | None:
    return fallback if fallback and fallback.get("DistributionId") else None


def default_group(ctx: Context, tx: Transaction) -> Record:
    """The account's default connection group, made the first time it is needed. A unique key makes it
    one per account even when first tenants are created at the same moment."""
    record = tx.find(ctx.account, DEFAULT_KEY, "1")
    if record is not None:
        return record
    group_id = ids.connection_group_id()
    doc = {
        "Id": group_id,
        "Name": DEFAULT_NAME_PREFIX + group_id,
        "Arn": ids.arn(ctx.account, ARN_TYPE, group_id),
        "Ipv6Enabled": True,
        "RoutingEndpoint": ids.routing_endpoint(),
        "Enabled": True,
        "IsDefault": True,
        "Tags": [],
        **lifecycle.created(ctx),
    }
    return tx.insert(KIND, ctx.account, group_id, doc, _keys(ctx.account, doc) + [(ctx.account, DEFAULT_KEY, "1")])


def _keys(account: str, doc: dict) -> list:
    return [(account, NAME_KEY, doc["Name"]), (GLOBAL, ENDPOINT_KEY, doc["RoutingEndpoint"])]


@operation("CreateConnectionGroup")
def create_connection_group(ctx: Context, tx: Transaction, params: dict) -> dict:
    name = params["Name"]
    _check_name(name)
    tags = tagging.checked_tags(params.get("Tags"))
    lifecycle.check_new(ctx, tx, KIND, NAME_KEY, name, ctx.settings.connection_group_quota, "connection group")
    group_id = ids.connection_group_id()
    doc = {
        "Id": group_id,
        "Name": name,
        "Arn": ids.arn(ctx.account, ARN_TYPE, group_id),
        "Ipv6Enabled": params.get("Ipv6Enabled", True),
        "RoutingEndpoint": ids.routing_endpoint(),
        "AnycastIpListId": params.get("AnycastIpListId") or None,
        "ViewerFallback": _fallback(params.get("ViewerFallback")),
        "Enabled": params.get("Enabled", True),
        "IsDefault": False,
        "Tags": tags,
        **lifecycle.created(ctx),
    }
    _check_references(ctx, tx, doc)
    try:
        tx.insert(KIND, ctx.account, group_id, doc, _keys(ctx.account, doc))
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
    return {**doc, "Status": lifecycle.status(ctx, doc)}


@operation("UpdateConnectionGroup")
def update_connection_group(ctx: Context, tx: Transaction, params: dict) -> dict:
    record = lifecycle.current(tx.get(KIND, ctx.account, params["Id"]), _not_found(params["Id"]), params.get("IfMatch"))
    doc = dict(record.doc)
    for name in ("Ipv6Enabled", "Enabled"):
        if name in params:
            doc[name] = params[name]
    if "ViewerFallback" in params:
        doc["ViewerFallback"] = _fallback(params["ViewerFallback"])  # an empty one removes the fallback
    if "AnycastIpListId" in params:
        doc["AnycastIpListId"] = params["AnycastIpListId"] or None  # an empty id detaches the list
    _check_references(ctx, tx, doc)
    doc = lifecycle.changed(ctx, doc)
    tx.replace(record, doc)
    return _output(ctx, doc, "InProgress")


@operation("DeleteConnectionGroup")
def delete_connection_group(ctx: Context, tx: Transaction, params: dict) -> dict:
    record = lifecycle.current(tx.get(KIND, ctx.account, params["Id"]), _not_found(params["Id"]), params.get("IfMatch"))
    doc = record.doc
    if doc["Enabled"] or not lifecycle.is_deployed(ctx, doc):
        raise ResourceNotDisabled(
            "The connection group must be disabled, and that change deployed, before it can be deleted."
        )
    for in_use in IN_USE:
        reason = in_use(ctx, tx, doc["Id"])
        if reason:
            raise CannotDeleteEntityWhileInUse(reason)
    tx.delete(record)
    return {}
