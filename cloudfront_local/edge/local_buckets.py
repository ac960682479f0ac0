"""Local buckets: with --s3-dir DIR each subdirectory of DIR is a bucket and each file in it an object, and the
edge reads S3 origins (and S3 website endpoints used as custom origins) from there, answering as S3 answers
GetObject and HeadObject: the headers S3 sends, ranges, conditional requests and S3's errors.

The edge calls, for an origin whose domain names a bucket:
    to = local_buckets.target(settings, domain, path, origin, website=...)  # a LocalTarget, or a reason (502)
    answer = local_buckets.fetch(to, method, path_and_query, headers, body)  # in place of origins.fetch

Nothing is cached here: each request stats and reads the file afresh, so an edit on disk is what the next
cache miss sees. A key never reaches a file outside the bucket's directory (see `_file`).
"""
from __future__ import annotations

import base64
import email.utils
import hashlib
import mimetypes
import os
import re
import secrets
import stat
import urllib.parse
from dataclasses import dataclass
from html import escape

from . import origins

# The website endpoints' two forms (S3 User Guide, "Website endpoints"): bucket.s3-website-REGION… and
# bucket.s3-website.REGION…; the bucket part is greedy, as in s3_origin's pattern.
_WEBSITE = re.compile(r"(?P<bucket>.+)\.s3-website[.-](?P<region>[a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?")
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")  # S3 User Guide, "Bucket naming rules"
_DRIVE = re.compile(r"[A-Za-z]:")
# The AWS CLI uploads a file of 8 MiB or more in parts of 8 MiB (its multipart_threshold and
# multipart_chunksize defaults), doubling the part size while there would be more than S3's 10,000 parts; S3's
# ETag of such an object is the MD5 of the parts' MD5s, "-" and the number of parts (S3 User Guide,
# "Checking object integrity", ETags of multipart uploads).
MULTIPART_THRESHOLD = MULTIPART_CHUNKSIZE = 8 * 1024 * 1024
MAX_PARTS = 10_000
_READ = 1024 * 1024  # bytes read at a time: a large file is hashed without being held whole
# What S3 stores for an object uploaded without a Content-Type (PutObject's default), which the AWS CLI does
# where mimetypes has no guess for the file's name.
DEFAULT_CONTENT_TYPE = "binary/octet-stream"
NO_DIRECTORY = "the bucket {bucket!r} has no directory in the --s3-dir directory"
if not mimetypes.inited:
    mimetypes.init()  # once, here: the edge's threads would otherwise race to read the system's mime tables


@dataclass
class LocalTarget(origins.Target):
    root: str = ""                 # the bucket's directory, as given (resolved again on each request)
    top: str = ""                  # the --s3-dir directory: nothing outside it is ever read
    bucket: str = ""
    endpoint: str = "rest"         # "rest" (an S3 origin) or "website" (a website endpoint)
    website: tuple[str, str | None] | None = None  # (index suffix, error key) where the bucket hosts a website


def website_bucket(domain: str) -> str | None:
    """The bucket a website endpoint's domain names, or None for a name that is no website endpoint."""
    found = _WEBSITE.fullmatch(domain.lower().rstrip("."))
    if not found or not _BUCKET.fullmatch(found["bucket"]) or ".." in found["bucket"]:
        return None
    return found["bucket"]


def target(settings, domain: str, bucket: str, path: str, origin: dict, endpoint: str) -> LocalTarget | str:
    """The bucket's directory as an origin, or why there is none (the edge answers 502)."""
    top = settings.s3_dir
    root = os.path.join(top, bucket)
    real_top = os.path.realpath(top)
    real_root = os.path.realpath(root)
    if os.path.dirname(real_root) != real_top or not os.path.isdir(real_root):
        # A bucket directory that is a symbolic link out of DIR counts as none: nothing outside DIR is served.
        return NO_DIRECTORY.format(bucket=bucket)
    headers = [(h["HeaderName"], h["HeaderValue"]) for h in (origin.get("CustomHeaders") or {}).get("Items") or []]
    return LocalTarget("http", domain, "", 80, path, headers, float(origin.get("ConnectionTimeout") or 10), 30.0,
                       1, root=root, top=top, bucket=bucket, endpoint=endpoint,
                       website=settings.website(bucket) if endpoint == "website" else None)


