"""The codec against botocore itself, over every operation of several REST-XML models.

Requests: botocore's own serializer writes them, our codec must read back the same parameters.
Responses: our codec writes them, botocore's own parser must read back the same output.
"""
import pytest

from cloudfront_local.protocol import RestXmlCodec, load_service_model
from cloudfront_local.protocol.parser import parse_input
from samples import INDISTINGUISHABLE, botocore_reads, normalise, read_back, sample

MODELS = ["cloudfront", "route53", "s3"]


def _operations(service):
    model = load_service_model(service)
    return [(service, name) for name in model.operation_names]


# S3's legacy notification shapes give two members the same element name (Event and the flattened
# Events); no reader can split them, botocore included.
AMBIGUOUS = {("s3", "PutBucketNotification"), ("s3", "GetBucketNotification")}
CASES = [case for service in MODELS for case in _operations(service) if case not in AMBIGUOUS]


@pytest.fixture(scope="module")
def codecs():
    return {service: RestXmlCodec(load_service_model(service)) for service in MODELS}


@pytest.mark.parametrize("service,operation_name", CASES)
def test_requests_written_by_botocore_are_read_back(codecs, service, operation_name):
    codec = codecs[service]
    operation = codec.model.operation_model(operation_name)
    if operation.input_shape is None:
        return
    found, params, decoded = read_back(codec, operation, parse_input)
    assert found.name == INDISTINGUISHABLE.get((service, operation_name), operation_name)
    expected = {k: v for k, v in params.items()
                if not operation.input_shape.members[k].serialization.get("hostLabel")
                and operation.input_shape.members[k].serialization.get("location") != "headers"}
    got = {k: v for k, v in decoded.items() if k in expected}
    assert normalise(got) == normalise(expected)


# Event-stream outputs (S3 Select) are a binary framing, not a REST-XML document.
RESPONSE_CASES = [(service, name) for service, name in CASES
                  if not load_service_model(service).operation_model(name).has_event_stream_output]


@pytest.mark.parametrize("service,operation_name", RESPONSE_CASES)
def test_responses_written_by_us_are_read_by_botocore(codecs, service, operation_name):
    codec = codecs[service]
    operation = codec.model.operation_model(operation_name)
    shape = operation.output_shape
    if shape is None:
        return
    output = sample(shape) or {}
    # Members botocore fills from outside the body or cannot round-trip.
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        if location in ("statusCode", "headers") or member.type_name == "timestamp" and location == "header":
            output.pop(name, None)
    response = codec.encode(operation, output)
    parsed = botocore_reads("rest-xml", response, shape)
    parsed.pop("ResponseMetadata", None)
    assert normalise(parsed) == normalise(output)


def test_codec_refuses_other_protocols():
    with pytest.raises(ValueError):
        RestXmlCodec(load_service_model("sqs"))
