"""S3 origins at the edge: the bucket read path-style from --s3-endpoint, signed with SigV4 as the origin
access control's SigningBehavior says, against a stand-in S3 that checks every signature it gets."""
from __future__ import annotations

import time

import pytest

from cloudfront_local.config import Settings
from cloudfront_local.edge import origins, private_loop, s3_origin
from cloudfront_local.service.access.origin_access_controls import ORIGIN_ACCESS_CONTROL
from cloudfront_local.service.common import resource
from cloudfront_local.service.common.context import Context
from cloudfront_local.store.memory import MemoryStore
from s3_signing_stand_in import SigningS3

ACCOUNT = "123456789012"


@pytest.fixture
def s3():
    stand_in = SigningS3({"media/site/index.html": b"<h1>from the bucket</h1>"})
    yield stand_in
    stand_in.close()


@pytest.fixture
def store():
    store = MemoryStore()
    yield store
    store.close()


def _oac(store, behavior: str) -> str:
    ctx = Context(ACCOUNT, time.time(), Settings())
    with store.transaction() as tx:
        return resource.create(ORIGIN_ACCESS_CONTROL, ctx, tx, {
            "Name": f"oac-{behavior}", "SigningProtocol": "sigv4", "SigningBehavior": behavior,
            "OriginAccessControlOriginType": "s3"})["Id"]


def _origin(oac_id: str | None = None, domain: str = "media.s3.eu-west-3.amazonaws.com", **more) -> dict:
    origin = {"Id": "bucket", "DomainName": domain, "OriginPath": "/site",
              "S3OriginConfig": {"OriginAccessIdentity": ""}, **more}
    if oac_id:
        origin["OriginAccessControlId"] = oac_id
    return origin


def _target(store, s3, origin: dict, account: str = ACCOUNT):
    with store.transaction() as tx:
        return s3_origin.target(tx, account, origin, Settings(s3_endpoint=s3.url), origin.get("OriginPath") or "")


def _send(to, method="GET", uri="/index.html", query="", viewer=(), body=b""):
    """What the edge does: the viewer's headers and its own, signed as the target says, then sent."""
    headers = [*viewer, ("Host", f"{to.domain}:{to.port}"), ("X-Amz-Cf-Id", "req-1")] + to.headers
    path_and_query = to.path + uri + (f"?{query}" if query else "")
    signed = s3_origin.sign(to, method, path_and_query, headers, body)
    return private_loop.run(origins.fetch(to, method, path_and_query, signed, body))


def test_always_signs_for_the_buckets_region(store, s3):
    to = _target(store, s3, _origin(_oac(store, "always")))
    assert isinstance(to, origins.Target) and to.region == "eu-west-3"
    answer = _send(to)
    assert (answer.status, answer.body) == (200, b"<h1>from the bucket</h1>")
    assert s3.seen[-1]["path"] == "/media/site/index.html"
    assert s3.seen[-1]["scope"] == ("cloudfront-local", "eu-west-3", "s3")


def test_always_overwrites_the_viewers_authorization(store, s3):
    to = _target(store, s3, _origin(_oac(store, "always")))
    viewer = [("Authorization", "Bearer viewer-token"), ("X-Amz-Date", "20000101T000000Z")]
    assert _send(to, viewer=viewer).status == 200
    sent = [(k.lower(), v) for k, v in s3.seen[-1]["headers"] if k.lower() in ("authorization", "x-amz-date")]
    assert len(sent) == 2 and dict(sent)["authorization"].startswith("AWS4-HMAC-SHA256 ")
    assert dict(sent)["x-amz-date"] != "20000101T000000Z"


def test_never_signs_and_passes_the_viewers_authorization(store, s3):
    to = _target(store, s3, _origin(_oac(store, "never")))
    assert _send(to).status == 403  # the private bucket refuses an unsigned request
    assert not any(k.lower() == "authorization" for k, _ in s3.seen[-1]["headers"])
    assert _send(to, viewer=[("Authorization", "Bearer viewer-token")]).status == 400
    assert ("Authorization", "Bearer viewer-token") in s3.seen[-1]["headers"]


