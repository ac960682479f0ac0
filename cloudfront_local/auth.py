"""Who is calling, and may they: the account behind a request, SigV4 and SigV4A signatures and allow-lists.

Without a credentials file every request is let through: a 12-digit access key id is that account, any
other key (or none) the default account. With one, every request must be signed by a listed key, and
its actions may be limited to IAM-style patterns. The canonical request and the SigV4 signing key come
from botocore's own SigV4 code; SigV4 signatures are compared in constant time. SigV4A (what boto3's
KeyValueStore client sends, through awscrt) shares that canonical request and its checks; only the
string to sign and the ECDSA signature differ (sigv4a.py).
"""
from __future__ import annotations

import datetime
import fnmatch
import hashlib
import hmac
import re
import tomllib
import urllib.parse
from dataclasses import dataclass

from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

from . import sigv4a

MAX_SKEW = datetime.timedelta(minutes=15)
MAX_PRESIGNED_SECONDS = 7 * 24 * 3600
ALGORITHM = "AWS4-HMAC-SHA256"
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")  # what may go into an ARN: us-east-1, us-gov-west-1


class AuthError(Exception):
    """A 403 in AWS's words: InvalidClientTokenId, SignatureDoesNotMatch, MissingAuthenticationToken,
    AccessDenied."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Principal:
    account: str
    access_key_id: str | None
    allow: tuple[str, ...] | None  # lower-case patterns; None allows everything


@dataclass(frozen=True)
class _Key:
    secret: str
    account: str
    allow: tuple[str, ...] | None


def load_credentials(path: str) -> dict[str, _Key]:
    """Access key id -> key, from a TOML file of [[credentials]] tables. Raises ValueError when malformed."""
    with open(path, "rb") as handle:
        try:
            document = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise ValueError(f"{path}: {error}") from None
    keys: dict[str, _Key] = {}
    for number, entry in enumerate(document.get("credentials", []), 1):
        try:
            key_id, secret, account = entry["access_key_id"], entry["secret_access_key"], str(entry["account_id"])
        except (KeyError, TypeError):
            raise ValueError(f"{path}: credentials entry {number} needs access_key_id, secret_access_key "
                             "and account_id") from None
        if not (len(account) == 12 and account.isdigit()):
            raise ValueError(f"{path}: account_id of {key_id} must be 12 digits")
        allow = entry.get("allow")
        if allow is not None and not (isinstance(allow, list) and all(isinstance(p, str) for p in allow)):
            raise ValueError(f"{path}: allow of {key_id} must be a list of action patterns")
        keys[key_id] = _Key(secret, account, tuple(p.lower() for p in allow) if allow is not None else None)
    if not keys:
        raise ValueError(f"{path}: no [[credentials]] entries")
    return keys


def access_key_id(headers: dict[str, str], query: str) -> str | None:
    authorization = headers.get("authorization", "")
    start = authorization.find("Credential=")
    if start >= 0:
        credential = authorization[start + len("Credential="):]
        return credential.split("/", 1)[0].split(",", 1)[0].strip() or None
    if "X-Amz-Credential=" in query:
        values = urllib.parse.parse_qs(query).get("X-Amz-Credential")
        if values:
            return values[0].split("/", 1)[0] or None
    return None


def account_for(headers: dict[str, str], query: str, default_account: str) -> str:
    """A 12-digit access key id is that account; any other key, or none, is the default account."""
    key = access_key_id(headers, query)
    if key is not None and len(key) == 12 and key.isdigit():
        return key
    return default_account


def signing_region(headers: dict[str, str], query: str, default: str = "us-east-1") -> str:
    """The region of a SigV4 credential scope (KEY/DAY/REGION/SERVICE/aws4_request); `default` for an
    unsigned request, a SigV4A one (no region in its scope) or a scope that names none."""
    authorization = headers.get("authorization", "")
    start = authorization.find("Credential=")
    if start >= 0:
        credential = authorization[start + len("Credential="):].split(",", 1)[0].strip()
    elif "X-Amz-Credential=" in query:
        credential = (urllib.parse.parse_qs(query).get("X-Amz-Credential") or [""])[0]
    else:
        return default
    parts = credential.split("/")
    if len(parts) == 5 and _REGION.fullmatch(parts[2]):
        return parts[2]
    return default


class _SignedHeaders:
    """Makes botocore's signer use exactly the headers the caller says it signed."""

    def __init__(self, names: list[str]):
        self._names = names

    def headers_to_sign(self, request):
        chosen = HTTPHeaders()
        for name in self._names:
            chosen[name] = request.headers.get(name, "")
        return chosen


