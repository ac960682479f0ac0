"""Local buckets: a server started with --s3-dir serves S3 origins (with an origin access control, with an origin
access identity) and S3 website endpoints from the directory's subdirectories, answering as S3 does, to real
viewer requests on the edge port; no path ever reads a file outside the directory."""
from __future__ import annotations

import email.utils
import hashlib
import http.client
import mimetypes
import os
import uuid

import pytest
import requests

from builders import CACHING_OPTIMIZED, direct_config
from conftest import make_client
from s3_stand_in import S3StandIn
from serving import RunningServer

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
SECRET = b"the-secret-outside-the-buckets"
INDEX = b"<!doctype html><h1>the app</h1>"


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """tmp/secret and tmp/s3/secret (outside every bucket), and tmp/s3 holding the buckets."""
    top = tmp_path_factory.mktemp("local-buckets")
    (top / "secret").write_bytes(SECRET)
    (top / "outside").mkdir()
    (top / "outside" / "index.html").write_bytes(SECRET)
    buckets = top / "s3"
    buckets.mkdir()
    (buckets / "secret").write_bytes(SECRET)
    site = buckets / "site"
    (site / "assets").mkdir(parents=True)
    (site / "index.html").write_bytes(INDEX)
    (site / "assets" / "app.css").write_bytes(b"body { color: teal }\n")
    (site / "assets" / "app.js").write_bytes(b"console.log('hello')\n")
    (site / "assets" / "data.unknownext").write_bytes(b"\x00\x01\x02")
    (site / "alias.html").symlink_to("index.html")          # a link inside the bucket: served
    (site / "link").symlink_to(top / "secret")              # a link out of the directory: refused
    (site / "assets" / "up").symlink_to(buckets)            # a link to the directory of buckets itself
    web = buckets / "web"
    (web / "docs").mkdir(parents=True)
    (web / "index.html").write_bytes(b"<h1>web home</h1>")
    (web / "docs" / "index.html").write_bytes(b"<h1>web docs</h1>")
    (web / "404.html").write_bytes(b"<h1>not here</h1>")
    (web / "link").symlink_to(top / "secret")
    (buckets / "bare").mkdir()
    (buckets / "bare" / "index.html").write_bytes(b"bare")
    (buckets / "escaped").symlink_to(top / "outside")       # a bucket that is a link out: no bucket
    return buckets


@pytest.fixture(scope="module")
def served(tree):
    with RunningServer("--s3-dir", str(tree), "--s3-website", "web=index.html,404.html") as running:
        yield running


@pytest.fixture(scope="module")
def cloudfront(served):
    return make_client(served.url, str(700000000000 + uuid.uuid4().int % 10 ** 8))


def _s3_origin(bucket: str, **members) -> dict:
    return {"Id": "bucket", "DomainName": f"{bucket}.s3.eu-west-3.amazonaws.com",
            "S3OriginConfig": {"OriginAccessIdentity": members.pop("identity", "")}, **members}


def _website_origin(bucket: str, form: str = "-") -> dict:
    return {"Id": "bucket", "DomainName": f"{bucket}.s3-website{form}eu-west-3.amazonaws.com",
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}


def _direct_behavior(pattern: str) -> dict:
    """No caching and every viewer header on to the origin: the viewer's conditions and ranges reach S3."""
    return {"PathPattern": pattern, "TargetOriginId": "bucket", "ViewerProtocolPolicy": "allow-all",
            "CachePolicyId": CACHING_DISABLED, "OriginRequestPolicyId": ALL_VIEWER_EXCEPT_HOST}


def _distribution(client, origin: dict, **members) -> str:
    config = direct_config(Origins={"Quantity": 1, "Items": [origin]},
                           DefaultCacheBehavior={"TargetOriginId": "bucket", "ViewerProtocolPolicy": "allow-all",
                                                 "CachePolicyId": CACHING_OPTIMIZED}, **members)
    made = client.create_distribution(DistributionConfig=config)["Distribution"]
    return made["DomainName"], made["Id"]


