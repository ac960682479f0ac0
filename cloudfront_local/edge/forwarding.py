"""What of a viewer request reaches the origin: the headers, cookies and query string that a cache policy and an
origin request policy (or a behavior's legacy ForwardedValues) let through. Pure: no store, no HTTP.

Sources (CloudFront Developer Guide): "Control origin requests with a policy", "Understand cache policies",
"How origin request policies and cache policies work together", "Adding CloudFront request headers",
"Caching content based on request headers", "Caching content based on cookies", and the table
"HTTP request headers and CloudFront behavior (custom and Amazon S3 origins)"."""
from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Callable
from urllib.parse import unquote_plus

from . import compression, events

# Never sent on, whatever a policy says: they describe one connection (RFC 9110 7.6.1) or the table marks them
# "CloudFront removes the header" with no caching on them possible (X-Real-IP, X-Forwarded-Proto, X-Edge-*).
# Host, Cookie, Content-Length, X-Forwarded-For and X-Amz-Cf-Id are the caller's: it sets or appends them.
_NEVER = {"connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te",
          "trailer", "transfer-encoding", "upgrade", "x-real-ip", "x-forwarded-proto", "host", "cookie",
          "content-length", "x-forwarded-for", "x-amz-cf-id"}
# Legacy settings forward every other viewer header by default except these ("CloudFront removes the header").
_LEGACY_REMOVED = {"accept", "accept-charset", "accept-language", "referer", "expect", "x-http-method-override"}
# Ours (the guide names no list): the request body always reaches the origin, so what describes it goes too;
# Range/If-Range because the header table says range requests are forwarded by default.
_ALWAYS = {"content-type", "content-encoding", "content-md5", "range", "if-range"}
USER_AGENT = "Amazon CloudFront"  # the table: CloudFront replaces User-Agent unless it is forwarded


@dataclass
class Forwarded:
    headers: list[tuple[str, str]]  # without Host, Cookie, Content-Length, X-Forwarded-For, X-Amz-Cf-Id
    cookie: str | None              # the Cookie header to send, or None
    query: str                      # the query string to send, without "?"
    host: bool                      # the viewer's Host goes to the origin instead of the origin's domain


# A selection is a predicate on a name plus whether it is a block list ("all except"); see _union.
Selection = tuple[Callable[[str], bool], bool]
_NOTHING: Selection = (lambda name: False, False)


def to_origin(cache_params: dict | None, origin_request: dict | None, forwarded_values: dict | None,
              headers: list[tuple[str, str]], query: str, generated: dict[str, str],
              method: str = "GET") -> Forwarded:
    headers = [(str(k), str(v)) for k, v in (headers or []) if k is not None and v is not None]
    generated = {str(k): str(v) for k, v in (generated or {}).items() if k is not None and v is not None}
    if isinstance(cache_params, dict):
        return _with_policies(cache_params, origin_request if isinstance(origin_request, dict) else _NO_POLICY,
                              headers, query or "", generated)
    return _legacy(forwarded_values if isinstance(forwarded_values, dict) else {}, headers, query or "",
                   generated, str(method or "GET").upper())


# -- cache policy and origin request policy ---------------------------------------------------------------------
@dataclass
class _PolicyRules:
    """What a pair of policies lets through, worked out once per pair (the edge reads the same policy
    documents again and again under one configuration version)."""
    viewer: Selection
    authorization: bool
    named: set
    cookies: Selection
    strings: Selection


_NO_POLICY: dict = {}  # no origin request policy: one object, so that the pair's rules are found again
# By the pair's identity; each entry holds its documents, so an id cannot be reused while it is here.
_RULES: dict = {}
_RULES_KEPT = 256


