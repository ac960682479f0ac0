"""The REST-JSON codec against botocore itself, over every operation of several REST-JSON models.

Requests: botocore's own serializer writes them, our codec must read back the same parameters. Responses and
errors: our codec writes them, botocore's own RestJSONParser must read back the same output, code, message and
status. Besides the KeyValueStore data plane, models with other shapes show the codec is generic: Lambda and
Glacier (blob and structure payloads, statusCode members, query lists), API Gateway V2 (jsonName members,
ISO 8601 timestamps), Bedrock AgentCore and Bedrock Runtime (unions, documents), Data Exchange (header and
query maps, string payloads), MediaStore Data (header timestamps), Lex Runtime (jsonvalue headers), Polly
(header lists), WorkSpaces Web (a greedy label in mid-path) and MWAA (host prefixes). No case is left out:
every member of these models round-trips, host labels and header maps included.
CLOUDFRONT_LOCAL_REST_JSON_MODELS=all runs every REST-JSON model botocore ships (about a minute).
"""
import datetime
import json
import os
import urllib.parse

import botocore.awsrequest
import botocore.session
import pytest

from cloudfront_local.protocol import CodecError, NoRoute, RestJsonCodec, RestXmlCodec, ValidationFailed, load_service_model
from cloudfront_local.protocol.model import error_shapes
from cloudfront_local.protocol.rest_json import parse_input
from samples import botocore_reads, normalise, read_back, sample

KVS = "cloudfront-keyvaluestore"


def _models() -> list[str]:
    if os.environ.get("CLOUDFRONT_LOCAL_REST_JSON_MODELS") == "all":
        session = botocore.session.get_session()
        return [name for name in session.get_available_services() if load_service_model(name).protocol == "rest-json"]
    return [KVS, "lambda", "glacier", "apigatewayv2", "bedrock-agentcore", "bedrock-runtime", "dataexchange",
            "mediastore-data", "lex-runtime", "polly", "workspaces-web", "mwaa"]


MODELS = _models()
CASES = [(service, name) for service in MODELS for name in load_service_model(service).operation_names]
# Event-stream outputs are a binary framing of their own, not a JSON document.
RESPONSE_CASES = [(service, name) for service, name in CASES
                  if not load_service_model(service).operation_model(name).has_event_stream_output]


_CODECS: dict[str, RestJsonCodec] = {}


def _codec(service: str) -> RestJsonCodec:
    if service not in _CODECS:
        _CODECS[service] = RestJsonCodec(load_service_model(service))
    return _CODECS[service]


@pytest.mark.parametrize("service,operation_name", CASES)
def test_requests_written_by_botocore_are_read_back(service, operation_name):
    codec = _codec(service)
    operation = codec.model.operation_model(operation_name)
    if operation.input_shape is None:
        return
    found, params, decoded = read_back(codec, operation, parse_input)
    assert found.name == operation_name
    assert normalise(decoded) == normalise(params)


@pytest.mark.parametrize("service,operation_name", RESPONSE_CASES)
def test_responses_written_by_us_are_read_by_botocore(service, operation_name):
    operation = _codec(service).model.operation_model(operation_name)
    shape = operation.output_shape  # None too: an operation without output answers nothing botocore reads
    output = {} if shape is None else sample(shape) or {}
    members = {} if shape is None else shape.members
    for name in [name for name, member in members.items() if member.serialization.get("location") == "statusCode"]:
        output[name] = 201  # a success botocore reads as such, whatever the model's own code
    parsed = botocore_reads("rest-json", _codec(service).encode(operation, output), shape)
    assert normalise(parsed) == normalise(output)


ERROR_CASES = [(service, code) for service in MODELS[:3] for code in error_shapes(load_service_model(service))]


@pytest.mark.parametrize("service,code", ERROR_CASES)
def test_modeled_errors_are_read_by_botocore(service, code):
    codec = _codec(service)
    shape = error_shapes(codec.model)[code]
    response = codec.encode_error(code, "it went wrong: \"quoted\"\n", "req-1")
    parsed = botocore_reads("rest-json", response, None)
    parsed.update(botocore_reads("rest-json", response, shape))  # the modeled members, as a client adds them
    assert parsed["Error"]["Code"] == code
    assert parsed["Error"]["Message"] == "it went wrong: \"quoted\"\n"
    assert parsed["ResponseMetadata"]["RequestId"] == "req-1"
    expected = (shape.metadata.get("error") or {}).get("httpStatusCode", 400)
    assert response.status == expected
    message_members = [name for name in shape.members if name.lower() == "message"]
    for name in message_members:  # the shape's own member is filled too, as botocore's exceptions show it
        assert parsed[name] == "it went wrong: \"quoted\"\n"


