"""The life most CloudFront resources share, written once.

A `…Config` comes in; the resource gets an Id, an ETag that every change renews, If-Match on update and
delete, LastModifiedTime, a name unique in the account, a quota, paging, a CallerReference unique in the
account where the API has one (idempotent where the family's docs say so), AWS-managed instances every
account can read but not change, and in-use checks that other families register. A family module
declares a `Family` with its own rules and calls `register`:

    CACHE_POLICY = Family(resource="CachePolicy", kind="cache-policy", noun="cache policy", ...)
    register(CACHE_POLICY, list_op="ListCachePolicies", list_key="CachePolicyList")

The document kept in the store is the resource as the API returns it (Id, times, the config) plus the
ETag and private fields starting with `_`; the codec writes only what the output shape has, so outputs are
made by picking members, never by copying field lists.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Callable

from ...store import KeyTaken, Transaction
from . import errors, ids, lifecycle, paging, quantities, tagging
from .context import Context
from .registry import operation

API = "https://cloudfront.amazonaws.com/2020-05-31/"
MANAGED_TIME = "2020-05-14T00:00:00.000Z"  # when AWS's first managed policies appeared; any fixed time does


def _none(*_args) -> None:
    return None


def _same(config: dict) -> dict:
    return config


@dataclass
class Family:
    resource: str                      # the output member: "CachePolicy"
    config: str                        # the config member: "CachePolicyConfig"
    kind: str                          # the store's kind, and the path segment of the Location
    noun: str                          # for messages: "cache policy"
    quota: str                         # the Settings field with the per-account quota
    not_found: str                     # error shape names
    already_exists: str
    too_many: str
    in_use: str = "ResourceInUse"
    new_id: Callable[[], str] = ids.uuid_id
    name_member: str | None = "Name"   # unique in the account; None where the config has no name
    caller_reference: bool = False     # a used CallerReference is the family's already_exists error...
    idempotent: bool = False           # ...unless the config is the same too: then it answers the same resource
    check: Callable = _none            # (ctx, tx, config, record or None) -> None; raises the family's errors
    defaults: Callable[[dict], dict] = _same   # the config as AWS reports it back (members it fills in)
    made: Callable = _none             # (ctx, config) -> extra members made at create (S3CanonicalUserId)
    mirrors: Callable = _none          # (config) -> private fields kept beside it for lookups by reference
    revised: Callable = _none          # (ctx, previous doc, new config) -> private fields an update sets
    present: Callable | None = None    # (ctx, doc) -> the resource as returned, where it is not the doc itself
    managed: tuple = ()                # docs every account has and nobody can change
    location: str | None = None        # Location path segment, where it is not `kind`
    arn: tuple[str, str] | None = None  # (output member, ARN resource type) where the resource has an ARN;
                                        # such a resource takes Tags on create and through TagResource
    users: list = field(default_factory=list)  # (ctx, tx, id) -> reason or None, registered by users

    @property
    def name_key(self) -> str:
        return self.kind + ":name"

    @property
    def reference_key(self) -> str:
        return self.kind + ":caller-reference"

    def error(self, which: str, message: str) -> errors.ServiceError:
        return getattr(errors, getattr(self, which))(message)

    def managed_doc(self, resource_id: str) -> dict | None:
        return _MANAGED.get((self.kind, resource_id))

    def record(self, ctx: Context, tx: Transaction, resource_id: str) -> dict:
        """The document of a resource the caller can see (its own, or a managed one); raises not-found."""
        doc = self.managed_doc(resource_id)
        if doc is not None:
            return doc
        record = tx.get(self.kind, ctx.account, resource_id)
        if record is None:
            raise self.error("not_found", f"The specified {self.noun} does not exist.")
        return record.doc

    def exists(self, ctx: Context, tx: Transaction, resource_id: str) -> bool:
        return self.managed_doc(resource_id) is not None or tx.get(self.kind, ctx.account, resource_id) is not None

    def output(self, ctx: Context, doc: dict) -> dict:
        return self.present(ctx, doc) if self.present else doc


_MANAGED: dict[tuple[str, str], dict] = {}


def managed_doc(kind: str, resource_id: str) -> dict | None:
    """An AWS-managed document of any family by its store kind (the dashboard shows them as any other)."""
    return _MANAGED.get((kind, resource_id))


def managed(family: Family, configs: list[dict]) -> tuple:
    """Managed documents from (Id, config) entries: fixed times, and an ETag that is the same everywhere."""
    docs = []
    for entry in configs:
        resource_id = entry["Id"]
        etag = "E" + hashlib.sha256(resource_id.encode()).hexdigest()[:13].upper()
        doc = {"Id": resource_id, "LastModifiedTime": MANAGED_TIME, "CreatedTime": MANAGED_TIME,
               family.config: entry[family.config], "ETag": etag, "_managed": True}
        docs.append(doc)
        _MANAGED[(family.kind, resource_id)] = doc
    return tuple(docs)


def _keys(family: Family, account: str, config: dict) -> list:
    keys = []
    if family.name_member:
        keys.append((account, family.name_key, config[family.name_member]))
    if family.caller_reference:
        keys.append((account, family.reference_key, config["CallerReference"]))
    return keys


def _location(family: Family, resource_id: str) -> str:
    return f"{API}{family.location or family.kind}/{resource_id}"


def _fingerprint(config: dict) -> str:
    return hashlib.sha256(repr(sorted(config.items())).encode()).hexdigest()


def _as_answered(family: Family, config: dict) -> dict:
    """The config as it will be read back: as written, empty collections without Items, and the members
    AWS fills in when a request leaves them out (docs/behaviour.md, "Read-back")."""
    return family.defaults(quantities.as_answered(config))  # a copy: the request is left as it came


def create(family: Family, ctx: Context, tx: Transaction, config: dict, extra: dict | None = None) -> dict:
    """Create a resource from its config; returns the document. `extra` adds members (Tags, say)."""
    if family.caller_reference:
        existing = tx.find(ctx.account, family.reference_key, config["CallerReference"])
        if existing is not None:
            if family.idempotent and existing.doc.get("_request") == _fingerprint(config):
                return existing.doc  # the same request again answers the same resource
            raise _reference_used(family, existing.id)
    name = config.get(family.name_member) if family.name_member else None
    if name is not None and (tx.find(ctx.account, family.name_key, name) is not None
                             or any(d[family.config].get(family.name_member) == name for d in family.managed)):
        raise family.error("already_exists", f"A {family.noun} named {name} already exists.")
    quota = getattr(ctx.settings, family.quota)
    if tx.count(family.kind, ctx.account) >= quota:
        raise family.error("too_many", f"You have reached the limit of {quota} {family.noun}s for this account.")
    family.check(ctx, tx, config, None)
    resource_id = family.new_id()
    if family.arn:
        extra = {family.arn[0]: ids.arn(ctx.account, family.arn[1], resource_id), **(extra or {})}
    doc = {"Id": resource_id, **(family.made(ctx, config) or {}), family.config: _as_answered(family, config),
           **(family.mirrors(config) or {}), **(extra or {}), **lifecycle.created(ctx)}
    if family.idempotent:
        doc["_request"] = _fingerprint(config)
    try:
        tx.insert(family.kind, ctx.account, resource_id, doc, _keys(family, ctx.account, doc[family.config]))
    except KeyTaken as taken:
        if taken.key == family.reference_key:  # a concurrent create with the same reference won
            raise _reference_used(family) from None
        if taken.key == family.name_key:
            raise family.error("already_exists", f"A {family.noun} named {taken.value} already exists.") from None
        raise
    return doc


def _reference_used(family: Family, holder_id: str | None = None) -> errors.ServiceError:
    # In the words of CloudFront's answer to a distribution's used reference (aws-sdk-js-v3 issue 2618).
    return family.error("already_exists", f"The caller reference that you are using is associated with another "
                                          f"{family.noun}."
                                          + (f" Already exists: {holder_id}" if holder_id else ""))


def update(family: Family, ctx: Context, tx: Transaction, resource_id: str, if_match: str | None,
           config: dict) -> dict:
    """Replace a resource's config under If-Match; returns the new document."""
    if family.managed_doc(resource_id) is not None:
        raise errors.IllegalUpdate(f"The {family.noun} {resource_id} is managed by AWS and cannot be changed.")
    record = lifecycle.current(tx.get(family.kind, ctx.account, resource_id),
                               family.error("not_found", f"The specified {family.noun} does not exist."), if_match)
    if family.caller_reference and config["CallerReference"] != record.doc[family.config]["CallerReference"]:
        raise errors.IllegalUpdate(f"The CallerReference of a {family.noun} cannot be changed.")
    name = config.get(family.name_member) if family.name_member else None
    if name is not None and any(d[family.config].get(family.name_member) == name for d in family.managed):
        raise family.error("already_exists", f"A {family.noun} named {name} already exists.")
    family.check(ctx, tx, config, record)
    doc = lifecycle.changed(ctx, {**record.doc, family.config: _as_answered(family, config),
                                  **(family.mirrors(config) or {}),
                                  **(family.revised(ctx, record.doc, config) or {})})
    try:
        tx.replace(record, doc, _keys(family, ctx.account, doc[family.config]))
    except KeyTaken as taken:
        raise family.error("already_exists", f"A {family.noun} named {taken.value} already exists.") from None
    return doc


