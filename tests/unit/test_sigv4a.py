"""SigV4A under --credentials: real signatures from awscrt (boto3's KeyValueStore client, botocore's CRT
signers) are accepted for the right principal; anything altered, unknown, stale or malformed is AWS's 403."""
import datetime
import urllib.parse

import boto3
import botocore.auth  # noqa: F401 -- before botocore.crt.auth, whose import of it is circular otherwise
import pytest
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.crt.auth import CrtSigV4AsymAuth, CrtSigV4AsymQueryAuth
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudfront_local import sigv4a
from cloudfront_local.auth import Authenticator, AuthError, Principal, _Key

KEYS = {
    "AKIAFULLACCESS000001": _Key("full-secret", "111111111111", None),
    "AKIAREADONLY00000002": _Key("read-secret", "111111111111", ("cloudfront-keyvaluestore:get*",)),
    "AKIAOTHERACCOUNT0003": _Key("other-secret", "222222222222", None),
}
ARN = "arn:aws:cloudfront::111111111111:key-value-store/0f5d9a3c-1f0e-4c2b-9a61-2a8e0c7b6d11"
SERVICE = "cloudfront-keyvaluestore"


class _Captured(Exception):
    def __init__(self, request):
        super().__init__("captured")
        self.request = request


def _raise_captured(request, **_):
    raise _Captured(request)


def kvs_request(operation, key="AKIAFULLACCESS000001", secret="full-secret", **params):
    """What boto3's KeyValueStore client puts on the wire (signed by awscrt), as the transport hands it over."""
    client = boto3.client(SERVICE, endpoint_url="http://127.0.0.1:1", region_name="us-east-1",
                          aws_access_key_id=key, aws_secret_access_key=secret)
    client.meta.events.register("before-send", _raise_captured)
    with pytest.raises(_Captured) as captured:
        getattr(client, operation)(**params)
    return _wire(captured.value.request)


def crt_request(method, path, body=b"", headers=None, query_auth=False, key="AKIAFULLACCESS000001",
                secret="full-secret"):
    """A request signed by botocore's CRT SigV4A signers directly (header or presigned-URL form)."""
    request = AWSRequest(method=method, url="http://kvs.example.com" + path, data=body, headers=headers or {})
    if query_auth:
        CrtSigV4AsymQueryAuth(Credentials(key, secret), SERVICE, "*", expires=300).add_auth(request)
    else:
        CrtSigV4AsymAuth(Credentials(key, secret), SERVICE, "*").add_auth(request)
    return _wire(request)


def _wire(request):
    parts = urllib.parse.urlsplit(request.url)
    headers = {name.lower(): value.decode() if isinstance(value, bytes) else str(value)
               for name, value in request.headers.items()}
    body = request.body or b""
    return {"method": request.method, "raw_path": parts.path, "query": parts.query, "headers": headers,
            "body": body.encode() if isinstance(body, str) else body}


def identify(wire, minutes_later=0):
    now = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes_later)
    return Authenticator(KEYS, "123456789012", clock=lambda: now).identify(**wire)


def refusal(wire, **kwargs):
    with pytest.raises(AuthError) as excinfo:
        identify(wire, **kwargs)
    return excinfo.value


def with_authorization(wire, old, new):
    assert old in wire["headers"]["authorization"]
    headers = {**wire["headers"], "authorization": wire["headers"]["authorization"].replace(old, new)}
    return {**wire, "headers": headers}


def test_derived_key_matches_the_aws_sdk_for_go_vector():
    # aws-sdk-go-v2 internal/v4a/v4a_test.go, TestDeriveECDSAKeyPairFromSecret.
    numbers = sigv4a.derive_private_key("AKISORANDOMAASORANDOM",
                                        "q+jcrXGc+0zWN6uzclKVhvMmUsIfRPa4rlRandom").public_key().public_numbers()
    assert numbers.x == 0x15D242CEEBF8D8169FD6A8B5A746C41140414C3B07579038DA06AF89190FFFCB
    assert numbers.y == 0x515242CEDD82E94799482E4C0514B505AFCCF2C0C98D6A553BF539F424C5EC0


def test_public_keys_are_cached_per_access_key():
    first = sigv4a.public_key("AKIAFULLACCESS000001", "full-secret")
    assert sigv4a.public_key("AKIAFULLACCESS000001", "full-secret") is first
    assert sigv4a.public_key("AKIAOTHERACCOUNT0003", "other-secret") is not first


