"""Identifiers as AWS shows them: every Id, ETag, ARN and routing endpoint is made here."""
from __future__ import annotations

import os
import time

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_UPPER36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER36 = "0123456789abcdefghijklmnopqrstuvwxyz"


_TABLES: dict[str, bytes] = {}


def _random_text(alphabet: str, length: int) -> str:
    # Random bytes mapped onto the alphabet (a byte modulo its size: slightly uneven, which costs nothing
    # here; identifiers need only be unique, and the store refuses a repeated one).
    table = _TABLES.get(alphabet)
    if table is None:
        table = _TABLES[alphabet] = bytes(ord(alphabet[i % len(alphabet)]) for i in range(256))
    return os.urandom(length).translate(table).decode("ascii")


def connection_group_id() -> str:
    """`cg_` and 27 base62 characters, as in cg_2uVbA9KeWaADTbKzhj9lcKDoM25."""
    return "cg_" + _random_text(_BASE62, 27)


def distribution_tenant_id() -> str:
    """`dt_` and 27 base62 characters, as in dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB."""
    return "dt_" + _random_text(_BASE62, 27)


def anycast_ip_list_id() -> str:
    """`aip_` and 27 base62 characters (AWS's examples are redacted; the length follows cg_ and dt_)."""
    return "aip_" + _random_text(_BASE62, 27)


def vpc_origin_id() -> str:
    """`vo_` and 27 base62 characters, like the other newer resources (AWS's examples are redacted)."""
    return "vo_" + _random_text(_BASE62, 27)


def trust_store_id() -> str:
    """`ts_` and 27 base62 characters, like the other newer resources (AWS's examples are redacted)."""
    return "ts_" + _random_text(_BASE62, 27)


def distribution_id() -> str:
    """`E` and 13 upper-case letters or digits, as in E1U5RQF7T870K0."""
    return "E" + _random_text(_UPPER36, 13)


def uuid_id() -> str:
    """A UUID, as policy, key group and continuous deployment policy ids are (658327ea-f89d-4fab-a63d-7e88639e58f6)."""
    import uuid

    return str(uuid.uuid4())


def short_id(prefix: str = "E") -> str:
    """A letter and 13 upper-case letters or digits: origin access identities (E74FTE3AEXAMPLE's form),
    origin access controls (E2QWRUHAEXAMPLE), public keys (K3D5EWEUDCCXON), field-level encryption."""
    return prefix + _random_text(_UPPER36, 13)


def etag() -> str:
    """`E` and 13 upper-case letters or digits, as in E2QWRUHAPOMQZL."""
    return "E" + _random_text(_UPPER36, 13)


def routing_endpoint() -> str:
    """`d` and 13 lower-case letters or digits under cloudfront.net, as in d111111abcdef8.cloudfront.net."""
    return "d" + _random_text(_LOWER36, 13) + ".cloudfront.net"


def arn(account: str, resource_type: str, resource_id: str) -> str:
    return f"arn:aws:cloudfront::{account}:{resource_type}/{resource_id}"


def parse_arn(text: str) -> tuple[str, str, str] | None:
    """(account, resource type, id) of a CloudFront ARN in the `aws` partition (the only one we serve),
    or None when it is not one."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[1] != "aws" or parts[2] != "cloudfront":
        return None
    if parts[3] != "" or not parts[4].isdigit():
        return None
    resource_type, slash, resource_id = parts[5].partition("/")
    if not slash or not resource_type or not resource_id:
        return None
    return parts[4], resource_type, resource_id


def timestamp(epoch: float) -> str:
    """ISO 8601 in UTC with milliseconds and Z; stored and sent as this text, so a restart keeps it exactly."""
    seconds = int(epoch)
    t = time.gmtime(seconds)
    milliseconds = int((epoch - seconds) * 1000)
    return (f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}."
            f"{milliseconds:03d}Z")


def connection_function_id() -> str:
    """`cf_` and 27 base62 characters, like the other newer resources (AWS's examples are redacted)."""
    return "cf_" + _random_text(_BASE62, 27)


def invalidation_id(length: int = 13) -> str:
    """`I` and upper-case letters or digits: 13 for a distribution's (I2J0I21PCUYOIK), 25 for a tenant's
    (I4CU23QAPKMUDUU06F9OFGFABC)."""
    return "I" + _random_text(_UPPER36, length)