def delete(family: Family, ctx: Context, tx: Transaction, resource_id: str, if_match: str | None) -> dict:
    if family.managed_doc(resource_id) is not None:
        raise errors.IllegalDelete(f"The {family.noun} {resource_id} is managed by AWS and cannot be deleted.")
    record = lifecycle.current(tx.get(family.kind, ctx.account, resource_id),
                               family.error("not_found", f"The specified {family.noun} does not exist."), if_match)
    for user in family.users:
        reason = user(ctx, tx, resource_id)
        if reason:
            raise family.error("in_use", reason)
    tx.delete(record)
    return record.doc


def listing(family: Family, ctx: Context, tx: Transaction, params: dict) -> dict:
    """One page of the family's list, managed resources first where the caller's Type asks for them."""
    limit = paging.max_items(params.get("MaxItems"))
    kind_filter = params.get("Type")
    fixed = [doc for doc in family.managed if kind_filter in (None, "managed")]
    records, next_marker = paging.page_after(tx, family.kind, ctx.account, params.get("Marker"), limit, fixed,
                                             include_store=kind_filter in (None, "custom"))
    items = [_summary(family, ctx, doc, "managed" if doc.get("_managed") else "custom") for doc in records]
    page = {"Marker": params.get("Marker") or "", "MaxItems": limit, "IsTruncated": next_marker is not None,
            "Quantity": len(items)}
    if items:
        page["Items"] = items
    if next_marker:
        page["NextMarker"] = next_marker
    return page