def test_no_override_signs_only_without_a_viewer_authorization(store, s3):
    to = _target(store, s3, _origin(_oac(store, "no-override")))
    assert _send(to).status == 200
    assert s3.seen[-1]["scope"] == ("cloudfront-local", "eu-west-3", "s3")
    assert _send(to, viewer=[("Authorization", "Bearer viewer-token")]).status == 400
    assert ("Authorization", "Bearer viewer-token") in s3.seen[-1]["headers"]
    assert not any(k.lower() == "x-amz-content-sha256" for k, _ in s3.seen[-1]["headers"])


def test_without_an_origin_access_control_nothing_is_signed(store, s3):
    to = _target(store, s3, _origin())
    assert to.signing is None
    assert _send(to).status == 403


def test_the_body_and_an_awkward_path_and_query_are_signed(store, s3):
    to = _target(store, s3, _origin(_oac(store, "always")))
    assert _send(to, "PUT", "/new%20file(1).txt", "b=2&a=x%2By&flag", body=b"uploaded").status == 200
    assert s3.objects["media/site/new file(1).txt"] == b"uploaded"
    assert _send(to, uri="/new%20file(1).txt", query="versionId=null").status == 200


def test_a_changed_signed_header_is_refused(store, s3):
    to = _target(store, s3, _origin(_oac(store, "always")))
    path = to.path + "/index.html"
    headers = s3_origin.sign(to, "GET", path, [("Host", f"{to.domain}:{to.port}"), ("X-Amz-Cf-Id", "a")], b"")
    tampered = [(k, "b" if k == "X-Amz-Cf-Id" else v) for k, v in headers]
    assert private_loop.run(origins.fetch(to, "GET", path, tampered, b"")).status == 403
    assert private_loop.run(origins.fetch(to, "GET", path, headers, b"")).status == 200


def test_the_target_reads_the_endpoint_and_the_origins_settings(store, s3):
    origin = _origin(None, ConnectionTimeout=4, ConnectionAttempts=1,
                     CustomHeaders={"Quantity": 1, "Items": [{"HeaderName": "X-Origin", "HeaderValue": "1"}]})
    origin["S3OriginConfig"]["OriginReadTimeout"] = 12
    with store.transaction() as tx:
        to = s3_origin.target(tx, ACCOUNT, origin, Settings(s3_endpoint="https://s3.test/prefix/"), "/site")
    assert (to.scheme, to.domain, to.address, to.port, to.path) == ("https", "s3.test", "s3.test", 443,
                                                                     "/prefix/media/site")
    assert (to.connect_timeout, to.read_timeout, to.attempts, to.headers) == (4.0, 12.0, 1, [("X-Origin", "1")])


@pytest.mark.parametrize("domain,parsed", [
    ("media.s3.eu-west-3.amazonaws.com", ("media", "eu-west-3")),
    ("media.s3.amazonaws.com", ("media", "us-east-1")),  # the global endpoint
    ("Media.S3.AMAZONAWS.com.", ("media", "us-east-1")),
    ("media.s3-ap-southeast-2.amazonaws.com", ("media", "ap-southeast-2")),  # the legacy dash form
    ("media.s3.dualstack.us-west-2.amazonaws.com", ("media", "us-west-2")),
    ("media.s3-external-1.amazonaws.com", ("media", "us-east-1")),
    ("my.dotted.bucket.s3.us-gov-west-1.amazonaws.com", ("my.dotted.bucket", "us-gov-west-1")),
    ("a.s3.b.s3.eu-central-1.amazonaws.com", ("a.s3.b", "eu-central-1")),
    ("media.s3.cn-north-1.amazonaws.com.cn", ("media", "cn-north-1")),
    ("media.s3-website-us-east-1.amazonaws.com", ("media", "us-east-1")),
    ("media.s3-website.eu-west-1.amazonaws.com", ("media", "eu-west-1")),
    ("example.com", None),
    ("media.s3.nowhere.amazonaws.com", None),
    ("UPPER_case!.s3.amazonaws.com", None),
    ("ab.s3.amazonaws.com", None),  # three characters at least
    ("a..b.s3.amazonaws.com", None),
])
def test_bucket_and_region_from_the_domain_name(domain, parsed):
    assert s3_origin.bucket_and_region(domain) == parsed


