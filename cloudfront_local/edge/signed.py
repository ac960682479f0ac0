"""Signed URLs and signed cookies for cache behaviors with trusted key groups: is this viewer let in?

A pure check — the caller passes the request as CloudFront sees it, the trusted public keys and the clock.
Sources: CloudFront Developer Guide, "Create a signed URL using a canned/custom policy", "Set signed cookies
using a canned/custom policy", "Decide to use signed URLs or signed cookies"; the canned statement's exact
bytes are botocore's CloudFrontSigner.build_policy (botocore/signers.py)."""
from __future__ import annotations

import base64
import binascii
import functools
import ipaddress
import json
import re
from dataclasses import dataclass
from urllib.parse import unquote

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

# "CloudFront assumes that URLs that contain any of those query string parameters are signed URLs, and
# therefore won't look at signed cookies" (Decide to use signed URLs or signed cookies). CloudFront also strips
# them before the origin request (an AWS maintainer in aws-samples/image-optimization#65).
SIGNING_PARAMETERS = frozenset({"Expires", "Policy", "Signature", "Key-Pair-Id", "Hash-Algorithm"})
_COOKIE_PREFIX = "CloudFront-"
# Hash-Algorithm is optional; SHA1 when absent (Code examples for creating a signature for a signed URL).
_HASHES = {"SHA1": hashes.SHA1, "SHA256": hashes.SHA256}


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    status: int = 403


# Codes and messages as CloudFront answers them, seen in its 403 bodies quoted in public reports (the
# "troubleshoot signed URL or signed cookies" knowledge-center article names the MissingKey and Unknown Key
# messages; MalformedSignature, MalformedPolicy and AccessDenied come from captured responses).
MISSING_KEY = Refusal("MissingKey", "Missing Key-Pair-Id query parameter or cookie value")
UNKNOWN_KEY = Refusal("InvalidKey", "Unknown Key")
# By analogy with MissingKey: the message is reported in the wild, the code is our inference.
MISSING_SIGNATURE = Refusal("MissingSignature", "Missing Signature query parameter or cookie value")
MALFORMED_SIGNATURE = Refusal("MalformedSignature", "Could not unencode Signature")
MALFORMED_POLICY = Refusal("MalformedPolicy", "Malformed Policy")
ACCESS_DENIED = Refusal("AccessDenied", "Access denied")


def check(resource_url: str, query: list[tuple[str, str]], cookies: dict[str, str], keys: dict[str, str],
          now: float, viewer_ip: str) -> Refusal | None:
    """None when the signed URL (or, without one, the signed cookies) lets this request through."""
    try:
        return _check(resource_url, _credentials(query, cookies), keys, now, viewer_ip)
    except Exception:  # hostile input must never become a 500: whatever we could not read is not a grant
        return ACCESS_DENIED


def error_body(refusal: Refusal) -> tuple[str, bytes]:
    """CloudFront's own XML answer (Content-Type text/xml, as captured from real 403 responses)."""
    return "text/xml", (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{refusal.code}</Code>'
                        f"<Message>{refusal.message}</Message></Error>").encode()


def _credentials(query: list[tuple[str, str]], cookies: dict[str, str]) -> dict[str, str]:
    """The signing values, from the URL when it carries any of them, else from the CloudFront-* cookies."""
    found: dict[str, str] = {}
    for name, value in query:
        if name in SIGNING_PARAMETERS:
            found.setdefault(name, unquote(value))  # the caller may pass raw, percent-encoded values
    if found:
        return found
    return {name: unquote(cookies[_COOKIE_PREFIX + name]) for name in SIGNING_PARAMETERS
            if _COOKIE_PREFIX + name in cookies}


def _check(resource_url, given, keys, now, viewer_ip) -> Refusal | None:
    key_id = given.get("Key-Pair-Id", "")
    if not key_id:
        return MISSING_KEY
    public_key = _load(keys[key_id]) if key_id in keys else None
    if public_key is None:
        return UNKNOWN_KEY
    if not given.get("Signature"):
        return MISSING_SIGNATURE
    signature = _b64decode(given["Signature"])
    if signature is None:
        return MALFORMED_SIGNATURE
    hash_name = given.get("Hash-Algorithm", "SHA1")
    if hash_name not in _HASHES:
        return ACCESS_DENIED
    if "Policy" in given:  # a custom policy carries its own expiry; Expires beside it is not signed
        signed_bytes = _b64decode(given["Policy"])
        statement = _statement(signed_bytes) if signed_bytes is not None else None
        if statement is None:
            return MALFORMED_POLICY
    elif re.fullmatch(r"[0-9]{1,12}", given.get("Expires", "")):
        expires = int(given["Expires"])
        statement = {"Resource": resource_url, "Condition": {"DateLessThan": {"AWS:EpochTime": expires}}}
        signed_bytes = _canned(resource_url, expires)
    else:
        return MALFORMED_POLICY
    if not _verify(public_key, signature, signed_bytes, _HASHES[hash_name]()):
        return ACCESS_DENIED
    return None if _grants(statement, resource_url, now, viewer_ip) else ACCESS_DENIED


