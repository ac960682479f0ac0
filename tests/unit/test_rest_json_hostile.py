"""The REST-JSON codec fed anything: the only exception that may leave it is CodecError (which becomes a 4xx).
An exception of any other class would be a 500.

Beside bytes at random, real requests (botocore's own, for every operation of models with unions, documents,
blob payloads and header lists) are mutated where it hurts: a JSON value anywhere in the body replaced by any
other (NaN and Infinity tokens, lone surrogates, deep nesting, wrong types), header and query values replaced by
any text."""
import json
import urllib.parse

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudfront_local.protocol import CodecError, RestJsonCodec, load_service_model
from cloudfront_local.protocol.json_body import MAX_JSON_DEPTH, load
from cloudfront_local.protocol.scalars import Bad
from samples import botocore_request, sample

FAST = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MODELS = ["cloudfront-keyvaluestore", "lambda", "glacier", "bedrock-agentcore", "bedrock-runtime", "lex-runtime",
          "dataexchange", "polly"]
CODECS = {service: RestJsonCodec(load_service_model(service)) for service in MODELS}


def _request(service: str, name: str):
    operation = CODECS[service].model.operation_model(name)
    params = sample(operation.input_shape) if operation.input_shape is not None else {}
    return botocore_request(operation, params or {})


REQUESTS = [(service, name, _request(service, name)) for service in MODELS for name in CODECS[service].model.operation_names]

texts = st.text(st.characters(exclude_categories=()), max_size=12)  # surrogates included
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats() | texts,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=12)


def _decode(service, method, path, query, headers, body):
    try:
        CODECS[service].decode(method, path, query, headers, body)
    except CodecError:
        pass


def _replace(document, choices: list[int], value):
    """`document` with the node that `choices` lead to replaced by `value`."""
    if not choices or not isinstance(document, (dict, list)) or not document:
        return value
    keys = list(document) if isinstance(document, dict) else list(range(len(document)))
    key = keys[choices[0] % len(keys)]
    document[key] = _replace(document[key], choices[1:], value)
    return document


@FAST
@given(case=st.sampled_from(REQUESTS), choices=st.lists(st.integers(min_value=0), max_size=6), value=json_values)
def test_a_json_value_anywhere_in_a_real_body_is_read_or_refused(case, choices, value):
    service, _name, (method, path, query, headers, body) = case
    try:
        document = json.loads(body) if body else {}
    except (ValueError, UnicodeDecodeError):  # a blob payload: any bytes are a blob
        return
    mutated = json.dumps(_replace(document, choices, value)).encode()
    _decode(service, method, path, query, headers, mutated)


@FAST
@given(case=st.sampled_from(REQUESTS), data=st.data())
def test_any_text_in_a_real_header_or_query_value_is_read_or_refused(case, data):
    service, _name, (method, path, query, headers, body) = case
    headers = {k: data.draw(st.text(st.characters(max_codepoint=255), max_size=20)) if data.draw(st.booleans()) else v
               for k, v in headers.items()}
    pairs = [(k, data.draw(texts) if data.draw(st.booleans()) else v)
             for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True)]
    _decode(service, method, path, urllib.parse.urlencode(pairs, errors="surrogatepass"), headers, body)


@FAST
@given(case=st.sampled_from(REQUESTS), body=st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
def test_any_body_on_a_real_route_is_read_or_refused(case, body):
    service, _name, (method, path, query, headers, _body) = case
    _decode(service, method, path, query, headers, body)


@FAST
@given(method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD", "X"]),
       path=st.lists(st.sampled_from(["key-value-stores", "keys", "arn%3Aaws%3Acloudfront", "%2F", "%ff", "", "k"]),
                     max_size=5).map(lambda parts: "/" + "/".join(parts)),
       query=st.text(max_size=40),
       headers=st.dictionaries(st.sampled_from(["if-match", "content-type", "x"]),
                               st.text(st.characters(max_codepoint=255), max_size=30), max_size=3),
       body=st.binary(max_size=100))
def test_decode_raises_only_codec_errors(method, path, query, headers, body):
    _decode("cloudfront-keyvaluestore", method, path, query, headers, body)


@FAST
@given(st.binary(max_size=200) | st.text(max_size=100).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_json_text_is_parsed_or_refused(body):
    try:
        load(body)
    except Bad:
        pass


@FAST
@given(depth=st.integers(min_value=0, max_value=3 * MAX_JSON_DEPTH), opener=st.sampled_from(["[", '{"a":']),
       inside=st.sampled_from(["", '"]]]"', '"\\"[[["']))
def test_nesting_is_bounded(depth, opener, inside):
    closer = "]" if opener == "[" else "}"
    text = opener * depth + (inside or "1") + closer * depth
    try:
        load(text.encode())
        assert depth <= MAX_JSON_DEPTH
    except Bad:
        assert depth > MAX_JSON_DEPTH


@FAST
@given(code=texts, message=texts, request_id=texts)
def test_any_error_text_is_written(code, message, request_id):
    """Error messages echo input: whatever they hold, the answer is JSON and no header value breaks a line."""
    response = CODECS["cloudfront-keyvaluestore"].encode_error(code, message, request_id)
    assert all("\r" not in v and "\n" not in v for v in response.headers.values())
    assert json.loads(response.body) == {"message": message} or json.loads(response.body) == {"Message": message}