@pytest.mark.parametrize("code,status,expected", [
    ("SerializationException", None, 400), ("UnknownOperationException", 404, 404), ("InternalError", 500, 500),
    ("ResourceNotFoundException", 400, 404),  # the model's status wins over the caller's
])
def test_unmodeled_codes_and_statuses(code, status, expected):
    response = _codec(KVS).encode_error(code, "m", "req-2", status)
    parsed = botocore_reads("rest-json", response, None)
    assert (parsed["Error"]["Code"], parsed["Error"]["Message"], response.status) == (code, "m", expected)
    assert response.headers["Content-Type"] == "application/json"


def _kvs_client(respond):
    """A botocore client for the KeyValueStore whose requests go through our codec instead of the network."""
    codec = _codec(KVS)
    seen = []

    def send(request, **_):
        url = urllib.parse.urlsplit(request.url)
        headers = {k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()}
        body = request.body or b""
        body = body.encode() if isinstance(body, str) else body
        operation, params = codec.decode(request.method, url.path, url.query, headers, body)
        seen.append((operation.name, params))
        response = respond(codec, operation)
        raw = type("Raw", (), {"stream": lambda self, **_: iter([response.body])})()
        return botocore.awsrequest.AWSResponse(request.url, response.status, response.headers, raw)

    client = botocore.session.get_session().create_client(
        KVS, region_name="us-east-1", endpoint_url="http://kvs.invalid", aws_access_key_id="AKID",
        aws_secret_access_key="secret")
    client.meta.events.register("before-send", send)
    return client, seen


ARN = "arn:aws:cloudfront::123456789012:key-value-store/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"


def test_a_kvs_client_round_trips_through_the_codec():
    created = datetime.datetime(2026, 11, 24, 10, 30, 15, 250000, tzinfo=datetime.timezone.utc)
    outputs = {
        "DescribeKeyValueStore": {"ItemCount": 2, "TotalSizeInBytes": 30, "KvsARN": ARN, "Created": created,
                                  "ETag": "E1", "LastModified": created, "Status": "READY"},
        "UpdateKeys": {"ItemCount": 3, "TotalSizeInBytes": 40, "ETag": "E2"},
    }
    client, seen = _kvs_client(lambda codec, operation: codec.encode(operation, outputs[operation.name]))
    described = client.describe_key_value_store(KvsARN=ARN)
    assert described["Created"] == created and described["ETag"] == "E1" and described["ItemCount"] == 2
    updated = client.update_keys(KvsARN=ARN, IfMatch="E1", Puts=[{"Key": "a/b ü", "Value": "{\"x\": 1}"}],
                                 Deletes=[{"Key": "old"}])
    assert updated["ETag"] == "E2" and updated["ItemCount"] == 3
    assert seen == [("DescribeKeyValueStore", {"KvsARN": ARN}),
                    ("UpdateKeys", {"KvsARN": ARN, "IfMatch": "E1", "Puts": [{"Key": "a/b ü", "Value": "{\"x\": 1}"}],
                                    "Deletes": [{"Key": "old"}]})]


def test_a_kvs_client_reads_our_errors():
    client, _ = _kvs_client(lambda codec, operation: codec.encode_error("ConflictException", "ETag mismatch", "r-9"))
    with pytest.raises(client.exceptions.ConflictException) as excinfo:
        client.put_key(KvsARN=ARN, Key="k", Value="v", IfMatch="stale")
    error = excinfo.value.response
    assert error["Error"] == {"Code": "ConflictException", "Message": "ETag mismatch"}
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 409 and error["ResponseMetadata"]["RequestId"] == "r-9"


# Malformed input is SerializationException and constraint violations are ValidationException, as Smithy's
# restJson1 server tests (malformedRequests/, validation/) expect of AWS's REST-JSON services.
PUT = ("PUT", f"/key-value-stores/{urllib.parse.quote(ARN, safe='')}/keys/k", "", {"if-match": "E1"})
UPDATE = ("POST", f"/key-value-stores/{urllib.parse.quote(ARN, safe='')}/keys", "", {"if-match": "E1"})


