"""--credentials: SigV4 signatures from listed keys, accounts from the file, allow-lists; AWS's 403s."""
import datetime
import json
import time

import boto3
import botocore
import botocore.auth
import botocore.config
import pytest
import requests
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import make_client
from serving import RunningServer

CREDENTIALS = """
[[credentials]]
access_key_id = "AKIAFULLACCESS000001"
secret_access_key = "full-secret"
account_id = "111111111111"

[[credentials]]
access_key_id = "AKIAREADONLY00000002"
secret_access_key = "read-secret"
account_id = "111111111111"
allow = ["cloudfront:Get*", "cloudfront:List*"]

[[credentials]]
access_key_id = "AKIAOTHERACCOUNT0003"
secret_access_key = "other-secret"
account_id = "222222222222"
"""


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    path = tmp_path_factory.mktemp("auth") / "credentials.toml"
    path.write_text(CREDENTIALS)
    with RunningServer("--credentials", str(path)) as running:
        yield running


def client(server, key="AKIAFULLACCESS000001", secret="full-secret", **config):
    return boto3.client("cloudfront", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret,
                        config=botocore.config.Config(retries={"max_attempts": 1}, **config))


def error_of(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_a_listed_key_works_in_its_account(secured):
    group = client(secured).create_connection_group(Name="signed")["ConnectionGroup"]
    assert group["Arn"].startswith("arn:aws:cloudfront::111111111111:")
    other = client(secured, "AKIAOTHERACCOUNT0003", "other-secret")
    assert other.list_connection_groups()["ConnectionGroups"] == []


def test_unknown_key_is_invalid_client_token_id(secured):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        client(secured, "AKIAUNKNOWN000000000", "x").list_connection_groups()
    assert error_of(excinfo) == ("InvalidClientTokenId", 403)


def test_wrong_secret_is_signature_does_not_match(secured):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        client(secured, "AKIAFULLACCESS000001", "not-the-secret").list_connection_groups()
    assert error_of(excinfo) == ("SignatureDoesNotMatch", 403)


def test_unsigned_is_missing_authentication_token(secured):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        client(secured, signature_version=botocore.UNSIGNED).list_connection_groups()
    assert error_of(excinfo) == ("MissingAuthenticationToken", 403)


def _signed(server, method, path, body=b"", when=None, key="AKIAFULLACCESS000001", secret="full-secret"):
    """A request signed by botocore's SigV4 code at a chosen time."""
    moment = when or datetime.datetime.now(datetime.timezone.utc)
    request = AWSRequest(method=method, url=server.url + path, data=body)
    request.context["timestamp"] = moment.strftime("%Y%m%dT%H%M%SZ")
    request.headers["X-Amz-Date"] = request.context["timestamp"]
    signer = botocore.auth.SigV4Auth(Credentials(key, secret), "cloudfront", "us-east-1")
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    scope = signer.credential_scope(request)
    headers = signer.signed_headers(signer.headers_to_sign(request))
    request.headers["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={key}/{scope}, SignedHeaders={headers}, "
                                        f"Signature={signature}")
    return request


def _send(request, body=None):
    return requests.request(request.method, request.url, headers=dict(request.headers),
                            data=request.body if body is None else body)


def test_a_body_other_than_the_signed_one_is_refused(secured):
    body = (b'<CreateConnectionGroupRequest xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">'
            b"<Name>tampered</Name></CreateConnectionGroupRequest>")
    request = _signed(secured, "POST", "/2020-05-31/connection-group", body)
    assert _send(request).status_code == 201
    response = _send(_signed(secured, "POST", "/2020-05-31/connection-group", body), body.replace(b"tampered",
                                                                                                    b"tampere2"))
    assert response.status_code == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in response.content


@pytest.mark.parametrize("minutes", [-20, 20])
def test_a_request_time_more_than_15_minutes_off_is_refused(secured, minutes):
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes)
    response = _send(_signed(secured, "GET", "/2020-05-31/connection-group/x", when=when))
    assert response.status_code == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in response.content
    assert b"15 min." in response.content
    near = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes // 5)
    assert _send(_signed(secured, "GET", "/2020-05-31/connection-group/x", when=near)).status_code == 404


def test_presigned_urls(secured):
    cf = client(secured)
    group = cf.create_connection_group(Name="presigned")["ConnectionGroup"]
    url = cf.generate_presigned_url("get_connection_group", Params={"Identifier": group["Id"]}, ExpiresIn=60)
    assert requests.get(url).status_code == 200
    tampered = url.replace(group["Id"], "cg_other")
    assert requests.get(tampered).status_code == 403
    short = cf.generate_presigned_url("get_connection_group", Params={"Identifier": group["Id"]}, ExpiresIn=1)
    time.sleep(2.1)
    expired = requests.get(short)
    assert expired.status_code == 403 and b"Signature expired" in expired.content


