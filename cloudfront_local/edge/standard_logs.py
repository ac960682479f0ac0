"""CloudFront's standard logs (legacy): for a distribution whose Logging is enabled, one line per viewer request
in CloudFront's file format (Developer Guide, "Standard logging reference", "Log file fields"), gathered into
gzip files named PREFIX/DISTRIBUTION_ID.YYYY-MM-DD-HH.UNIQUE.gz and put into the logging bucket: on
--s3-endpoint with a signed PutObject, else in the bucket's directory of --s3-dir.

CloudFront delivers within the hour; the emulator flushes every --log-flush-seconds and at shutdown, so a test
reads its logs seconds after its requests. What is waiting is bounded (--log-buffer-lines): past it the
oldest lines are written out at once rather than held.

Each line is read from a `Viewed` (viewed.py), the edge's one record of a finished viewer request."""
from __future__ import annotations

import email.utils
import gzip
import logging
import os
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request

from . import s3_origin
from .log_buffer import LogBuffer
from .responses import POP
from .viewed import Viewed

log = logging.getLogger("cloudfront_local")

VERSION_LINE = "#Version: 1.0"
# The 33 fields, in the order the Developer Guide lists them and CloudFront writes them.
FIELDS = ("date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) "
          "cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol "
          "cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type "
          "cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte "
          "x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end").split()
# An edge location's code as the x-edge-location field gives it: POP without its "-C1" part.
EDGE_LOCATION = POP.split("-")[0]


def escape(value) -> str:
    """CloudFront's form of a value in a log field: "-" for none, and bytes that would break the tab-separated
    line (controls, space, non-ASCII) or that CloudFront escapes (quote and backslash) percent-encoded."""
    if value is None or value == "":
        return "-"
    text = str(value)
    out = []
    for byte in text.encode("utf-8", "surrogateescape"):
        if byte <= 0x20 or byte >= 0x7F or byte in (0x22, 0x5C):
            out.append(f"%{byte:02X}")
        else:
            out.append(chr(byte))
    return "".join(out)


def values(viewed: Viewed, include_cookies: bool) -> dict[str, object]:
    """Each standard field's value, unescaped; None where CloudFront writes "-"."""
    ended = time.gmtime(viewed.ended)
    taken = f"{max(viewed.ended - viewed.started, 0.0):.3f}"
    result = viewed.result_type
    start, end = viewed.range()
    distribution = viewed.site.distribution if viewed.site is not None else {}
    return {
        "date": time.strftime("%Y-%m-%d", ended), "time": time.strftime("%H:%M:%S", ended),
        "x-edge-location": EDGE_LOCATION, "sc-bytes": viewed.response_bytes, "c-ip": viewed.viewer_ip,
        "cs-method": viewed.method, "cs(Host)": distribution.get("DomainName"), "cs-uri-stem": viewed.path,
        "sc-status": viewed.status or "000", "cs(Referer)": viewed.header("referer"),
        "cs(User-Agent)": viewed.header("user-agent"), "cs-uri-query": viewed.query,
        "cs(Cookie)": viewed.header("cookie") if include_cookies else None,
        "x-edge-result-type": result, "x-edge-request-id": viewed.request_id,
        "x-host-header": viewed.header("host"), "cs-protocol": viewed.scheme, "cs-bytes": viewed.request_bytes,
        "time-taken": taken, "x-forwarded-for": viewed.header("x-forwarded-for"),
        "ssl-protocol": "TLSv1.3" if viewed.scheme == "https" else None,
        "ssl-cipher": "TLS_AES_128_GCM_SHA256" if viewed.scheme == "https" else None,
        "x-edge-response-result-type": result, "cs-protocol-version": viewed.http_version,
        "fle-status": None, "fle-encrypted-fields": None, "c-port": viewed.viewer_port,
        "time-to-first-byte": taken, "x-edge-detailed-result-type": result,
        "sc-content-type": viewed.response_header("content-type"),
        "sc-content-len": viewed.response_header("content-length"),
        "sc-range-start": start, "sc-range-end": end,
    }


def line(viewed: Viewed, include_cookies: bool) -> str:
    found = values(viewed, include_cookies)
    return "\t".join(escape(found[name]) for name in FIELDS)


def header() -> str:
    return f"{VERSION_LINE}\n#Fields: {' '.join(FIELDS)}\n"


