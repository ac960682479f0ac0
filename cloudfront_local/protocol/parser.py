"""Request -> input parameters: URI labels, query string, headers and the XML payload, typed by the model."""
from __future__ import annotations

import base64
import binascii
import datetime
import email.utils
import re
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat

import botocore.model

from .errors import CodecError, ValidationFailed
from .text import NOT_XML
from .text import clip as _clip
from .text import join_path as _join

_INTEGER = re.compile(r"-?[0-9]{1,20}", re.ASCII)  # ASCII digits only: int() would also take '٣' or '²'
INT_BOUNDS = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
MAX_XML_DEPTH = 64


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]  # expat writes namespaced names as "uri}local"


class _Bad(Exception):
    """A value that cannot be read as its type; becomes InvalidArgument naming the member."""


def _scalar(text: str, shape: botocore.model.Shape, where: str):
    kind = shape.type_name
    if kind == "string":
        return text
    if kind in ("integer", "long"):
        if not _INTEGER.fullmatch(text):
            raise _Bad(f"Value '{_clip(text)}' at '{where}' failed to satisfy constraint: Member must be a number")
        number = int(text)
        low, high = INT_BOUNDS[kind]
        if not low <= number <= high:
            raise _Bad(f"Value '{_clip(text)}' at '{where}' failed to satisfy constraint: Member must fit in an {kind}"
                       if kind == "integer" else
                       f"Value '{_clip(text)}' at '{where}' failed to satisfy constraint: Member must fit in a {kind}")
        return number
    if kind == "boolean":
        lowered = text.strip().lower()
        if lowered not in ("true", "false"):
            raise _Bad(f"Value '{_clip(text)}' at '{where}' failed to satisfy constraint: Member must be true or false")
        return lowered == "true"
    if kind in ("float", "double"):
        try:
            return float(text)
        except ValueError:
            raise _Bad(f"Value '{_clip(text)}' at '{where}' failed to satisfy constraint: Member must be a number") from None
    if kind == "timestamp":
        return _timestamp(text, where)
    if kind == "blob":
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise _Bad(f"Value at '{where}' failed to satisfy constraint: Member must be base64") from None
    raise _Bad(f"Value at '{where}' has a type this codec does not read: {kind}")


def _timestamp(text: str, where: str) -> datetime.datetime:
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
            raise _Bad(f"Value '{_clip(text)}' at '{where}' failed to satisfy constraint: Member must be a timestamp") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed


def _element_name(member: botocore.model.Shape, default: str) -> str:
    return member.serialization.get("name", default)


def member_key_name(member: botocore.model.Shape, name: str) -> str:
    """The element name of a structure member as botocore writes and reads it; a flattened list is named by
    its member's name."""
    if member.type_name == "list" and member.serialization.get("flattened"):
        inner = member.member.serialization.get("name")
        if inner is not None:
            return inner
    return member.serialization.get("name", name)


def _member_tags(structure: botocore.model.Shape, member: botocore.model.Shape, name: str) -> set[str]:
    """Every element name a member may arrive under: as botocore's parser names it (a flattened list after
    its list member), as botocore's serializer writes it (after the member, with a target shape's own
    locationName merged in), and as Smithy names it (after the member's own traits alone)."""
    return {member_key_name(member, name), member.serialization.get("name", name),
            structure._shape_model["members"][name].get("locationName", name)}


def _from_xml(element: Element, shape: botocore.model.Shape, where: str):
    # No depth guard here: parse_xml has already refused documents nested deeper than MAX_XML_DEPTH.
    kind = shape.type_name
    if kind == "structure":
        return _structure_from_xml(element, shape, where)
    if kind == "list":
        member = shape.member
        name = _element_name(member, "member")
        return [_from_xml(child, member, f"{where}.{i}")
                for i, child in enumerate((c for c in element if _local(c.tag) == name), 1)]
    if kind == "map":
        return _map_entries(list(element), shape, where)
    return _scalar(element.text or "", shape, where)


