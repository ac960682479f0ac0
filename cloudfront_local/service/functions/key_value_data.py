"""The KeyValueStore data plane (botocore's `cloudfront-keyvaluestore`): keys read and written by ARN, under
an ETag of the store's data that every write renews and every write must name in If-Match."""
from __future__ import annotations

import base64
import binascii

from ..common import errors, ids
from ..common.context import Context
from ..common.registry import operation
from . import key_value_stores as stores

SERVICE = "cloudfront-keyvaluestore"
MAX_BATCH = 50                      # puts and deletes in one UpdateKeys
MAX_BATCH_BYTES = 3 * 1024 * 1024   # "The aggregate size of all keys and values in an UpdateKeys request"
DEFAULT_RESULTS = 10  # ListKeys' MaxResults when none is given (the model bounds it to 1-50)


ValidationException = errors.ValidationException
ConflictException = errors.ConflictException
ResourceNotFoundException = errors.ResourceNotFoundException
ServiceQuotaExceededException = errors.ServiceQuotaExceededException


def _data(ctx: Context, tx, arn: str):
    found = stores.by_arn(ctx, tx, arn)
    data = tx.get(stores.DATA_KIND, ctx.account, found.id) if found is not None else None
    if data is None:
        raise ResourceNotFoundException(f"The key value store {arn} does not exist.")
    return found, data


def _counts(items: dict) -> dict:
    return {"ItemCount": len(items), "TotalSizeInBytes": stores.size_of(items)}


def _write(ctx: Context, tx, params: dict, change) -> dict:
    _, data = _data(ctx, tx, params["KvsARN"])
    if params.get("IfMatch") != data.doc["ETag"]:
        raise ConflictException("The ETag in If-Match is not the store's current ETag: read it again with "
                                "DescribeKeyValueStore.")
    items = dict(data.doc["Items"])
    change(items)
    if stores.size_of(items) > stores.MAX_STORE_BYTES:
        raise ServiceQuotaExceededException(f"The store would hold more than {stores.MAX_STORE_BYTES} bytes of keys "
                                            "and values.")
    doc = {**data.doc, "Items": items, "ETag": ids.etag(), "LastModified": ids.timestamp(ctx.now)}
    tx.replace(data, doc)
    return {**_counts(items), "ETag": doc["ETag"]}


def _item(key: str, value: str | None = None) -> None:
    stores.check_item(key, value, ValidationException)


@operation("DescribeKeyValueStore", SERVICE)
def describe(ctx, tx, params):
    found, data = _data(ctx, tx, params["KvsARN"])
    return {**_counts(data.doc["Items"]), "KvsARN": found.doc["ARN"], "Created": data.doc["Created"],
            "LastModified": data.doc["LastModified"], "ETag": data.doc["ETag"], "Status": found.doc["Status"]}


@operation("GetKey", SERVICE)
def get_key(ctx, tx, params):
    _, data = _data(ctx, tx, params["KvsARN"])
    items = data.doc["Items"]
    if params["Key"] not in items:
        raise ResourceNotFoundException(f"The key {params['Key']} does not exist.")
    return {"Key": params["Key"], "Value": items[params["Key"]], **_counts(items)}


@operation("PutKey", SERVICE)
def put_key(ctx, tx, params):
    _item(params["Key"], params["Value"])
    return _write(ctx, tx, params, lambda items: items.__setitem__(params["Key"], params["Value"]))


@operation("DeleteKey", SERVICE)
def delete_key(ctx, tx, params):
    _item(params["Key"])

    def change(items):
        if items.pop(params["Key"], None) is None:
            raise ResourceNotFoundException(f"The key {params['Key']} does not exist.")

    return _write(ctx, tx, params, change)


@operation("UpdateKeys", SERVICE)
def update_keys(ctx, tx, params):
    puts, deletes = params.get("Puts") or [], params.get("Deletes") or []
    if len(puts) + len(deletes) > MAX_BATCH:
        raise ValidationException(f"UpdateKeys takes at most {MAX_BATCH} puts and deletes together.")
    if sum(len(p["Key"].encode()) + len(p["Value"].encode()) for p in puts) > MAX_BATCH_BYTES:
        raise ValidationException(f"The keys and values of one UpdateKeys may hold at most {MAX_BATCH_BYTES} bytes.")
    for entry in puts:
        _item(entry["Key"], entry["Value"])
    for entry in deletes:
        _item(entry["Key"])
    keys = [entry["Key"] for entry in puts] + [entry["Key"] for entry in deletes]
    if len(set(keys)) != len(keys):
        raise ValidationException("A key can appear once in an UpdateKeys request.")

    def change(items):
        for entry in deletes:
            items.pop(entry["Key"], None)
        for entry in puts:
            items[entry["Key"]] = entry["Value"]

    return _write(ctx, tx, params, change)


@operation("ListKeys", SERVICE)
def list_keys(ctx, tx, params):
    _, data = _data(ctx, tx, params["KvsARN"])
    limit = params.get("MaxResults") or DEFAULT_RESULTS
    keys = sorted(data.doc["Items"])
    start = 0
    if params.get("NextToken"):
        after = _token_key(params["NextToken"])
        start = next((i for i, key in enumerate(keys) if key > after), len(keys))
    page = keys[start:start + limit]
    answer = {"Items": [{"Key": key, "Value": data.doc["Items"][key]} for key in page]}
    if start + limit < len(keys):
        answer["NextToken"] = base64.urlsafe_b64encode(page[-1].encode()).decode()
    return answer


def _token_key(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode("ascii")).decode()
    except (binascii.Error, UnicodeError, ValueError):
        raise ValidationException(f"The NextToken {token[:40]!r} is not one ListKeys gave.") from None