# -- answering ------------------------------------------------------------------------------------------------
def fetch(to: LocalTarget, method: str, path_and_query: str, headers: list[tuple[str, str]],
          body: bytes) -> origins.Answer:
    """S3's answer from the bucket's directory. Raises OriginError only for what origins.fetch would (an
    answer over the edge's bound); never anything else for what is on disk."""
    path = path_and_query.split("?", 1)[0]
    asked = {k.lower(): v for k, v in reversed(headers)}  # of a header sent twice, the first counts
    key = _key(path)
    if to.endpoint == "website":
        return _website(to, method, path, key, asked)
    if method not in ("GET", "HEAD"):
        # Ours: local buckets are read-only, and an origin access control's bucket policy usually grants
        # CloudFront s3:GetObject alone.
        return _xml_error(403, "AccessDenied", "Access Denied", method)
    found = _file(to, key) if key else None
    if found is None:
        # Without s3:ListBucket (what an OAC's or OAI's usual bucket policy grants not) S3 answers a missing
        # key with 403 AccessDenied, not 404 (GetObject, "Permissions"); the bucket's root likewise.
        return _xml_error(403, "AccessDenied", "Access Denied", method)
    return _object(found, method, asked, _xml_precondition)


def _website(to: LocalTarget, method: str, path: str, key: str | None, asked: dict) -> origins.Answer:
    if to.website is None:
        return _html_error(404, "NoSuchWebsiteConfiguration", "The specified bucket does not have a website "
                           "configuration", [("BucketName", to.bucket)], method)
    if method not in ("GET", "HEAD"):
        # Website endpoints support only GET and HEAD (S3 User Guide, "Key differences between a website
        # endpoint and a REST API endpoint").
        return _html_error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.",
                           [("Method", method), ("ResourceType", "OBJECT")], method)
    index, error_key = to.website
    if key is not None and (key == "" or key.endswith("/")):
        key += index
    found = _file(to, key) if key else None
    if found is not None:
        return _object(found, method, asked, _html_precondition)
    # A key without a trailing slash that names no object but a folder with an index document: S3 redirects
    # to the folder with a 302 (S3 User Guide, "Configuring a custom error document", 302 Found).
    if key and not key.endswith("/" + index) and key != index and _file(to, f"{key}/{index}") is not None:
        return _answer(302, [("Location", path + "/")] + _ids(), b"", "text/html; charset=utf-8", method)
    extra = [("Key", key)] if key is not None else []
    if error_key is None:
        return _html_error(404, "NoSuchKey", "The specified key does not exist.", extra, method)
    page = _file(to, error_key)
    if page is None:
        # S3 names both failures on its page: the key's and the error document's.
        return _html_error(404, "NoSuchKey", "The specified key does not exist.", extra, method,
                           [("Code", "NoSuchKey"), ("Message", "The specified key does not exist."),
                            ("Key", error_key)])
    answer = _object(page, "GET" if method == "GET" else "HEAD", {}, _html_precondition)
    answer.status, answer.reason = 404, "Not Found"
    return answer


def _object(found: tuple[str, os.stat_result, int], method: str, asked: dict, precondition) -> origins.Answer:
    """GetObject's (or HeadObject's) answer for a file: conditions, then the range, then the bytes."""
    real, info, fd = found
    try:
        size = info.st_size
        etag = _etag(fd, size)
        modified = int(info.st_mtime)
        validators = [("Last-Modified", email.utils.formatdate(modified, usegmt=True)), ("ETag", etag)]
        failed = _precondition(asked, etag, modified)
        if failed is not None:
            return precondition(failed, method)
        if _not_modified(asked, etag, modified):
            return _answer(304, _ids() + validators, b"", None, method)
        content_type = mimetypes.guess_type(real)[0] or DEFAULT_CONTENT_TYPE
        common = _ids() + validators + [("x-amz-server-side-encryption", "AES256"), ("Accept-Ranges", "bytes")]
        wanted = _range(asked.get("range"), size)
        if wanted == "unsatisfiable":
            return _xml_error(416, "InvalidRange", "The requested range is not satisfiable", method,
                              [("RangeRequested", asked["range"]), ("ActualObjectSize", str(size))],
                              [("Content-Range", f"bytes */{size}")])
        if wanted is not None:
            start, end = wanted
            data = _read(fd, start, end - start + 1) if method == "GET" else b""
            return _answer(206, common + [("Content-Range", f"bytes {start}-{end}/{size}")], data, content_type,
                           method, end - start + 1)
        data = _read(fd, 0, size) if method == "GET" else b""
        return _answer(200, common, data, content_type, method, size)
    finally:
        os.close(fd)


