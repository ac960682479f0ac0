"""Members that travel outside the body: URI labels, query parameters, headers and the status code.

Every REST protocol places them alike, whatever its body speaks (XML or JSON): this module reads them from a
request and writes them to a response; the codecs add the body.
"""
from __future__ import annotations

import base64
import json
import re

import botocore.model

from .errors import ValidationFailed
from .json_body import read_json_value
from .scalars import Bad, read_scalar, read_timestamp, to_text

# What a codec refuses in a located value, and how its message names it: (pattern, "characters that ... cannot
# carry"). XML refuses what XML 1.0 cannot hold, JSON what UTF-8 cannot.
Refusal = tuple[re.Pattern, str]

_LOCATED: dict[int, tuple] = {}


def located_members(shape) -> tuple[list, frozenset]:
    """The members that travel outside the body, and the query parameter names they claim; once per shape."""
    cached = _LOCATED.get(id(shape))
    if cached is not None and cached[0] is shape:
        return cached[1], cached[2]
    located = [(name, member, member.serialization["location"]) for name, member in shape.members.items()
               if member.serialization.get("location")]
    query_names = frozenset(member.serialization.get("name", name) for name, member, location in located
                            if location == "querystring")
    _LOCATED[id(shape)] = (shape, located, query_names)  # the shape itself is kept, so its id stays its own
    return located, query_names


def read_located(operation: botocore.model.OperationModel, labels: dict[str, str], query: dict[str, list[str]],
                 headers: dict[str, str], *, code: str, refuse: Refusal) -> dict:
    """The input members sent outside the body. A value that cannot be read as its type is a ValidationFailed
    with `code`, naming every such member."""
    params: dict = {}
    problems: list[str] = []
    located, query_names = located_members(operation.input_shape)
    for name, member, location in located:
        if location == "querystring" and member.type_name == "map":
            # The parameters a requestUri fixes ("/restapis?mode=import") are the route's, not the map's.
            query_names = query_names | {pair.partition("=")[0]
                                         for pair in operation.http["requestUri"].partition("?")[2].split("&")}
        try:
            value = _located_value(name, member, location, labels, query, query_names, headers)
            if value is not None and _holds(refuse[0], value):
                raise Bad(f"Value at '{name}' failed to satisfy constraint: Member must not contain {refuse[1]}")
        except Bad as bad:
            problems.append(str(bad))
            continue
        if value is not None:
            params[name] = value
    if problems:
        raise ValidationFailed(problems, code)
    return params


def _holds(pattern: re.Pattern, value) -> bool:
    if isinstance(value, str):
        return pattern.search(value) is not None
    if isinstance(value, list):
        return any(_holds(pattern, v) for v in value)
    if isinstance(value, dict):
        return any(_holds(pattern, k) or _holds(pattern, v) for k, v in value.items())
    return False


def _located_value(name, member, location, labels, query, query_names, headers):
    """The value of a member that travels outside the body, or None when it was not sent."""
    wire = member.serialization.get("name", name)
    kind = member.type_name
    if location == "uri":
        return read_scalar(labels[wire], member, name) if wire in labels else None
    if location == "querystring":
        if kind == "map":  # every query parameter no other member claims
            entries = {k: (v if member.value.type_name == "list" else v[-1])
                       for k, v in query.items() if k not in query_names}
            return entries or None
        if wire not in query:
            return None
        values = query[wire]
        if kind == "list":
            return [read_scalar(v, member.member, name) for v in values]
        return read_scalar(values[-1], member, name)
    if location == "header":
        value = headers.get(wire.lower())
        if value is None:
            return None
        if kind == "list":
            if not value.strip():
                return []  # an empty list travels as an empty header
            return [read_scalar(v, member.member, name) for v in split_header_list(value, member.member)]
        if kind == "timestamp":
            return read_timestamp(value, name)
        if kind == "string" and member.serialization.get("jsonvalue"):
            return read_json_value(value, name)
        return read_scalar(value, member, name)
    if location == "headers":  # a map of every header with this prefix
        prefix = wire.lower()
        return {k[len(prefix):]: v for k, v in headers.items() if k.startswith(prefix)} or None
    return None  # statusCode and the like are response-only