class StandardLogs(LogBuffer):
    """Lines waiting for their file, by (bucket, prefix, distribution, hour); a thread writes them out."""
    noun = "line(s)"

    def __init__(self, settings):
        super().__init__(settings, "standard logs")

    def record(self, viewed: Viewed) -> None:
        if viewed.site is None:
            return
        logging_config = viewed.site.config.get("Logging") or {}
        if not logging_config.get("Enabled"):
            return
        hour = time.strftime("%Y-%m-%d-%H", time.gmtime(viewed.ended))
        key = (logging_config.get("Bucket") or "", logging_config.get("Prefix") or "",
               viewed.site.distribution["Id"], hour)
        self.add([(key, line(viewed, bool(logging_config.get("IncludeCookies"))))])

    def deliver(self, key, lines: list) -> str | None:
        bucket, prefix, distribution, hour = key
        name = f"{prefix}{distribution}.{hour}.{secrets.token_hex(4)}.gz"
        data = gzip.compress((header() + "".join(f"{text}\n" for text in lines)).encode("utf-8"))
        return put_object(self.settings, bucket, name, data)


def bucket_name(logging_bucket: str) -> str | None:
    """The bucket that Logging.Bucket ("mybucket.s3.amazonaws.com") names."""
    parsed = s3_origin.bucket_and_region(logging_bucket)
    return parsed[0] if parsed else None


def put_object(settings, logging_bucket: str, key: str, data: bytes) -> str | None:
    """Put the file into the bucket; None when it is there, else why not."""
    parsed = s3_origin.bucket_and_region(logging_bucket)
    if parsed is None:
        return "the logging bucket names no S3 bucket"
    bucket, region = parsed
    if settings.s3_endpoint:
        return _put_remote(settings.s3_endpoint, bucket, region, key, data)
    if settings.s3_dir:
        return _put_local(settings.s3_dir, bucket, key, data)
    return "neither --s3-endpoint nor --s3-dir is given"


def _put_remote(endpoint: str, bucket: str, region: str, key: str, data: bytes) -> str | None:
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"the S3 endpoint {endpoint!r} is not an http:// or https:// URL"
    url = f"{endpoint.rstrip('/')}/{bucket}/{urllib.parse.quote(key, safe='/-_.~')}"
    request = AWSRequest(method="PUT", url=url, data=data,
                         headers={"Content-Type": "application/x-gzip", "Date": email.utils.formatdate(usegmt=True)})
    S3SigV4Auth(Credentials(s3_origin.ACCESS_KEY_ID, s3_origin.SECRET_ACCESS_KEY), "s3", region).add_auth(request)
    prepared = urllib.request.Request(url, data=data, method="PUT", headers=dict(request.headers.items()))
    try:
        with urllib.request.urlopen(prepared, timeout=10) as answer:
            answer.read()
    except urllib.error.HTTPError as error:
        return f"PutObject answered {error.code}: {error.read()[:300]!r}"
    except OSError as error:
        return f"PutObject failed: {error}"
    return None


def _put_local(top: str, bucket: str, key: str, data: bytes) -> str | None:
    """DIR/BUCKET/KEY, never outside DIR: a key's "..", empty and absolute parts are refused, and the bucket's
    directory must resolve to a directory right under DIR (a symbolic link out of it counts as none)."""
    parts = key.split("/")
    if any(part in ("", ".", "..") or "\\" in part or "\0" in part for part in parts):
        return f"the log file name {key!r} cannot be a local file"
    real_top = os.path.realpath(top)
    root = os.path.join(real_top, bucket)
    os.makedirs(root, exist_ok=True)  # the logging bucket, made as S3 would hold it already
    if os.path.dirname(os.path.realpath(root)) != real_top:
        return f"the bucket {bucket!r} is not a directory of the --s3-dir directory"
    real_root = os.path.realpath(root)
    place = real_root
    for part in parts[:-1]:  # one level at a time, checked before the next is made: a link never leads out
        place = os.path.join(place, part)
        if not os.path.isdir(place):
            os.mkdir(place)
        if not os.path.realpath(place).startswith(real_root + os.sep):
            return f"the log file name {key!r} leads out of the bucket's directory"
    path = os.path.join(place, parts[-1])
    if os.path.islink(path):
        return f"the log file name {key!r} is a symbolic link"
    partial = path + ".partial"
    with open(partial, "wb") as file:
        file.write(data)
    os.replace(partial, path)  # a reader never sees half a file
    return None
