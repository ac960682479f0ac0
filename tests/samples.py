"""Sample parameters for any botocore shape, for round-trip tests of the codec."""
from __future__ import annotations

import datetime


def sample(shape, depth: int = 0, seen: tuple = ()):
    """A value of `shape`: every member filled, lists of two, bounded recursion."""
    kind = shape.type_name
    if kind == "structure":
        if shape.name in seen or depth > 6:
            return None
        if shape.metadata.get("document"):
            return {"doc": [1, "two", {"three": None}], "flag": True}
        value = {}
        members = list(shape.members.items())
        if shape.metadata.get("union"):  # a scalar first, so that depth never leaves a union empty
            members.sort(key=lambda item: item[1].type_name in ("structure", "list", "map"))
        for name, member in members:
            if member.metadata.get("eventstream") or member.serialization.get("eventstream"):
                continue
            item = sample(member, depth + 1, seen + (shape.name,))
            if item is not None:
                value[name] = item
                if shape.metadata.get("union"):
                    break  # a union holds exactly one member
        if shape.metadata.get("union") and not value:
            return None  # too deep for any member: left out, as a union cannot be empty
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

    serializer = botocore.serialize.create_serializer(operation.service_model.protocol, include_validation=False)
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


def read_back(codec, operation, parse_input):
    """botocore's request for sample params of `operation`, routed by `codec` and read by `parse_input` (before
    validation, which sample values fail): (the operation routed to, the params sent, the params read)."""
    import urllib.parse

    params = sample(operation.input_shape) or {}
    method, path, query, headers, body = botocore_request(operation, params)
    parsed_query = urllib.parse.parse_qs(query, keep_blank_values=True)
    found, labels = codec.router.match(method, path, parsed_query, headers)
    return found, params, parse_input(operation, labels, parsed_query, headers, body)


def botocore_reads(protocol: str, response, shape) -> dict:
    """What botocore's own parser for `protocol` reads in one of our responses, as `shape` (None: an error)."""
    import botocore.awsrequest
    import botocore.parsers

    parser = botocore.parsers.create_parser(protocol)
    return parser.parse({"status_code": response.status, "headers": botocore.awsrequest.HeadersDict(response.headers),
                         "body": response.body}, shape)


# Operations no request can tell apart: S3's deprecated aliases (the live operation answers them) and
# ListDirectoryBuckets, which differs from ListBuckets only by the host it is sent to.
INDISTINGUISHABLE = {
    ("s3", "GetBucketLifecycle"): "GetBucketLifecycleConfiguration",
    ("s3", "PutBucketLifecycle"): "PutBucketLifecycleConfiguration",
    ("s3", "GetBucketNotification"): "GetBucketNotificationConfiguration",
    ("s3", "PutBucketNotification"): "PutBucketNotificationConfiguration",
    ("s3", "ListDirectoryBuckets"): "ListBuckets",
}


def normalise(value):
    """Compare what the wire can carry: an empty list or map is nothing at all, timestamps are whole seconds,
    numbers are numbers whatever their type, and botocore hands a non-streaming blob payload back as text."""
    if isinstance(value, dict):
        normalised = {k: normalise(v) for k, v in value.items() if k != "ResponseMetadata"}
        return {k: v for k, v in normalised.items() if v not in ([], {})}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).replace(microsecond=0)
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return value
