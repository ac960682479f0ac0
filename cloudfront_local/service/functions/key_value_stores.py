"""KeyValueStores in the CloudFront API: the stores themselves (create, optionally imported from an S3 object;
describe, comment, delete while no function uses them, list). Their keys are written through the data plane
(`key_value_data`) and read by functions; both keep them in one record of their own beside the store's, so
that describing or listing stores never loads their keys."""
from __future__ import annotations

import json

from ...store import KeyTaken, Transaction
from ..common import errors, ids, lifecycle, paging, s3_objects, tagging
from ..common.context import Context
from ..common.registry import operation

KIND = "key-value-store"
DATA_KIND = "key-value-store-data"
NAME_KEY = KIND + ":name"
API = "https://cloudfront.amazonaws.com/2020-05-31/key-value-store/"
# CloudFront's KeyValueStore quotas: keys up to 512 bytes, values up to 1 KB, 5 MB a store.
MAX_KEY_BYTES = 512
MAX_VALUE_BYTES = 1024
MAX_STORE_BYTES = 5 * 1024 * 1024
MAX_ASSOCIATIONS = 1  # "Key value stores per function: 1"

tagging.TAGGABLE[KIND] = KIND
NAMED_BY: list[str] = []  # the kinds whose documents list the stores they read in `_kvs` (both function kinds)


def _present(doc: dict) -> dict:
    # A store made without a Comment is answered without one, though the model calls it required: the Terraform
    # provider reads an empty string back as a change ("was null, but now """), and its acceptance test of a
    # store without a comment passes against AWS.
    return {member: doc[member] for member in ("Name", "Id", "Comment", "ARN", "Status", "LastModifiedTime")
            if member in doc}


def record(ctx: Context, tx: Transaction, name: str):
    found = tx.find(ctx.account, NAME_KEY, name)
    if found is None:
        raise errors.EntityNotFound(f"The key value store {name} does not exist.")
    return found


def by_arn(ctx: Context, tx: Transaction, arn: str):
    """The caller's store an ARN names, or None."""
    parsed = ids.parse_arn(arn)
    if parsed is None or parsed[0] != ctx.account or parsed[1] != KIND or "\x00" in parsed[2]:
        return None  # (NUL: no store can hold it, and PostgreSQL refuses to look it up)
    return tx.get(KIND, ctx.account, parsed[2])


def size_of(items: dict) -> int:
    return sum(len(k.encode()) + len(v.encode()) for k, v in items.items())


def check_item(key: str, value: str | None, error=errors.InvalidArgument) -> None:
    # NUL cannot be stored by every store behind us (PostgreSQL text refuses it); AWS's rule is not known.
    if "\x00" in key or (value is not None and "\x00" in value):
        raise error("Keys and values cannot contain the NUL character.")
    if not key or len(key.encode()) > MAX_KEY_BYTES:
        raise error(f"A key must be 1 to {MAX_KEY_BYTES} bytes; {key[:40]!r}… is {len(key.encode())}.")
    if value is not None and len(value.encode()) > MAX_VALUE_BYTES:
        raise error(f"The value of {key!r} is {len(value.encode())} bytes; the limit is {MAX_VALUE_BYTES}.")


def _imported(ctx: Context, source: dict) -> dict:
    """The keys of an import file: {"data": [{"key": "k", "value": "v"}, …]} in an S3 object."""
    arn = source["SourceARN"]
    bucket, _, key = arn.removeprefix("arn:aws:s3:::").partition("/")
    if not arn.startswith("arn:aws:s3:::") or not bucket or not key:
        raise errors.InvalidArgument(f"The import source {arn!r} is not the ARN of an S3 object.")
    body = s3_objects.read(ctx, bucket, key, "us-east-1", max_bytes=MAX_STORE_BYTES * 2)
    try:
        entries = json.loads(body)["data"]
        items = {entry["key"]: entry["value"] for entry in entries}
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in items.items()) or len(items) != len(entries):
            raise ValueError
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise errors.InvalidArgument(f"The import source {arn} is not a key value store import file: a JSON object "
                                     'with "data", a list of {"key": …, "value": …} with string keys and values, '
                                     "each key once.") from None
    for key_name, value in items.items():
        check_item(key_name, value)
    if size_of(items) > MAX_STORE_BYTES:
        raise errors.EntitySizeLimitExceeded(f"The import file holds more than {MAX_STORE_BYTES} bytes of keys "
                                             "and values.")
    return items


def new_data(ctx: Context, items: dict) -> dict:
    now = ids.timestamp(ctx.now)
    return {"Items": items, "ETag": ids.etag(), "Created": now, "LastModified": now}