def _policy_rules(cache: dict, origin: dict) -> _PolicyRules:
    kept = _RULES.get((id(cache), id(origin)))
    if kept is not None and kept[0] is cache and kept[1] is origin:
        return kept[2]
    cache_headers = _config(cache, "HeadersConfig")
    origin_headers = _config(origin, "HeadersConfig")
    in_key = _select(cache_headers.get("HeaderBehavior"), _names(cache_headers, "Headers"), str.lower)
    behavior = origin_headers.get("HeaderBehavior")
    sent = _select(behavior, _names(origin_headers, "Headers"), str.lower)
    # A whitelist cannot name Authorization in an origin request policy (the API refuses it); forwarding all
    # viewer headers, AllViewer or AllViewerExceptHostHeader, does send it (guide: "HTTP 401 status code").
    whole = behavior in ("allViewer", "allViewerAndWhitelistCloudFront", "allExcept")
    authorization = bool(in_key[0]("authorization") or (whole and sent[0]("authorization")))
    # CloudFront's own headers are added only when a policy names one; allExcept names the ones left out.
    named = {n.lower() for n in _names(cache_headers, "Headers")}
    if behavior in ("whitelist", "allViewerAndWhitelistCloudFront"):
        named |= {n.lower() for n in _names(origin_headers, "Headers")}
    rules = _PolicyRules(_union(in_key, sent), authorization, named,
                         _union(_from(cache, "CookiesConfig", "CookieBehavior", "Cookies"),
                                _from(origin, "CookiesConfig", "CookieBehavior", "Cookies")),
                         _union(_from(cache, "QueryStringsConfig", "QueryStringBehavior", "QueryStrings"),
                                _from(origin, "QueryStringsConfig", "QueryStringBehavior", "QueryStrings")))
    if len(_RULES) >= _RULES_KEPT:
        _RULES.clear()
    _RULES[(id(cache), id(origin))] = (cache, origin, rules)
    return rules


def _with_policies(cache: dict, origin: dict, headers, query, generated) -> Forwarded:
    rules = _policy_rules(cache, origin)
    viewer, authorization, named = rules.viewer, rules.authorization, rules.named
    ours = {name.lower() for name in generated}
    out = []
    for name, value in headers:
        low = name.lower()
        if _dropped(low) or low in ours or low == "accept-encoding":
            continue
        if low == "authorization":
            if authorization:
                out.append((name, value))
        elif low in _ALWAYS or viewer[0](low):
            out.append((name, value))
    encoding = _accept_encoding(cache, headers, viewer[0]("accept-encoding"))
    if encoding is not None:
        out.append(("Accept-Encoding", encoding))
    out += [(name, value) for name, value in generated.items() if name.lower() in named]
    if not any(n.lower() == "user-agent" for n, _ in out):
        out.append(("User-Agent", USER_AGENT))
    return Forwarded(out, _cookie(headers, rules.cookies[0]), _query(query, rules.strings[0]), viewer[0]("host"))


def _accept_encoding(cache: dict, headers, forwarded: bool) -> str | None:
    """With compression support on, CloudFront sends its normalized value ("Understand cache policies",
    Compression support); with it off, Accept-Encoding is an ordinary header."""
    gzip, brotli = cache.get("EnableAcceptEncodingGzip") is True, cache.get("EnableAcceptEncodingBrotli") is True
    values = [v for k, v in headers if k.lower() == "accept-encoding"]
    if not values:
        return None
    if not (gzip or brotli):
        return ", ".join(values) if forwarded else None
    return _normalized(values, brotli, gzip) or "identity"


def _normalized(values: list[str], brotli: bool, gzip: bool) -> str:
    codings = compression.accepted(values)
    return ",".join(c for c, on in (("br", brotli), ("gzip", gzip)) if on and c in codings)


def _select(behavior, names: list[str], fold: Callable[[str], str] = lambda s: s) -> Selection:
    listed = {fold(n) for n in names}
    if behavior in ("all", "allViewer", "allViewerAndWhitelistCloudFront"):
        return (lambda name: True, False)
    if behavior == "whitelist":
        return (lambda name: fold(name) in listed, False)
    if behavior == "allExcept":
        return (lambda name: fold(name) not in listed, True)
    return _NOTHING  # "none", absent, or a value we do not know


def _union(cache: Selection, origin: Selection) -> Selection:
    """What either policy includes goes to the origin; but two block lists leave out what either lists
    ("How origin request policies and cache policies work together", Block list / Block list)."""
    if cache[1] and origin[1]:
        return (lambda name: cache[0](name) and origin[0](name), True)
    return (lambda name: cache[0](name) or origin[0](name), False)