def _read(fd: int, start: int, length: int) -> bytes:
    if length > origins.MAX_RESPONSE_BYTES:
        # The same bound as on a custom origin's answer: the edge holds an answer in memory.
        raise origins.OriginError(502, "response too large")
    chunks, left = [], length
    while left > 0:
        chunk = os.pread(fd, min(left, _READ), start + length - left)
        if not chunk:
            break  # the file shrank since it was looked at: what is left of it
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _etag(fd: int, size: int) -> str:
    """S3's ETag of the object as the AWS CLI uploads the file: the MD5 of the body in one part, or of its
    parts' MD5s for a multipart upload."""
    if size < MULTIPART_THRESHOLD:
        digest = hashlib.md5(usedforsecurity=False)
        for chunk in _chunks(fd, 0, size):
            digest.update(chunk)
        return f'"{digest.hexdigest()}"'
    part = MULTIPART_CHUNKSIZE
    while -(-size // part) > MAX_PARTS:
        part *= 2
    parts = []
    for offset in range(0, size, part):
        digest = hashlib.md5(usedforsecurity=False)
        for chunk in _chunks(fd, offset, min(part, size - offset)):
            digest.update(chunk)
        parts.append(digest.digest())
    return f'"{hashlib.md5(b"".join(parts), usedforsecurity=False).hexdigest()}-{len(parts)}"'


def _chunks(fd: int, start: int, length: int):
    done = 0
    while done < length:
        chunk = os.pread(fd, min(_READ, length - done), start + done)
        if not chunk:
            return
        done += len(chunk)
        yield chunk


# -- keys and files --------------------------------------------------------------------------------------------
def _key(path: str) -> str | None:
    """The object key a request path names (percent-decoded, as S3 reads it), or None when it is not UTF-8."""
    try:
        return urllib.parse.unquote_to_bytes(path.removeprefix("/")).decode("utf-8")
    except UnicodeDecodeError:
        return None


def _file(to: LocalTarget, key: str | None) -> tuple[str, os.stat_result, int] | None:
    """The regular file a key names, opened: (its real path, its stat, a descriptor the caller closes); None
    for no such file, and for any key that could lead out of the bucket's directory: a NUL, a backslash, a
    segment that is empty, "." or "..", a drive letter; and a path whose real location (symbolic links
    followed) is not inside the bucket's real directory, itself inside the --s3-dir directory."""
    if not key or "\0" in key or "\\" in key:
        return None
    segments = key.split("/")
    if any(segment in ("", ".", "..") for segment in segments) or _DRIVE.match(segments[0]):
        return None
    top = os.path.realpath(to.top)
    root = os.path.realpath(to.root)
    if os.path.dirname(root) != top:
        return None
    try:
        real = os.path.realpath(os.path.join(root, *segments))
        if os.path.commonpath([root, real]) != root or real == root:
            return None
        # O_NOFOLLOW: the path is already resolved, so a link there now was put there since; O_NONBLOCK: a
        # FIFO must not hang the edge (it is refused just below, as no regular file).
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError):
        return None
    try:
        info = os.fstat(fd)
    except OSError:
        os.close(fd)
        return None
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        return None
    return real, info, fd


# -- conditions and ranges ----------------------------------------------------------------------------------
def _tags(value: str) -> list[str]:
    return [t.strip().removeprefix("W/") for t in value.split(",") if t.strip()]


def _matches(value: str, etag: str) -> bool:
    return any(t == "*" or t == etag or t == etag.strip('"') for t in _tags(value))


def _date(value: str | None) -> int | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    return int(parsed.timestamp())


def _precondition(asked: dict, etag: str, modified: int) -> str | None:
    """The header whose condition fails with 412, or None. If-Match that holds makes S3 ignore a failing
    If-Unmodified-Since (GetObject, IfUnmodifiedSince)."""
    if "if-match" in asked:
        return None if _matches(asked["if-match"], etag) else "If-Match"
    since = _date(asked.get("if-unmodified-since"))
    if since is not None and modified > since:
        return "If-Unmodified-Since"
    return None