@pytest.mark.parametrize("request_, body", [
    (PUT, b"{["),
    (PUT, b'{"Value": "v"}abc'),
    (PUT, b'{"Value": "v",}'),
    (PUT, b"{'Value': 'v'}"),
    (PUT, b'{"Value": "v" /* comment */}'),
    (PUT, b"\xff\xfe{}"),
    (PUT, '{"Value": "v"}'.encode("utf-16")),
    (PUT, b'\xef\xbb\xbf{"Value": "v"}'),  # a byte order mark: RFC 8259 forbids sending one
    (PUT, b'["Value"]'),
    (PUT, b"null"),
    (PUT, b"10"),
    (PUT, b'{"Value": 10}'),
    (PUT, b'{"Value": true}'),
    (PUT, b'{"Value": "v", "Value": "w"}'),  # a key twice: refused rather than one of them chosen
    (PUT, b'{"Value": "\\ud800"}'),  # a lone surrogate: no UTF-8 text can hold it
    (PUT, b'{"Value": NaN}'),
    (PUT, b'{"Value": "v", "x": Infinity}'),
    (PUT, b'{"Value": "v", "x": 1e400}'),
    (PUT, b'{"Value": "v", "x": ' + b"[" * 65 + b"]" * 65 + b"}"),
    (PUT, b"[" * 100_000),
    (PUT, b'{"Value": "v", "x": "' + b'\\"[' * 50_000 + b'}'),  # brackets inside an unterminated string
    (UPDATE, b'{"Puts": {"Key": "k", "Value": "v"}}'),
    (UPDATE, b'{"Puts": [null]}'),
    (UPDATE, b'{"Puts": [{"Key": ["k"], "Value": "v"}]}'),
    (UPDATE, b'{"Deletes": "k"}'),
])
def test_malformed_bodies_are_serialization_exceptions(request_, body):
    with pytest.raises(CodecError) as excinfo:
        _codec(KVS).decode(*request_, body)
    assert excinfo.value.code == "SerializationException" and excinfo.value.status == 400, excinfo.value.message


@pytest.mark.parametrize("query", ["MaxResults=abc", "MaxResults=1.5", "MaxResults=99999999999", "MaxResults=0x10"])
def test_malformed_query_values_are_serialization_exceptions(query):
    with pytest.raises(CodecError) as excinfo:
        _codec(KVS).decode("GET", UPDATE[1], query, {}, b"")
    assert excinfo.value.code == "SerializationException"


@pytest.mark.parametrize("request_, body, named", [
    (PUT, b"{}", "'Value'"),
    (PUT[:3] + ({},), b'{"Value": "v"}', "'IfMatch'"),
    (UPDATE, b'{"Puts": [{"Key": "", "Value": "v"}]}', "'Puts.1.member.Key'"),
])
def test_constraint_violations_are_validation_exceptions(request_, body, named):
    with pytest.raises(ValidationFailed) as excinfo:
        _codec(KVS).decode(*request_, body)
    assert excinfo.value.code == "ValidationException" and named in excinfo.value.message
    assert excinfo.value.message.startswith("1 validation error detected: ")


def test_a_range_violation_in_the_query_is_a_validation_exception():
    with pytest.raises(ValidationFailed) as excinfo:
        _codec(KVS).decode("GET", UPDATE[1], "MaxResults=0", {}, b"")
    assert excinfo.value.code == "ValidationException" and "'MaxResults'" in excinfo.value.message


def test_the_caller_chooses_the_codes():
    codec = RestJsonCodec(load_service_model(KVS), validation_code="InvalidArgument",
                          validation_codes={"Puts": "InvalidPuts"}, serialization_code="MalformedInput",
                          no_route_code="NotFound")
    with pytest.raises(ValidationFailed) as excinfo:
        codec.decode(*PUT, b"{}")
    assert excinfo.value.code == "InvalidArgument"
    with pytest.raises(ValidationFailed) as excinfo:
        codec.decode(*UPDATE, b'{"Puts": [{"Key": "", "Value": "v"}]}')
    assert excinfo.value.code == "InvalidPuts"
    with pytest.raises(CodecError) as excinfo:
        codec.decode(*PUT, b"{")
    assert excinfo.value.code == "MalformedInput"
    with pytest.raises(NoRoute) as excinfo:
        codec.decode("GET", "/nothing/here", "", {}, b"")
    assert (excinfo.value.code, excinfo.value.status) == ("NotFound", 404)


def test_no_route_is_an_unknown_operation():
    with pytest.raises(NoRoute) as excinfo:
        _codec(KVS).decode("PATCH", "/key-value-stores/x", "", {}, b"")
    assert (excinfo.value.code, excinfo.value.status) == ("UnknownOperationException", 404)


def test_a_valid_request_is_read_whole():
    operation, params = _codec(KVS).decode(*PUT, b' {"Value": "v\\u00fc\\ud83d\\ude00", "Unknown": [1, {"a": null}]} ')
    assert operation.name == "PutKey"
    assert params == {"KvsARN": ARN, "Key": "k", "IfMatch": "E1", "Value": "vü😀"}  # unknown members are ignored


UNION = ("bedrock-agentcore", "POST", "/identities/CompleteResourceTokenAuth")
SESSION = '"sessionUri": "urn:ietf:params:oauth:request_uri:abc"'


