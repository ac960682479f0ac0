"""Tags: the rules CloudFront applies to them, and TagResource / UntagResource / ListTagsForResource."""
from __future__ import annotations

import regex

from ...store import Record, Transaction
from . import ids
from .context import Context
from .errors import InvalidArgument, InvalidTagging, NoSuchResource
from .registry import operation

MAX_TAGS = 50
_ALLOWED = regex.compile(r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*")

# ARN resource type -> store kind, filled in by each taggable resource family.
TAGGABLE: dict[str, str] = {}


def checked_tags(tags: dict | None) -> list[dict]:
    """The Items of a Tags structure, validated as CloudFront does; raises InvalidTagging."""
    items = (tags or {}).get("Items") or []
    seen = set()
    for tag in items:
        key = tag.get("Key")
        value = tag.get("Value") or ""
        if key is None or not 1 <= len(key) <= 128 or not _ALLOWED.fullmatch(key):
            raise InvalidTagging(f"Tag key {key!r} is invalid: use 1 to 128 letters, digits, spaces and _ . : / = + - @")
        if key.lower().startswith("aws:"):
            raise InvalidTagging(f"Tag key {key!r} is invalid: the aws: prefix is reserved for AWS use")
        if len(value) > 256 or not _ALLOWED.fullmatch(value):
            raise InvalidTagging(f"Tag value for key {key!r} is invalid: use up to 256 letters, digits, spaces and _ . : / = + - @")
        if key in seen:
            raise InvalidTagging(f"Tag key {key!r} appears more than once")
        seen.add(key)
    if len(items) > MAX_TAGS:
        raise InvalidTagging(f"A resource can have at most {MAX_TAGS} tags")
    return [{"Key": tag["Key"], "Value": tag.get("Value") or ""} for tag in items]


def tags_output(doc: dict) -> dict:
    return {"Items": [dict(tag) for tag in doc.get("Tags", [])]}


def record_for_arn(ctx: Context, tx: Transaction, arn: str, resource_type: str | None = None) -> Record | None:
    """The caller's resource an ARN names (of `resource_type`, when given); None for anything else,
    including another account's resources and other partitions."""
    parsed = ids.parse_arn(arn)
    if parsed is None:
        return None
    account, arn_type, resource_id = parsed
    kind = TAGGABLE.get(arn_type)
    if kind is None or account != ctx.account or (resource_type is not None and arn_type != resource_type):
        return None
    return tx.get(kind, account, resource_id)


def by_identifier(ctx: Context, tx: Transaction, identifier: str, kind: str, arn_type: str,
                  name_key: str) -> Record | None:
    """A resource of the caller's account by ARN, id or name (the identifiers Get operations take).
    An id is tried before a name, so a name that looks like another resource's id finds that resource."""
    if identifier.startswith("arn:"):
        return record_for_arn(ctx, tx, identifier, arn_type)
    return tx.get(kind, ctx.account, identifier) or tx.find(ctx.account, name_key, identifier)


def _resource(ctx: Context, tx: Transaction, arn: str) -> Record:
    if ids.parse_arn(arn) is None and not arn.startswith("arn:aws-cn:cloudfront::"):
        raise InvalidArgument(f"The resource ARN {arn!r} is not a valid CloudFront ARN")
    record = record_for_arn(ctx, tx, arn)
    if record is None:
        raise NoSuchResource(f"The specified resource {arn} does not exist")
    return record


@operation("ListTagsForResource")
def list_tags_for_resource(ctx: Context, tx: Transaction, params: dict) -> dict:
    record = _resource(ctx, tx, params["Resource"])
    return {"Tags": tags_output(record.doc)}


@operation("TagResource")
def tag_resource(ctx: Context, tx: Transaction, params: dict) -> dict:
    record = _resource(ctx, tx, params["Resource"])
    merged = {tag["Key"]: tag["Value"] for tag in record.doc.get("Tags", [])}
    for tag in checked_tags(params["Tags"]):
        merged[tag["Key"]] = tag["Value"]
    if len(merged) > MAX_TAGS:
        raise InvalidTagging(f"A resource can have at most {MAX_TAGS} tags")
    tx.replace(record, {**record.doc, "Tags": [{"Key": k, "Value": v} for k, v in merged.items()]})
    return {}


@operation("UntagResource")
def untag_resource(ctx: Context, tx: Transaction, params: dict) -> dict:
    record = _resource(ctx, tx, params["Resource"])
    removed = set(params["TagKeys"].get("Items") or [])
    kept = [tag for tag in record.doc.get("Tags", []) if tag["Key"] not in removed]
    tx.replace(record, {**record.doc, "Tags": kept})
    return {}
