"""Domain rules without HTTP: error names against the model, tag rules, identifier formats."""
import re

import pytest

from cloudfront_local.protocol import load_service_model
from cloudfront_local.protocol.model import error_statuses
from cloudfront_local.service.common import errors, ids
from cloudfront_local.service.common.tagging import checked_tags


def test_every_service_error_is_an_error_shape_of_the_model():
    # CloudFront's errors, the KeyValueStore data plane's and Lambda's (their own models, one codec each).
    statuses = {**error_statuses(load_service_model("cloudfront")),
                **error_statuses(load_service_model("cloudfront-keyvaluestore")),
                **error_statuses(load_service_model("lambda"))}
    classes = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.ServiceError)
               and c is not errors.ServiceError]
    assert classes
    for cls in classes:
        assert cls.code == cls.__name__
        # The few AWS documents but the model lacks carry their own status.
        assert cls.code in statuses or (cls in errors.UNMODELED and cls.status), cls.code


def test_identifier_formats():
    assert re.fullmatch(r"cg_[0-9A-Za-z]{27}", ids.connection_group_id())
    assert re.fullmatch(r"E[0-9A-Z]{13}", ids.etag())
    assert re.fullmatch(r"d[0-9a-z]{13}\.cloudfront\.net", ids.routing_endpoint())
    assert len({ids.connection_group_id() for _ in range(1000)}) == 1000


@pytest.mark.parametrize("text,parsed", [
    ("arn:aws:cloudfront::123456789012:connection-group/cg_1", ("123456789012", "connection-group", "cg_1")),
    ("arn:aws-cn:cloudfront::123456789012:distribution/E1", None),  # a partition we do not serve
    ("arn:aws:cloudfront:us-east-1:123456789012:distribution/E1", None),
    ("arn:aws:s3:::bucket", None),
    ("arn:aws:cloudfront::12x:distribution/E1", None),
    ("arn:aws:cloudfront::123456789012:distribution", None),
    ("not an arn", None),
])
def test_parse_arn(text, parsed):
    assert ids.parse_arn(text) == parsed


def test_timestamps_have_milliseconds_and_z():
    assert ids.timestamp(0) == "1970-01-01T00:00:00.000Z"
    assert ids.timestamp(1.2345) == "1970-01-01T00:00:01.234Z"


def test_tags_normalised():
    assert checked_tags({"Items": [{"Key": "k"}]}) == [{"Key": "k", "Value": ""}]
    assert checked_tags(None) == []
    assert checked_tags({"Items": [{"Key": "Größe 1", "Value": "x y:z/=+-@_."}]})


@pytest.mark.parametrize("items", [
    [{"Key": ""}], [{"Key": "k" * 129}], [{"Key": "k", "Value": "v" * 257}], [{"Key": "a|b"}],
    [{"Key": "AWS:thing"}], [{"Key": "k"}, {"Key": "k"}], [{"Key": f"k{i}"} for i in range(51)],
])
def test_tags_refused(items):
    with pytest.raises(errors.InvalidTagging):
        checked_tags({"Items": items})
