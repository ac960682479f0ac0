"""The life CloudFront Functions and connection functions share: code in two stages.

Create and Update write the DEVELOPMENT stage; Publish copies it to LIVE. Each stage has its own ETag:
Update, Publish and Delete take the DEVELOPMENT one, a test takes the ETag of the stage it runs. The
document kept in the store holds both stages:

    {"Id", "Name", "ETag" (DEVELOPMENT's), "Tags",
     "Stages": {"DEVELOPMENT": {"Config", "Code" (base64), "ETag", "CreatedTime", "LastModifiedTime"},
                "LIVE": {...}},          # LIVE only once published
     "_kvs": [store ARNs either stage names]}   # for the stores' in-use check
"""
from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Callable

from ...store import KeyTaken, Record, Transaction
from ..common import errors, ids, lifecycle, paging, quantities, tagging
from ..common.context import Context
from ..common.registry import operation
from ..distributions import references
from .key_value_stores import NAMED_BY, check_associations

DEVELOPMENT = "DEVELOPMENT"
LIVE = "LIVE"
# "Maximum size of a function: 10 KB" (CloudFront's quotas page); the model's blob allows 40 KB on the wire.
MAX_CODE_BYTES = 10 * 1024


@dataclass
class CodeKind:
    kind: str                   # the store's kind and the ARN's resource type
    noun: str
    quota: str                  # the Settings field with the per-account quota
    not_found: str              # the model's error names
    already_exists: str
    too_many: str
    too_large: str
    in_use: str
    new_id: Callable[[str], str]    # name -> id (CloudFront Functions are known by their name)
    users: list = field(default_factory=list)  # (ctx, tx, id) -> reason or None

    def __post_init__(self) -> None:
        tagging.TAGGABLE[self.kind] = self.kind
        NAMED_BY.append(self.kind)  # the stores a function names cannot be deleted under it

    @property
    def name_key(self) -> str:
        return self.kind + ":name"

    def error(self, which: str, message: str) -> errors.ServiceError:
        return getattr(errors, getattr(self, which))(message)

    def arn(self, ctx: Context, doc: dict) -> str:
        return ids.arn(ctx.account, self.kind, doc["Id"])


def _stage(ctx: Context, config: dict, code: bytes, created: str | None = None) -> dict:
    now = ids.timestamp(ctx.now)
    # The config is read back as written, an empty KeyValueStoreAssociations by its Quantity alone.
    return {"Config": quantities.as_answered(config), "Code": base64.b64encode(code).decode(), "ETag": ids.etag(),
            "CreatedTime": created or now, "LastModifiedTime": now}


def _kvs_arns(stages: dict) -> list[str]:
    return sorted({a["KeyValueStoreARN"] for stage in stages.values()
                   for a in (stage["Config"].get("KeyValueStoreAssociations") or {}).get("Items") or []})


def runtime():
    from . import runtime as engine  # QuickJS loads when code first needs it, not at start-up

    return engine


def _check(family: CodeKind, ctx: Context, tx: Transaction, config: dict, code: bytes) -> None:
    if len(code) > MAX_CODE_BYTES:
        raise family.error("too_large", f"The {family.noun} code is {len(code)} bytes; the limit is "
                                        f"{MAX_CODE_BYTES} bytes.")
    check_associations(ctx, tx, config)
    problem = runtime().check_code(code, config["Runtime"])
    if problem:
        raise errors.InvalidArgument(problem)


def status(ctx: Context, tx: Transaction, family: CodeKind, doc: dict, reference: str) -> str:
    """UNPUBLISHED until the first publish (in both stages' summaries); then DEPLOYED while a distribution
    names the function (by `reference`, as its `_uses` mirror holds it), UNASSOCIATED otherwise."""
    if LIVE not in doc["Stages"]:
        return "UNPUBLISHED"
    return "DEPLOYED" if references.users(ctx, tx, family.kind, reference) else "UNASSOCIATED"


