"""S3 origins at the edge: the bucket the origin's domain name names, read path-style from the S3 endpoint the
user gave with --s3-endpoint, and the request signed with SigV4 when an origin access control says so; without
an endpoint, from the bucket's directory under --s3-dir (local_buckets).

The edge calls, for an origin with S3OriginConfig:
    to = s3_origin.target(tx, account, origin, settings, origin_path)   # an S3Target, or a reason (502)
    headers = s3_origin.sign(to, method, path_and_query, headers, body)  # right before await origins.fetch(to, ...)
"""
from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

from ..service.access.origin_access_controls import ORIGIN_ACCESS_CONTROL
from ..service.access.origin_access_identities import ORIGIN_ACCESS_IDENTITY
from . import local_buckets, origins

# The credentials cloudfront-local already reads S3 with (service/common/s3_objects.py): one fixed pair, so
# the user grants the emulator once in whatever S3 stand-in they run.
ACCESS_KEY_ID = SECRET_ACCESS_KEY = "cloudfront-local"
NO_ENDPOINT = ("cloudfront-local reaches S3 origins only through an S3 endpoint or local buckets: start it with "
               "--s3-endpoint naming one (moto, MinIO, LocalStack) that holds the bucket, or with --s3-dir naming "
               "a directory with a subdirectory for the bucket")

# REST endpoints: bucket.s3.amazonaws.com, bucket.s3.REGION…, bucket.s3-REGION… (the legacy dash form),
# bucket.s3.dualstack.REGION…, bucket.s3-external-1…; and website endpoints, which CloudFront takes only as
# custom origins but whose bucket and region read the same way (S3 User Guide, "Regions and endpoints" and
# "Website endpoints"). The bucket part is greedy: a bucket name may itself hold ".s3.".
_DOMAIN = re.compile(r"(?P<bucket>.+)\.s3(?:-website)?(?:[.-](?P<where>[a-z0-9.-]+?))?\.amazonaws\.com(?:\.cn)?")
_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d+")
# S3's general-purpose bucket names (S3 User Guide, "Bucket naming rules").
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
# How an origin access identity's requests are signed: as an OAC that always signs.
OAI_SIGNING = {"SigningProtocol": "sigv4", "SigningBehavior": "always"}
# Headers that belong to a signature: a viewer's would contradict CloudFront's.
_SIGNATURE_HEADERS = {"authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"}


@dataclass
class S3Target(origins.Target):
    region: str            # the bucket's region: the SigV4 scope
    signing: dict | None   # the OriginAccessControlConfig of the origin's OAC, OAI_SIGNING for an OAI; else None


def bucket_and_region(domain: str) -> tuple[str, str] | None:
    """(bucket, region) from an S3 origin's domain name; us-east-1 where the name has no region, as S3's
    global endpoint means; None for a name that is not an S3 bucket's."""
    found = _DOMAIN.fullmatch(domain.lower().rstrip("."))
    if not found or not _BUCKET.fullmatch(found["bucket"]) or ".." in found["bucket"]:
        return None
    where = found["where"] or "us-east-1"
    where = where.removeprefix("dualstack.")
    if where == "external-1":
        where = "us-east-1"
    return (found["bucket"], where) if _REGION.fullmatch(where) else None


def target(tx, account: str, origin: dict, settings, path: str) -> S3Target | str:
    """Where the origin's bucket is read from, or why it cannot be (the edge answers 502)."""
    endpoint = settings.s3_endpoint
    if not endpoint and settings.s3_dir:
        # No endpoint, local buckets: the origin's bucket is a directory of --s3-dir. Whatever signs (an OAC)
        # or identifies (an OAI) the request, the bucket is read alike: its policy is taken to allow CloudFront.
        domain = origin.get("DomainName") or ""
        parsed = bucket_and_region(domain)
        if parsed is None:
            return f"the S3 origin's domain name {domain!r} names no bucket cloudfront-local can read"
        if origin.get("OriginAccessControlId") and tx.get(ORIGIN_ACCESS_CONTROL.kind, account,
                                                          origin["OriginAccessControlId"]) is None:
            return f"the origin access control {origin['OriginAccessControlId']} does not exist"
        kind = "website" if local_buckets.website_bucket(domain) else "rest"
        return local_buckets.target(settings, domain, parsed[0], path, origin, kind)
    if not endpoint:
        return NO_ENDPOINT
    parts = urllib.parse.urlsplit(endpoint)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        port = None
    if parts.scheme not in ("http", "https") or not parts.hostname or port is None:
        return f"the S3 endpoint {endpoint!r} is not an http:// or https:// URL"
    domain = origin.get("DomainName") or ""
    parsed = bucket_and_region(domain)
    if parsed is None:
        return f"the S3 origin's domain name {domain!r} names no bucket cloudfront-local can read"
    bucket, region = parsed
    signing = None
    if origin.get("OriginAccessControlId"):
        record = tx.get(ORIGIN_ACCESS_CONTROL.kind, account, origin["OriginAccessControlId"])
        if record is None:
            return f"the origin access control {origin['OriginAccessControlId']} does not exist"
        signing = record.doc[ORIGIN_ACCESS_CONTROL.config]
    s3 = origin.get("S3OriginConfig") or {}
    identity = (s3.get("OriginAccessIdentity") or "").rpartition("/")[2]
    if signing is None and identity and tx.get(ORIGIN_ACCESS_IDENTITY.kind, account, identity) is not None:
        # CloudFront reaches the bucket as the OAI's principal, which the bucket policy grants; an S3 stand-in
        # knows no such principal, so the emulator's own credentials stand in for it, on every request, the
        # viewer's Authorization replaced (docs/behaviour.md, "Legacy access at the edge").
        signing = OAI_SIGNING
    headers = [(h["HeaderName"], h["HeaderValue"]) for h in (origin.get("CustomHeaders") or {}).get("Items") or []]
    # An endpoint may sit under a path (a proxy's prefix): the bucket comes after it.
    prefix = parts.path.rstrip("/")
    return S3Target(parts.scheme, parts.hostname, parts.hostname, port, f"{prefix}/{bucket}{path}", headers,
                    float(origin.get("ConnectionTimeout") or 10), float(s3.get("OriginReadTimeout") or 30),
                    max(1, int(origin.get("ConnectionAttempts") or 3)), region, signing)