def _canned(resource_url: str, expires: int) -> bytes:
    # Byte for byte what the signer signed: key order and compact separators matter (botocore build_policy).
    return json.dumps({"Statement": [{"Resource": resource_url, "Condition": {
        "DateLessThan": {"AWS:EpochTime": expires}}}]}, separators=(",", ":")).encode()


def _b64decode(text: str) -> bytes | None:
    """CloudFront's URL-safe base64 (+ → -, = → _, / → ~); the standard alphabet decodes too."""
    text = text.translate(str.maketrans("-_~", "+=/")).strip()
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True) or None
    except (binascii.Error, ValueError):
        return None


def _statement(policy: bytes) -> dict | None:
    """The policy's single statement, or None when CloudFront would call the policy malformed."""
    try:
        document = json.loads(policy)
    except (ValueError, UnicodeDecodeError):
        return None
    statements = document.get("Statement") if isinstance(document, dict) else None
    if not isinstance(statements, list) or len(statements) != 1 or not isinstance(statements[0], dict):
        return None  # the guide's custom policy holds exactly one statement
    statement = statements[0]
    condition = statement.get("Condition")
    resource = statement.get("Resource", "*")  # an absent Resource covers every file (SDK policy builders)
    if not isinstance(condition, dict) or not isinstance(resource, str):
        return None
    if _epoch(condition, "DateLessThan") is None:  # the one condition CloudFront requires
        return None
    if "DateGreaterThan" in condition and _epoch(condition, "DateGreaterThan") is None:
        return None
    if "IpAddress" in condition and _network(condition["IpAddress"]) is None:
        return None
    return statement


def _epoch(condition: dict, name: str) -> int | None:
    value = condition.get(name)
    moment = value.get("AWS:EpochTime") if isinstance(value, dict) else None
    return moment if isinstance(moment, int) and not isinstance(moment, bool) else None


def _network(value) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    source = value.get("AWS:SourceIp") if isinstance(value, dict) else None
    try:
        return ipaddress.ip_network(source, strict=False) if isinstance(source, str) else None
    except ValueError:
        return None


def _grants(statement: dict, resource_url: str, now: float, viewer_ip: str) -> bool:
    condition = statement["Condition"]
    if not now < _epoch(condition, "DateLessThan"):
        return False
    if "DateGreaterThan" in condition and not now > _epoch(condition, "DateGreaterThan"):
        return False
    if "IpAddress" in condition and not _ip_in(viewer_ip, _network(condition["IpAddress"])):
        return False
    return _wildcard(statement.get("Resource", "*")).fullmatch(resource_url) is not None


def _ip_in(viewer_ip: str, network) -> bool:
    try:
        address = ipaddress.ip_address(viewer_ip)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # a dual-stack listener reports IPv4 viewers as ::ffff:a.b.c.d
    return address.version == network.version and address in network


@functools.lru_cache(maxsize=256)
def _wildcard(pattern: str) -> re.Pattern:
    # Only * (zero or more characters) and ? (exactly one) are special in a policy's Resource.
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.S)


@functools.lru_cache(maxsize=256)
def _load(pem: str):
    """The public key, if it is one CloudFront accepts for signing (RSA, or ECDSA P-256); else None."""
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except (ValueError, TypeError):
        return None
    return key if isinstance(key, (rsa.RSAPublicKey, ec.EllipticCurvePublicKey)) else None


def _verify(key, signature: bytes, message: bytes, algorithm: hashes.HashAlgorithm) -> bool:
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, message, padding.PKCS1v15(), algorithm)
        else:  # DER-encoded (r, s), what OpenSSL and the JCA's SHA1withECDSA produce
            key.verify(signature, message, ec.ECDSA(algorithm))
    except (InvalidSignature, ValueError):
        return False
    return True