def record(family: CodeKind, ctx: Context, tx: Transaction, identifier: str) -> Record:
    """By id, name or ARN."""
    if identifier.startswith("arn:"):
        parsed = ids.parse_arn(identifier)
        found = (tx.get(family.kind, ctx.account, parsed[2])
                 if parsed and parsed[0] == ctx.account and parsed[1] == family.kind else None)
    else:
        found = tx.get(family.kind, ctx.account, identifier) or tx.find(ctx.account, family.name_key, identifier)
    if found is None:
        raise family.error("not_found", f"The {family.noun} {identifier} does not exist.")
    return found


def stage(family: CodeKind, doc: dict, name: str | None) -> dict:
    """A stage of the document (DEVELOPMENT when none is asked for); a LIVE stage not yet published is
    not found."""
    found = doc["Stages"].get(name or DEVELOPMENT)
    if found is None:
        raise family.error("not_found", f"The {family.noun} {doc['Name']} has no {name} stage: publish it first.")
    return found


def code(stage_doc: dict) -> bytes:
    return base64.b64decode(stage_doc["Code"])


def create(family: CodeKind, ctx: Context, tx: Transaction, name: str, config: dict, source: bytes,
           tags: dict | None) -> dict:
    if tx.find(ctx.account, family.name_key, name) is not None:
        raise family.error("already_exists", f"A {family.noun} named {name} already exists.")
    quota = getattr(ctx.settings, family.quota)
    if tx.count(family.kind, ctx.account) >= quota:
        raise family.error("too_many", f"You have reached the limit of {quota} {family.noun}s for this account.")
    _check(family, ctx, tx, config, source)
    development = _stage(ctx, config, source)
    doc = {"Id": family.new_id(name), "Name": name, "ETag": development["ETag"],
           "Tags": tagging.checked_tags(tags), "Stages": {DEVELOPMENT: development}}
    doc["_kvs"] = _kvs_arns(doc["Stages"])
    try:
        tx.insert(family.kind, ctx.account, doc["Id"], doc, [(ctx.account, family.name_key, name)])
    except KeyTaken:
        raise family.error("already_exists", f"A {family.noun} named {name} already exists.") from None
    return doc


def _changed(tx: Transaction, found: Record, stages: dict) -> dict:
    doc = {**found.doc, "Stages": stages, "ETag": stages[DEVELOPMENT]["ETag"], "_kvs": _kvs_arns(stages)}
    tx.replace(found, doc)
    return doc


def update(family: CodeKind, ctx: Context, tx: Transaction, identifier: str, if_match: str | None, config: dict,
           source: bytes) -> dict:
    found = record(family, ctx, tx, identifier)
    lifecycle.check_if_match(found.doc, if_match)
    _check(family, ctx, tx, config, source)
    development = _stage(ctx, config, source, found.doc["Stages"][DEVELOPMENT]["CreatedTime"])
    return _changed(tx, found, {**found.doc["Stages"], DEVELOPMENT: development})


def publish(family: CodeKind, ctx: Context, tx: Transaction, identifier: str, if_match: str | None) -> dict:
    """LIVE becomes a copy of DEVELOPMENT, with an ETag of its own."""
    found = record(family, ctx, tx, identifier)
    lifecycle.check_if_match(found.doc, if_match)
    development = found.doc["Stages"][DEVELOPMENT]
    previous = found.doc["Stages"].get(LIVE)
    live = {**development, "ETag": ids.etag(), "LastModifiedTime": ids.timestamp(ctx.now),
            "CreatedTime": previous["CreatedTime"] if previous else ids.timestamp(ctx.now)}
    return _changed(tx, found, {**found.doc["Stages"], LIVE: live})


def delete(family: CodeKind, ctx: Context, tx: Transaction, identifier: str, if_match: str | None) -> None:
    found = record(family, ctx, tx, identifier)
    lifecycle.check_if_match(found.doc, if_match)
    for user in family.users:
        reason = user(ctx, tx, found.id)
        if reason:
            raise family.error("in_use", reason)
    tx.delete(found)


def for_test(family: CodeKind, ctx: Context, tx: Transaction, identifier: str, if_match: str | None,
             stage_name: str | None) -> tuple[dict, dict]:
    """(document, stage) a test runs: If-Match must be the ETag of that stage."""
    found = record(family, ctx, tx, identifier)
    chosen = stage(family, found.doc, stage_name)
    lifecycle.check_if_match(chosen, if_match)
    return found.doc, chosen