@operation("CreateKeyValueStore")
def create_key_value_store(ctx, tx, params):
    name = params["Name"]
    lifecycle.check_new(ctx, tx, KIND, NAME_KEY, name, ctx.settings.key_value_store_quota, "key value store")
    tags = tagging.checked_tags(params.get("Tags"))
    items = _imported(ctx, params["ImportSource"]) if params.get("ImportSource") else {}
    store_id = ids.uuid_id()
    doc = {"Name": name, "Id": store_id, "ARN": ids.arn(ctx.account, KIND, store_id), "Status": "READY",
           "Tags": tags, **lifecycle.created(ctx)}
    if "Comment" in params:
        doc["Comment"] = params["Comment"]
    try:
        tx.insert(KIND, ctx.account, store_id, doc, [(ctx.account, NAME_KEY, name)])
    except KeyTaken:
        raise errors.EntityAlreadyExists(f"A key value store named {name} already exists.") from None
    tx.insert(DATA_KIND, ctx.account, store_id, new_data(ctx, items))
    return {"KeyValueStore": _present(doc), "ETag": doc["ETag"], "Location": API + name}


@operation("DescribeKeyValueStore")
def describe_key_value_store(ctx, tx, params):
    doc = record(ctx, tx, params["Name"]).doc
    return {"KeyValueStore": _present(doc), "ETag": doc["ETag"]}


@operation("UpdateKeyValueStore")
def update_key_value_store(ctx, tx, params):
    found = record(ctx, tx, params["Name"])
    lifecycle.check_if_match(found.doc, params.get("IfMatch"))
    doc = lifecycle.changed(ctx, {**found.doc, "Comment": params["Comment"]})
    tx.replace(found, doc)
    return {"KeyValueStore": _present(doc), "ETag": doc["ETag"]}


@operation("DeleteKeyValueStore")
def delete_key_value_store(ctx, tx, params):
    found = record(ctx, tx, params["Name"])
    lifecycle.check_if_match(found.doc, params.get("IfMatch"))
    for kind in NAMED_BY:
        users = tx.page(kind, ctx.account, 0, 1, {"_kvs": found.doc["ARN"]})
        if users:
            raise errors.CannotDeleteEntityWhileInUse(f"The key value store {found.doc['Name']} is associated with "
                                                      f"the {kind.replace('-', ' ')} {users[0].doc['Name']}.")
    data = tx.get(DATA_KIND, ctx.account, found.id)
    if data is not None:
        tx.delete(data)
    tx.delete(found)
    return {}


@operation("ListKeyValueStores")
def list_key_value_stores(ctx, tx, params):
    limit = paging.max_items(params.get("MaxItems"))
    where = {"Status": params["Status"]} if params.get("Status") else None
    records, next_marker = paging.page(tx, KIND, ctx.account, params.get("Marker"), limit, where)
    page = {"MaxItems": limit, "Quantity": len(records)}
    if records:
        page["Items"] = [_present(r.doc) for r in records]
    if next_marker:
        page["NextMarker"] = next_marker
    return {"KeyValueStoreList": page}


def check_associations(ctx: Context, tx: Transaction, config: dict) -> None:
    """A function may name one store, of the caller's account."""
    associations = (config.get("KeyValueStoreAssociations") or {}).get("Items") or []
    if len(associations) > MAX_ASSOCIATIONS:
        raise errors.InvalidArgument(f"A function can be associated with at most {MAX_ASSOCIATIONS} key value store.")
    for association in associations:
        if by_arn(ctx, tx, association["KeyValueStoreARN"]) is None:
            raise errors.InvalidArgument(f"The key value store {association['KeyValueStoreARN']} does not exist.")


class StoreReader:
    """What a running function sees of its store: the keys as they were when the run began."""

    def __init__(self, arn: str, doc: dict, data: dict):
        self.arn = arn
        self._items = data["Items"]
        self._meta = {"creationDateTime": data["Created"], "lastUpdatedDateTime": data["LastModified"],
                      "keyCount": len(self._items)}

    def get(self, key: str) -> str | None:
        return self._items.get(key)

    def meta(self) -> dict:
        return dict(self._meta)


def reader_for(ctx: Context, tx: Transaction, config: dict) -> StoreReader | None:
    for association in (config.get("KeyValueStoreAssociations") or {}).get("Items") or []:
        found = by_arn(ctx, tx, association["KeyValueStoreARN"])
        data = tx.get(DATA_KIND, ctx.account, found.id) if found else None
        if data is not None:
            return StoreReader(found.doc["ARN"], found.doc, data.doc)
    return None