def _map_entries(entries, shape, where):
    key_name = _element_name(shape.key, "key")
    value_name = _element_name(shape.value, "value")
    result = {}
    for entry in entries:
        key = value = None
        for child in entry:
            tag = _local(child.tag)
            if tag == key_name:
                key = _scalar(child.text or "", shape.key, f"{where}.key")
            elif tag == value_name:
                value = _from_xml(child, shape.value, f"{where}.{child.text}")
        if key is not None:
            result[key] = value
    return result


_TAGS: dict[int, tuple] = {}


def _tags(shape) -> tuple:
    """(element name -> [(member name, member)], [(attribute name, member name, member)]) of a structure,
    worked out once per shape object (botocore caches shapes, so each is met again on every request).

    A few models (S3's legacy notification shapes) give two members one element name; botocore then
    fills both, and so do we."""
    cached = _TAGS.get(id(shape))
    if cached is not None and cached[0] is shape:
        return cached[1], cached[2]
    by_tag: dict[str, list[tuple[str, botocore.model.Shape]]] = {}
    attributes = []
    for name, member in shape.members.items():
        if member.serialization.get("location"):
            continue
        if member.serialization.get("xmlAttribute"):
            attributes.append((member.serialization.get("name", name).split(":")[-1], name, member))
        else:
            for tag in _member_tags(shape, member, name):
                by_tag.setdefault(tag, []).append((name, member))
    _TAGS[id(shape)] = (shape, by_tag, attributes)  # the shape itself is kept, so its id stays its own
    return by_tag, attributes


def _structure_from_xml(element: Element, shape, where: str) -> dict:
    result: dict = {}
    by_tag, attributes = _tags(shape)
    for attr, name, member in attributes:
        for key, value in element.attrib.items():
            if _local(key) == attr:
                result[name] = _scalar(value, member, _join(where, name))
    flattened: dict[str, list[Element]] = {}
    for child in element:
        for name, member in by_tag.get(_local(child.tag), ()):  # unknown elements are ignored, as botocore does
            if member.serialization.get("flattened") and member.type_name in ("list", "map"):
                flattened.setdefault(name, []).append(child)
            else:
                result[name] = _from_xml(child, member, _join(where, name))
    for name, children in flattened.items():
        member = shape.members[name]
        path = _join(where, name)
        if member.type_name == "list":
            result[name] = [_from_xml(c, member.member, f"{path}.{i}") for i, c in enumerate(children, 1)]
        else:
            result[name] = _map_entries(children, member, path)
    return result


class _Refused(Exception):
    pass


class _TooDeep(Exception):
    pass


def _refuse(*_args):
    raise _Refused


def parse_xml(body: bytes) -> Element:
    """Parse an untrusted XML document: no DTD, so no entity of any kind and no external reference.

    expat reads, and ElementTree's C TreeBuilder builds the tree (about twice as fast as defusedxml's
    pure-Python parser, with the same refusals); nesting is bounded.
    """
    builder = TreeBuilder()
    depth = 0

    def start(tag, attributes):
        nonlocal depth
        depth += 1
        if depth > MAX_XML_DEPTH:
            raise _TooDeep
        builder.start(tag, attributes)

    def end(tag):
        nonlocal depth
        depth -= 1
        builder.end(tag)

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(body, True)
        return builder.close()
    except _Refused:
        raise CodecError("MalformedInput", "DTDs and entity declarations are not allowed in request bodies") from None
    except _TooDeep:
        raise CodecError("MalformedInput", f"The XML document nests deeper than {MAX_XML_DEPTH} elements") from None
    except (expat.ExpatError, ValueError) as exc:
        raise CodecError("MalformedInput", f"The XML you provided was not well-formed: {exc}") from None
    except LookupError as exc:
        # The XML declaration names the encoding, and expat asks Python's codec registry for any name it
        # does not know itself: an unknown name, or a codec that is not a text encoding (base64_codec),
        # answers LookupError. Either way the document cannot be read.
        raise CodecError("MalformedInput", f"The XML declaration names an encoding that cannot be read: {exc}") from None


