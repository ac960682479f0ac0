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
from ..common import errors, ids, lifecycle, paging, tagging
from ..common.context import Context

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
    check: Callable = lambda ctx, tx, config, code: None   # raises the family's errors
    users: list = field(default_factory=list)  # (ctx, tx, id) -> reason or None

    @property
    def name_key(self) -> str:
        return self.kind + ":name"

    def error(self, which: str, message: str) -> errors.ServiceError:
        return getattr(errors, getattr(self, which))(message)

    def arn(self, ctx: Context, doc: dict) -> str:
        return ids.arn(ctx.account, self.kind, doc["Id"])


def _stage(ctx: Context, config: dict, code: bytes, created: str | None = None) -> dict:
    now = ids.timestamp(ctx.now)
    return {"Config": config, "Code": base64.b64encode(code).decode(), "ETag": ids.etag(),
            "CreatedTime": created or now, "LastModifiedTime": now}


def _kvs_arns(stages: dict) -> list[str]:
    return sorted({a["KeyValueStoreARN"] for stage in stages.values()
                   for a in (stage["Config"].get("KeyValueStoreAssociations") or {}).get("Items") or []})


def _checked_code(family: CodeKind, code: bytes) -> bytes:
    if len(code) > MAX_CODE_BYTES:
        raise family.error("too_large", f"The {family.noun} code is {len(code)} bytes; the limit is "
                                        f"{MAX_CODE_BYTES} bytes.")
    return code


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
    family.check(ctx, tx, config, _checked_code(family, source))
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
    family.check(ctx, tx, config, _checked_code(family, source))
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
