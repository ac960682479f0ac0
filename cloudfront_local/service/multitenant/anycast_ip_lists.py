"""Anycast static IP lists: Create, Get, List, Update, Delete, and their addresses."""
from __future__ import annotations

import ipaddress

from ...store import KeyTaken, Transaction
from ..common import ids, lifecycle, paging, tagging
from ..common.context import Context
from ..common.errors import (
    CannotDeleteEntityWhileInUse,
    EntityAlreadyExists,
    EntityLimitExceeded,
    EntityNotFound,
    InvalidArgument,
)
from ..common.registry import operation

KIND = "anycast-ip-list"
ARN_TYPE = "anycast-ip-list"
NAME_KEY = "anycast-ip-list:name"
SLOT_KEY = "anycast-ip-list:slot"
tagging.TAGGABLE[ARN_TYPE] = KIND

IP_COUNTS = (3, 21)
# Addresses come from the ranges set aside for documentation (RFC 5737, RFC 3849), so they can never be
# mistaken for, or routed to, anything real. Each list of an account takes one slot of 21 addresses.
_IPV4_RANGES = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]
_IPV6_BASE = ipaddress.ip_network("2001:db8::/32")
SLOT_SIZE = max(IP_COUNTS)
SLOTS = sum(n.num_addresses for n in _IPV4_RANGES) // SLOT_SIZE  # 36