@pytest.mark.parametrize("operation, params", [
    ("describe_key_value_store", {"KvsARN": ARN}),
    ("get_key", {"KvsARN": ARN, "Key": "a key/with ünïcode & %"}),
    ("put_key", {"KvsARN": ARN, "Key": "k", "Value": "v" * 100, "IfMatch": "ETAG1"}),
    ("delete_key", {"KvsARN": ARN, "Key": "../k", "IfMatch": "ETAG1"}),
    ("list_keys", {"KvsARN": ARN, "MaxResults": 5, "NextToken": "a+b/c=="}),
    ("update_keys", {"KvsARN": ARN, "IfMatch": "ETAG1", "Puts": [{"Key": "k", "Value": "v"}],
                     "Deletes": [{"Key": "old"}]}),
])
def test_boto3_kvs_client_requests_are_accepted(operation, params):
    wire = kvs_request(operation, **params)
    assert wire["headers"]["authorization"].startswith("AWS4-ECDSA-P256-SHA256 Credential=AKIAFULLACCESS000001/")
    assert wire["headers"]["x-amz-region-set"] == "*"
    assert identify(wire) == Principal("111111111111", "AKIAFULLACCESS000001", None)


def test_each_key_gets_its_account_and_allow_list():
    reader = kvs_request("describe_key_value_store", "AKIAREADONLY00000002", "read-secret", KvsARN=ARN)
    assert identify(reader) == Principal("111111111111", "AKIAREADONLY00000002", ("cloudfront-keyvaluestore:get*",))
    other = kvs_request("describe_key_value_store", "AKIAOTHERACCOUNT0003", "other-secret", KvsARN=ARN)
    assert identify(other).account == "222222222222"


def test_the_path_is_canonicalized_as_awscrt_does():
    # awscrt double-encodes and normalizes the path for this service, as botocore's SigV4 does for
    # CloudFront: percent signs, dot segments and repeated slashes all have to come out the same.
    wire = crt_request("GET", "/key-value-stores/arn%3Aaws%3Acloudfront%3A%3A1%3Akvs%2Fx/keys/a%20b%2F%C3%A7"
                              "//./c/../d?z=1&a=%2B&a=0")
    assert identify(wire).access_key_id == "AKIAFULLACCESS000001"


def test_wrong_secret_is_signature_does_not_match():
    error = refusal(kvs_request("describe_key_value_store", secret="not-the-secret", KvsARN=ARN))
    assert error.code == "SignatureDoesNotMatch" and "signature we calculated" in error.message


def test_another_listed_key_cannot_claim_the_signature():
    wire = kvs_request("describe_key_value_store", KvsARN=ARN)
    claimed = with_authorization(wire, "AKIAFULLACCESS000001", "AKIAOTHERACCOUNT0003")
    assert refusal(claimed).code == "SignatureDoesNotMatch"


def test_unknown_key_is_invalid_client_token_id():
    error = refusal(kvs_request("describe_key_value_store", "AKIAUNKNOWN000000000", "x", KvsARN=ARN))
    assert error.code == "InvalidClientTokenId"


def test_an_altered_body_is_refused():
    wire = kvs_request("put_key", KvsARN=ARN, Key="k", Value="signed", IfMatch="ETAG1")
    assert refusal({**wire, "body": wire["body"].replace(b"signed", b"forged")}).code == "SignatureDoesNotMatch"


def test_a_body_that_does_not_match_its_declared_hash_is_refused():
    wire = crt_request("PUT", "/key-value-stores/x/keys/k", b'{"Value": "v"}',
                       headers={"X-Amz-Content-SHA256": "0" * 64})
    error = refusal(wire)
    assert error.code == "SignatureDoesNotMatch" and "x-amz-content-sha256" in error.message


@pytest.mark.parametrize("change", [
    lambda wire: {**wire, "raw_path": wire["raw_path"].replace("/keys/k", "/keys/j")},
    lambda wire: {**wire, "method": "DELETE"},
    lambda wire: {**wire, "query": "extra=1"},
    lambda wire: {**wire, "headers": {**wire["headers"], "if-match": "ETAG2"}},
    lambda wire: {**wire, "headers": {**wire["headers"], "host": "elsewhere.example.com"}},
    lambda wire: {**wire, "headers": {**wire["headers"], "x-amz-region-set": "us-east-1"}},
])
def test_an_altered_path_method_query_or_signed_header_is_refused(change):
    wire = kvs_request("put_key", KvsARN=ARN, Key="k", Value="v", IfMatch="ETAG1")
    assert identify(wire).account == "111111111111"
    assert refusal(change(wire)).code == "SignatureDoesNotMatch"


