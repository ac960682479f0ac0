"""Cache behaviors' path patterns: `*` any run of characters (slashes included), `?` exactly one, the rest
literal and case-sensitive, matched against the whole path; a pattern without its leading `/` means the same
as with it (CloudFront's Developer Guide, "Path pattern")."""
from __future__ import annotations

import functools
import re


@functools.lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern:
    if not pattern.startswith("/"):
        pattern = "/" + pattern
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.DOTALL)


def matches(pattern: str, path: str) -> bool:
    return _compiled(pattern).fullmatch(path) is not None


def behavior_for(config: dict, path: str) -> dict:
    """The first cache behavior whose pattern matches, in the configured order; the default one last."""
    for behavior in (config.get("CacheBehaviors") or {}).get("Items") or []:
        if matches(behavior["PathPattern"], path):
            return behavior
    return config["DefaultCacheBehavior"]