def parse_input(
    operation: botocore.model.OperationModel,
    labels: dict[str, str],
    query: dict[str, list[str]],
    headers: dict[str, str],
    body: bytes,
) -> dict:
    """Build the operation's input parameters. Raises CodecError; validation is a separate step."""
    shape = operation.input_shape
    if shape is None:
        return {}
    params: dict = {}
    problems: list[str] = []
    located, query_names = _located_members(shape)
    for name, member, location in located:
        try:
            value = _located(name, member, location, labels, query, query_names, headers)
        except _Bad as bad:
            problems.append(str(bad))
            continue
        if value is not None:
            params[name] = value
    if problems:
        raise ValidationFailed(problems)
    params.update(_body(shape, body))
    return params


_LOCATED: dict[int, tuple] = {}


def _located_members(shape) -> tuple[list, frozenset]:
    """The members that travel outside the body, and the query parameter names they claim; once per shape."""
    cached = _LOCATED.get(id(shape))
    if cached is not None and cached[0] is shape:
        return cached[1], cached[2]
    located = [(name, member, member.serialization["location"]) for name, member in shape.members.items()
               if member.serialization.get("location")]
    query_names = frozenset(member.serialization.get("name", name) for name, member, location in located
                            if location == "querystring")
    _LOCATED[id(shape)] = (shape, located, query_names)
    return located, query_names


def _located(name, member, location, labels, query, query_names, headers):
    """The value of a member that travels outside the body, or None when it was not sent."""
    value = _located_value(name, member, location, labels, query, query_names, headers)
    if value is not None and _holds_non_xml(value):
        raise _Bad(f"Value at '{name}' failed to satisfy constraint: Member must not contain characters "
                   "that XML cannot carry")
    return value


def _holds_non_xml(value) -> bool:
    if isinstance(value, str):
        return NOT_XML.search(value) is not None
    if isinstance(value, list):
        return any(_holds_non_xml(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_non_xml(k) or _holds_non_xml(v) for k, v in value.items())
    return False


def _located_value(name, member, location, labels, query, query_names, headers):
    wire = member.serialization.get("name", name)
    kind = member.type_name
    if location == "uri":
        return _scalar(labels[wire], member, name) if wire in labels else None
    if location == "querystring":
        if kind == "map":  # every query parameter no other member claims
            entries = {k: (v if member.value.type_name == "list" else v[-1])
                       for k, v in query.items() if k not in query_names}
            return entries or None
        if wire not in query:
            return None
        values = query[wire]
        if kind == "list":
            return [_scalar(v, member.member, name) for v in values]
        return _scalar(values[-1], member, name)
    if location == "header":
        value = headers.get(wire.lower())
        if value is None:
            return None
        if kind == "list":
            if not value.strip():
                return []  # an empty list travels as an empty header
            return [_scalar(v, member.member, name) for v in split_header_list(value, member.member)]
        if kind == "timestamp":
            return _timestamp(value, name)
        return _scalar(value, member, name)
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


def _body(shape, body: bytes) -> dict:
    """Members read from the body: the payload member, or the body's root element's children."""
    payload_name = shape.serialization.get("payload")
    if payload_name is not None:
        member = shape.members[payload_name]
        if member.type_name in ("blob", "string"):
            if not body:
                return {}
            return {payload_name: body if member.type_name == "blob" else _decode(body)}
        if body.strip():
            return {payload_name: _checked(_from_xml, parse_xml(body), member, payload_name)}
        if payload_name in shape.required_members:
            raise CodecError("MissingBody", "This operation requires a request body")
        return {}
    in_body = [n for n, m in shape.members.items() if not m.serialization.get("location")]
    if not in_body:
        return {}
    if body.strip():
        return _checked(_structure_from_xml, parse_xml(body), shape, "")
    if any(n in shape.required_members for n in in_body):
        raise CodecError("MissingBody", "This operation requires a request body")
    return {}


def _checked(function, *args):
    try:
        return function(*args)
    except _Bad as bad:
        raise ValidationFailed([str(bad)]) from None


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise CodecError("InvalidArgument", "The request body is not valid UTF-8") from None
