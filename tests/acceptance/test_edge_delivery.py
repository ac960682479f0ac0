"""The edge's way to the origin and back, through `requests`: origin groups failing over, custom error
responses, origin changes made by functions, what the origin request policy forwards (the viewer's country
among it), the response headers policy, geo restrictions from the simulated geo table, and signed URLs and
cookies verified against a key group's public keys."""
from __future__ import annotations

import datetime
import http.server
import json
import ssl
import uuid

import origin_servers
import pytest
import requests
from botocore.signers import CloudFrontSigner
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from builders import direct_config, multi_tenant_config
from certificates import server_files
from conftest import make_client
from function_samples import published
from s3_signing_stand_in import SigningS3
from serving import RunningServer

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
SECURITY_HEADERS = "67f7725c-6f97-4210-82d7-5512b31e9d03"
CORS_WITH_PREFLIGHT = "5cc3b908-e619-4b99-88e5-2cf7f45965bd"


class _Origin(http.server.BaseHTTPRequestHandler):
    """Answers JSON describing the request; `/status-N/...` answers with status N."""

    def _answer(self):
        first = self.path.split("/")[1]
        status = int(first[len("status-"):]) if first.startswith("status-") else 200
        body = json.dumps({"path": self.path, "origin": self.server.name,
                           "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Powered-By", "origin")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_HEAD = do_OPTIONS = _answer

    def log_message(self, *args):
        pass


def _serve(name: str):
    return origin_servers.start(_Origin, name)


@pytest.fixture(scope="module")
def origins_up():
    first, second = _serve("primary"), _serve("secondary")
    yield first.server_address[1], second.server_address[1]
    first.shutdown()
    second.shutdown()


def _domain(server) -> str:
    name = f"origin-{uuid.uuid4().hex[:10]}.example.com"
    requests.post(server.url + "/_cloudfront-local/dns", json={"name": name, "type": "A", "value": "127.0.0.1"},
                  timeout=5).raise_for_status()
    return name


def _origin(origin_id: str, domain: str, port: int) -> dict:
    return {"Id": origin_id, "DomainName": domain, "CustomOriginConfig": {
        "HTTPPort": port, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}


def _behavior(target: str = "primary", pattern: str | None = None, **members) -> dict:
    behavior = {"TargetOriginId": target, "ViewerProtocolPolicy": "allow-all", "CachePolicyId": CACHING_DISABLED,
                "OriginRequestPolicyId": ALL_VIEWER_EXCEPT_HOST, **members}
    if pattern:
        behavior["PathPattern"] = pattern
    return behavior


def _create(client, server, ports, **members) -> dict:
    domain = _domain(server)
    origins = [_origin("primary", domain, ports[0]), _origin("secondary", domain, ports[1])]
    members.setdefault("DefaultCacheBehavior", _behavior())
    config = direct_config(Origins={"Quantity": 2, "Items": origins}, **members)
    return client.create_distribution(DistributionConfig=config)["Distribution"]


def _get(server, host: str, path: str = "/", method: str = "GET", **headers):
    return requests.request(method, server.edge_url + path, headers={"Host": host, **headers},
                            allow_redirects=False, timeout=15)


def test_origin_group_fails_over_on_its_statuses(server, client, origins_up):
    group = {"Id": "group", "FailoverCriteria": {"StatusCodes": {"Quantity": 2, "Items": [500, 503]}},
             "Members": {"Quantity": 2, "Items": [{"OriginId": "primary"}, {"OriginId": "secondary"}]}}
    made = _create(client, server, origins_up, OriginGroups={"Quantity": 1, "Items": [group]},
                   DefaultCacheBehavior=_behavior("group"))
    assert _get(server, made["DomainName"], "/ok").json()["origin"] == "primary"
    # The secondary answers the same path with 200: only the primary's 503 is a failure.
    assert _get(server, made["DomainName"], "/status-503/x").json()["origin"] == "secondary"
    assert _get(server, made["DomainName"], "/status-404/x").status_code == 404  # not a failover status


def test_custom_error_responses(server, client, origins_up):
    made = _create(client, server, origins_up, CustomErrorResponses={"Quantity": 3, "Items": [
        {"ErrorCode": 404, "ResponsePagePath": "/errors/not-found.html", "ResponseCode": "200",
         "ErrorCachingMinTTL": 0},
        {"ErrorCode": 500, "ResponsePagePath": "/status-403/missing-page.html", "ResponseCode": "503",
         "ErrorCachingMinTTL": 0},
        {"ErrorCode": 502, "ErrorCachingMinTTL": 0}]})
    page = _get(server, made["DomainName"], "/status-404/gone")
    assert page.status_code == 200
    assert page.json()["path"] == "/errors/not-found.html"
    # A page its origin will not give: the viewer gets that origin's status for the page.
    assert _get(server, made["DomainName"], "/status-500/x").status_code == 403
    assert _get(server, made["DomainName"], "/status-502/x").status_code == 502  # caching only


@pytest.mark.parametrize("item, code", [
    ({"ErrorCode": 302}, "InvalidErrorCode"),
    ({"ErrorCode": 404, "ResponsePagePath": "/e.html", "ResponseCode": "302"}, "InvalidResponseCode"),
    ({"ErrorCode": 404, "ResponseCode": "200"}, "InvalidArgument"),
    ({"ErrorCode": 404, "ResponsePagePath": "/e.html"}, "InvalidArgument"),
    ({"ErrorCode": 404, "ResponsePagePath": "e.html", "ResponseCode": "200"}, "InvalidArgument"),
])
def test_custom_error_responses_are_checked(server, client, origins_up, item, code):
    with pytest.raises(client.exceptions.ClientError) as refused:
        _create(client, server, origins_up, CustomErrorResponses={"Quantity": 1, "Items": [item]})
    assert refused.value.response["Error"]["Code"] == code


def test_functions_change_the_origin(server, client, account, origins_up):
    tag = uuid.uuid4().hex[:8]
    code = """import cf from 'cloudfront';
    function handler(event) {
        if (event.request.uri === '/select') { cf.selectRequestOriginById('secondary'); }
        if (event.request.uri === '/update') {
            cf.updateRequestOrigin({customHeaders: {'x-chosen': 'by-function'}});
        }
        return event.request;
    }"""
    association = published(client, account, f"o-{tag}", code)
    distribution = _create(client, server, origins_up, DefaultCacheBehavior=_behavior(
        FunctionAssociations=association))
    assert _get(server, distribution["DomainName"], "/plain").json()["origin"] == "primary"
    assert _get(server, distribution["DomainName"], "/select").json()["origin"] == "secondary"
    updated = _get(server, distribution["DomainName"], "/update").json()
    assert updated["origin"] == "primary" and updated["headers"]["x-chosen"] == "by-function"


def test_origin_request_policy_decides_what_is_forwarded(server, client, origins_up):
    bare_behavior = _behavior()
    del bare_behavior["OriginRequestPolicyId"]
    made = _create(client, server, origins_up, DefaultCacheBehavior=bare_behavior,
                   CacheBehaviors={"Quantity": 1, "Items": [_behavior(pattern="/all/*")]})
    bare = _get(server, made["DomainName"], "/x?a=1", **{"X-Custom": "1", "Cookie": "c=1"}).json()
    assert bare["path"] == "/x" and "x-custom" not in bare["headers"] and "cookie" not in bare["headers"]
    everything = _get(server, made["DomainName"], "/all/x?a=1", **{"X-Custom": "1", "Cookie": "c=1"}).json()
    assert everything["path"] == "/all/x?a=1"
    assert everything["headers"]["x-custom"] == "1" and everything["headers"]["cookie"] == "c=1"


def test_response_headers_policy(server, client, origins_up):
    made = _create(client, server, origins_up, DefaultCacheBehavior=_behavior(
        ResponseHeadersPolicyId=SECURITY_HEADERS), CacheBehaviors={"Quantity": 1, "Items": [
            _behavior(pattern="/cors/*", ResponseHeadersPolicyId=CORS_WITH_PREFLIGHT)]})
    secured = _get(server, made["DomainName"], "/page")
    assert secured.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert secured.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert secured.headers["X-Content-Type-Options"] == "nosniff"
    cors = _get(server, made["DomainName"], "/cors/x", Origin="https://app.example.com")
    assert cors.headers["Access-Control-Allow-Origin"] == "*"


def test_geo_restriction_and_the_viewer_country(server, client, origins_up):
    restricted = _create(client, server, origins_up, Restrictions={"GeoRestriction": {
        "RestrictionType": "blacklist", "Quantity": 1, "Items": ["FR"]}})
    country_policy = client.create_origin_request_policy(OriginRequestPolicyConfig={
        "Name": f"country-{uuid.uuid4().hex[:8]}", "HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": {
            "Quantity": 1, "Items": ["CloudFront-Viewer-Country"]}},
        "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "none"}})
    telling = _create(client, server, origins_up, DefaultCacheBehavior=_behavior(
        OriginRequestPolicyId=country_policy["OriginRequestPolicy"]["Id"]))
    assert _get(server, restricted["DomainName"]).status_code == 200  # no entry: the viewer is in the US
    assert _get(server, telling["DomainName"]).json()["headers"]["cloudfront-viewer-country"] == "US"
    requests.post(server.url + "/_cloudfront-local/geo", json={"cidr": "127.0.0.0/8", "country": "FR"},
                  timeout=5).raise_for_status()
    try:
        blocked = _get(server, restricted["DomainName"])
        assert blocked.status_code == 403 and blocked.headers["X-Cache"] == "Error from cloudfront"
        assert b"block access from your country" in blocked.content
        assert _get(server, telling["DomainName"]).json()["headers"]["cloudfront-viewer-country"] == "FR"
    finally:
        requests.delete(server.url + "/_cloudfront-local/geo", timeout=5).raise_for_status()
    assert _get(server, restricted["DomainName"]).status_code == 200


def test_tenant_geo_customization(server, client, origins_up):
    domain = _domain(server)
    config = multi_tenant_config(parameters=(), Origins={"Quantity": 1, "Items": [
        _origin("primary", domain, origins_up[0])]}, DefaultCacheBehavior=_behavior())
    distribution = client.create_distribution(DistributionConfig=config)["Distribution"]
    group = client.create_connection_group(Name=f"g-{uuid.uuid4().hex[:8]}")["ConnectionGroup"]
    shop = f"shop-{uuid.uuid4().hex[:8]}.example.com"
    client.create_distribution_tenant(DistributionId=distribution["Id"], Name=f"t-{uuid.uuid4().hex[:8]}",
                                      Domains=[{"Domain": shop}], ConnectionGroupId=group["Id"],
                                      Customizations={"GeoRestrictions": {"RestrictionType": "whitelist",
                                                                          "Locations": ["DE"]}})
    assert _get(server, shop).status_code == 403  # a viewer in the US, outside the tenant's list


def _key_pair():
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = private.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


def test_signed_urls_and_cookies(server, client, origins_up):
    private, public = _key_pair()
    key = client.create_public_key(PublicKeyConfig={"CallerReference": uuid.uuid4().hex,
                                                    "Name": f"k-{uuid.uuid4().hex[:8]}", "EncodedKey": public})
    key_id = key["PublicKey"]["Id"]
    group = client.create_key_group(KeyGroupConfig={"Name": f"g-{uuid.uuid4().hex[:8]}", "Items": [key_id]})
    trusted = {"Enabled": True, "Quantity": 1, "Items": [group["KeyGroup"]["Id"]]}
    made = _create(client, server, origins_up, DefaultCacheBehavior=_behavior(TrustedKeyGroups=trusted))
    host = made["DomainName"]
    signer = CloudFrontSigner(key_id, lambda message: private.sign(message, padding.PKCS1v15(), hashes.SHA1()))
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=5)
    earlier = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)

    assert _get(server, host, "/private").status_code == 403
    url = signer.generate_presigned_url(f"http://{host}/private?x=1", date_less_than=later)
    answer = _get(server, host, url.split(host, 1)[1])
    assert answer.status_code == 200
    assert answer.json()["path"] == "/private?x=1"  # the signature's own parameters stay at the edge
    expired = signer.generate_presigned_url(f"http://{host}/private", date_less_than=earlier)
    assert _get(server, host, expired.split(host, 1)[1]).status_code == 403
    tampered = signer.generate_presigned_url(f"http://{host}/private", date_less_than=later)
    assert _get(server, host, tampered.split(host, 1)[1].replace("/private", "/other")).status_code == 403

    policy = signer.build_policy(f"http://{host}/*", later)
    query = signer.generate_presigned_url(f"http://{host}/any", policy=policy).split("?", 1)[1]
    cookies = dict(part.split("=", 1) for part in query.split("&"))
    cookie = "; ".join(f"CloudFront-{name}={value}" for name, value in cookies.items())
    assert _get(server, host, "/any/where", Cookie=cookie).status_code == 200


def test_s3_origin_signed_by_its_origin_access_control():
    bucket = SigningS3({"media/site/index.html": b"<h1>from the bucket</h1>"})
    try:
        with RunningServer("--s3-endpoint", bucket.url) as running:
            client = make_client(running.url)
            oac = client.create_origin_access_control(OriginAccessControlConfig={
                "Name": f"oac-{uuid.uuid4().hex[:8]}", "SigningProtocol": "sigv4", "SigningBehavior": "always",
                "OriginAccessControlOriginType": "s3"})["OriginAccessControl"]["Id"]
            hosts = []
            for control in (oac, ""):
                origin = {"Id": "bucket", "DomainName": "media.s3.eu-west-3.amazonaws.com", "OriginPath": "/site",
                          "S3OriginConfig": {"OriginAccessIdentity": ""}}
                if control:
                    origin["OriginAccessControlId"] = control
                config = direct_config(Origins={"Quantity": 1, "Items": [origin]},
                                       DefaultCacheBehavior=_behavior("bucket"))
                hosts.append(client.create_distribution(DistributionConfig=config)["Distribution"]["DomainName"])
            signed_answer = _get(running, hosts[0], "/index.html")
            assert signed_answer.status_code == 200 and signed_answer.content == b"<h1>from the bucket</h1>"
            assert bucket.seen[-1]["scope"] == ("cloudfront-local", "eu-west-3", "s3")
            unsigned = _get(running, hosts[1], "/index.html")  # a private bucket refuses an unsigned request
            assert unsigned.status_code == 403 and b"AccessDenied" in unsigned.content
    finally:
        bucket.close()


def test_https_origin(server, client, tmp_path):
    name = f"secure-{uuid.uuid4().hex[:8]}.example.com"
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*server_files(tmp_path, name))
    origin = _serve("tls")
    origin.socket = context.wrap_socket(origin.socket, server_side=True)
    try:
        requests.post(server.url + "/_cloudfront-local/dns", json={"name": name, "type": "A", "value": "127.0.0.1"},
                      timeout=5).raise_for_status()
        secure = {"Id": "primary", "DomainName": name, "CustomOriginConfig": {
            "HTTPPort": 80, "HTTPSPort": origin.server_address[1], "OriginProtocolPolicy": "https-only"}}
        config = direct_config(Origins={"Quantity": 1, "Items": [secure]}, DefaultCacheBehavior=_behavior())
        domain = client.create_distribution(DistributionConfig=config)["Distribution"]["DomainName"]
        answer = _get(server, domain, "/over-tls")
        assert answer.status_code == 200 and answer.json()["origin"] == "tls"
        assert answer.json()["headers"]["host"] == f"{name}:{origin.server_address[1]}"
    finally:
        origin.shutdown()


def test_a_function_response_with_a_bad_body_is_a_503(server, client, account, origins_up):
    tag = uuid.uuid4().hex[:8]
    code = "function handler(event) { return {statusCode: 200, body: {data: 'a', encoding: 'base64'}}; }"
    association = published(client, account, f"b-{tag}", code)
    distribution = _create(client, server, origins_up, DefaultCacheBehavior=_behavior(
        FunctionAssociations=association))
    answer = _get(server, distribution["DomainName"], "/x")
    assert answer.status_code == 503 and answer.headers["X-Cache"] == "Error from cloudfront"
    assert not [line for line in server.lines if "internal error" in line]