def test_signed_in_the_region_the_domain_names(store, s3):
    to = _target(store, s3, _origin(_oac(store, "always"), domain="media.s3.amazonaws.com"))
    assert _send(to).status == 200
    assert s3.seen[-1]["scope"] == ("cloudfront-local", "us-east-1", "s3")


def test_reasons_when_the_bucket_cannot_be_reached(store, s3):
    with store.transaction() as tx:
        assert s3_origin.target(tx, ACCOUNT, _origin(), Settings(), "") == s3_origin.NO_ENDPOINT
        unparsed = s3_origin.target(tx, ACCOUNT, _origin(domain="example.com"), Settings(s3_endpoint=s3.url), "")
        assert isinstance(unparsed, str) and "example.com" in unparsed
        bad_endpoint = s3_origin.target(tx, ACCOUNT, _origin(), Settings(s3_endpoint="ftp://x"), "")
        assert isinstance(bad_endpoint, str)
    missing = _target(store, s3, _origin("E2QWRUHAPOMQZL"))
    assert isinstance(missing, str) and "E2QWRUHAPOMQZL" in missing
    other_account = _target(store, s3, _origin(_oac(store, "always")), account="210987654321")
    assert isinstance(other_account, str)


def test_other_targets_pass_through_unsigned():
    plain = origins.Target("http", "example.com", "example.com", 80, "", [], 1.0, 1.0, 1)
    headers = [("Host", "example.com"), ("Authorization", "Bearer x")]
    assert s3_origin.sign(plain, "GET", "/", headers, b"") == headers


def _oai(store) -> str:
    from cloudfront_local.service.access.origin_access_identities import ORIGIN_ACCESS_IDENTITY

    ctx = Context(ACCOUNT, time.time(), Settings())
    with store.transaction() as tx:
        made = resource.create(ORIGIN_ACCESS_IDENTITY, ctx, tx, {"CallerReference": "oai", "Comment": ""})
    return "origin-access-identity/cloudfront/" + made["Id"]


def test_an_origin_access_identity_signs_always_in_the_viewers_stead(store, s3):
    to = _target(store, s3, _origin(S3OriginConfig={"OriginAccessIdentity": _oai(store)}))
    assert _send(to, viewer=[("Authorization", "Bearer viewer-token")]).status == 200
    assert s3.seen[-1]["scope"] == ("cloudfront-local", "eu-west-3", "s3")
    assert not any(v == "Bearer viewer-token" for _, v in s3.seen[-1]["headers"])
    # An identity the account does not hold grants nothing: the request goes unsigned.
    missing = _target(store, s3, _origin(S3OriginConfig={
        "OriginAccessIdentity": "origin-access-identity/cloudfront/E0NOSUCHIDENTITY"}))
    assert _send(missing).status == 403


@pytest.mark.parametrize("uri, query", [("/%%2f", ""), ("/%%2e%2e", ""), ("/a%zz", "x=%zz&y=a+b"),
                                        ("/ok%2Fthen", "q=%%&r=%41"), ("/index.html", "a=%2f&b=1+2")])
def test_a_stray_percent_is_signed_as_urllib3_sends_it(store, s3, uri, query):
    to = _target(store, s3, _origin(_oac(store, "always")))
    assert _send(to, uri=uri, query=query).status in (200, 404)  # never SignatureDoesNotMatch's 403
