"""Routing every operation of a model by method, URI template and query discriminators."""
import urllib.parse

import pytest

from cloudfront_local.protocol import NoRoute, load_service_model
from cloudfront_local.protocol.router import Router
from samples import botocore_request, sample


@pytest.fixture(scope="module")
def router():
    return Router(load_service_model("cloudfront"))


CLOUDFRONT = load_service_model("cloudfront")


def test_the_model_has_every_operation_we_expect():
    assert len(CLOUDFRONT.operation_names) >= 167


@pytest.mark.parametrize("name", CLOUDFRONT.operation_names)
def test_every_operation_is_found_from_the_request_botocore_sends(router, name):
    operation = CLOUDFRONT.operation_model(name)
    params = sample(operation.input_shape) if operation.input_shape else {}
    method, path, query, headers, _ = botocore_request(operation, params or {})
    found, _ = router.match(method, path, urllib.parse.parse_qs(query, keep_blank_values=True), headers)
    assert found.name == name


@pytest.mark.parametrize("method,path,query,expected", [
    ("POST", "/2020-05-31/distribution", {}, "CreateDistribution"),
    ("POST", "/2020-05-31/distribution", {"WithTags": [""]}, "CreateDistributionWithTags"),
    ("POST", "/2020-05-31/streaming-distribution", {"WithTags": [""]}, "CreateStreamingDistributionWithTags"),
    ("POST", "/2020-05-31/tagging", {"Operation": ["Tag"], "Resource": ["arn"]}, "TagResource"),
    ("POST", "/2020-05-31/tagging", {"Operation": ["Untag"], "Resource": ["arn"]}, "UntagResource"),
    ("GET", "/2020-05-31/tagging", {"Resource": ["arn"]}, "ListTagsForResource"),
    ("GET", "/2020-05-31/connection-group", {"RoutingEndpoint": ["d1.cloudfront.net"]},
     "GetConnectionGroupByRoutingEndpoint"),
    ("GET", "/2020-05-31/connection-group/cg_1", {}, "GetConnectionGroup"),
    ("POST", "/2020-05-31/connection-groups", {}, "ListConnectionGroups"),
    ("GET", "/2020-05-31/distribution-tenant", {"domain": ["example.com"]}, "GetDistributionTenantByDomain"),
    ("GET", "/2020-05-31/anycast-ip-list", {}, "ListAnycastIpLists"),
])
def test_discriminated_routes(router, method, path, query, expected):
    operation, _ = router.match(method, path, query)
    assert operation.name == expected


def test_encoded_slashes_stay_inside_a_label(router):
    arn = "arn%3Aaws%3Acloudfront%3A%3A123456789012%3Aconnection-group%2Fcg_1"
    operation, labels = router.match("GET", f"/2020-05-31/connection-group/{arn}", {})
    assert operation.name == "GetConnectionGroup"
    assert labels == {"Identifier": "arn:aws:cloudfront::123456789012:connection-group/cg_1"}


@pytest.mark.parametrize("method,path", [("GET", "/"), ("GET", "/2020-05-31"), ("DELETE", "/2020-05-31/tagging"),
                                         ("GET", "/2020-05-31/connection-group//")])
def test_no_route(router, method, path):
    with pytest.raises(NoRoute) as excinfo:
        router.match(method, path, {})
    assert excinfo.value.status == 404


def test_greedy_labels_take_the_rest_of_the_path():
    router = Router(load_service_model("s3"))
    operation, labels = router.match("GET", "/bucket/a/b%20c/d", {})
    assert operation.name == "GetObject"
    assert labels == {"Bucket": "bucket", "Key": "a/b c/d"}


def test_required_header_distinguishes_operations_on_one_path():
    router = Router(load_service_model("s3"))
    assert router.match("PUT", "/b/k", {}, {})[0].name == "PutObject"
    assert router.match("PUT", "/b/k", {}, {"x-amz-copy-source": "src/k"})[0].name == "CopyObject"
