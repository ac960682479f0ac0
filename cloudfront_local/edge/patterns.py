"""Cache behaviors' path patterns: `*` any run of characters (slashes included), `?` exactly one, the rest
literal and case-sensitive, matched against the whole path; a pattern without its leading `/` means the same
as with it (CloudFront's Developer Guide, "Path pattern"). "CloudFront normalizes URI paths consistent with
RFC 3986 and then matches the path with the correct cache behavior. Once the cache behavior is matched,
CloudFront sends the raw URI path to the origin" (the same page): so `/x/../private/a` and `/%70rivate/a`
meet the `/private/*` behavior, as `/private/a` does."""
from __future__ import annotations

import functools
import re

_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


@functools.lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern:
    if not pattern.startswith("/"):
        pattern = "/" + pattern
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.DOTALL)


def matches(pattern: str, path: str) -> bool:
    return _compiled(pattern).fullmatch(path) is not None


def normalised(path: str) -> str:
    """RFC 3986's normalisation of a path: escapes of unreserved characters decoded, the others upper case
    (6.2.2.1-2), and dot segments removed (5.2.4)."""
    def escape(match: re.Match) -> str:
        character = chr(int(match.group(1), 16))
        return character if character in _UNRESERVED else "%" + match.group(1).upper()

    decoded = _ESCAPE.sub(escape, path)
    kept: list[str] = []
    segments = decoded.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == ".":
            if last:
                kept.append("")
        elif segment == "..":
            if len(kept) > 1:
                kept.pop()
            if last:
                kept.append("")
        else:
            kept.append(segment)
    result = "/".join(kept)
    return result if result.startswith("/") else "/" + result


def behavior_for(config: dict, path: str) -> dict:
    """The first cache behavior whose pattern matches the normalised path, in the configured order; the default
    one last."""
    path = normalised(path) if ("%" in path or "/." in path) else path
    for behavior in (config.get("CacheBehaviors") or {}).get("Items") or []:
        if matches(behavior["PathPattern"], path):
            return behavior
    return config["DefaultCacheBehavior"]
