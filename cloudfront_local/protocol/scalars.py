"""Scalars as text, the way URI labels, query strings, headers and XML carry them: read by a member's shape
from what a client sent, written by it for what a client will read."""
from __future__ import annotations

import base64
import binascii
import datetime
import email.utils
import math
import re

import botocore.model

from .text import clip as _clip

_INTEGER = re.compile(r"-?[0-9]{1,20}", re.ASCII)  # ASCII digits only: int() would also take '٣' or '²'
INT_BOUNDS = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}


class Bad(Exception):
    """A value that cannot be read as its type; the codec answers it with an error naming the member."""


def read_scalar(text: str, shape: botocore.model.Shape, where: str):
    kind = shape.type_name
    if kind == "string":
        return text
    if kind in ("integer", "long"):
        if not _INTEGER.fullmatch(text):
            raise Bad(f"Value '{_clip(text)}' at '{where}' failed to satisfy constraint: Member must be a number")
        return bounded(int(text), kind, text, where)
    if kind == "boolean":
        lowered = text.strip().lower()
        if lowered not in ("true", "false"):
            raise Bad(f"Value '{_clip(text)}' at '{where}' failed to satisfy constraint: Member must be true or false")
        return lowered == "true"
    if kind in ("float", "double"):
        try:
            return float(text)
        except ValueError:
            raise Bad(f"Value '{_clip(text)}' at '{where}' failed to satisfy constraint: Member must be a number") from None
    if kind == "timestamp":
        return read_timestamp(text, where)
    if kind == "blob":
        return read_base64(text, where)
    raise Bad(f"Value at '{where}' has a type this codec does not read: {kind}")


def bounded(number: int, kind: str, shown, where: str) -> int:
    """`number` if it fits the model's integer or long, else Bad."""
    low, high = INT_BOUNDS[kind]
    if not low <= number <= high:
        article = "an" if kind == "integer" else "a"
        raise Bad(f"Value '{_clip(shown)}' at '{where}' failed to satisfy constraint: Member must fit in {article} {kind}")
    return number


def read_base64(text: str, where: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):  # ValueError: text outside ASCII
        raise Bad(f"Value at '{where}' failed to satisfy constraint: Member must be base64") from None


def read_timestamp(text: str, where: str) -> datetime.datetime:
    """Any of the three forms a timestamp travels in (epoch seconds, ISO 8601, HTTP date): clients of the
    REST protocols write query strings and headers each their own way."""
    value = text.strip()
    try:
        if value.replace(".", "", 1).isdigit():
            return datetime.datetime.fromtimestamp(float(value), datetime.timezone.utc)
        if value[-1:] in "Zz":
            value = value[:-1] + "+00:00"
        parsed = datetime.datetime.fromisoformat(value)
    except (ValueError, OverflowError, OSError):
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            raise Bad(f"Value '{_clip(text)}' at '{where}' failed to satisfy constraint: Member must be a timestamp") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed


def float_text(value) -> str:
    number = float(value)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    return repr(number)


def iso8601(value) -> str:
    if isinstance(value, str):
        return value  # already in wire form (the store keeps timestamps as ISO 8601 text)
    if isinstance(value, (int, float)):
        value = datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
    value = value.astimezone(datetime.timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def epoch_seconds(value) -> float:
    """A timestamp handed over as a datetime, ISO 8601 text (as the store keeps it) or a number."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    return float(value)


def format_timestamp(value, fmt: str) -> str:
    if fmt == "iso8601":
        return iso8601(value)
    epoch = epoch_seconds(value)
    if fmt == "unixTimestamp":
        return str(int(epoch)) if epoch == int(epoch) else repr(epoch)
    return email.utils.formatdate(epoch, usegmt=True)


def to_text(value, shape: botocore.model.Shape, default_ts: str = "iso8601") -> str:
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp":
        return format_timestamp(value, shape.serialization.get("timestampFormat", default_ts))
    if kind == "blob":
        raw = value.encode("utf-8") if isinstance(value, str) else value
        return base64.b64encode(raw).decode("ascii")
    if kind in ("float", "double"):
        return float_text(value)
    return str(value)