@pytest.mark.parametrize("body, ok", [
    ('{"userIdentifier": {"userId": "u"}, %s}' % SESSION, True),
    ('{"userIdentifier": {"userId": "u", "__type": "x"}, %s}' % SESSION, True),
    ('{"userIdentifier": {"userId": "u", "userToken": "t"}, %s}' % SESSION, False),
    ('{"userIdentifier": {"userId": "u", "other": "t"}, %s}' % SESSION, False),
    ('{"userIdentifier": {"userId": null}, %s}' % SESSION, False),
    ('{"userIdentifier": {}, %s}' % SESSION, False),
    ('{"userIdentifier": ["userId"], %s}' % SESSION, False),
])
def test_a_union_holds_exactly_one_known_member(body, ok):
    service, method, path = UNION
    codec = _codec(service)
    if ok:
        assert codec.decode(method, path, "", {}, body.encode())[1]["userIdentifier"] == {"userId": "u"}
    else:
        with pytest.raises(CodecError) as excinfo:
            codec.decode(method, path, "", {}, body.encode())
        assert excinfo.value.code == "SerializationException"


DOCUMENT = ("bedrock-runtime", "POST", "/async-invoke")


def _document_body(document: str) -> bytes:
    return ('{"modelId": "m", "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://bucket/key"}}, '
            f'"modelInput": {document}}}').encode()


@pytest.mark.parametrize("document", ["1.5", '"text"', "[1, [2, {\"a\": null}]]", '{"deep": ' + "[" * 60 + "]" * 60 + "}"])
def test_a_document_is_any_json_value(document):
    service, method, path = DOCUMENT
    params = _codec(service).decode(method, path, "", {}, _document_body(document))[1]
    assert params.get("modelInput") == json.loads(document)


@pytest.mark.parametrize("document", ['"\\udc00"', '{"\\ud800": 1}', "[" * 70 + "]" * 70, '{"a": 1, "a": 2}'])
def test_a_document_is_still_refused_when_malformed(document):
    service, method, path = DOCUMENT
    with pytest.raises(CodecError) as excinfo:
        _codec(service).decode(method, path, "", {}, _document_body(document))
    assert excinfo.value.code == "SerializationException"


EPOCH = datetime.datetime(2024, 11, 24, 10, 30, 15, tzinfo=datetime.timezone.utc)


# A member without a format of its own (Lambda's StartingPositionTimestamp) is in the protocol's epoch seconds;
# CodeCatalyst's expiresTime is iso8601, which means RFC 3339 in UTC only, as Smithy's date-time does.
TIMESTAMP_REQUESTS = {
    "lambda": ("POST", "/2015-03-31/event-source-mappings", '{"FunctionName": "f", "StartingPositionTimestamp": %s}',
               "StartingPositionTimestamp"),
    "codecatalyst": ("PUT", "/v1/accessTokens", '{"name": "token", "expiresTime": %s}', "expiresTime"),
}


@pytest.mark.parametrize("service, value, expected", [
    ("lambda", "1732444215", EPOCH), ("lambda", "1732444215.25", EPOCH.replace(microsecond=250000)),
    ("lambda", '"1732444215"', None), ("lambda", '"2024-11-24T10:30:15Z"', None), ("lambda", "true", None),
    ("lambda", "1e300", None), ("lambda", "-1e300", None),
    ("codecatalyst", '"2024-11-24T10:30:15Z"', EPOCH),
    ("codecatalyst", '"2024-11-24T10:30:15.25Z"', EPOCH.replace(microsecond=250000)),
    ("codecatalyst", '"2024-11-24T10:30:15.123456789Z"', EPOCH.replace(microsecond=123456)),
    ("codecatalyst", '"2024-11-24T10:30:15+01:00"', None), ("codecatalyst", '"2024-11-24T10:30:15"', None),
    ("codecatalyst", '"2024-11-24 10:30:15Z"', None), ("codecatalyst", '"2024-02-30T10:30:15Z"', None),
    ("codecatalyst", '"Sun, 24 Nov 2024 10:30:15 GMT"', None), ("codecatalyst", "1732444215", None),
])
def test_body_timestamps_follow_their_members_format(service, value, expected):
    method, path, body, member = TIMESTAMP_REQUESTS[service]
    request = (method, path, "", {}, (body % value).encode())
    if expected is None:
        with pytest.raises(CodecError) as excinfo:
            _codec(service).decode(*request)
        assert excinfo.value.code == "SerializationException"
    else:
        assert _codec(service).decode(*request)[1][member] == expected


def test_the_codecs_refuse_each_others_protocols():
    with pytest.raises(ValueError):
        RestJsonCodec(load_service_model("cloudfront"))
    with pytest.raises(ValueError):
        RestXmlCodec(load_service_model(KVS))
