"""Output parameters -> HTTP response: status, header members and the XML document, as the model says."""
from __future__ import annotations

import re
from xml.sax.saxutils import escape as _sax_escape
from xml.sax.saxutils import quoteattr

import botocore.model

from .located import OutputPlan, in_body
from .model import namespace_of
from .parser import member_key_name
from .scalars import to_text as _text
from .text import NOT_XML


def escape(text: str) -> str:
    # Echoed input (a name in an error message) may hold what XML cannot carry. A raw carriage return
    # would reach the reader as a line feed (XML end-of-line handling): keep it.
    return NOT_XML.sub("\ufffd", _sax_escape(text)).replace("\r", "&#xD;")


# Characters that make escaping necessary; most values have none and are written as they are.
_SPECIAL = re.compile("[&<>\"'\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")


def _esc(text: str) -> str:
    return escape(text) if _SPECIAL.search(text) else text


def _key(shape) -> tuple:
    # A member's serialization (locationName, flattened, ...) is merged into its shape, so two uses of one
    # shape can be written differently: the key covers both.
    return shape.name, repr(sorted(shape.serialization.items()))


def _compile(shape, memo: dict):
    """A function (append, tag, value, attrs="") that writes `value` as the element `tag`.

    Built once per shape and kept: writing then costs no lookups in the model.
    """
    key = _key(shape)
    if key in memo:
        return memo[key]
    kind = shape.type_name
    own = _namespace_attr(shape)
    if kind == "structure":
        entries: list = []
        attributes: list = []

        def write(append, tag, value, attrs="", entries=entries, attributes=attributes, own=own):
            for name, attribute, member in attributes:
                if value.get(name) is not None:
                    attrs += f" {attribute}={quoteattr(_text(value[name], member))}"
            append(f"<{tag}{own}{attrs}>")
            for name, child_tag, child in entries:
                item = value.get(name)
                if item is not None:
                    child(append, child_tag, item)
            append(f"</{tag}>")

        memo[key] = write  # before the members: recursive shapes find it here
        for name, member in shape.members.items():
            if not in_body(member):
                continue
            if member.serialization.get("xmlAttribute"):
                attributes.append((name, member.serialization.get("name", name), member))
            else:
                entries.append((name, member_key_name(member, name), _compile(member, memo)))
        return write
    if kind == "list":
        inner = _compile(shape.member, memo)
        if shape.serialization.get("flattened"):
            def write(append, tag, value, attrs=""):
                for item in value:
                    inner(append, tag, item)
        else:
            inner_tag = shape.member.serialization.get("name", "member")

            def write(append, tag, value, attrs=""):
                append(f"<{tag}{own}{attrs}>")
                for item in value:
                    inner(append, inner_tag, item)
                append(f"</{tag}>")
    elif kind == "map":
        key_tag = shape.key.serialization.get("name", "key")
        value_tag = shape.value.serialization.get("name", "value")
        write_key, write_value = _compile(shape.key, memo), _compile(shape.value, memo)
        flattened = bool(shape.serialization.get("flattened"))

        def write(append, tag, value, attrs=""):
            if not flattened:
                append(f"<{tag}{own}{attrs}>")
            for entry_key, item in value.items():
                append(f"<{tag}{own}{attrs}>" if flattened else "<entry>")
                write_key(append, key_tag, entry_key)
                write_value(append, value_tag, item)
                append(f"</{tag}>" if flattened else "</entry>")
            if not flattened:
                append(f"</{tag}>")
    elif kind == "string":
        def write(append, tag, value, attrs=""):
            append(f"<{tag}{own}{attrs}>{_esc(value)}</{tag}>")
    elif kind == "boolean":
        def write(append, tag, value, attrs=""):
            append(f"<{tag}{own}{attrs}>{'true' if value else 'false'}</{tag}>")
    elif kind in ("integer", "long"):
        def write(append, tag, value, attrs=""):
            append(f"<{tag}{own}{attrs}>{int(value)}</{tag}>")
    else:  # timestamps, blobs, floats: formatted by the shape
        def write(append, tag, value, attrs="", shape=shape):
            append(f"<{tag}{own}{attrs}>{_esc(_text(value, shape))}</{tag}>")
    memo[key] = write
    return write


_WRITERS: dict = {}


def _namespace_attr(shape) -> str:
    """The xmlns attribute a shape's element carries when the model declares a namespace on it."""
    prefix, uri = namespace_of(shape)
    if uri is None:
        return ""
    return f" xmlns:{prefix}={quoteattr(uri)}" if prefix else f" xmlns={quoteattr(uri)}"


def _root_attrs(shape, namespace: str | None) -> str:
    """The root element is in the service's namespace unless its shape declares one of its own."""
    if namespace_of(shape)[1] is not None or not namespace:
        return ""
    return f" xmlns={quoteattr(namespace)}"


class _OutputPlan(OutputPlan):
    """The XML document of one operation's output, worked out once from the model."""

    content_type = "text/xml"

    def __init__(self, operation: botocore.model.OperationModel, namespace: str | None):
        super().__init__(operation)
        self.root: tuple | None = None  # (member name or None for the whole output, tag, writer, attrs)
        shape = operation.output_shape
        if self.payload is not None:
            member = shape.members[self.payload]
            self.root = (self.payload, member.serialization.get("name", self.payload), _compile(member, _WRITERS),
                         _root_attrs(member, namespace))
        elif self.raw_payload is None and self.body_names:
            self.root = (None, shape.serialization.get("name", shape.name), _compile(shape, _WRITERS),
                         _root_attrs(shape, namespace))

    def body(self, output: dict) -> bytes:
        if self.root is None:
            return b""
        name, tag, writer, attrs = self.root
        value = output if name is None else output.get(name)
        if value is None or (name is None and all(output.get(n) is None for n in self.body_names)):
            return b""
        out = ['<?xml version="1.0" encoding="UTF-8"?>']
        writer(out.append, tag, value, attrs)
        return "".join(out).encode("utf-8")


_PLANS: dict[tuple[str, str], _OutputPlan] = {}


def serialize_output(operation: botocore.model.OperationModel, output: dict, namespace: str | None):
    """Return (status, headers dict, body bytes) for a successful call."""
    key = (operation.service_model.service_name, operation.name)
    plan = _PLANS.get(key)
    if plan is None:
        plan = _PLANS[key] = _OutputPlan(operation, namespace)
    return plan.write(output)


def serialize_error(status: int, code: str, message: str, request_id: str, namespace: str | None) -> bytes:
    kind = "Sender" if status < 500 else "Receiver"
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><ErrorResponse{xmlns}><Error><Type>{kind}</Type>'
        f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
        f"<RequestId>{escape(request_id)}</RequestId></ErrorResponse>"
    ).encode("utf-8")