def _summary(family: Family, ctx: Context, doc: dict, kind: str) -> dict:
    # Summaries differ by family (the resource whole, or its id with config members); this holds every
    # member any of them has, and the codec writes the ones the summary shape names.
    resource = family.output(ctx, doc)
    return {**resource[family.config], **resource, family.resource: resource, "Type": kind}


def register(family: Family, *, list_op: str, list_key: str, create_op: str | None = None,
             get_op: str | None = None, get_config_op: str | bool | None = None, update_op: str | None = None,
             delete_op: str | None = None) -> None:
    """Bind the six operations of a family, named by the API's convention unless given (False: the API
    has no such operation for the family)."""
    name = family.resource
    config = family.config

    if family.arn:
        tagging.TAGGABLE[family.arn[1]] = family.kind

    @operation(create_op or f"Create{name}")
    def _create(ctx, tx, params):
        extra = {"Tags": tagging.checked_tags(params.get("Tags"))} if family.arn else None
        doc = create(family, ctx, tx, params[config], extra)
        return {family.resource: family.output(ctx, doc), "ETag": doc["ETag"], "Location": _location(family, doc["Id"])}

    @operation(get_op or f"Get{name}")
    def _get(ctx, tx, params):
        doc = family.record(ctx, tx, params["Id"])
        return {family.resource: family.output(ctx, doc), "ETag": doc["ETag"]}

    def _get_config(ctx, tx, params):
        doc = family.record(ctx, tx, params["Id"])
        return {config: doc[config], "ETag": doc["ETag"]}

    if get_config_op is not False:
        operation(get_config_op or f"Get{name}Config")(_get_config)

    @operation(update_op or f"Update{name}")
    def _update(ctx, tx, params):
        doc = update(family, ctx, tx, params["Id"], params.get("IfMatch"), params[config])
        return {family.resource: family.output(ctx, doc), "ETag": doc["ETag"]}

    @operation(delete_op or f"Delete{name}")
    def _delete(ctx, tx, params):
        doc = delete(family, ctx, tx, params["Id"], params.get("IfMatch"))
        # Most deletes answer nothing; a few (VPC origins) answer the resource as it goes.
        return {family.resource: family.output(ctx, {**doc, "_deleting": True}), "ETag": doc["ETag"]}

    @operation(list_op)
    def _list(ctx, tx, params):
        return {list_key: listing(family, ctx, tx, params)}