def _not_modified(asked: dict, etag: str, modified: int) -> bool:
    """304 where If-None-Match matches, whatever If-Modified-Since says (GetObject's documented rule for the
    two together, which is RFC 9110's: If-Modified-Since counts only without If-None-Match)."""
    if "if-none-match" in asked:
        return _matches(asked["if-none-match"], etag)
    since = _date(asked.get("if-modified-since"))
    return since is not None and modified <= since


def _range(value: str | None, size: int):
    """(first, last) of a single byte range; "unsatisfiable" for one that starts past the end (and for any range
    of an empty object); None for no Range, a malformed one or several ranges, which S3 ignores, answering the
    whole object."""
    if not value:
        return None
    found = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", value)
    if not found or (not found[1] and not found[2]):
        return None
    if found[1]:
        first = int(found[1])
        last = int(found[2]) if found[2] else size - 1
        if found[2] and last < first:
            return None
        if first >= size:
            return "unsatisfiable"
        return first, min(last, size - 1)
    suffix = int(found[2])
    if suffix == 0 or size == 0:
        return "unsatisfiable"
    return max(0, size - suffix), size - 1


# -- S3's answers ----------------------------------------------------------------------------------------------
_REASONS = {200: "OK", 206: "Partial Content", 302: "Found", 304: "Not Modified", 403: "Forbidden",
            404: "Not Found", 405: "Method Not Allowed", 412: "Precondition Failed",
            416: "Requested Range Not Satisfiable"}


def _ids() -> list[tuple[str, str]]:
    """The request ids S3 puts on every answer: x-amz-id-2 (the extended id) and x-amz-request-id."""
    request_id = "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(16))
    return [("x-amz-id-2", base64.b64encode(secrets.token_bytes(57)).decode()), ("x-amz-request-id", request_id)]


def _answer(status: int, headers: list[tuple[str, str]], body: bytes, content_type: str | None, method: str,
            length: int | None = None) -> origins.Answer:
    sent = list(headers)
    sent.append(("Date", email.utils.formatdate(usegmt=True)))
    if content_type is not None:
        sent.append(("Content-Type", content_type))
    if status != 304:
        sent.append(("Content-Length", str(len(body) if length is None else length)))
    sent.append(("Server", "AmazonS3"))
    return origins.Answer(status, _REASONS.get(status, ""), sent, body if method != "HEAD" else b"")


def _xml_error(status: int, code: str, message: str, method: str, extra=(), headers=()) -> origins.Answer:
    """The REST endpoint's error document (S3 API Reference, "Error responses"). HEAD gets the status alone."""
    ids = _ids()
    fields = "".join(f"<{name}>{escape(value, quote=False)}</{name}>" for name, value in extra)
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{escape(message)}'
            f"</Message>{fields}<RequestId>{ids[1][1]}</RequestId><HostId>{ids[0][1]}</HostId></Error>").encode()
    return _answer(status, ids + list(headers), body, "application/xml", method)


def _html_precondition(header: str, method: str) -> origins.Answer:
    return _html_error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold",
                       [("Condition", header)], method)


def _html_error(status: int, code: str, message: str, extra, method: str, document=None) -> origins.Answer:
    """The website endpoint's HTML error page (S3 User Guide, "Configuring a custom error document": "Amazon S3
    returns a predefined HTML" page); with `document`, the failure to read the custom error document too."""
    ids = _ids()
    title = f"{status} {_REASONS.get(status, '')}".strip()

    def items(pairs):
        return "".join(f"<li>{name}: {escape(value)}</li>\n" for name, value in pairs)

    listed = [("Code", code), ("Message", message), *extra, ("RequestId", ids[1][1]), ("HostId", ids[0][1])]
    body = f"<html>\n<head><title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n<ul>\n{items(listed)}</ul>\n"
    if document is not None:
        body += ("<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>\n<ul>\n"
                 f"{items(document)}</ul>\n")
    body += "<hr/>\n</body>\n</html>\n"
    return _answer(status, ids, body.encode(), "text/html; charset=utf-8", method)


def _xml_precondition(header: str, method: str) -> origins.Answer:
    return _xml_error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold",
                      method, [("Condition", header)])
