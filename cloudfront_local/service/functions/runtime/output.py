"""FunctionOutput as TestFunction writes it: the returned object under the name of what it is, compact JSON,
its members in the order real answers show them:

    {"request":{"headers":…,"method":"GET","querystring":…,"uri":"/index.html","cookies":…}}
    {"response":{"headers":…,"statusDescription":"Found","cookies":{},"statusCode":302}}

with response cookies as {"attributes":…,"value":…}, and a request's querystring either entries or the one
string the function wrote. The worker already kept only these members; this checks every type again (the
worker ran hostile code) and fixes the order.
"""
from __future__ import annotations

import json


class OutputError(ValueError):
    """The worker's answer is not the shape it promised."""


def canonical(output) -> dict:
    if not isinstance(output, dict) or len(output) != 1:
        raise OutputError("output")
    if "request" in output:
        request = _object(output["request"])
        return {"request": {"headers": _entries(request.get("headers"), False), "method": _text(request.get("method")),
                            "querystring": _query(request.get("querystring")),
                            "uri": _text(request.get("uri")), "cookies": _entries(request.get("cookies"), False)}}
    if "response" in output:
        response = _object(output["response"])
        result = {"headers": _entries(response.get("headers"), False)}
        if "statusDescription" in response:
            result["statusDescription"] = _text(response["statusDescription"])
        result["cookies"] = _entries(response.get("cookies"), True)
        code = response.get("statusCode")
        if not isinstance(code, int) or isinstance(code, bool):
            raise OutputError("statusCode")
        result["statusCode"] = code
        if "body" in response:
            result["body"] = _body(response["body"])
        return {"response": result}
    if "action" in output and output["action"] in ("allow", "deny"):
        return {"action": output["action"]}
    raise OutputError("output")


def dumps(output: dict) -> str:
    return json.dumps(output, separators=(",", ":"), ensure_ascii=False)


def _object(value) -> dict:
    if not isinstance(value, dict):
        raise OutputError("object")
    return value


def _text(value) -> str:
    if not isinstance(value, str):
        raise OutputError("string")
    return value


def _entries(value, attributes: bool) -> dict:
    result = {}
    for name, entry in _object(value if value is not None else {}).items():
        entry = _object(entry)
        result[name] = _entry(entry, attributes)
        if "multiValue" in entry:
            if not isinstance(entry["multiValue"], list):
                raise OutputError("multiValue")
            result[name]["multiValue"] = [_entry(_object(item), attributes) for item in entry["multiValue"]]
    return result


def _query(value):
    """A returned query string may be one string (AWS's "Normalize query string parameters" example): kept as
    written."""
    return value if isinstance(value, str) else _entries(value, False)


def _entry(entry: dict, attributes: bool) -> dict:
    item = {}
    if attributes and "attributes" in entry:
        item["attributes"] = _text(entry["attributes"])
    item["value"] = _text(entry.get("value"))
    return item


def _body(value):
    if isinstance(value, str):
        return value
    body = _object(value)
    return {"encoding": _text(body.get("encoding")), "data": _text(body.get("data"))}