def _ipv4(slot: int, index: int) -> str:
    position = slot * SLOT_SIZE + index
    network = _IPV4_RANGES[position // 256]
    return str(network.network_address + position % 256)


def _ipv6(slot: int, index: int) -> str:
    return str(_IPV6_BASE.network_address + (slot << 64) + index + 1)


def addresses(slot: int, count: int, address_type: str) -> list[str]:
    """`count` addresses of each family the type asks for (dualstack: both)."""
    found = []
    if address_type in ("ipv4", "dualstack"):
        found += [_ipv4(slot, i) for i in range(count)]
    if address_type in ("ipv6", "dualstack"):
        found += [_ipv6(slot, i) for i in range(count)]
    return found


def _ipam(configs: list[dict] | None) -> dict | None:
    """IpamCidrConfigs as the list reports them: each CIDR checked, its first address the Anycast IP."""
    if not configs:
        return None
    reported = []
    for config in configs:
        try:
            network = ipaddress.ip_network(config["Cidr"], strict=False)
        except ValueError:
            raise InvalidArgument(f"The CIDR {config['Cidr']!r} is not a valid IP network.") from None
        if not (config["IpamPoolArn"].startswith("arn:aws:ec2:") and ":ipam-pool/" in config["IpamPoolArn"]):
            raise InvalidArgument(f"The IPAM pool ARN {config['IpamPoolArn']!r} is not valid.")
        reported.append({"Cidr": str(network), "IpamPoolArn": config["IpamPoolArn"],
                         "AnycastIp": str(network.network_address), "Status": "provisioned"})
    return {"Quantity": len(reported), "IpamCidrConfigs": reported}


def _output(ctx: Context, doc: dict, status: str | None = None) -> dict:
    anycast = {name: doc[name] for name in ("Id", "Name", "Arn", "IpAddressType", "IpamConfig", "AnycastIps",
                                            "IpCount", "LastModifiedTime") if doc.get(name) is not None}
    anycast["Status"] = status or lifecycle.status(ctx, doc, "Deploying")
    return {"AnycastIpList": anycast, "ETag": doc["ETag"]}


def get_record(ctx: Context, tx: Transaction, list_id: str):
    record = tx.get(KIND, ctx.account, list_id)
    if record is None:
        raise EntityNotFound(f"The Anycast static IP list {list_id} does not exist.")
    return record


def _free_slot(tx: Transaction, account: str) -> int:
    used = {record.doc["_slot"] for record in tx.page(KIND, account, 0, SLOTS)}
    for slot in range(SLOTS):
        if slot not in used:
            return slot
    raise EntityLimitExceeded(f"No more than {SLOTS} Anycast static IP lists fit in the documentation ranges.")


@operation("CreateAnycastIpList")
def create_anycast_ip_list(ctx: Context, tx: Transaction, params: dict) -> dict:
    name = params["Name"]
    count = params["IpCount"]
    if count not in IP_COUNTS:
        raise InvalidArgument(f"IpCount must be 3 or 21, not {count}.")
    tags = tagging.checked_tags(params.get("Tags"))
    lifecycle.check_new(ctx, tx, KIND, NAME_KEY, name, ctx.settings.anycast_ip_list_quota, "Anycast static IP list")
    address_type = params.get("IpAddressType", "ipv4")
    slot = _free_slot(tx, ctx.account)
    list_id = ids.anycast_ip_list_id()
    doc = {
        "Id": list_id,
        "Name": name,
        "Arn": ids.arn(ctx.account, ARN_TYPE, list_id),
        "IpAddressType": address_type,
        "IpamConfig": _ipam(params.get("IpamCidrConfigs")),
        "AnycastIps": addresses(slot, count, address_type),
        "IpCount": count,
        "Tags": tags,
        "_slot": slot,
        **lifecycle.created(ctx),
    }
    try:
        tx.insert(KIND, ctx.account, list_id, doc, [(ctx.account, NAME_KEY, name), (ctx.account, SLOT_KEY, str(slot))])
    except KeyTaken as taken:
        if taken.key == NAME_KEY:
            raise EntityAlreadyExists(f"An Anycast static IP list named {name} already exists.") from None
        raise
    return _output(ctx, doc, "Deploying")


@operation("GetAnycastIpList")
def get_anycast_ip_list(ctx: Context, tx: Transaction, params: dict) -> dict:
    return _output(ctx, get_record(ctx, tx, params["Id"]).doc)


@operation("ListAnycastIpLists")
def list_anycast_ip_lists(ctx: Context, tx: Transaction, params: dict) -> dict:
    limit = paging.max_items(params.get("MaxItems"))
    records, next_marker = paging.page(tx, KIND, ctx.account, params.get("Marker"), limit)
    items = []
    for record in records:
        summary = _output(ctx, record.doc)["AnycastIpList"]
        summary.pop("AnycastIps")
        summary["ETag"] = record.doc["ETag"]
        items.append(summary)
    collection = {"Marker": params.get("Marker") or "", "MaxItems": limit, "IsTruncated": next_marker is not None,
                  "Quantity": len(items)}
    if items:  # an empty list answers without Items, as every CloudFront list does
        collection["Items"] = items
    if next_marker:
        collection["NextMarker"] = next_marker
    return {"AnycastIpLists": collection}


@operation("UpdateAnycastIpList")
def update_anycast_ip_list(ctx: Context, tx: Transaction, params: dict) -> dict:
    record = get_record(ctx, tx, params["Id"])
    lifecycle.check_if_match(record.doc, params.get("IfMatch"))
    doc = dict(record.doc)
    if "IpAddressType" in params and params["IpAddressType"] != doc["IpAddressType"]:
        for users in USERS:
            for noun, ipv6_enabled in users(ctx, tx, doc["Id"]):
                if _family_problem(params["IpAddressType"], ipv6_enabled):
                    raise InvalidArgument(f"A {noun} with IPv6 {'enabled' if ipv6_enabled else 'disabled'} uses "
                                          f"this list, so it cannot become {params['IpAddressType']}.")
        doc["IpAddressType"] = params["IpAddressType"]
        doc["AnycastIps"] = addresses(doc["_slot"], doc["IpCount"], doc["IpAddressType"])
    if "IpamCidrConfigs" in params:
        doc["IpamConfig"] = _ipam(params["IpamCidrConfigs"])
    doc = lifecycle.changed(ctx, doc)
    tx.replace(record, doc)
    return _output(ctx, doc, "Deploying")


@operation("DeleteAnycastIpList")
def delete_anycast_ip_list(ctx: Context, tx: Transaction, params: dict) -> dict:
    record = get_record(ctx, tx, params["Id"])
    lifecycle.check_if_match(record.doc, params.get("IfMatch"))
    for users in USERS:
        for noun, _ in users(ctx, tx, record.id, limit=1):
            raise CannotDeleteEntityWhileInUse(f"The Anycast static IP list is in use by a {noun}.")
    tx.delete(record)
    return {}


# Functions (ctx, tx, list_id, limit=...) -> [(noun, IPv6 enabled)] for the resources using a list, one
# per family that can use one (connection groups, distributions); each family registers its own.
USERS: list = []


def check_ipv6(ctx: Context, tx: Transaction, list_id: str | None, ipv6_enabled: bool) -> None:
    """A resource on an Anycast list must speak the list's address families: IPv6 on needs IPv6
    addresses (ipv6 or dualstack), IPv6 off needs IPv4 addresses (ipv4 or dualstack)."""
    if list_id:
        address_type = get_record(ctx, tx, list_id).doc["IpAddressType"]
        problem = _family_problem(address_type, ipv6_enabled)
        if problem:
            raise InvalidArgument(f"The Anycast static IP list {list_id} is {address_type}: {problem}.")


def _family_problem(address_type: str, ipv6_enabled: bool) -> str | None:
    if ipv6_enabled and address_type == "ipv4":
        return "IPv6 needs an ipv6 or dualstack list (or disable IPv6)"
    if not ipv6_enabled and address_type == "ipv6":
        return "with IPv6 disabled, an ipv4 or dualstack list is needed"
    return None
