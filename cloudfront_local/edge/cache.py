"""The edge's cache as CloudFront keys and ages it: a pure module (no HTTP, no store). Sources are the CloudFront
Developer Guide's pages named in the comments ("Guide" below); where it is silent the choice is marked ours."""
from __future__ import annotations

import calendar
import functools
import json
import re
import threading
import time
import urllib.parse
from collections import OrderedDict
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime

from . import compression, events
from .origins import HOP_BY_HOP

DEFAULT_TTL, MAX_TTL = 86400, 31536000   # API Reference, CachePolicyConfig / CacheBehavior: the defaults
ERROR_TTL = 10                            # Guide, "Control how long CloudFront caches errors": 10 s by default
# Guide, "HTTP 4xx and 5xx status codes that CloudFront caches": these always, the others only with max-age or
# s-maxage; every other 4xx and 5xx (416 named explicitly) never.
ERRORS_ALWAYS = frozenset({404, 414, 500, 501, 502, 503, 504})
ERRORS_WITH_MAX_AGE = frozenset({400, 403, 405, 412, 415})


@dataclass(frozen=True)
class KeyRules:
    headers: frozenset[str] = frozenset()      # lower-cased names
    cookies: str = "none"                      # none | whitelist | allExcept | all
    cookie_names: tuple[str, ...] = ()
    cookie_wildcards: bool = False             # legacy whitelists accept `*` and `?`
    query: str = "none"                        # none | whitelist | allExcept | all
    query_names: frozenset[str] = frozenset()
    gzip: bool = False
    brotli: bool = False
    min_ttl: float = 0
    default_ttl: float = DEFAULT_TTL
    max_ttl: float = MAX_TTL


def _items(value) -> list:
    return list((value or {}).get("Items") or [])


def key_rules(cache_policy_config: dict | None, behavior: dict) -> KeyRules:
    """One shape for a cache policy's config and for a behavior's legacy ForwardedValues and TTLs."""
    if cache_policy_config is not None:
        p = cache_policy_config.get("ParametersInCacheKeyAndForwardedToOrigin") or {}
        h, c, q = p.get("HeadersConfig") or {}, p.get("CookiesConfig") or {}, p.get("QueryStringsConfig") or {}
        return KeyRules(
            headers=frozenset(n.lower() for n in _items(h.get("Headers"))) if h.get("HeaderBehavior") == "whitelist"
            else frozenset(),
            cookies=c.get("CookieBehavior") or "none", cookie_names=tuple(_items(c.get("Cookies"))),
            query=q.get("QueryStringBehavior") or "none", query_names=frozenset(_items(q.get("QueryStrings"))),
            gzip=bool(p.get("EnableAcceptEncodingGzip")), brotli=bool(p.get("EnableAcceptEncodingBrotli")),
            **_ttls(cache_policy_config))
    forwarded = behavior.get("ForwardedValues") or {}
    headers = [n.lower() for n in _items(forwarded.get("Headers"))]
    cookies = forwarded.get("Cookies") or {}
    names = _items(forwarded.get("QueryStringCacheKeys"))
    query = ("whitelist" if names else "all") if forwarded.get("QueryString") else "none"
    ttls = _ttls(behavior)
    if "*" in headers:
        # Guide, "Cache based on selected request headers": with all headers forwarded nothing is cached.
        headers, ttls = [], {"min_ttl": 0, "default_ttl": 0, "max_ttl": 0}
    # Guide, "Serve compressed files": legacy settings know gzip only, switched on by the behavior's Compress.
    return KeyRules(headers=frozenset(headers), cookies=cookies.get("Forward") or "none",
                    cookie_names=tuple(_items(cookies.get("WhitelistedNames"))), cookie_wildcards=True,
                    query=query, query_names=frozenset(names), gzip=bool(behavior.get("Compress")), **ttls)


def _ttls(source: dict) -> dict:
    def number(name, default):
        value = source.get(name)
        return float(default if value is None else value)
    return {"min_ttl": number("MinTTL", 0), "default_ttl": number("DefaultTTL", DEFAULT_TTL),
            "max_ttl": number("MaxTTL", MAX_TTL)}


# -- the key -------------------------------------------------------------------------------------------------------
def cacheable_method(behavior: dict, method: str) -> bool:
    """Guide, "Cached HTTP methods": GET and HEAD always; OPTIONS when CachedMethods names it; nothing else."""
    if method in ("GET", "HEAD"):
        return True
    cached = _items((behavior.get("AllowedMethods") or {}).get("CachedMethods"))
    return method == "OPTIONS" and "OPTIONS" in cached


