"""botocore's REST-XML protocol test vectors, run against our codec from the server's side.

Input cases: the request a client serialized (method, URI, headers, body, exactly as the vector gives it)
goes through `RestXmlCodec.decode`, which must give back the client's params. Output cases: our serializer
writes the vector's result, and botocore's own parser must read back exactly that result.

The vectors live in `protocols/` beside this file, copied unchanged from botocore's repository (see the
README there); nothing is fetched at run time.
"""
from __future__ import annotations

import copy
import datetime
import json
import math
import pathlib

import botocore.model
import botocore.parsers
import pytest
from botocore.awsrequest import HeadersDict
from botocore.utils import parse_timestamp

from cloudfront_local.protocol import RestXmlCodec

HERE = pathlib.Path(__file__).parent / "protocols"

# Cases whose params are made by the client and never reach the wire, so no server can recover them.
# Each is also on botocore's own ignore list for rest-xml (protocol-tests-ignore-list.json) or in a suite
# that list ignores for every protocol.
CLIENT_SIDE_INPUT = {
    "SDKAppliedContentEncoding_restXml":
        "the SDK compresses the body with gzip when asked to; what arrives is a compressed body, not params",
    "SDKAppendedGzipAfterProvidedEncoding_restXml":
        "the SDK appends gzip to a Content-Encoding of its caller's and compresses the body",
    "QueryIdempotencyTokenAutoFill":
        "the SDK invents the idempotency token the params leave out: the params hold no token, the wire does",
    "RestXmlQueryPrecedence":
        "the client drops the map entry that a named query parameter overrides: that entry never reaches the wire",
}
# Output cases whose expected result is botocore's client behaviour, not what a response says.
CLIENT_SIDE_OUTPUT = {
    "ComplexError":
        "modeled members of an error (headers, nested structures) are filled by botocore from the error shape; "
        "our error responses carry Code and Message only, as CloudFront's do",
    "HttpPayloadTraitsWithNoBlobBody":
        "the vector expects an absent blob payload to be left out, where botocore's parser reads an empty body "
        "as an empty blob",
    "RestXmlHttpPayloadWithUnsetUnion":
        "the vector expects an empty body for an unset union payload to parse as nothing, where botocore's parser "
        "refuses a union with no member set",
    "XmlLists":
        "botocore's parser looks for a flattened list's elements under its list member's name, and three "
        "flattened lists here share the member name `item`: written so botocore can read them, they read each "
        "other's elements",
}


def _cases(filename: str):
    for suite in json.loads((HERE / filename).read_text("utf-8")):
        for case in suite["cases"]:
            yield pytest.param(suite, case, id=case["id"])


def _model(suite: dict, case: dict) -> tuple[botocore.model.ServiceModel, str]:
    description = copy.deepcopy(suite)
    name = case["given"]["name"]
    description["operations"] = {name: case["given"]}
    return botocore.model.ServiceModel(description, service_name="vectors"), name


def _canonical(value):
    """Values as the vectors write them: timestamps as epoch seconds, blobs as text, special floats as names."""
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, datetime.datetime):
        return round(value.timestamp(), 3)
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
    return value


def _expected_params(value, shape, top: bool = True):
    """The params as the wire can carry them: nulls are never sent, and an empty map of headers or of query
    parameters sends nothing at all. Timestamps given as text become epoch seconds."""
    if shape is None:
        return value
    kind = shape.type_name
    if kind == "structure":
        result = {}
        for name, item in value.items():
            member = shape.members[name]
            if item is None:
                continue
            if top and member.serialization.get("location") in ("headers", "querystring") \
                    and member.type_name == "map" and not item:
                continue
            result[name] = _expected_params(item, member, False)
        return result
    if kind == "list":
        return [_expected_params(v, shape.member, False) for v in value]
    if kind == "map":
        return {k: _expected_params(v, shape.value, False) for k, v in value.items()}
    if kind == "timestamp":
        if isinstance(value, str):
            return round(parse_timestamp(value).timestamp(), 3)
        return round(float(value), 3) if not float(value).is_integer() else int(value)
    return value


@pytest.mark.parametrize("suite, case", list(_cases("rest-xml-input.json")))
def test_input_vector(suite, case):
    if case["id"] in CLIENT_SIDE_INPUT:
        pytest.skip(CLIENT_SIDE_INPUT[case["id"]])
    model, name = _model(suite, case)
    wire = case["serialized"]
    path, _, query = wire["uri"].partition("?")
    headers = {k.lower(): v for k, v in (wire.get("headers") or {}).items()}
    operation, params = RestXmlCodec(model).decode(wire["method"], path, query, headers,
                                                   (wire.get("body") or "").encode("utf-8"))
    assert operation.name == name
    expected = _expected_params(case["params"], operation.input_shape)
    assert _canonical(params) == _canonical(expected)


@pytest.mark.parametrize("suite, case", list(_cases("rest-xml-output.json")))
def test_output_vector(suite, case):
    if case["id"] in CLIENT_SIDE_OUTPUT:
        pytest.skip(CLIENT_SIDE_OUTPUT[case["id"]])
    model, name = _model(suite, case)
    operation = model.operation_model(name)
    codec = RestXmlCodec(model)
    if "error" in case:
        response = codec.encode_error(case["errorCode"], case.get("errorMessage", ""), "request-id")
    else:
        response = codec.encode(operation, copy.deepcopy(case["result"]))
    wire = {"status_code": response.status, "headers": HeadersDict(response.headers), "body": response.body,
            "context": {"operation_name": name}}
    parser = botocore.parsers.RestXMLParser()
    parsed = parser.parse(wire, operation.output_shape)
    parsed.pop("ResponseMetadata", None)
    if "error" in case:
        parsed.update(parser.parse(wire, model.shape_for_error_code(case["errorCode"])))
        parsed.pop("ResponseMetadata", None)
        parsed["Error"] = {k: v for k, v in parsed["Error"].items() if k in ("Code", "Message")}
        expected = {"Error": {"Code": case["errorCode"], "Message": case.get("errorMessage", "")}, **case["error"]}
    else:
        expected = case["result"]
    assert response.status == case["response"]["status_code"]
    assert _canonical(parsed) == _canonical(_expected_params(expected, None))


def test_every_vector_is_run():
    """A case id the skip lists name must exist, so that a list never hides a case that was renamed."""
    inputs = {p.id for p in _cases("rest-xml-input.json")}
    outputs = {p.id for p in _cases("rest-xml-output.json")}
    assert set(CLIENT_SIDE_INPUT) <= inputs and set(CLIENT_SIDE_OUTPUT) <= outputs
    assert len(inputs) == 94 and len(outputs) == 78