_HTTP_DATE_DAY = re.compile(r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)", re.ASCII)


def split_header_list(value: str, member: botocore.model.Shape) -> list[str]:
    """The items of a list sent in one header (RFC 7230 section 7): split on commas outside double quotes,
    quoted items unquoted. An HTTP date holds a comma of its own ("Mon, 16 Dec 2019 23:48:18 GMT"), so a
    list of timestamps joins a weekday with the item after it."""
    items: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in value:
        if escaped:
            current.append(char)
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    items.append("".join(current).strip())
    if member.type_name == "timestamp":
        joined: list[str] = []
        for item in items:
            if joined and _HTTP_DATE_DAY.fullmatch(joined[-1]):
                joined[-1] = f"{joined[-1]}, {item}"
            else:
                joined.append(item)
        items = joined
    return items


# A header value ends at a line break: one inside a value would start a header of the caller's choosing.
_HEADER_BREAKS = re.compile("[\r\n\x00]")


def header_text(text: str) -> str:
    if "\n" in text or "\r" in text or "\x00" in text:  # cheaper than a search on every header of every answer
        return _HEADER_BREAKS.sub(" ", text)
    return text


# Response members travel in the headers or the status only where the model puts them there; a member
# bound to the URI or the query string (meaningless in a response) is written in the body, as clients read it.
RESPONSE_LOCATIONS = frozenset({"header", "headers", "statusCode"})


def in_body(member) -> bool:
    return member.serialization.get("location") not in RESPONSE_LOCATIONS


class OutputPlan:
    """How one operation's output goes on the wire, worked out once from the model: the status, the header
    members and a blob or string payload sent as the body itself. A subclass writes any other body, in
    `content_type`."""

    content_type = ""

    def __init__(self, operation: botocore.model.OperationModel):
        self.status = int(operation.http.get("responseCode", 200))
        self.located: list[tuple[str, str, str, botocore.model.Shape]] = []  # name, location, wire, shape
        self.body_names: list[str] = []
        self.raw_payload: str | None = None  # a blob or string payload member, sent as the body itself
        self.payload: str | None = None      # any other payload member, which alone makes the body
        shape = operation.output_shape
        if shape is None:
            return
        for name, member in shape.members.items():
            if in_body(member):
                self.body_names.append(name)
            else:
                self.located.append((name, member.serialization["location"], member.serialization.get("name", name),
                                     member))
        payload_name = shape.serialization.get("payload")
        if payload_name is not None:
            if shape.members[payload_name].type_name in ("blob", "string"):
                self.raw_payload = payload_name
            else:
                self.payload = payload_name

    def write(self, output: dict) -> tuple[int, dict[str, str], bytes]:
        status = self.status
        headers: dict[str, str] = {}
        for name, location, wire, member in self.located:
            value = output.get(name)
            if value is None:
                continue
            if location == "header":
                headers[wire] = header_text(_header_value(value, member))
            elif location == "headers":
                for key, item in value.items():
                    headers[header_text(wire + key)] = header_text(str(item))
            elif location == "statusCode":
                status = int(value)
        if self.raw_payload is not None:
            value = output.get(self.raw_payload)
            if value is None:
                return status, headers, b""
            return status, headers, value if isinstance(value, bytes) else value.encode("utf-8")
        body = self.body(output)
        if body:
            headers["Content-Type"] = self.content_type
        return status, headers, body

    def body(self, output: dict) -> bytes:
        raise NotImplementedError


def _header_value(value, member) -> str:
    if member.type_name == "list":
        return ",".join(to_text(v, member.member) for v in value)
    if member.type_name == "string":
        if member.serialization.get("jsonvalue"):  # any JSON value, base64-encoded
            return base64.b64encode(json.dumps(value, separators=(",", ":")).encode("utf-8")).decode("ascii")
        return value
    return to_text(value, member, "rfc822")