class _HeaderVerifier(_SignedHeaders, SigV4Auth):
    def __init__(self, names, credentials, service, region):
        _SignedHeaders.__init__(self, names)
        SigV4Auth.__init__(self, credentials, service, region)


class _QueryVerifier(_SignedHeaders, SigV4QueryAuth):
    def __init__(self, names, credentials, service, region):
        _SignedHeaders.__init__(self, names)
        SigV4QueryAuth.__init__(self, credentials, service, region)


class Authenticator:
    def __init__(self, keys: dict[str, _Key] | None, default_account: str, clock=None):
        self._keys = keys
        self._default_account = default_account
        self._clock = clock or (lambda: datetime.datetime.now(datetime.timezone.utc))

    @property
    def enforcing(self) -> bool:
        return self._keys is not None

    def key(self, key_id: str) -> _Key | None:
        """A credentials-file entry (the dashboard's sign-in checks its secret), or None."""
        return self._keys.get(key_id) if self._keys is not None and key_id else None

    def identify(self, method: str, raw_path: str, query: str, headers: dict[str, str], body: bytes) -> Principal:
        """The caller. Raises AuthError when credentials are enforced and the request is not properly signed."""
        if self._keys is None:
            return Principal(account_for(headers, query, self._default_account), access_key_id(headers, query), None)
        parsed = urllib.parse.parse_qs(query, keep_blank_values=True)
        if "authorization" in headers:
            fields = _authorization_fields(headers["authorization"])
            presigned = False
        elif "X-Amz-Signature" in parsed or "X-Amz-Credential" in parsed:
            fields = {name: (parsed.get("X-Amz-" + name) or [""])[-1]
                      for name in ("Algorithm", "Credential", "SignedHeaders", "Signature", "Date", "Expires")}
            presigned = True
        else:
            raise AuthError("MissingAuthenticationToken", "Request is missing Authentication Token")
        algorithm = fields.get("Algorithm", "")
        credential = fields.get("Credential", "").split("/")
        if algorithm == ALGORITHM and len(credential) == 5 and credential[4] == "aws4_request":
            key_id, day, region, service, _ = credential
        elif algorithm == sigv4a.ALGORITHM and len(credential) == 4 and credential[3] == "aws4_request":
            # SigV4A's scope has no region: the signature is good in the regions X-Amz-Region-Set names.
            key_id, day, service, _ = credential
            region = None
        else:
            raise AuthError("SignatureDoesNotMatch", "The request signature is not a valid AWS Signature Version 4.")
        key = self._keys.get(key_id)
        if key is None:
            raise AuthError("InvalidClientTokenId", "The security token included in the request is invalid.")
        amz_date = fields.get("Date") if presigned else headers.get("x-amz-date", "")
        moment = _parse_amz_date(amz_date or "")
        if moment is None or amz_date[:8] != day:
            raise AuthError("SignatureDoesNotMatch", "The request date is missing or does not match the credential scope.")
        self._check_time(moment, amz_date, fields.get("Expires") if presigned else None)
        self._check_payload(headers, body)
        names = [n for n in fields.get("SignedHeaders", "").split(";") if n]
        if "host" not in names:
            raise AuthError("SignatureDoesNotMatch", "The host header must be signed.")
        if region is None:
            # SigV4A signers always sign the region set (a header, or in a presigned URL the query, which is
            # signed whole). We serve every region, so its value is not checked, only that it was signed.
            if presigned:
                region_set = (parsed.get("X-Amz-Region-Set") or [""])[-1]
            else:
                region_set = headers.get("x-amz-region-set", "") if "x-amz-region-set" in names else ""
            if not region_set:
                raise AuthError("SignatureDoesNotMatch", "X-Amz-Region-Set must be signed.")
        verifier_class = _QueryVerifier if presigned else _HeaderVerifier
        verifier = verifier_class(names, Credentials(key_id, key.secret), service, region or "")
        signed_query = query
        if presigned:
            signed_query = "&".join(p for p in query.split("&") if not p.startswith("X-Amz-Signature="))
        # The Host header only matters as a signed header; the URL the signer parses gets a fixed host, so
        # that no Host value can break the parsing.
        url = f"http://signed.invalid{raw_path}" + (f"?{signed_query}" if signed_query else "")
        try:
            request = AWSRequest(method=method, url=url, headers=headers, data=body)
            request.context["timestamp"] = amz_date
            canonical = verifier.canonical_request(request)
            if region is None:
                text = sigv4a.string_to_sign(amz_date, f"{day}/{service}/aws4_request",
                                             hashlib.sha256(canonical.encode()).hexdigest())
                valid = sigv4a.verify(sigv4a.public_key(key_id, key.secret), text, fields.get("Signature", ""))
            else:
                expected = verifier.signature(verifier.string_to_sign(request, canonical), request)
                valid = hmac.compare_digest(expected.encode(), fields.get("Signature", "").encode())
        except (ValueError, UnicodeError):
            raise AuthError("SignatureDoesNotMatch", "The request could not be put in canonical form.") from None
        if not valid:
            raise AuthError("SignatureDoesNotMatch",
                            "The request signature we calculated does not match the signature you provided. Check "
                            "your AWS Secret Access Key and signing method. Consult the service documentation for "
                            "details.")
        return Principal(key.account, key_id, key.allow)

    def _check_time(self, moment: datetime.datetime, amz_date: str, expires: str | None) -> None:
        now = self._clock()
        stamp = now.strftime("%Y%m%dT%H%M%SZ")
        if expires is not None:
            # A presigned URL lives as long as it says (at most 7 days, as AWS allows), not 15 minutes.
            if not (expires.isascii() and expires.isdigit() and len(expires) <= 7
                    and 1 <= int(expires) <= MAX_PRESIGNED_SECONDS):
                raise AuthError("SignatureDoesNotMatch",
                                f"X-Amz-Expires must be a number of seconds from 1 to {MAX_PRESIGNED_SECONDS}.")
            if now - moment > datetime.timedelta(seconds=int(expires)):
                raise AuthError("SignatureDoesNotMatch", f"Signature expired: {amz_date} is now earlier than "
                                                         f"{stamp} (signed for {int(expires)} seconds)")
        elif moment < now - MAX_SKEW:
            earliest = (now - MAX_SKEW).strftime("%Y%m%dT%H%M%SZ")
            raise AuthError("SignatureDoesNotMatch",
                            f"Signature expired: {amz_date} is now earlier than {earliest} ({stamp} - 15 min.)")
        if moment > now + MAX_SKEW:
            latest = (now + MAX_SKEW).strftime("%Y%m%dT%H%M%SZ")
            raise AuthError("SignatureDoesNotMatch",
                            f"Signature not yet current: {amz_date} is still later than {latest} ({stamp} + 15 min.)")

    @staticmethod
    def _check_payload(headers: dict[str, str], body: bytes) -> None:
        declared = headers.get("x-amz-content-sha256")
        if declared and declared != "UNSIGNED-PAYLOAD" and declared != hashlib.sha256(body).hexdigest():
            raise AuthError("SignatureDoesNotMatch",
                            "The provided 'x-amz-content-sha256' header does not match what was computed.")

    @staticmethod
    def authorize(principal: Principal, action: str, resource: str) -> None:
        """Raises AccessDenied unless the principal's allow-list has a pattern for `action`."""
        if principal.allow is None:
            return
        lowered = action.lower()
        if any(fnmatch.fnmatchcase(lowered, pattern) for pattern in principal.allow):
            return
        user = f"arn:aws:iam::{principal.account}:user/{principal.access_key_id}"
        raise AuthError("AccessDenied", f"User: {user} is not authorized to perform: {action} on resource: {resource}")


def _authorization_fields(value: str) -> dict[str, str]:
    algorithm, _, rest = value.strip().partition(" ")
    fields = {"Algorithm": algorithm}
    for part in rest.split(","):
        name, _, item = part.strip().partition("=")
        if name:
            fields[name] = item
    return fields


def _parse_amz_date(text: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return None