def test_allow_list_limits_actions(secured):
    reader = client(secured, "AKIAREADONLY00000002", "read-secret")
    assert "ConnectionGroups" in reader.list_connection_groups()
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        reader.create_connection_group(Name="not-allowed")
    assert error_of(excinfo) == ("AccessDenied", 403)
    message = excinfo.value.response["Error"]["Message"]
    assert "cloudfront:CreateConnectionGroup" in message and "arn:aws:cloudfront::111111111111:" in message
    with pytest.raises(reader.exceptions.AccessDenied) as excinfo:
        reader.delete_connection_group(Id="cg_abc", IfMatch="E1")
    assert "connection-group/cg_abc" in excinfo.value.response["Error"]["Message"]


def test_without_a_credentials_file_anything_goes(server):
    assert make_client(server.url, "AKIAWHATEVER").list_connection_groups()["ConnectionGroups"] is not None


def test_a_bad_credentials_file_stops_the_server(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[[credentials]]\naccess_key_id = 'x'\n")
    with pytest.raises(RuntimeError) as excinfo:
        RunningServer("--credentials", str(path), timeout=10)
    assert "secret_access_key" in str(excinfo.value)


def test_reset_needs_a_signature_when_credentials_are_enforced(secured):
    assert requests.post(f"{secured.url}/_cloudfront-local/reset").status_code == 403
    reader = _signed(secured, "POST", "/_cloudfront-local/reset", key="AKIAREADONLY00000002", secret="read-secret")
    assert _send(reader).status_code == 403  # its allow-list does not include cloudfront-local:Reset
    assert requests.get(f"{secured.url}/_cloudfront-local/health").status_code == 200


@pytest.mark.parametrize("tamper", [
    lambda url: url.replace("X-Amz-Expires=60", "X-Amz-Expires=" + "9" * 20),
    lambda url: url.replace("X-Amz-Expires=60", "X-Amz-Expires=-5"),
    lambda url: url.replace("X-Amz-Date=", "X-Amz-Date=9999"),
])
def test_malformed_presigned_urls_are_403_not_500(secured, tamper):
    url = client(secured).generate_presigned_url("list_anycast_ip_lists", ExpiresIn=60)
    response = requests.get(tamper(url))
    assert response.status_code == 403


def test_a_malformed_host_is_403_not_500(secured):
    request = _signed(secured, "GET", "/2020-05-31/connection-group/x")
    headers = {**dict(request.headers), "Host": "["}
    assert requests.get(request.url, headers=headers).status_code == 403


def test_dot_segments_do_not_reach_another_operation(secured):
    signed = _signed(secured, "GET", "/2020-05-31/distribution")
    response = requests.get(signed.url + "/.", headers=dict(signed.headers))
    assert response.status_code in (403, 404)
    assert b"GetDistribution" not in response.content


def test_presigned_urls_live_as_long_as_they_say(tmp_path):
    from cloudfront_local.auth import Authenticator, AuthError, load_credentials

    path = tmp_path / "credentials.toml"
    path.write_text(CREDENTIALS)
    signer = boto3.client("cloudfront", endpoint_url="http://127.0.0.1:1", region_name="us-east-1",
                          aws_access_key_id="AKIAFULLACCESS000001", aws_secret_access_key="full-secret")
    url = signer.generate_presigned_url("list_anycast_ip_lists", ExpiresIn=3600)
    request_path, query = url.split("127.0.0.1:1", 1)[1].split("?", 1)
    signed_at = datetime.datetime.now(datetime.timezone.utc)
    for minutes, accepted in ((20, True), (59, True), (61, False)):
        later = signed_at + datetime.timedelta(minutes=minutes)
        auth = Authenticator(load_credentials(str(path)), "123456789012", clock=lambda later=later: later)
        try:
            auth.identify("GET", request_path, query, {"host": "127.0.0.1:1"}, b"")
            assert accepted, f"accepted {minutes} minutes after signing"
        except AuthError as error:
            assert not accepted, f"refused {minutes} minutes after signing: {error}"


def test_the_dns_zone_needs_a_signature_when_credentials_are_enforced(secured):
    record = json.dumps({"name": "www.secured.example", "type": "A", "value": "127.0.0.1"}).encode()
    assert requests.post(f"{secured.url}/_cloudfront-local/dns", data=record).status_code == 403
    assert requests.get(f"{secured.url}/_cloudfront-local/dns").status_code == 403
    reader = _signed(secured, "POST", "/_cloudfront-local/dns", body=record, key="AKIAREADONLY00000002",
                     secret="read-secret")
    assert _send(reader).status_code == 403  # its allow-list does not include cloudfront-local:ChangeDnsRecords
    assert _send(_signed(secured, "POST", "/_cloudfront-local/dns", body=record)).status_code == 201
    listed = _send(_signed(secured, "GET", "/_cloudfront-local/dns"))
    assert listed.status_code == 200 and listed.json()["records"][0]["name"] == "www.secured.example"
    assert _send(_signed(secured, "DELETE", "/_cloudfront-local/dns/www.secured.example")).status_code == 204