def _from(policy: dict, config: str, behavior: str, names: str) -> Selection:
    section = _config(policy, config)
    return _select(section.get(behavior), _names(section, names))


# -- legacy ForwardedValues ---------------------------------------------------------------------------------------
def _legacy(values: dict, headers, query, generated, method: str) -> Forwarded:
    listed = _names(values, "Headers")
    everything = "*" in listed
    named = {n.lower() for n in listed}
    ours = {name.lower() for name in generated}
    out = []
    for name, value in headers:
        low = name.lower()
        if _dropped(low) or low in ours:
            continue
        if everything or low in named:
            out.append((name, value))
        elif low == "authorization":
            # The guide's Authorization row: removed for GET and HEAD (and for OPTIONS when OPTIONS responses
            # are cached, which this function does not know: OPTIONS is taken as not cached), kept otherwise.
            if method not in ("GET", "HEAD"):
                out.append((name, value))
        elif low == "accept-encoding":
            # "If the value contains gzip or br, CloudFront forwards a normalized Accept-Encoding header."
            normalized = _normalized([value], True, True)
            if normalized:
                out.append(("Accept-Encoding", normalized))
        elif low not in _LEGACY_REMOVED and low != "user-agent":
            out.append((name, value))
    out += [(name, value) for name, value in generated.items() if name.lower() in named]
    if not any(n.lower() == "user-agent" for n, _ in out):
        out.append(("User-Agent", USER_AGENT))
    cookies = _config(values, "Cookies")
    forward = cookies.get("Forward")
    patterns = _names(cookies, "WhitelistedNames")
    if forward == "all":
        keep = (lambda name: True)
    elif forward == "whitelist":
        # Legacy cookie names take * and ? wildcards (guide: "Whitelist cookies").
        keep = (lambda name: any(fnmatchcase(name, p) for p in patterns))
    else:
        keep = _NOTHING[0]
    all_strings = values.get("QueryString") is True
    return Forwarded(out, _cookie(headers, keep), query if all_strings else "", everything or "host" in named)


# -- shared -----------------------------------------------------------------------------------------------------
def _dropped(low: str) -> bool:
    return low in _NEVER or low.startswith("x-edge-")


def _cookie(headers, keep: Callable[[str], bool]) -> str | None:
    """The kept cookies, sorted by name ("Caching content based on cookies": CloudFront sorts cookies in natural
    order by name); a piece that is not name=value is left out, as CloudFront forwards only that format."""
    pairs = [(key, value) for key, value in events.cookie_pairs(headers) if keep(key)]
    pairs.sort(key=lambda pair: pair[0])  # stable: two cookies of one name keep the viewer's order
    return "; ".join(f"{key}={value}" for key, value in pairs) or None


def _query(query: str, keep: Callable[[str], bool]) -> str:
    """The kept parameters in the viewer's order and spelling; a name matches percent-decoded."""
    kept = []
    for part in query.lstrip("?").split("&"):
        if not part:
            continue
        name = part.split("=", 1)[0]
        try:
            decoded = unquote_plus(name)
        except Exception:  # odd encodings: the name as sent is all there is
            decoded = name
        # Decided on the decoded name alone, as the cache key decides it: a block list must not be passed by
        # spelling a name another way (`%61` for `a`), or one viewer's parameter would land in another's answer.
        if keep(decoded):
            kept.append(part)
    return "&".join(kept)


def _config(policy, key: str) -> dict:
    value = policy.get(key) if isinstance(policy, dict) else None
    return value if isinstance(value, dict) else {}


def _names(section: dict, key: str) -> list[str]:
    """The Items of a botocore list ({"Quantity": n, "Items": [...]}), or of a plain list; Items may be absent."""
    value = section.get(key) if isinstance(section, dict) else None
    items = value.get("Items") if isinstance(value, dict) else value
    return [str(item) for item in items if item is not None] if isinstance(items, list) else []
