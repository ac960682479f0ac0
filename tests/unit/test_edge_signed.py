"""Signed URLs and signed cookies, signed by botocore's CloudFrontSigner (the real client's signer)."""
from __future__ import annotations

import base64
import datetime
import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from botocore.signers import CloudFrontSigner
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from cloudfront_local.edge import signed

URL = "https://d111111abcdef8.cloudfront.net/images/a.jpg?x=1"
KEY_ID = "K2JCJMDEHXQW5F"
NOW = 1_700_000_000
LATER = datetime.datetime.fromtimestamp(NOW + 3600, datetime.timezone.utc)
EARLIER = datetime.datetime.fromtimestamp(NOW - 3600, datetime.timezone.utc)
VIEWER = "203.0.113.7"


def _pem(private) -> str:
    return private.public_key().public_bytes(serialization.Encoding.PEM,
                                             serialization.PublicFormat.SubjectPublicKeyInfo).decode()


RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
KEYS = {KEY_ID: _pem(RSA_KEY), "KECDSA": _pem(EC_KEY)}


def rsa_signer(private=RSA_KEY, algorithm=hashes.SHA1):
    return lambda message: private.sign(message, padding.PKCS1v15(), algorithm())


def signer(key_id=KEY_ID, sign=None) -> CloudFrontSigner:
    return CloudFrontSigner(key_id, sign or rsa_signer())


