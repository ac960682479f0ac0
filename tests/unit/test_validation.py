"""Model constraints enforced by the codec, on CloudFront's and other services' shapes."""
import pytest

from cloudfront_local.protocol import CodecError, RestXmlCodec, ValidationFailed, load_service_model


@pytest.fixture(scope="module")
def cloudfront():
    return RestXmlCodec(load_service_model("cloudfront"))


@pytest.fixture(scope="module")
def route53():
    return RestXmlCodec(load_service_model("route53"))


def _health_check(config: str, caller_reference: str = "<CallerReference>ref</CallerReference>") -> bytes:
    return (f'<CreateHealthCheckRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">{caller_reference}'
            f"<HealthCheckConfig>{config}</HealthCheckConfig></CreateHealthCheckRequest>").encode()


def _problems(codec, *request):
    with pytest.raises(ValidationFailed) as excinfo:
        codec.decode(*request)
    assert excinfo.value.code == "InvalidArgument"
    return excinfo.value.message


def test_required_member_named(cloudfront):
    message = _problems(cloudfront, "POST", "/2020-05-31/connection-group", "", {},
                        b"<CreateConnectionGroupRequest><Enabled>true</Enabled></CreateConnectionGroupRequest>")
    assert message.startswith("1 validation error detected")
    assert "'Name'" in message and "must not be null" in message


def test_nested_required_member_named(cloudfront):
    message = _problems(cloudfront, "POST", "/2020-05-31/connection-group", "", {},
                        b"<CreateConnectionGroupRequest><Name>x</Name><Tags><Items><Tag><Value>v</Value></Tag>"
                        b"</Items></Tags></CreateConnectionGroupRequest>")
    assert "'Tags.Items.1.member.Key'" in message


def test_max_length(cloudfront):
    key = "k" * 129
    message = _problems(cloudfront, "POST", "/2020-05-31/connection-group", "", {},
                        f"<CreateConnectionGroupRequest><Name>x</Name><Tags><Items><Tag><Key>{key}</Key></Tag>"
                        f"</Items></Tags></CreateConnectionGroupRequest>".encode())
    assert "length less than or equal to 128" in message


def test_pattern(cloudfront):
    message = _problems(cloudfront, "GET", "/2020-05-31/tagging", "Resource=not-an-arn", {}, b"")
    assert "'Resource'" in message and "regular expression pattern" in message


def test_enum(route53):
    message = _problems(route53, "POST", "/2013-04-01/healthcheck", "", {}, _health_check("<Type>CARRIER-PIGEON</Type>"))
    assert "'HealthCheckConfig.Type'" in message and "enum value set" in message


def test_integer_range(route53):
    message = _problems(route53, "POST", "/2013-04-01/healthcheck", "", {},
                        _health_check("<Type>HTTP</Type><Port>70000</Port>"))
    assert "'HealthCheckConfig.Port'" in message and "less than or equal to 65535" in message


def test_string_min_length_on_a_uri_label(route53):
    # Route 53's ResourceId has max 32: a longer hosted zone id in the path is refused.
    message = _problems(route53, "GET", "/2013-04-01/hostedzone/" + "Z" * 40, "", {}, b"")
    assert "'Id'" in message


def test_all_problems_are_reported_together(route53):
    body = _health_check("<Type>NOPE</Type><Port>0</Port>", caller_reference="")
    message = _problems(route53, "POST", "/2013-04-01/healthcheck", "", {}, body)
    assert message.startswith("3 validation errors detected")


@pytest.mark.parametrize("text,kind", [("abc", "integer"), ("1.5", "integer"), ("2147483648", "integer"),
                                       ("yes", "boolean")])
def test_type_errors_name_the_member(route53, text, kind):
    member = "Port" if kind == "integer" else "Inverted"
    body = _health_check(f"<Type>HTTP</Type><{member}>{text}</{member}>")
    message = _problems(route53, "POST", "/2013-04-01/healthcheck", "", {}, body)
    assert f"'HealthCheckConfig.{member}'" in message


def test_query_string_types(cloudfront):
    message = _problems(cloudfront, "GET", "/2020-05-31/anycast-ip-list", "MaxItems=lots", {}, b"")
    assert "'MaxItems'" in message


def test_missing_header_error_override():
    codec = RestXmlCodec(load_service_model("cloudfront"),
                         missing_header_errors={"If-Match": ("InvalidIfMatchVersion", "missing")})
    with pytest.raises(CodecError) as excinfo:
        codec.decode("DELETE", "/2020-05-31/connection-group/cg_1", "", {}, b"")
    assert excinfo.value.code == "InvalidIfMatchVersion"
    operation, params = codec.decode("DELETE", "/2020-05-31/connection-group/cg_1", "", {"if-match": "E1"}, b"")
    assert params == {"Id": "cg_1", "IfMatch": "E1"}


def test_timestamps_in_query_and_headers():
    codec = RestXmlCodec(load_service_model("s3"))
    operation, params = codec.decode("GET", "/bucket/key", "", {"if-modified-since": "Tue, 24 Nov 2026 10:00:00 GMT"},
                                     b"")
    assert operation.name == "GetObject"
    assert params["IfModifiedSince"].isoformat() == "2026-11-24T10:00:00+00:00"


def test_header_maps_and_blob_payloads():
    codec = RestXmlCodec(load_service_model("s3"))
    operation, params = codec.decode("PUT", "/bucket/some/deep/key.txt", "",
                                     {"x-amz-meta-colour": "blue", "content-type": "text/plain"}, b"\x00\x01body")
    assert operation.name == "PutObject"
    assert params["Key"] == "some/deep/key.txt"
    assert params["Metadata"] == {"colour": "blue"}
    assert params["Body"] == b"\x00\x01body"
