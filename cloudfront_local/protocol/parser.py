"""Request -> input parameters: the members outside the body (located.py) and the XML payload, typed by the model."""
from __future__ import annotations

from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat

import botocore.model

from .errors import CodecError, ValidationFailed
from .located import read_located
from .scalars import Bad, read_scalar
from .text import NOT_XML
from .text import join_path as _join

MAX_XML_DEPTH = 64


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]  # expat writes namespaced names as "uri}local"


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
    return read_scalar(element.text or "", shape, where)


def _map_entries(entries, shape, where):
    key_name = _element_name(shape.key, "key")
    value_name = _element_name(shape.value, "value")
    result = {}
    for entry in entries:
        key = value = None
        for child in entry:
            tag = _local(child.tag)
            if tag == key_name:
                key = read_scalar(child.text or "", shape.key, f"{where}.key")
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
                result[name] = read_scalar(value, member, _join(where, name))
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
    # No value of a REST-XML service can hold what XML cannot carry, since no response could send it back.
    params = read_located(operation, labels, query, headers, code="InvalidArgument",
                          refuse=(NOT_XML, "characters that XML cannot carry"))
    params.update(_body(shape, body))
    return params


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
    except Bad as bad:
        raise ValidationFailed([str(bad)]) from None


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise CodecError("InvalidArgument", "The request body is not valid UTF-8") from None