@pytest.fixture(scope="module")
def oac_site(cloudfront):
    """The usual single-page app: a private bucket behind an origin access control, 403 → /index.html 200."""
    oac = cloudfront.create_origin_access_control(OriginAccessControlConfig={
        "Name": f"oac-{uuid.uuid4().hex[:8]}", "SigningProtocol": "sigv4", "SigningBehavior": "always",
        "OriginAccessControlOriginType": "s3"})["OriginAccessControl"]["Id"]
    errors = {"Quantity": 1, "Items": [{"ErrorCode": 403, "ResponsePagePath": "/index.html", "ResponseCode": "200",
                                        "ErrorCachingMinTTL": 0}]}
    return _distribution(cloudfront, _s3_origin("site", OriginAccessControlId=oac), DefaultRootObject="index.html",
                         CustomErrorResponses=errors,
                         CacheBehaviors={"Quantity": 1, "Items": [_direct_behavior("/direct/*")]})


@pytest.fixture(scope="module")
def oai_site(cloudfront):
    identity = cloudfront.create_cloud_front_origin_access_identity(CloudFrontOriginAccessIdentityConfig={
        "CallerReference": uuid.uuid4().hex, "Comment": ""})["CloudFrontOriginAccessIdentity"]["Id"]
    return _distribution(cloudfront, _s3_origin("site", identity=f"origin-access-identity/cloudfront/{identity}"),
                         CacheBehaviors={"Quantity": 1, "Items": [_direct_behavior("/*")]})


@pytest.fixture(scope="module")
def website(cloudfront):
    return _distribution(cloudfront, _website_origin("web"),
                         CacheBehaviors={"Quantity": 1, "Items": [_direct_behavior("/*")]})


def _get(server, host: str, path: str, **headers) -> requests.Response:
    return requests.get(server.edge_url + path, headers={"Host": host, **headers}, allow_redirects=False,
                        timeout=15)


def _raw(server, host: str, path: str) -> tuple[int, dict, bytes]:
    """A request whose path goes out exactly as written (requests would remove dot segments)."""
    connection = http.client.HTTPConnection(server.edge_url.split("//", 1)[1], timeout=15)
    try:
        connection.request("GET", path, headers={"Host": host})
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        connection.close()


