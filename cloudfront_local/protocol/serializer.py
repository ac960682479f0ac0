"""Output parameters -> HTTP response: status, header members and the XML document, as the model says."""
from __future__ import annotations

import base64
import datetime
import email.utils
import re
from xml.sax.saxutils import escape as _sax_escape
from xml.sax.saxutils import quoteattr

import botocore.model

from .parser import member_key_name


# Characters XML 1.0 cannot carry at all; echoed input (a name in an error message) may hold them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def escape(text: str) -> str:
    return _NOT_XML.sub("\ufffd", _sax_escape(text))


def _iso(value) -> str:
    if isinstance(value, str):
        return value  # already in wire form (the store keeps timestamps as ISO 8601 text)
    if isinstance(value, (int, float)):
        value = datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
    value = value.astimezone(datetime.timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _timestamp(value, fmt: str) -> str:
    if fmt == "iso8601":
        return _iso(value)
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, datetime.datetime):
        epoch = value.timestamp()
    else:
        epoch = float(value)
    if fmt == "unixTimestamp":
        return str(int(epoch)) if epoch == int(epoch) else repr(epoch)
    return email.utils.formatdate(epoch, usegmt=True)


def _text(value, shape: botocore.model.Shape, default_ts: str = "iso8601") -> str:
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp":
        return _timestamp(value, shape.serialization.get("timestampFormat", default_ts))
    if kind == "blob":
        raw = value.encode("utf-8") if isinstance(value, str) else value
        return base64.b64encode(raw).decode("ascii")
    if kind in ("float", "double"):
        return repr(float(value))
    return str(value)


class XmlWriter:
    """Writes values of a shape as XML text, appending pieces to a list (joined once at the end)."""

    def structure(self, out: list[str], tag: str, value: dict, shape, namespace: str | None = None) -> None:
        attrs = ""
        declared = shape.serialization.get("xmlNamespace")
        if isinstance(declared, dict) and declared.get("prefix"):
            attrs = f' xmlns:{declared["prefix"]}="{declared["uri"]}"'
        elif namespace:
            attrs = f' xmlns="{namespace}"'
        members = shape.members
        for name, member in members.items():
            if member.serialization.get("xmlAttribute") and value.get(name) is not None:
                attrs += f" {member.serialization.get('name', name)}={quoteattr(_text(value[name], member))}"
        out.append(f"<{tag}{attrs}>")
        for name, member in members.items():
            item = value.get(name)
            if item is None or member.serialization.get("location") or member.serialization.get("xmlAttribute"):
                continue
            self.member(out, member_key_name(member, name), item, member)
        out.append(f"</{tag}>")

    def member(self, out: list[str], tag: str, value, shape) -> None:
        kind = shape.type_name
        if kind == "structure":
            self.structure(out, tag, value, shape)
        elif kind == "list":
            inner = shape.member
            if shape.serialization.get("flattened"):
                for item in value:
                    self.member(out, tag, item, inner)
                return
            out.append(f"<{tag}>")
            inner_tag = inner.serialization.get("name", "member")
            for item in value:
                self.member(out, inner_tag, item, inner)
            out.append(f"</{tag}>")
        elif kind == "map":
            key_tag = shape.key.serialization.get("name", "key")
            value_tag = shape.value.serialization.get("name", "value")
            flattened = shape.serialization.get("flattened")
            if not flattened:
                out.append(f"<{tag}>")
            for key, item in value.items():
                out.append(f"<{tag}>" if flattened else "<entry>")
                self.member(out, key_tag, key, shape.key)
                self.member(out, value_tag, item, shape.value)
                out.append(f"</{tag}>" if flattened else "</entry>")
            if not flattened:
                out.append(f"</{tag}>")
        else:
            out.append(f"<{tag}>{escape(_text(value, shape))}</{tag}>")


_WRITER = XmlWriter()


def serialize_output(operation: botocore.model.OperationModel, output: dict, namespace: str | None):
    """Return (status, headers dict, body bytes) for a successful call."""
    status = int(operation.http.get("responseCode", 200))
    headers: dict[str, str] = {}
    shape = operation.output_shape
    if shape is None:
        return status, headers, b""
    body_members = False
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        value = output.get(name)
        if location is None:
            body_members = body_members or value is not None
            continue
        if value is None:
            continue
        wire = member.serialization.get("name", name)
        if location == "header":
            if member.type_name == "list":
                headers[wire] = ",".join(_text(v, member.member) for v in value)
            else:
                headers[wire] = _text(value, member, "rfc822")
        elif location == "headers":
            for key, item in value.items():
                headers[wire + key] = str(item)
        elif location == "statusCode":
            status = int(value)
    payload_name = shape.serialization.get("payload")
    out: list[str] = []
    if payload_name is not None:
        member = shape.members[payload_name]
        value = output.get(payload_name)
        if value is None:
            return status, headers, b""
        if member.type_name in ("blob", "string"):
            return status, headers, value if isinstance(value, bytes) else value.encode("utf-8")
        xmlns = (member.serialization.get("xmlNamespace") or {}).get("uri") or namespace
        out.append('<?xml version="1.0" encoding="UTF-8"?>')
        _WRITER.structure(out, member.serialization.get("name", payload_name), value, member, xmlns) \
            if member.type_name == "structure" else _WRITER.member(out, payload_name, value, member)
    elif body_members:
        xmlns = (shape.serialization.get("xmlNamespace") or {}).get("uri") or namespace
        out.append('<?xml version="1.0" encoding="UTF-8"?>')
        _WRITER.structure(out, shape.serialization.get("name", shape.name), output, shape, xmlns)
    else:
        return status, headers, b""
    headers["Content-Type"] = "text/xml"
    return status, headers, "".join(out).encode("utf-8")


def serialize_error(status: int, code: str, message: str, request_id: str, namespace: str | None) -> bytes:
    kind = "Sender" if status < 500 else "Receiver"
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><ErrorResponse{xmlns}><Error><Type>{kind}</Type>'
        f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
        f"<RequestId>{escape(request_id)}</RequestId></ErrorResponse>"
    ).encode("utf-8")
