"""Each piece of the codec, fed anything: the only exception that may leave it is CodecError (which becomes
a 4xx). An exception of any other class would be a 500."""
import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudfront_local.protocol import CodecError, RestXmlCodec, load_service_model
from cloudfront_local.protocol.located import split_header_list
from cloudfront_local.protocol.parser import parse_xml
from cloudfront_local.protocol.scalars import Bad, read_timestamp

MODEL = load_service_model("cloudfront")
CODEC = RestXmlCodec(MODEL)
TIMESTAMP = MODEL.shape_for("timestamp")
STRING = MODEL.shape_for("string")
FAST = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

prologs = st.sampled_from([b"", b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="UT-8"?>',
                           b'<?xml version="1.0" encoding="utf-16"?>', b"\xff\xfe", b"\xef\xbb\xbf"])
encodings = st.text(st.characters(codec="ascii", exclude_characters='"'), max_size=20)


@FAST
@given(prolog=prologs, body=st.binary(max_size=200))
def test_parse_xml_raises_only_codec_errors(prolog, body):
    try:
        parse_xml(prolog + body)
    except CodecError:
        pass


@FAST
@given(encoding=encodings, standalone=st.sampled_from(["", ' standalone="yes"', ' standalone="x"']),
       text=st.text(max_size=20))
def test_any_declared_encoding_is_read_or_refused(encoding, standalone, text):
    document = f'<?xml version="1.0" encoding="{encoding}"{standalone}?><a>{text}</a>'
    for body in (document.encode("utf-8", "surrogatepass"), document.encode("utf-16", "surrogatepass")):
        try:
            parse_xml(body)
        except CodecError:
            pass


@FAST
@given(st.text(max_size=60))
def test_timestamps_are_read_or_refused(text):
    try:
        assert isinstance(read_timestamp(text, "Member"), datetime.datetime)
    except Bad:
        pass


@FAST
@given(st.text(max_size=80))
def test_header_lists_always_split(text):
    for member in (TIMESTAMP, STRING):
        assert isinstance(split_header_list(text, member), list)


@FAST
@given(method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD", "X"]),
       path=st.text(max_size=80).map(lambda p: "/" + p),
       query=st.text(max_size=60),
       headers=st.dictionaries(st.sampled_from(["if-match", "content-type", "x-amz-date", "x"]),
                               st.text(st.characters(max_codepoint=255), max_size=30), max_size=3),
       body=st.binary(max_size=100))
def test_decode_raises_only_codec_errors(method, path, query, headers, body):
    try:
        CODEC.decode(method, path, query, headers, body)
    except CodecError:
        pass


@pytest.mark.parametrize("text, expected", [
    ("a, b,c", ["a", "b", "c"]),
    ('"a,b", c', ["a,b", "c"]),
    ('"a \\" b", c', ['a " b', "c"]),
    ("", [""]),
])
def test_header_list_items(text, expected):
    assert split_header_list(text, STRING) == expected


def test_http_dates_in_a_header_list_stay_whole():
    text = "Mon, 16 Dec 2019 23:48:18 GMT, Tue, 17 Dec 2019 01:02:03 GMT"
    assert split_header_list(text, TIMESTAMP) == ["Mon, 16 Dec 2019 23:48:18 GMT", "Tue, 17 Dec 2019 01:02:03 GMT"]


def test_a_header_value_cannot_start_a_header_of_its_own():
    """Whatever a handler puts in a header member (an echoed value, say), the answer has no line break in it."""
    import json
    import pathlib

    import botocore.model

    suites = json.loads((pathlib.Path(__file__).parent / "protocols" / "rest-xml-output.json").read_text("utf-8"))
    suite = next(s for s in suites if "InputAndOutputWithHeadersIO" in s["shapes"])
    case = suite["cases"][0]
    description = dict(suite, operations={case["given"]["name"]: case["given"]})
    model = botocore.model.ServiceModel(description, service_name="vectors")
    response = RestXmlCodec(model).encode(model.operation_model(case["given"]["name"]),
                                          {"headerString": "a\r\nSet-Cookie: stolen=1\r\n\r\n<html>",
                                           "headerStringList": ["x\ny", "z"]})
    assert all("\r" not in v and "\n" not in v for v in response.headers.values()), response.headers
    assert response.headers["X-String"].startswith("a  Set-Cookie")