def test_objects_carry_s3s_headers(served, oac_site, tree):
    host, _ = oac_site
    body = (tree / "site" / "assets" / "app.css").read_bytes()
    answer = _get(served, host, "/assets/app.css")
    assert answer.status_code == 200 and answer.content == body
    assert answer.headers["Content-Type"] == "text/css"
    assert answer.headers["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    mtime = int(os.stat(tree / "site" / "assets" / "app.css").st_mtime)
    assert answer.headers["Last-Modified"] == email.utils.formatdate(mtime, usegmt=True)
    assert answer.headers["Content-Length"] == str(len(body))
    assert answer.headers["Accept-Ranges"] == "bytes" and answer.headers["Server"] == "AmazonS3"
    assert answer.headers["X-Cache"] == "Miss from cloudfront"
    assert _get(served, host, "/assets/app.css").headers["X-Cache"] == "Hit from cloudfront"
    # The AWS CLI's guess (Python's mimetypes), and S3's default where it has none.
    script = _get(served, host, "/assets/app.js")
    assert script.headers["Content-Type"] == mimetypes.guess_type("app.js")[0]
    assert _get(served, host, "/assets/data.unknownext").headers["Content-Type"] == "binary/octet-stream"
    root = _get(served, host, "/")  # DefaultRootObject
    assert root.status_code == 200 and root.content == INDEX and root.headers["Content-Type"] == "text/html"
    assert _get(served, host, "/alias.html").content == INDEX  # a link that stays inside the bucket


def test_ranges_as_s3_answers_them(served, oac_site, tree):
    host, _ = oac_site
    (tree / "site" / "direct").mkdir(exist_ok=True)
    (tree / "site" / "direct" / "range.txt").write_bytes(b"0123456789")
    part = _get(served, host, "/direct/range.txt", Range="bytes=2-5")
    assert part.status_code == 206 and part.content == b"2345"
    assert part.headers["Content-Range"] == "bytes 2-5/10" and part.headers["Content-Length"] == "4"
    assert _get(served, host, "/direct/range.txt", Range="bytes=-3").content == b"789"
    assert _get(served, host, "/direct/range.txt", Range="bytes=7-100").headers["Content-Range"] == "bytes 7-9/10"
    beyond = _get(served, host, "/direct/range.txt", Range="bytes=10-20")
    assert beyond.status_code == 416 and b"<Code>InvalidRange</Code>" in beyond.content
    assert b"<ActualObjectSize>10</ActualObjectSize>" in beyond.content
    assert beyond.headers["Content-Range"] == "bytes */10"
    # Several ranges, or a malformed one: S3 answers the whole object.
    assert _get(served, host, "/direct/range.txt", Range="bytes=0-1,4-5").status_code == 200
    assert _get(served, host, "/direct/range.txt", Range="lines=1-2").content == b"0123456789"


def test_conditional_requests(served, oac_site, tree):
    host, _ = oac_site
    (tree / "site" / "direct").mkdir(exist_ok=True)
    (tree / "site" / "direct" / "cond.txt").write_bytes(b"conditional")
    first = _get(served, host, "/direct/cond.txt")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    unchanged = _get(served, host, "/direct/cond.txt", **{"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b"" and unchanged.headers["ETag"] == etag
    assert _get(served, host, "/direct/cond.txt", **{"If-Modified-Since": modified}).status_code == 304
    assert _get(served, host, "/direct/cond.txt", **{"If-None-Match": '"other"'}).status_code == 200
    # If-None-Match decides where both are sent.
    assert _get(served, host, "/direct/cond.txt",
                **{"If-None-Match": etag, "If-Modified-Since": email.utils.formatdate(0, usegmt=True)}
                ).status_code == 304
    assert _get(served, host, "/direct/cond.txt",
                **{"If-None-Match": '"other"', "If-Modified-Since": modified}).status_code == 200
    refused = _get(served, host, "/direct/cond.txt", **{"If-Match": '"other"'})
    assert refused.status_code == 412 and b"<Code>PreconditionFailed</Code>" in refused.content
    long_ago = email.utils.formatdate(0, usegmt=True)
    assert _get(served, host, "/direct/cond.txt", **{"If-Unmodified-Since": long_ago}).status_code == 412
    # If-Match that holds outweighs a failing If-Unmodified-Since (GetObject's documented rule).
    assert _get(served, host, "/direct/cond.txt",
                **{"If-Match": etag, "If-Unmodified-Since": long_ago}).status_code == 200


def test_a_missing_key_is_access_denied_and_the_spa_fallback_works(served, oac_site, oai_site):
    host, _ = oac_site
    fallback = _get(served, host, "/some/client/route")
    assert fallback.status_code == 200 and fallback.content == INDEX  # 403 → /index.html, 200
    denied = _get(served, oai_site[0], "/no-such-key.html")  # the OAI distribution has no error responses
    assert denied.status_code == 403 and denied.headers["Content-Type"] == "application/xml"
    assert b"<Code>AccessDenied</Code><Message>Access Denied</Message>" in denied.content
    assert denied.headers["X-Cache"] == "Error from cloudfront"
    assert _get(served, oai_site[0], "/").status_code == 403  # the bucket's root: a listing, denied
    assert _get(served, oai_site[0], "/index.html").content == INDEX


def test_website_endpoint_index_redirect_and_error_document(served, website, cloudfront):
    host, _ = website
    home = _get(served, host, "/")
    assert home.status_code == 200 and home.content == b"<h1>web home</h1>"
    folder = _get(served, host, "/docs")
    assert folder.status_code == 302 and folder.headers["Location"] == "/docs/"
    assert _get(served, host, "/docs/").content == b"<h1>web docs</h1>"
    missing = _get(served, host, "/nowhere")
    assert missing.status_code == 404 and missing.content == b"<h1>not here</h1>"
    assert missing.headers["Content-Type"] == "text/html"
    # The dot form of the endpoint reads the same bucket.
    dotted, _ = _distribution(cloudfront, _website_origin("web", "."))
    assert _get(served, dotted, "/").content == b"<h1>web home</h1>"
    # A bucket without website hosting answers as S3 does.
    bare, _ = _distribution(cloudfront, _website_origin("bare"))
    unhosted = _get(served, bare, "/index.html")
    assert unhosted.status_code == 404 and b"Code: NoSuchWebsiteConfiguration" in unhosted.content
    assert b"BucketName: bare" in unhosted.content


def test_an_edit_on_disk_is_seen_after_an_invalidation_and_on_a_miss(served, oac_site, cloudfront, tree):
    host, distribution_id = oac_site
    page = tree / "site" / "page.html"
    page.write_bytes(b"version one")
    assert _get(served, host, "/page.html").content == b"version one"
    page.write_bytes(b"version two")
    cached = _get(served, host, "/page.html")
    assert cached.content == b"version one" and cached.headers["X-Cache"] == "Hit from cloudfront"
    cloudfront.create_invalidation(DistributionId=distribution_id, InvalidationBatch={
        "CallerReference": uuid.uuid4().hex, "Paths": {"Quantity": 1, "Items": ["/page.html"]}})
    fresh = _get(served, host, "/page.html")
    assert fresh.content == b"version two" and fresh.headers["X-Cache"] == "Miss from cloudfront"
    assert fresh.headers["ETag"] == f'"{hashlib.md5(b"version two").hexdigest()}"'
    # A key that was missing (a 403, which CloudFront keeps only with max-age) is there on the next miss.
    late = tree / "site" / "direct"
    late.mkdir(exist_ok=True)
    assert _get(served, host, "/direct/late.txt").content == INDEX  # the 403 fallback
    (late / "late.txt").write_bytes(b"arrived")
    assert _get(served, host, "/direct/late.txt").content == b"arrived"


ESCAPES = ["/../secret", "/../../secret", "/%2e%2e/secret", "/%2E%2E/%2e%2e/secret", "/a%2F..%2F..%2Fsecret",
           "/a%2F..%2F..%2F..%2Fsecret", "/assets/..%2F..%2Fsecret", "/..%5Csecret", "/%5C..%5C..%5Csecret",
           "/link", "/index.html%00", "/%00/../secret", "/%2Fsecret", "//secret", "/C:%5Csecret", "/C:/secret",
           "/assets/up/secret", "/assets/up/site/index.html", "/../escaped/index.html", "/%2e%2e%2fescaped/index.html",
           "/" + "%2e%2e%2f" * 12 + "secret"]


@pytest.mark.parametrize("path", ESCAPES)
def test_paths_never_escape_the_directory(served, oac_site, oai_site, website, path):
    for host in (oac_site[0], oai_site[0], website[0]):
        status, headers, body = _raw(served, host, path)
        assert SECRET not in body, (host, path, status)
        assert status in (200, 400, 403, 404), (host, path, status, body[:200])
        if status == 200:  # only the SPA fallback and the website's error document answer such a path
            assert body == INDEX, (host, path)
    assert not [line for line in served.lines if "Traceback" in line or "internal error" in line]


def test_a_bucket_outside_the_directory_or_missing_is_a_502(served, cloudfront):
    for bucket in ("escaped", "no-such-bucket"):
        host, _ = _distribution(cloudfront, _s3_origin(bucket))
        status, _, body = _raw(served, host, "/index.html")
        assert status == 502 and SECRET not in body


def test_the_s3_endpoint_still_wins_where_given(tree):
    stand_in = S3StandIn({"site/index.html": b"from the endpoint"})
    try:
        with RunningServer("--s3-dir", str(tree), "--s3-endpoint", stand_in.url) as running:
            client = make_client(running.url)
            rest, _ = _distribution(client, _s3_origin("site"))
            assert _get(running, rest, "/index.html").content == b"from the endpoint"
            # An S3 endpoint does not answer as a website: website endpoints still come from the directory.
            web, _ = _distribution(client, _website_origin("web"))
            unhosted = _get(running, web, "/")  # no --s3-website here: not hosted
            assert unhosted.status_code == 404 and b"NoSuchWebsiteConfiguration" in unhosted.content
    finally:
        stand_in.close()


def test_websites_from_the_environment(tree):
    with RunningServer("--s3-dir", str(tree), env={"CLOUDFRONT_LOCAL_S3_WEBSITE": "bare=index.html web=index.html"}
                       ) as running:
        client = make_client(running.url)
        bare, _ = _distribution(client, _website_origin("bare"))
        assert _get(running, bare, "/").content == b"bare"
        web, _ = _distribution(client, _website_origin("web"))
        missing = _get(running, web, "/nowhere")  # no error document named: S3's own page
        assert missing.status_code == 404 and b"Code: NoSuchKey" in missing.content
        assert b"Key: nowhere" in missing.content


def test_bad_flags_are_refused_at_start(tmp_path):
    import subprocess
    import sys

    for flags, said in ((["--s3-dir", str(tmp_path / "none")], "is not a directory"),
                        (["--s3-dir", str(tmp_path), "--s3-website", "web=a/b.html"], "without '/'"),
                        (["--s3-dir", str(tmp_path), "--s3-website", "web"], "BUCKET=INDEX")):
        done = subprocess.run([sys.executable, "-m", "cloudfront_local", "serve", "--port", "0", "--edge-port", "0",
                               *flags], capture_output=True, text=True, timeout=30)
        assert done.returncode == 2 and said in done.stderr, done.stderr