@pytest.mark.parametrize("minutes", [-20, 20])
def test_a_request_time_more_than_15_minutes_off_is_refused(minutes):
    wire = kvs_request("describe_key_value_store", KvsARN=ARN)
    error = refusal(wire, minutes_later=minutes)
    assert error.code == "SignatureDoesNotMatch" and "15 min." in error.message
    assert identify(wire, minutes_later=minutes // 5).account == "111111111111"


def test_an_unsigned_host_is_refused():
    wire = kvs_request("describe_key_value_store", KvsARN=ARN)
    error = refusal(with_authorization(wire, "SignedHeaders=host;", "SignedHeaders="))
    assert error.code == "SignatureDoesNotMatch" and "host" in error.message


def test_an_unsigned_region_set_is_refused():
    wire = kvs_request("describe_key_value_store", KvsARN=ARN)
    error = refusal(with_authorization(wire, ";x-amz-region-set", ""))
    assert error.code == "SignatureDoesNotMatch" and "Region-Set" in error.message


def test_a_date_outside_the_credential_scope_is_refused():
    wire = kvs_request("describe_key_value_store", KvsARN=ARN)
    day = wire["headers"]["x-amz-date"][:8]
    assert refusal(with_authorization(wire, f"/{day}/", "/20200101/")).code == "SignatureDoesNotMatch"


@pytest.mark.parametrize("old, new", [
    ("/cloudfront-keyvaluestore/", "/us-east-1/cloudfront-keyvaluestore/"),  # a SigV4 scope under SigV4A
    ("/cloudfront-keyvaluestore/aws4_request", "/cloudfront-keyvaluestore/aws5_request"),
    ("/cloudfront-keyvaluestore/", "/cloudfront/"),  # the service is part of what was signed
    ("AWS4-ECDSA-P256-SHA256 ", "AWS4-HMAC-SHA256 "),
    ("AWS4-ECDSA-P256-SHA256 ", "AWS4-ECDSA-P384-SHA384 "),
])
def test_a_mismatched_algorithm_or_scope_is_refused(old, new):
    wire = kvs_request("describe_key_value_store", KvsARN=ARN)
    assert refusal(with_authorization(wire, old, new)).code == "SignatureDoesNotMatch"


@pytest.mark.parametrize("signature", [
    "", "zz", "0", "30", "3044" + "00" * 68, "ff" * 72, "ab" * 5000, "３０４６", "\udcff", "30 46", "-1",
])
def test_malformed_signatures_are_403s(signature):
    wire = kvs_request("describe_key_value_store", KvsARN=ARN)
    real = wire["headers"]["authorization"].rsplit("Signature=", 1)[1]
    assert refusal(with_authorization(wire, real, signature)).code == "SignatureDoesNotMatch"


def test_presigned_sigv4a_urls():
    path = "/key-value-stores/arn%3Aaws%3Acloudfront%3A%3A1%3Akvs%2Fx/keys/k"
    wire = crt_request("GET", path, query_auth=True)
    assert "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256" in wire["query"] and "X-Amz-Region-Set=" in wire["query"]
    assert "authorization" not in wire["headers"]
    assert identify(wire) == Principal("111111111111", "AKIAFULLACCESS000001", None)
    assert identify(wire, minutes_later=4).account == "111111111111"  # signed for 300 seconds
    expired = refusal(wire, minutes_later=6)
    assert expired.code == "SignatureDoesNotMatch" and "Signature expired" in expired.message
    assert refusal({**wire, "raw_path": path.replace("/keys/k", "/keys/j")}).code == "SignatureDoesNotMatch"
    assert refusal({**wire, "query": wire["query"] + "&extra=1"}).code == "SignatureDoesNotMatch"
    unscoped = "&".join(p for p in wire["query"].split("&") if not p.startswith("X-Amz-Region-Set="))
    assert "Region-Set" in refusal({**wire, "query": unscoped}).message
    wrong = crt_request("GET", path, query_auth=True, secret="not-the-secret")
    assert refusal(wrong).code == "SignatureDoesNotMatch"
    unknown = crt_request("GET", path, query_auth=True, key="AKIAUNKNOWN000000000")
    assert refusal(unknown).code == "InvalidClientTokenId"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(["AWS4-ECDSA-P256-SHA256", "Credential=", "/cloudfront-keyvaluestore/", "SignedHeaders=",
                              "host;", "Signature=", "aws4_request"]),
       junk=st.text(st.characters(codec=None), min_size=1, max_size=40),
       where=st.sampled_from(["authorization", "header", "query"]))
def test_hostile_sigv4a_requests_are_403s_never_crashes(field, junk, where):
    wire = kvs_request("list_keys", KvsARN=ARN, MaxResults=5)
    if where == "authorization":
        wire = with_authorization(wire, field, field + junk)
    elif where == "header":
        wire = {**wire, "headers": {**wire["headers"], "x-amz-region-set": junk, "x-amz-date": junk}}
    else:
        wire = {**wire, "query": junk, "raw_path": wire["raw_path"] + junk}
    try:
        principal = identify(wire)
    except AuthError:
        return
    # Some junk changes nothing that was signed (spaces around a field, an empty header name).
    assert principal == Principal("111111111111", "AKIAFULLACCESS000001", None)
