"""CloudFront's edge compression: with the behavior's Compress on and a cache policy that puts the encoding in
the cache key, a viewer that accepts gzip or Brotli gets a compressed answer of a compressible type between
1,000 and 10,000,000 bytes that the origin did not encode itself (Developer Guide, "Serve compressed files")."""
from __future__ import annotations

import gzip

MIN_BYTES, MAX_BYTES = 1_000, 10_000_000
# The content types CloudFront compresses (the guide's "File types that CloudFront compresses").
TYPES = frozenset("""
application/dash+xml application/eot application/font application/font-sfnt application/javascript
application/json application/opentype application/otf application/pdf application/pkcs7-mime application/protobuf
application/rss+xml application/truetype application/ttf application/vnd.apple.mpegurl application/vnd.mapbox-vector-tile
application/vnd.ms-fontobject application/wasm application/xhtml+xml application/xml application/x-font-opentype
application/x-font-truetype application/x-font-ttf application/x-httpd-cgi application/x-javascript
application/x-mpegurl application/x-opentype application/x-otf application/x-perl application/x-ttf
font/eot font/opentype font/otf font/ttf image/svg+xml text/css text/csv text/html text/javascript text/js
text/plain text/richtext text/tab-separated-values text/xml text/x-component text/x-java-source text/x-script
vnd.apple.mpegurl""".split())


def accepted(values: list[str]) -> set[str]:
    """The codings Accept-Encoding values accept (lower case): a `;q=0` refuses its coding. The cache key,
    the origin request and compression all read the header through this one function, so they agree."""
    found = set()
    for value in values:
        for part in value.split(","):
            coding, _, parameters = part.partition(";")
            weight = parameters.replace(" ", "").lower()
            if weight.startswith("q="):
                try:
                    if float(weight[2:]) == 0:
                        continue
                except ValueError:
                    pass
            if coding.strip():
                found.add(coding.strip().lower())
    return found


def choice(normalised: str | None) -> str | None:
    """The encoding for a cache key's normalised Accept-Encoding (`br,gzip`, `gzip`, `br`): Brotli first, as
    CloudFront prefers it."""
    codings = (normalised or "").split(",")
    return "br" if "br" in codings else "gzip" if "gzip" in codings else None


def compress(encoding: str | None, status: int, headers: list[tuple[str, str]], body: bytes):
    """(headers, body), compressed when CloudFront would; otherwise as given."""
    if encoding is None or status != 200 or not MIN_BYTES <= len(body) <= MAX_BYTES:
        return headers, body
    lowered = {k.lower(): v for k, v in headers}
    if lowered.get("content-encoding") or "no-transform" in lowered.get("cache-control", "").lower():
        return headers, body
    if lowered.get("content-type", "").split(";", 1)[0].strip().lower() not in TYPES:
        return headers, body
    if encoding == "br":
        import brotli  # loaded when an answer is first compressed with it

        data = brotli.compress(body, quality=5)
    else:
        data = gzip.compress(body, compresslevel=6, mtime=0)
    kept = [(k, v) for k, v in headers if k.lower() not in ("content-length", "etag")]
    etag = lowered.get("etag")
    if etag:  # a compressed answer's validator is weak: the bytes differ from the origin's
        kept.append(("ETag", etag if etag.startswith("W/") else "W/" + etag))
    vary = lowered.get("vary")
    if not vary:
        kept.append(("Vary", "Accept-Encoding"))
    elif "accept-encoding" not in vary.lower():
        kept = [(k, f"{v}, Accept-Encoding" if k.lower() == "vary" else v) for k, v in kept]
    return kept + [("Content-Encoding", encoding)], data