def listing(family: CodeKind, ctx: Context, tx: Transaction, marker: str | None, max_items,
            stage_filter: str | None) -> tuple[list[tuple[dict, str]], str | None]:
    """One page of (document, stage name) entries: without a filter each function is listed once per stage
    it has, DEVELOPMENT first. A marker names a record and how many of its entries were already listed."""
    limit = paging.max_items(max_items)
    after, skip = 0, 0
    if marker:
        try:
            after = paging.decode_marker(family.kind, marker)
        except errors.InvalidArgument:
            after, skip = paging.decode_marker(family.kind + ":within", marker) - 1, 1
    entries: list[tuple[dict, str]] = []
    while True:
        records = tx.page(family.kind, ctx.account, after, limit + 1)
        for found in records:
            names = [n for n in (DEVELOPMENT, LIVE) if n in found.doc["Stages"] and stage_filter in (None, n)]
            for index, name in enumerate(names[skip:], skip):
                if len(entries) == limit:
                    next_marker = (paging.encode_marker(family.kind + ":within", found.seq) if index
                                   else paging.encode_marker(family.kind, after))
                    return entries, next_marker
                entries.append((found.doc, name))
            skip = 0
            after = found.seq
        if len(records) <= limit:
            return entries, None


@dataclass(frozen=True)
class Wire:
    """How a family's operations name things: "Function" / "ConnectionFunction" and their members."""
    suffix: str            # the operations are Create<suffix>, Describe<suffix>, …
    key: str               # the member naming the function in Update, Publish, Delete, Test ("Name", "Id")
    lookup_key: str        # the same in Describe and Get ("Name", "Identifier")
    config: str            # "FunctionConfig"
    code: str              # "FunctionCode"
    summary: str           # "FunctionSummary"
    location: str          # the Location of a new one, its id appended
    update_etag_header: bool = False  # also send Update's ETag in an `ETag` header (see functions.py)


def register(family: CodeKind, wire: Wire, summary: Callable) -> None:
    """Create, Describe, Get, Update, Publish and Delete of a family; `summary(ctx, tx, doc, stage)` is its
    summary shape. List and Test differ in shape per family and stay with it."""

    @operation("Create" + wire.suffix)
    def _create(ctx, tx, params):
        doc = create(family, ctx, tx, params["Name"], params[wire.config], params[wire.code], params.get("Tags"))
        return {wire.summary: summary(ctx, tx, doc, None), "ETag": doc["ETag"], "Location": wire.location + doc["Id"]}

    @operation("Describe" + wire.suffix)
    def _describe(ctx, tx, params):
        doc = record(family, ctx, tx, params[wire.lookup_key]).doc
        chosen = stage(family, doc, params.get("Stage"))
        return {wire.summary: summary(ctx, tx, doc, params.get("Stage")), "ETag": chosen["ETag"]}

    @operation("Get" + wire.suffix)
    def _get(ctx, tx, params):
        chosen = stage(family, record(family, ctx, tx, params[wire.lookup_key]).doc, params.get("Stage"))
        return {wire.code: code(chosen), "ETag": chosen["ETag"], "ContentType": "application/octet-stream"}

    @operation("Update" + wire.suffix)
    def _update(ctx, tx, params):
        doc = update(family, ctx, tx, params[wire.key], params.get("IfMatch"), params[wire.config], params[wire.code])
        answer = {wire.summary: summary(ctx, tx, doc, None), "ETag": doc["ETag"]}
        if wire.update_etag_header:
            answer["__headers__"] = {"ETag": doc["ETag"]}
        return answer

    @operation("Publish" + wire.suffix)
    def _publish(ctx, tx, params):
        doc = publish(family, ctx, tx, params[wire.key], params.get("IfMatch"))
        return {wire.summary: summary(ctx, tx, doc, LIVE)}

    @operation("Delete" + wire.suffix)
    def _delete(ctx, tx, params):
        delete(family, ctx, tx, params[wire.key], params.get("IfMatch"))
        return {}