def signs(to: origins.Target, headers: list[tuple[str, str]]) -> bool:
    """Whether CloudFront signs this request (API Reference, OriginAccessControlConfig.SigningBehavior, and
    Developer Guide, "Restrict access to an Amazon S3 origin", advanced settings for origin access control):
    always signs, overwriting the viewer's Authorization; never does not sign; no-override signs only when the
    viewer's request has no Authorization header, else passes the viewer's along unsigned."""
    if not isinstance(to, S3Target) or not to.signing:
        return False
    behavior = to.signing.get("SigningBehavior")
    if behavior == "always":
        return True
    if behavior == "no-override":
        return not any(name.lower() == "authorization" for name, _ in headers)
    return False


def sign(to: origins.Target, method: str, path_and_query: str, headers: list[tuple[str, str]],
         body: bytes) -> list[tuple[str, str]]:
    """The headers to send: as given where CloudFront does not sign (any target that is no S3Target too),
    else with SigV4 for service s3 in the bucket's region, x-amz-content-sha256 the body's hash."""
    if not signs(to, headers):
        return headers
    # Imported here: botocore's signer costs time to import, and most edges never sign.
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    kept = [(k, v) for k, v in headers if k.lower() not in _SIGNATURE_HEADERS]
    if not any(k.lower() == "host" for k, _ in kept):
        default = 443 if to.scheme == "https" else 80
        kept.append(("Host", to.domain if to.port == default else f"{to.domain}:{to.port}"))
    # Only the host and x-amz-* headers are signed, as S3 requires of every SigV4 request (S3 API Reference,
    # "Signature Calculations for the Authorization Header"); the rest may change on the way without harm.
    request = AWSRequest(method=method, url=f"{to.scheme}://{to.domain}{canonical(path_and_query)}", data=body)
    for name, value in kept:
        if name.lower() == "host" or name.lower().startswith("x-amz-"):
            request.headers[name] = value
    S3SigV4Auth(Credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY), "s3", to.region).add_auth(request)
    added = [(name, request.headers[name]) for name in ("X-Amz-Date", "X-Amz-Content-SHA256", "Authorization")]
    return kept + added


def _literal(component: str) -> bool:
    """Whether S3 reads the path (or query) as it is written, undecoded. When a "%" of it starts no escape,
    the edge sends each "%" as "%25", the escapes' hex digits upper-cased first ("/%%2f" goes out as
    "/%25%252F": origins.request_target), so S3 decodes that to "/%%2F"."""
    return component.count("%") != len(_ESCAPE.findall(component))


def _upper_escapes(text: str) -> str:
    return _ESCAPE.sub(lambda found: found.group(0).upper(), text)


def canonical(path_and_query: str) -> str:
    """The path and query as S3 reads them for a signature: each name and value decoded, then encoded again
    leaving only unreserved characters, the query sorted (SigV4's canonical request, "URI-encode each path
    segment once"). botocore's S3 signer takes the URL as it is, so it gets this form; the request itself
    may go out as the viewer wrote it, since S3 decodes before it canonicalises."""
    path, _, query = path_and_query.partition("?")
    path = urllib.parse.quote(_upper_escapes(path) if _literal(path) else urllib.parse.unquote(path), safe="/-_.~")
    if not query:
        return path
    pairs = []
    literal = _literal(query)
    for item in filter(None, query.split("&")):
        name, _, value = item.partition("=")
        if literal:
            name, value = _upper_escapes(name).replace("+", " "), _upper_escapes(value).replace("+", " ")
        else:
            name, value = urllib.parse.unquote_plus(name), urllib.parse.unquote_plus(value)
        pairs.append((urllib.parse.quote(name, safe="-_.~"), urllib.parse.quote(value, safe="-_.~")))
    return path + "?" + "&".join(f"{k}={v}" for k, v in sorted(pairs))
