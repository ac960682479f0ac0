"""Real-time log configs: named, addressed by name or ARN, with no ETag (the API has none)."""
from __future__ import annotations

import re

from ...store import KeyTaken
from ..common import errors, ids, paging
from ..common.context import Context
from ..common.registry import operation

KIND = "realtime-log-config"
ARN_TYPE = "realtime-log-config"
NAME = re.compile(r"[A-Za-z0-9_-]{1,128}")
# Callers of `in_use` are registered by the families that use a config: (ctx, tx, arn) -> reason or None.
USERS: list = []


def arn(account: str, name: str) -> str:
    return ids.arn(account, ARN_TYPE, name)


def _not_found(what: str) -> errors.ServiceError:
    return errors.NoSuchRealtimeLogConfig(f"The real-time log configuration {what} does not exist.")


def find(ctx: Context, tx, name: str | None = None, config_arn: str | None = None):
    """The caller's config by name or ARN (one of them; an ARN of another account is refused)."""
    if config_arn:
        parsed = ids.parse_arn(config_arn)
        if parsed is None or parsed[1] != ARN_TYPE:
            raise errors.InvalidArgument(f"{config_arn} is not the ARN of a real-time log configuration.")
        if parsed[0] != ctx.account:
            raise errors.RealtimeLogConfigOwnerMismatch(
                "The real-time log configuration belongs to another AWS account.")
        if name and name != parsed[2]:
            raise errors.InvalidArgument("The name and the ARN name different real-time log configurations.")
        name = parsed[2]
    if not name:
        raise errors.InvalidArgument("Give the Name or the ARN of the real-time log configuration.")
    record = tx.get(KIND, ctx.account, name)
    if record is None:
        raise _not_found(config_arn or name)
    return record


def _checked(params: dict) -> dict:
    if not 1 <= params["SamplingRate"] <= 100:
        raise errors.InvalidArgument("SamplingRate must be a whole number from 1 to 100.")
    if not params["Fields"]:
        raise errors.InvalidArgument("A real-time log configuration needs at least one field.")
    if len(set(params["Fields"])) != len(params["Fields"]):
        raise errors.InvalidArgument("Each field can be listed only once.")
    if not params["EndPoints"]:
        raise errors.InvalidArgument("A real-time log configuration needs an endpoint.")
    for endpoint in params["EndPoints"]:
        if endpoint["StreamType"] != "Kinesis" or not endpoint.get("KinesisStreamConfig"):
            raise errors.InvalidArgument("Endpoints must be Kinesis data streams with a KinesisStreamConfig.")
    return {name: params[name] for name in ("Name", "SamplingRate", "EndPoints", "Fields")}


@operation("CreateRealtimeLogConfig")
def create(ctx: Context, tx, params: dict) -> dict:
    name = params["Name"]
    if not NAME.fullmatch(name):
        raise errors.InvalidArgument(f"The name {name!r} is invalid: use 1 to 128 letters, digits, - and _.")
    doc = {"ARN": arn(ctx.account, name), **_checked(params)}
    if tx.get(KIND, ctx.account, name) is not None:
        raise errors.RealtimeLogConfigAlreadyExists(f"A real-time log configuration named {name} already exists.")
    quota = ctx.settings.realtime_log_config_quota
    if tx.count(KIND, ctx.account) >= quota:
        raise errors.TooManyRealtimeLogConfigs(f"You have reached the limit of {quota} real-time log configurations.")
    try:
        tx.insert(KIND, ctx.account, name, doc)
    except KeyTaken:
        raise errors.RealtimeLogConfigAlreadyExists(f"A real-time log configuration named {name} already exists.") \
            from None
    return {"RealtimeLogConfig": doc}


@operation("GetRealtimeLogConfig")
def get(ctx: Context, tx, params: dict) -> dict:
    return {"RealtimeLogConfig": find(ctx, tx, params.get("Name"), params.get("ARN")).doc}


@operation("UpdateRealtimeLogConfig")
def update(ctx: Context, tx, params: dict) -> dict:
    record = find(ctx, tx, params.get("Name"), params.get("ARN"))
    merged = {**record.doc, **{k: v for k, v in params.items() if k in ("SamplingRate", "EndPoints", "Fields")}}
    doc = {"ARN": record.doc["ARN"], **_checked(merged)}
    tx.replace(record, doc)
    return {"RealtimeLogConfig": doc}


@operation("DeleteRealtimeLogConfig")
def delete(ctx: Context, tx, params: dict) -> dict:
    record = find(ctx, tx, params.get("Name"), params.get("ARN"))
    for user in USERS:
        reason = user(ctx, tx, record.doc["ARN"])
        if reason:
            raise errors.RealtimeLogConfigInUse(reason)
    tx.delete(record)
    return {}


@operation("ListRealtimeLogConfigs")
def list_configs(ctx: Context, tx, params: dict) -> dict:
    limit = paging.max_items(params.get("MaxItems"))
    records, next_marker = paging.page(tx, KIND, ctx.account, params.get("Marker"), limit)
    listing = {"MaxItems": limit, "IsTruncated": next_marker is not None, "Marker": params.get("Marker") or ""}
    if records:
        listing["Items"] = [record.doc for record in records]
    if next_marker:
        listing["NextMarker"] = next_marker
    return {"RealtimeLogConfigs": listing}
