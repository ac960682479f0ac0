"""CloudFront Functions' event object (version 1.0), built from a viewer request as CloudFront builds it,
and the function's answer applied back: header names lower case, each value `{"value": …}`, repeated ones
with `multiValue`; cookies from the Cookie header; the query string parsed, not decoded further."""
from __future__ import annotations

import string
import urllib.parse

_PRINTABLE_ASCII = "".join(c for c in string.printable if c not in string.whitespace) + " "


def _entries(pairs: list[tuple[str, str]]) -> dict:
    entries: dict[str, dict] = {}
    for name, value in pairs:
        entry = entries.get(name)
        if entry is None:
            entries[name] = {"value": value}
        else:
            entry.setdefault("multiValue", [{"value": entry["value"]}]).append({"value": value})
    return entries


def query_pairs(query: str) -> list[tuple[str, str]]:
    """The query string's parameters in order, as written (`flag` alone is a name with an empty value)."""
    return [(name, value) for name, _, value in (part.partition("=") for part in query.split("&") if part)]


def cookie_pairs(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Every name=value piece of the request's Cookie headers, in order; a piece without `=` is no cookie.
    The function event, the cache key, the origin request and signed cookies all read cookies through this."""
    pairs = []
    for name, value in headers:
        if name.lower() == "cookie":
            for piece in value.split(";"):
                key, sep, content = piece.strip().partition("=")
                if sep and key.strip():
                    pairs.append((key.strip(), content))
    return pairs


def query_entries(query: str) -> dict:
    return _entries(query_pairs(query))


def cookie_entries(header: str | None) -> dict:
    return _entries(cookie_pairs([("cookie", header or "")]))


def request_event(method: str, uri: str, query: str, headers: list[tuple[str, str]]) -> dict:
    lowered = [(k.lower(), v) for k, v in headers]
    return {"method": method, "uri": uri, "querystring": query_entries(query),
            "headers": _entries([(k, v) for k, v in lowered if k != "cookie"]),
            "cookies": cookie_entries(", ".join(v for k, v in lowered if k == "cookie").replace(", ", "; "))}


def event(kind: str, context: dict, viewer_ip: str, request: dict, response: dict | None = None) -> dict:
    built = {"version": "1.0", "context": {**context, "eventType": kind}, "viewer": {"ip": viewer_ip},
             "request": request}
    if response is not None:
        built["response"] = response
    return built


def _values(entry: dict) -> list[str]:
    if not isinstance(entry, dict):
        return []
    multi = entry.get("multiValue")
    if isinstance(multi, list) and multi:
        return [str(item.get("value", "")) for item in multi if isinstance(item, dict)]
    return [str(entry.get("value", ""))]


entry_values = _values


def header_name(name: str) -> str:
    """A header name as CloudFront writes an event back into HTTP: "the first letter of each word in header
    names is capitalized. Words are separated by a hyphen" (event structure page). A name that is not all
    lower case (CloudFront's own CloudFront-Is-SmartTV-Viewer, a policy's Accept-Encoding) is already written."""
    if name != name.lower():
        return name
    return "-".join(word[:1].upper() + word[1:] for word in name.split("-"))


def header_pairs(entries: dict) -> list[tuple[str, str]]:
    return [(name, value) for name, entry in entries.items() for value in _values(entry)]


def http_header_pairs(entries: dict) -> list[tuple[str, str]]:
    """The headers of an event as they go out over HTTP: names capitalised per word."""
    return [(header_name(name), value) for name, value in header_pairs(entries)]


def query_text(entries) -> str:
    """The query string to send: a function may have written it as one string, which goes as written."""
    if isinstance(entries, str):
        # ASCII as written; anything else as its UTF-8 percent-encoded ("Restrictions on all edge functions":
        # a changed query string is forwarded UTF-8 encoded).
        return urllib.parse.quote(entries, safe=_PRINTABLE_ASCII)
    return "&".join(f"{name}={value}" if value != "" else name
                    for name, entry in entries.items() for value in _values(entry))


def event_request(request: dict) -> dict:
    """A request as a later event shows it: a query string a function wrote as one string parsed again."""
    query = request.get("querystring")
    return {**request, "querystring": query_entries(query)} if isinstance(query, str) else request


def cookie_header(entries: dict) -> str:
    return "; ".join(f"{name}={value}" for name, entry in entries.items() for value in _values(entry))


def set_cookie_values(entries: dict) -> list[str]:
    """A response's cookies as Set-Cookie values: `name=value` then its attributes."""
    values = []
    for name, entry in entries.items():
        for item in (entry.get("multiValue") or [entry]):
            attributes = item.get("attributes") if isinstance(item, dict) else None
            text = f"{name}={item.get('value', '')}"
            values.append(f"{text}; {attributes}" if attributes else text)
    return values


def response_event(status: int, reason: str, headers: list[tuple[str, str]]) -> dict:
    lowered = [(k.lower(), v) for k, v in headers]
    cookies = {}
    for name, value in lowered:
        if name == "set-cookie":
            cookie_name, _, rest = value.partition("=")
            cookie_value, _, attributes = rest.partition(";")
            entry = {"value": cookie_value.strip()}
            if attributes.strip():
                entry["attributes"] = attributes.strip()
            cookies[cookie_name.strip()] = entry
    return {"statusCode": status, "statusDescription": reason,
            "headers": _entries([(k, v) for k, v in lowered if k != "set-cookie"]), "cookies": cookies}


def quoted_uri(uri: str) -> str:
    """A function's uri as a request path: characters a request line cannot carry are percent-encoded."""
    return urllib.parse.quote(uri, safe="/%:@!$&'()*+,;=-._~")