def split(signed_url: str) -> tuple[str, list[tuple[str, str]]]:
    """What the edge sees: the resource without the signing parameters, and every query parameter."""
    parts = urlsplit(signed_url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    own = "&".join(f"{k}={v}" for k, v in pairs if k not in signed.SIGNING_PARAMETERS)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" + (f"?{own}" if own else ""), pairs


def check(signed_url, cookies=None, now=NOW, ip=VIEWER, keys=KEYS):
    resource, pairs = split(signed_url)
    return signed.check(resource, pairs, cookies or {}, keys, now, ip)


def custom(resource=URL, less=LATER, greater=None, ip=None, **kwargs) -> str:
    s = signer(**kwargs)
    return s.generate_presigned_url(URL, policy=s.build_policy(resource, less, greater, ip))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode().translate(str.maketrans("+=/", "-_~"))


# -- canned and custom policies ---------------------------------------------------------------------------
def test_canned_policy_allows_until_it_expires():
    url = signer().generate_presigned_url(URL, date_less_than=LATER)
    assert check(url) is None
    assert check(url, now=NOW + 3600) == signed.ACCESS_DENIED
    assert check(url, now=NOW + 7200) == signed.ACCESS_DENIED


def test_canned_policy_is_bound_to_the_exact_url():
    url = signer().generate_presigned_url(URL, date_less_than=LATER)
    resource, pairs = split(url)
    assert signed.check(resource.replace("x=1", "x=2"), pairs, {}, KEYS, NOW, VIEWER) == signed.ACCESS_DENIED
    assert signed.check(resource.replace("https:", "http:"), pairs, {}, KEYS, NOW, VIEWER) == signed.ACCESS_DENIED


def test_canned_policy_with_a_changed_expiry_fails_the_signature():
    url = signer().generate_presigned_url(URL, date_less_than=LATER)
    assert check(url.replace(f"Expires={NOW + 3600}", f"Expires={NOW + 99999}")) == signed.ACCESS_DENIED


def test_custom_policy_dates():
    assert check(custom(greater=EARLIER)) is None
    assert check(custom(greater=LATER, less=LATER + datetime.timedelta(hours=1))) == signed.ACCESS_DENIED
    assert check(custom(less=EARLIER)) == signed.ACCESS_DENIED


@pytest.mark.parametrize("cidr,ip,allowed", [
    ("203.0.113.0/24", VIEWER, True),
    ("203.0.113.7", VIEWER, True),               # botocore adds /32 to a bare address
    ("198.51.100.0/24", VIEWER, False),
    ("203.0.113.0/24", "::ffff:203.0.113.7", True),
    ("203.0.113.0/24", "2001:db8::1", False),
    ("203.0.113.0/24", "not-an-ip", False),
])
def test_custom_policy_source_ip(cidr, ip, allowed):
    assert (check(custom(ip=cidr), ip=ip) is None) is allowed


@pytest.mark.parametrize("resource,allowed", [
    (URL, True),
    ("https://d111111abcdef8.cloudfront.net/images/*", True),
    ("http*://d111111abcdef8.cloudfront.net/images/a.jpg?x=?", True),
    ("https://d111111abcdef8.cloudfront.net/images/a.jpg", False),  # the query string is part of the resource
    ("https://d111111abcdef8.cloudfront.net/video/*", False),
    ("https://d111111abcdef8.cloudfront.net/images/?.jpg?x=1", True),
    ("https://d111111abcdef8.cloudfront.net/images/??.jpg?x=1", False),
    ("https://d111111abcdef8.cloudfront.net/images/a.jpg?x=1.", False),  # dots are literal
])
def test_custom_policy_resource_wildcards(resource, allowed):
    assert (check(custom(resource=resource)) is None) is allowed


def test_custom_policy_without_resource_covers_everything():
    policy = json.dumps({"Statement": [{"Condition": {"DateLessThan": {"AWS:EpochTime": NOW + 60}}}]})
    assert check(signer().generate_presigned_url(URL, policy=policy)) is None


# -- signature and key --------------------------------------------------------------------------------------
def test_tampered_signature_is_denied():
    url = signer().generate_presigned_url(URL, date_less_than=LATER)
    resource, pairs = split(url)
    forged = [(k, b64(bytes(256)) if k == "Signature" else v) for k, v in pairs]
    assert signed.check(resource, forged, {}, KEYS, NOW, VIEWER) == signed.ACCESS_DENIED


def test_signature_by_another_key_is_denied():
    url = signer(sign=rsa_signer(OTHER_RSA)).generate_presigned_url(URL, date_less_than=LATER)
    assert check(url) == signed.ACCESS_DENIED


def test_unknown_key_id():
    url = signer(key_id="KUNKNOWN1234").generate_presigned_url(URL, date_less_than=LATER)
    assert check(url) == signed.UNKNOWN_KEY
    assert check(signer().generate_presigned_url(URL, date_less_than=LATER), keys={KEY_ID: "not a pem"}) \
        == signed.UNKNOWN_KEY


def test_sha256_needs_the_hash_algorithm_parameter():
    url = signer(sign=rsa_signer(algorithm=hashes.SHA256)).generate_presigned_url(URL, date_less_than=LATER)
    assert check(url) == signed.ACCESS_DENIED
    assert check(url + "&Hash-Algorithm=SHA256") is None
    assert check(url + "&Hash-Algorithm=MD5") == signed.ACCESS_DENIED


@pytest.mark.parametrize("algorithm,suffix", [(hashes.SHA1, ""), (hashes.SHA256, "&Hash-Algorithm=SHA256")])
def test_ecdsa_p256_keys(algorithm, suffix):
    sign = lambda message: EC_KEY.sign(message, ec.ECDSA(algorithm()))  # noqa: E731
    url = CloudFrontSigner("KECDSA", sign).generate_presigned_url(URL, date_less_than=LATER) + suffix
    assert check(url) is None
    assert check(url, now=NOW + 7200) == signed.ACCESS_DENIED


# -- missing and malformed pieces: always a Refusal, never an exception ---------------------------------------
def test_no_signature_at_all_is_missing_key():
    assert signed.check(URL, [("x", "1")], {}, KEYS, NOW, VIEWER) == signed.MISSING_KEY


@pytest.mark.parametrize("drop,expected", [
    ("Key-Pair-Id", signed.MISSING_KEY),
    ("Signature", signed.MISSING_SIGNATURE),
    ("Expires", signed.MALFORMED_POLICY),
])
def test_missing_pieces(drop, expected):
    resource, pairs = split(signer().generate_presigned_url(URL, date_less_than=LATER))
    assert signed.check(resource, [p for p in pairs if p[0] != drop], {}, KEYS, NOW, VIEWER) == expected


@pytest.mark.parametrize("name,value,expected", [
    ("Signature", "!!!not base64!!!", signed.MALFORMED_SIGNATURE),
    ("Signature", "a", signed.MALFORMED_SIGNATURE),
    ("Policy", "!!!", signed.MALFORMED_POLICY),
    ("Policy", b64(b"not json"), signed.MALFORMED_POLICY),
    ("Policy", b64(b"[1, 2]"), signed.MALFORMED_POLICY),
    ("Policy", b64(b'{"Statement": []}'), signed.MALFORMED_POLICY),
    ("Policy", b64(b'{"Statement": [{"Resource": "*", "Condition": {}}]}'), signed.MALFORMED_POLICY),
    ("Policy", b64(b'{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":"soon"}}}]}'),
     signed.MALFORMED_POLICY),
    ("Policy", b64(b'{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":9},'
                   b'"IpAddress":{"AWS:SourceIp":"300.1.1.1/8"}}}]}'), signed.MALFORMED_POLICY),
    ("Policy", b64(b"\xff\xfe"), signed.MALFORMED_POLICY),
    ("Expires", "tomorrow", signed.MALFORMED_POLICY),
])
def test_malformed_values(name, value, expected):
    resource, pairs = split(custom())
    replaced = {name, "Policy"} if name == "Expires" else {name}  # Expires alone makes it a canned policy
    pairs = [(k, v) for k, v in pairs if k not in replaced] + [(name, value)]
    assert signed.check(resource, pairs, {}, KEYS, NOW, VIEWER) == expected


def test_percent_encoded_values_are_decoded():
    url = signer().generate_presigned_url(URL, date_less_than=LATER)
    resource, pairs = split(url)
    encoded = [(k, v.replace("~", "%7E").replace("-", "%2D")) for k, v in pairs]
    assert signed.check(resource, encoded, {}, KEYS, NOW, VIEWER) is None


# -- signed cookies and precedence --------------------------------------------------------------------------
def cookies_from(signed_url: str) -> dict[str, str]:
    return {f"CloudFront-{k}": v for k, v in split(signed_url)[1] if k in signed.SIGNING_PARAMETERS}


def test_signed_cookies_canned_and_custom():
    resource = split(URL)[0]
    canned = cookies_from(signer().generate_presigned_url(URL, date_less_than=LATER))
    assert signed.check(resource, [("x", "1")], canned, KEYS, NOW, VIEWER) is None
    wide = cookies_from(custom(resource="https://d111111abcdef8.cloudfront.net/*"))
    assert signed.check(resource, [("x", "1")], wide, KEYS, NOW, VIEWER) is None
    assert signed.check(resource, [("x", "1")], wide, KEYS, NOW + 7200, VIEWER) == signed.ACCESS_DENIED
    assert signed.check(resource, [], {"CloudFront-Signature": "abc"}, KEYS, NOW, VIEWER) == signed.MISSING_KEY


def test_a_signed_url_takes_precedence_over_cookies():
    good = cookies_from(custom(resource="https://d111111abcdef8.cloudfront.net/*"))
    expired_url = signer().generate_presigned_url(URL, date_less_than=EARLIER)
    assert check(expired_url, cookies=good) == signed.ACCESS_DENIED
    resource, pairs = split(URL)
    # Any signing parameter makes it a signed URL; the cookies are not looked at.
    assert signed.check(resource, pairs + [("Expires", "1")], good, KEYS, NOW, VIEWER) == signed.MISSING_KEY


# -- the error answer ----------------------------------------------------------------------------------------
def test_error_body_is_cloudfronts_xml():
    content_type, body = signed.error_body(signed.MISSING_KEY)
    assert content_type == "text/xml"
    assert body == (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>MissingKey</Code><Message>Missing '
                    b"Key-Pair-Id query parameter or cookie value</Message></Error>")
    assert len(body) == 146  # the Content-Length of a captured CloudFront MissingKey answer
    assert signed.error_body(signed.ACCESS_DENIED)[1].endswith(
        b"<Code>AccessDenied</Code><Message>Access denied</Message></Error>")
    assert all(r.status == 403 for r in (signed.MISSING_KEY, signed.UNKNOWN_KEY, signed.ACCESS_DENIED))