def cache_key(rules: KeyRules, scope: str, method: str, uri: str, query: str,
              headers: list[tuple[str, str]]) -> str:
    """A text naming one cached object. GET and HEAD share it; OPTIONS has its own (Guide, "Allowed HTTP methods":
    the method is in the key for OPTIONS requests only). Headers are sorted by name, since their order in the
    request does not change the key (Guide, "Caching content based on request headers")."""
    named = {}
    for name, value in headers:
        if name.lower() in rules.headers:
            named.setdefault(name.lower(), []).append(value)
    parts = [scope, "OPTIONS" if method == "OPTIONS" else "GET", uri, cached_query(rules, query),
             sorted((k, ",".join(v)) for k, v in named.items()), _cookies(rules, headers),
             accept_encoding(rules, headers)]
    return json.dumps(parts, ensure_ascii=False, separators=(",", ":"))


def cached_query(rules: KeyRules, query: str) -> str:
    """The part of a query string the key holds. Parameters keep the viewer's order and case: the Guide
    ("Caching content based on query string parameters") says both make separate objects. Names compare
    case-sensitively, after percent-decoding."""
    if rules.query == "none" or not query:
        return ""
    kept = []
    for parameter in query.split("&"):
        if not parameter:
            continue
        name = urllib.parse.unquote_plus(parameter.split("=", 1)[0])
        if rules.query == "all" or (name in rules.query_names) == (rules.query == "whitelist"):
            kept.append(parameter)
    return "&".join(kept)


def _cookies(rules: KeyRules, headers: list[tuple[str, str]]) -> list[list[str]]:
    if rules.cookies == "none":
        return []
    found = [[cookie, content] for cookie, content in events.cookie_pairs(headers)]
    if rules.cookies != "all":
        wanted = rules.cookies == "whitelist"
        found = [c for c in found if any(_cookie_named(rules, n, c[0]) for n in rules.cookie_names) == wanted]
    # Guide, "Caching content based on cookies": names and values are case-sensitive and CloudFront sorts the
    # cookies by name, so their order in the request does not matter.
    return sorted(found)


def _cookie_named(rules: KeyRules, pattern: str, name: str) -> bool:
    if not rules.cookie_wildcards:
        return pattern == name
    expression = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(expression, name, re.DOTALL) is not None


def accept_encoding(rules: KeyRules, headers: list[tuple[str, str]]) -> str | None:
    """The normalised Accept-Encoding in the key: `br,gzip`, `gzip`, `br`, or None (then the origin is sent
    `identity` when a flag is on). Guide, "Cache key settings", compression support. A value counts when its
    token is present and not refused with q=0; other q-values are not weighed."""
    if not (rules.gzip or rules.brotli):
        return None
    tokens = compression.accepted([value for name, value in headers if name.lower() == "accept-encoding"])
    chosen = [c for c, on in (("br", rules.brotli), ("gzip", rules.gzip)) if on and c in tokens]
    return ",".join(chosen) or None


# -- how long ------------------------------------------------------------------------------------------------------
def ttl(rules: KeyRules, status: int, headers: list[tuple[str, str]], now: float,
        custom_error_ttl: float | None = None) -> float:
    """Seconds a response may be served from cache; 0 means it is not kept.
    Guide, "Manage how long content stays in the cache (expiration)": no-cache, no-store or private give MinTTL;
    else s-maxage, max-age, then Expires, held within [MinTTL, MaxTTL]; none of them gives DefaultTTL."""
    if rules.max_ttl <= 0:
        return 0.0   # caching disabled: errors are not cached either (Guide, on the CachingDisabled policy)
    directives = _cache_control(headers)
    origin = _origin_seconds(directives, headers, now)
    if 400 <= status <= 599:
        # Guide, "Control how long CloudFront caches errors": the greater of the header's value (which cannot
        # exceed MaxTTL) and the error caching minimum TTL.
        has_max_age = "s-maxage" in directives or "max-age" in directives
        if status not in ERRORS_ALWAYS and not (status in ERRORS_WITH_MAX_AGE and has_max_age):
            return 0.0
        floor = float(ERROR_TTL if custom_error_ttl is None else custom_error_ttl)
        return max(floor, min(origin, rules.max_ttl)) if origin is not None else floor
    # Ours: 1xx, 206 (a part, not the object the key names) and 304 (no body) are never stored; the other 2xx
    # and 3xx are, redirects included (Guide, "Redirects": CloudFront caches the redirect).
    if status < 200 or status > 399 or status in (206, 304):
        return 0.0
    if any(directives.get(d) is True for d in ("no-cache", "no-store", "private")):
        return float(rules.min_ttl)
    if origin is None:
        return float(max(rules.min_ttl, rules.default_ttl))
    return float(min(max(origin, rules.min_ttl), rules.max_ttl))


def _cache_control(headers: list[tuple[str, str]]) -> dict:
    """Directive → True, or its argument. `no-cache="Set-Cookie"` keeps its argument, so it does not stop
    caching the object (Guide, "Caching content based on cookies", on not caching Set-Cookie)."""
    found = {}
    for name, value in headers:
        if name.lower() == "cache-control":
            for part in value.split(","):
                directive, eq, argument = part.strip().partition("=")
                if directive:
                    found.setdefault(directive.lower(), argument.strip().strip('"') if eq else True)
    return found


