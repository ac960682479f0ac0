"""Sample parameters for any botocore shape, for round-trip tests of the codec."""
from __future__ import annotations

import datetime


def sample(shape, depth: int = 0, seen: tuple = ()):
    """A value of `shape`: every member filled, lists of two, bounded recursion."""
    kind = shape.type_name
    if kind == "structure":
        if shape.name in seen or depth > 6:
            return None
        value = {}
        for name, member in shape.members.items():
            if member.metadata.get("eventstream") or member.serialization.get("eventstream"):
                continue
            item = sample(member, depth + 1, seen + (shape.name,))
            if item is not None:
                value[name] = item
        return value
    if kind == "list":
        item = sample(shape.member, depth + 1, seen)
        return [] if item is None else [item, item]
    if kind == "map":
        item = sample(shape.value, depth + 1, seen)
        return {} if item is None else {"k1": item, "k2": item}
    if kind == "string":
        if shape.enum:
            return shape.enum[-1]
        return "v-" + shape.name[:8]
    if kind in ("integer", "long"):
        return int(shape.metadata.get("min", 7)) + 1
    if kind in ("float", "double"):
        return 1.5
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return datetime.datetime(2026, 11, 24, 10, 30, 15, tzinfo=datetime.timezone.utc)
    if kind == "blob":
        return b"binary-blob"
    return None


def botocore_request(operation, params: dict):
    """What botocore puts on the wire for `params`: (method, path, query string, lower-case headers, body)."""
    import urllib.parse

    import botocore.serialize

    serializer = botocore.serialize.create_serializer("rest-xml", include_validation=False)
    request = serializer.serialize_to_request(params, operation)
    path, _, literal_query = request["url_path"].partition("?")
    query = request["query_string"]
    if isinstance(query, dict):
        query = urllib.parse.urlencode(query, doseq=True)
    query = "&".join(part for part in (literal_query, query) if part)
    headers = {k.lower(): (v.decode() if isinstance(v, bytes) else str(v)) for k, v in request["headers"].items()}
    body = request["body"] or b""
    if isinstance(body, str):
        body = body.encode()
    return request["method"], path, query, headers, body


# Operations no request can tell apart: S3's deprecated aliases (the live operation answers them) and
# ListDirectoryBuckets, which differs from ListBuckets only by the host it is sent to.
INDISTINGUISHABLE = {
    ("s3", "GetBucketLifecycle"): "GetBucketLifecycleConfiguration",
    ("s3", "PutBucketLifecycle"): "PutBucketLifecycleConfiguration",
    ("s3", "GetBucketNotification"): "GetBucketNotificationConfiguration",
    ("s3", "PutBucketNotification"): "PutBucketNotificationConfiguration",
    ("s3", "ListDirectoryBuckets"): "ListBuckets",
}
