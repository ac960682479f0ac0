"""Where a function's code is read from: the edge and CloudFront's association checks take a version by its
ARN (`version_for_arn`), and GetFunction's Code.Location is a URL on this server that serves the zip for ten
minutes, presigned as the S3 URL Lambda gives would be."""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import urllib.parse

from .names import FUNCTION, LATEST, VERSION

ENDPOINT = "lambda-code"   # under /_cloudfront-local/
LIFETIME = 600             # seconds, as Lambda's presigned Location lasts
# Per process: a Location outlives neither the server that gave it nor its ten minutes.
_KEY = secrets.token_bytes(32)

_VERSION_ARN = re.compile(r"arn:aws:lambda:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d{1,2}):(?P<account>\d{12}):function:"
                          r"(?P<name>[a-zA-Z0-9-_]+):(?P<version>[0-9]+)")


# Where else versions live: mock_cloudfront(lambda_api=False) adds one reading another mock's Lambda (moto's),
# asked when the store holds no such version. Each is (region, account, name, version) -> doc | None.
SOURCES: list = []


def version_for_arn(tx, arn: str) -> dict | None:
    """The "lambda-version" doc a qualified version ARN names (account and region taken from the ARN), else
    None: $LATEST, an alias, an unqualified ARN, another region's function or a deleted version are None."""
    found = _VERSION_ARN.fullmatch(arn or "") if isinstance(arn, str) else None
    if found is None:
        return None
    record = tx.get(VERSION, found["account"], f"{found['name']}:{found['version']}")
    if record is not None and record.doc.get("Region") == found["region"]:
        return record.doc
    for source in list(SOURCES):
        doc = source(found["region"], found["account"], found["name"], found["version"])
        if doc is not None:
            return doc
    return None


def location(endpoint: str, account: str, name: str, qualifier: str, now: float) -> str:
    """GetFunction's Code.Location for a function's $LATEST or version."""
    path = f"{account}/{name}/{urllib.parse.quote(qualifier, safe='')}"
    expires = int(now) + LIFETIME
    return f"{endpoint}/_cloudfront-local/{ENDPOINT}/{path}?Expires={expires}&Signature={_sign(path, expires)}"


def _sign(path: str, expires: int) -> str:
    return hmac.new(_KEY, f"{path}\n{expires}".encode(), hashlib.sha256).hexdigest()


def presigned_zip(tx, path: str, query: str, now: float) -> bytes | None:
    """The zip a Location names, if its signature is good and it has not expired."""
    fields = urllib.parse.parse_qs(query)
    expires, signature = (fields.get("Expires") or [""])[0], (fields.get("Signature") or [""])[0]
    if not (expires.isascii() and expires.isdigit() and len(expires) < 12) or int(expires) < now:
        return None
    if not hmac.compare_digest(_sign(path, int(expires)).encode(), signature.encode("utf-8", "replace")):
        return None
    account, _, rest = path.partition("/")
    name, _, qualifier = rest.partition("/")
    qualifier = urllib.parse.unquote(qualifier)
    if qualifier == LATEST:
        record = tx.get(FUNCTION, account, name)
    else:
        record = tx.get(VERSION, account, f"{name}:{qualifier}")
    return base64.b64decode(record.doc["Code"]) if record is not None else None