def _origin_seconds(directives: dict, headers: list[tuple[str, str]], now: float) -> float | None:
    for directive in ("s-maxage", "max-age"):
        value = directives.get(directive)
        if isinstance(value, str) and value.isdigit():
            return float(value)
    expires = next((v for k, v in headers if k.lower() == "expires"), None)
    if expires is None:
        return None
    try:
        return max(0.0, parsedate_to_datetime(expires).timestamp() - now)
    except (TypeError, ValueError, IndexError):
        return 0.0   # RFC 9111 §5.3: an invalid Expires means already expired


# -- entries and the store of them -------------------------------------------------------------------------------
@dataclass
class Entry:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    stored: float      # epoch seconds
    expires: float     # epoch seconds
    path: str          # the uri the viewer asked for
    scope: str
    query: str = ""    # cached_query(): invalidation paths name it (Guide, "Forwarding query strings")

    def age(self, now: float) -> int:
        return max(0, int(now - self.stored))

    def fresh(self, now: float) -> bool:
        return now < self.expires

    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) + 4 for k, v in self.headers) + len(self.path) + 64


class Cache:
    """Least recently used entries leave once the bytes held pass max_bytes; an entry over max_bytes // 8 is
    not kept, so one large object cannot empty the cache."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, tuple[Entry, int]] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> Entry | None:
        """The entry, even expired (the caller revalidates it)."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: str, entry: Entry) -> None:
        size = entry.size() + len(key)
        with self._lock:
            self._drop(key)
            if size > self.max_bytes // 8:
                return
            self._entries[key] = (entry, size)
            self._held += size
            while self._held > self.max_bytes and self._entries:
                self._drop(next(iter(self._entries)))

    def entries(self, scope_prefix: str) -> list[tuple[str, Entry]]:
        """(key, entry) of the entries whose scope starts with the prefix, most recently used last: the
        dashboard's view, taken without touching their recency."""
        with self._lock:
            return [(key, entry) for key, (entry, _) in self._entries.items() if entry.scope.startswith(scope_prefix)]

    def remove(self, key: str) -> None:
        with self._lock:
            self._drop(key)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._held = 0

    def _drop(self, key: str) -> None:
        found = self._entries.pop(key, None)
        if found is not None:
            self._held -= found[1]

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes_held(self) -> int:
        return self._held


# -- revalidation (RefreshHit) -------------------------------------------------------------------------------------
def revalidation_headers(entry: Entry) -> list[tuple[str, str]]:
    """Guide, "Conditional requests": the expired object's ETag and Last-Modified, as a conditional GET."""
    value = {k.lower(): v for k, v in reversed(entry.headers)}
    out = [("If-None-Match", value["etag"])] if "etag" in value else []
    return out + ([("If-Modified-Since", value["last-modified"])] if "last-modified" in value else [])


def refreshed(entry: Entry, answer_headers: list[tuple[str, str]], ttl_seconds: float, now: float) -> Entry:
    """The entry a 304 renews: its headers replace the stored ones of the same names, except Content-Length and
    hop-by-hop ones (RFC 9111 §3.2), and its age starts again."""
    skip = HOP_BY_HOP | {"content-length"}
    new = [(k, v) for k, v in answer_headers if k.lower() not in skip]
    names = {k.lower() for k, _ in new}
    headers = [(k, v) for k, v in entry.headers if k.lower() not in names] + new
    return replace(entry, headers=headers, stored=now, expires=now + ttl_seconds)


# -- invalidations -------------------------------------------------------------------------------------------------
def invalidated(entry: Entry, invalidations: list[dict]) -> bool:
    """True when an invalidation made at or after the entry was stored covers it. Guide, "Invalidating files":
    paths are case-sensitive; a final `*` matches any rest (query string included), otherwise the path is exact
    and names the query string too when one is cached. Ours: paths compare percent-decoded, so `/a%20b` names
    `/a b`. CreateTime is truncated to the millisecond, and floats can lose one more, so an invalidation
    covers what was stored up to a millisecond after it: erring this way costs a miss, the other way a stale hit."""
    stored_ms = int(entry.stored * 1000)
    target = _decoded(entry.path + (f"?{entry.query}" if entry.query else ""))
    for invalidation in invalidations:
        if _epoch_ms(invalidation["CreateTime"]) < stored_ms - 1:
            continue
        for path in invalidation.get("Paths") or []:
            if path.endswith("*") and target.startswith(_decoded(path[:-1])):
                return True
            if target == _decoded(path):
                return True
    return False


def _decoded(path: str) -> str:
    route, mark, query = path.partition("?")
    return urllib.parse.unquote(route) + mark + query


@functools.lru_cache(maxsize=4096)  # every lookup with an entry reads them all: parse each once
def _epoch_ms(text: str) -> int:
    whole, _, fraction = text.rstrip("Z").partition(".")
    seconds = calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S"))
    return seconds * 1000 + int((fraction + "000")[:3])
