"""JSON bodies of the REST-JSON protocol, read and written by the model's shapes.

Reading is strict, as Smithy's restJson1 server tests ask: the body must be UTF-8 JSON (RFC 8259, no NaN or
Infinity tokens, no comments), each value of its member's JSON type (no "123" for a number, no 1.5 for an
integer), timestamps in their member's format (epoch seconds by default), blobs in base64. Beyond the
standard: a key given twice in one object, a lone surrogate escape and nesting deeper than MAX_JSON_DEPTH are
refused too. Every refusal is a Bad naming the member; unknown members are ignored (a newer client may send
them), except inside a union, where the member sent must be one the model knows.
"""
from __future__ import annotations

import base64
import datetime
import email.utils
import itertools
import json
import math
import re

import botocore.model

from .scalars import Bad, bounded, epoch_seconds, iso8601, read_base64
from .text import SURROGATES

MAX_JSON_DEPTH = 64

# What a depth count must skip: whole strings (whose brackets are text). Possessive, and the closing quote
# optional, so that an unterminated string costs one pass, not one per quote after it.
_STRINGS = re.compile(r'"(?:[^"\\]++|\\.)*+"?', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _deepest(text: str) -> int:
    return max(itertools.accumulate(map(_STEP.__getitem__, _BRACKETS.findall(_STRINGS.sub("", text)))), default=0)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON value")


def _finite(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise ValueError(f"the number {text[:32]} is too large")
    return number


def _object(pairs: list) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise ValueError(f"the key {json.dumps(twice)[:64]} appears twice in one object")
    return result


def load(body: bytes | str, what: str = "The request body"):
    """Parse untrusted JSON text; Bad when it is not UTF-8 JSON or nests too deep."""
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Bad(f"{what} is not valid UTF-8") from None
    if _deepest(body) > MAX_JSON_DEPTH:
        raise Bad(f"{what} nests deeper than {MAX_JSON_DEPTH} arrays and objects")
    try:
        return json.loads(body, parse_constant=_refuse_constant, parse_float=_finite, object_pairs_hook=_object)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError, and so is a hook's refusal
        raise Bad(f"{what} is not valid JSON: {exc}") from None


def read_json_value(text: str, where: str):
    """A header member with the jsonvalue trait: any JSON value, base64-encoded."""
    return _document(load(read_base64(text, where), f"The JSON value of '{where}'"), where)


def read_body(shape: botocore.model.Shape, body: bytes) -> dict:
    """The input members a request body carries: its payload member, or the body members of a JSON object."""
    payload_name = shape.serialization.get("payload")
    if payload_name is not None:
        member = shape.members[payload_name]
        if member.type_name in ("blob", "string"):  # the body itself
            if not body:
                return {}
            if member.type_name == "blob":
                return {payload_name: body}
            try:
                return {payload_name: body.decode("utf-8")}
            except UnicodeDecodeError:
                raise Bad("The request body is not valid UTF-8") from None
        if not body.strip():
            return {}
        return {payload_name: _read(load(body), member, payload_name)}
    if not _fields(shape) or not body.strip():
        return {}
    value = load(body)
    if not isinstance(value, dict):
        raise Bad("The request body must be a JSON object")
    return _structure(value, shape, "")


_FIELDS: dict[int, tuple] = {}


def _fields(shape) -> dict[str, tuple[str, botocore.model.Shape]]:
    """JSON key -> (member name, member) of a structure's body members; once per shape."""
    cached = _FIELDS.get(id(shape))
    if cached is not None and cached[0] is shape:
        return cached[1]
    fields = {member.serialization.get("name", name): (name, member) for name, member in shape.members.items()
              if not member.serialization.get("location")}
    _FIELDS[id(shape)] = (shape, fields)  # the shape itself is kept, so its id stays its own
    return fields


def _path(where: str, name) -> str:
    return f"{where}.{name}" if where else str(name)


def _must(where: str, what: str):
    return Bad(f"Value at '{where or 'the body'}' failed to satisfy constraint: Member must be {what}")


def _read(value, shape: botocore.model.Shape, where: str):
    kind = shape.type_name
    if kind == "structure":
        if shape.metadata.get("document"):
            return _document(value, where)
        if not isinstance(value, dict):
            raise _must(where, "a JSON object")
        return _structure(value, shape, where)
    if kind == "list":
        if not isinstance(value, list):
            raise _must(where, "a JSON array")
        return [_item(item, shape.member, f"{where}.{index}") for index, item in enumerate(value, 1)]
    if kind == "map":
        if not isinstance(value, dict):
            raise _must(where, "a JSON object")
        return {_read(key, shape.key, f"{where}.{key}.key"): _item(item, shape.value, f"{where}.{key}.value")
                for key, item in value.items()}
    if kind == "string":
        if not isinstance(value, str):
            raise _must(where, "a string")
        if SURROGATES.search(value):
            raise _must(where, "text without lone surrogates")
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _must(where, "true or false")
        return value
    if kind in ("integer", "long"):
        if type(value) is not int:  # bool is an int subclass, and 1.0 is no integer here
            raise _must(where, f"an {kind}" if kind == "integer" else f"a {kind}")
        return bounded(value, kind, value, where)
    if kind in ("float", "double"):
        return _number(value, where)
    if kind == "timestamp":
        return _timestamp(value, shape.serialization.get("timestampFormat", "unixTimestamp"), where)
    if kind == "blob":
        if not isinstance(value, str):
            raise _must(where, "a base64 string")
        return read_base64(value, where)
    raise Bad(f"Value at '{where}' has a type this codec does not read: {kind}")


def _item(value, shape, where: str):
    # Lists and maps are dense (Smithy's default, and botocore's models mark no other): null is no item.
    if value is None:
        raise _must(where, "a value, not null")
    return _read(value, shape, where)


def _structure(value: dict, shape, where: str) -> dict:
    fields = _fields(shape)
    result = {}
    for key, item in value.items():
        field = fields.get(key)
        if field is None:
            if shape.metadata.get("union") and key != "__type":
                raise Bad(f"Value at '{_path(where, key)}' is not a member of the union '{where or shape.name}'")
            continue
        if item is not None:
            name, member = field
            result[name] = _read(item, member, _path(where, name))
    if shape.metadata.get("union") and len(result) != 1:
        raise Bad(f"Value at '{where or 'the body'}' failed to satisfy constraint: Member must set exactly one "
                  f"member of its union, not {len(result)}")
    return result


_SPECIAL_FLOATS = ("NaN", "Infinity", "-Infinity")


def _number(value, where: str) -> float:
    if isinstance(value, str):
        if value not in _SPECIAL_FLOATS:  # the only numbers JSON has no literal for travel as these names
            raise _must(where, "a number")
        return float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _must(where, "a number")
    try:
        number = float(value)
    except OverflowError:
        raise _must(where, "a number a double can hold") from None
    return number


_DATE_TIME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?[Zz]",
                        re.ASCII)
_HTTP_DATE = re.compile(r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT",
                        re.ASCII)


def _timestamp(value, fmt: str, where: str) -> datetime.datetime:
    """A body timestamp in exactly its member's format: Smithy refuses the other two forms."""
    try:
        if fmt == "iso8601" and isinstance(value, str) and (match := _DATE_TIME.fullmatch(value)):
            *fields, fraction = match.groups()
            micro = int((fraction or "0")[:6].ljust(6, "0"))
            return datetime.datetime(*map(int, fields), micro, tzinfo=datetime.timezone.utc)
        if fmt == "rfc822" and isinstance(value, str) and _HTTP_DATE.fullmatch(value):
            return email.utils.parsedate_to_datetime(value)
        if fmt == "unixTimestamp" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
    except (ValueError, TypeError, OverflowError, OSError):  # out of range: year 0, day 32, 1e300 seconds
        pass
    shown = {"iso8601": "an RFC 3339 date-time in UTC", "rfc822": "an HTTP date"}.get(fmt, "epoch seconds")
    raise _must(where, f"a timestamp given as {shown}")


def _document(value, where: str):
    """A document member: any JSON value, kept as it came, once its text is known to be whole Unicode."""
    if isinstance(value, str) and SURROGATES.search(value):
        raise _must(where, "text without lone surrogates")
    if isinstance(value, list):
        for index, item in enumerate(value, 1):
            _document(item, f"{where}.{index}")
    elif isinstance(value, dict):
        for key, item in value.items():
            _document(key, where)
            _document(item, _path(where, key))
    return value


def write(value, shape: botocore.model.Shape):
    """`value` as the JSON value its shape puts on the wire (a structure's None members left out)."""
    kind = shape.type_name
    if kind == "structure":
        return value if shape.metadata.get("document") else write_members(value, shape, value)
    if kind == "list":
        return [write(item, shape.member) for item in value]
    if kind == "map":
        return {str(key): write(item, shape.value) for key, item in value.items()}
    if kind == "string":
        return value if isinstance(value, str) else str(value)
    if kind == "boolean":
        return bool(value)
    if kind in ("integer", "long"):
        return int(value)
    if kind in ("float", "double"):
        number = float(value)
        if math.isfinite(number):
            return number
        return "NaN" if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity")
    if kind == "timestamp":
        fmt = shape.serialization.get("timestampFormat", "unixTimestamp")
        if fmt == "iso8601":
            return iso8601(value)
        epoch = epoch_seconds(value)
        if fmt == "rfc822":
            return email.utils.formatdate(epoch, usegmt=True)
        epoch = round(epoch, 3)  # milliseconds, as AWS's JSON services send them
        return int(epoch) if epoch.is_integer() else epoch
    if kind == "blob":
        return base64.b64encode(value.encode("utf-8") if isinstance(value, str) else value).decode("ascii")
    return value


def write_members(value: dict, shape, names) -> dict:
    """The JSON object of a structure's members among `names` (members the model does not have left out)."""
    members = shape.members
    return {members[name].serialization.get("name", name): write(value[name], members[name])
            for name in names if value.get(name) is not None and name in members}


def dumps(value) -> bytes:
    # ASCII out: \u escapes carry any text, even a lone surrogate, where UTF-8 would fail.
    return json.dumps(value, separators=(",", ":")).encode("ascii")
