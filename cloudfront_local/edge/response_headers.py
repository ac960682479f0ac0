"""A response headers policy applied to the answer a viewer gets. Pure: no store, no HTTP.

Source: CloudFront Developer Guide, "Understand response headers policies" and "Use managed response headers
policies". Order there: the headers to remove go first, then the policy's headers are added, so a header both
removed and added is sent with the policy's value."""
from __future__ import annotations

import random
import re
from typing import Callable

POP = "LOC50-C1"
ALL_METHODS = ["GET", "DELETE", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]  # what the policy's "ALL" means
# The guide lists headers a policy cannot remove (the API refuses them); a stored policy naming one is ignored.
_UNREMOVABLE = re.compile(
    r"(connection|content-encoding|content-length|expect|host|keep-alive|proxy-authenticate|proxy-authorization"
    r"|proxy-connection|trailer|transfer-encoding|upgrade|via|warning|x-accel-buffering|x-accel-charset"
    r"|x-accel-limit-rate|x-accel-redirect|x-amz-cf-.*|x-amzn-auth|x-amzn-cf-billing|x-amzn-cf-id|x-amzn-cf-xff"
    r"|x-amzn-errortype|x-amzn-fle-profile|x-amzn-header-count|x-amzn-header-order"
    r"|x-amzn-lambda-integration-tag|x-amzn-requestid|x-cache|x-edge-.*|x-forwarded-proto|x-real-ip)",
    re.IGNORECASE)


def apply(policy: dict, request_headers: list[tuple[str, str]], response_headers: list[tuple[str, str]],
          method: str, *, request_id: str = "", chance: Callable[[], float] = random.random
          ) -> list[tuple[str, str]]:
    """The response's headers once the policy (a ResponseHeadersPolicyConfig) has removed and added its own."""
    headers = [(str(k), str(v)) for k, v in (response_headers or []) if k is not None and v is not None]
    if not isinstance(policy, dict):
        return headers
    request = [(str(k), str(v)) for k, v in (request_headers or []) if k is not None and v is not None]
    removed = {str(i.get("Header")).lower() for i in _items(_part(policy, "RemoveHeadersConfig"), "Items")
               if isinstance(i, dict) and i.get("Header") and not _UNREMOVABLE.fullmatch(str(i.get("Header")))}
    headers = [(k, v) for k, v in headers if k.lower() not in removed]
    _cors(_part(policy, "CorsConfig"), request, headers, str(method or "").upper())
    _security(_part(policy, "SecurityHeadersConfig"), headers)
    for item in _items(_part(policy, "CustomHeadersConfig"), "Items"):
        if isinstance(item, dict) and item.get("Header"):
            value = item.get("Value")
            _set(headers, str(item["Header"]), "" if value is None else str(value), item.get("Override") is True)
    _server_timing(_part(policy, "ServerTimingHeadersConfig"), request, headers, request_id, chance)
    return headers


def preflight(policy: dict, request_headers: list[tuple[str, str]], method: str) -> bool:
    """Whether CloudFront answers this request itself instead of asking the origin: never. A preflight (OPTIONS
    with Origin and Access-Control-Request-Method) is forwarded, or served from cache when OPTIONS is cached, and
    the policy's CORS headers are added to that answer, whatever its status: the managed CORS-With-Preflight
    policy "adds ... headers to the response" (guide, "Use managed response headers policies"), and an origin
    that refuses OPTIONS (S3 without an OPTIONS grant, say) still fails the preflight behind CloudFront."""
    return False


def is_preflight(request_headers: list[tuple[str, str]], method: str) -> bool:
    return (str(method or "").upper() == "OPTIONS" and _get(request_headers, "Origin") is not None
            and _get(request_headers, "Access-Control-Request-Method") is not None)


# -- sections -----------------------------------------------------------------------------------------------------
def _cors(config: dict, request, headers, method: str) -> None:
    """Only for a CORS request (one with Origin), and only when the Origin is allowed; ACAO, ACAC and the
    expose list go on every CORS answer, the allow lists and max-age on preflight answers only (guide: "in
    responses to CORS preflight requests")."""
    origin = _get(request, "Origin")
    if not config or origin is None:
        return
    allowed = _allowed_origin(_items(config, "AccessControlAllowOrigins"), origin)
    if allowed is None:
        return
    override = config.get("OriginOverride") is True
    added = [("Access-Control-Allow-Origin", allowed)]
    if config.get("AccessControlAllowCredentials") is True:
        added.append(("Access-Control-Allow-Credentials", "true"))
    if is_preflight(request, method):
        allow_headers = _items(config, "AccessControlAllowHeaders")
        if allow_headers:
            added.append(("Access-Control-Allow-Headers", ", ".join(allow_headers)))
        methods = _items(config, "AccessControlAllowMethods")
        methods = ALL_METHODS if "ALL" in methods else [m for m in ALL_METHODS if m in methods]
        if methods:
            added.append(("Access-Control-Allow-Methods", ", ".join(methods)))
        age = config.get("AccessControlMaxAgeSec")
        if isinstance(age, int) and not isinstance(age, bool):
            added.append(("Access-Control-Max-Age", str(age)))
    else:
        expose = _items(config, "AccessControlExposeHeaders")
        if expose:
            added.append(("Access-Control-Expose-Headers", ", ".join(expose)))
    for name, value in added:
        _set(headers, name, value, override)


def _allowed_origin(allowed: list[str], origin: str) -> str | None:
    """"*" answers "*"; a listed origin, or one a leftmost "*." pattern covers, is echoed back."""
    if "*" in allowed:
        return "*"
    for pattern in allowed:
        if _origin_matches(pattern, origin):
            return origin
    return None


def _origin_matches(pattern: str, origin: str) -> bool:
    pattern, origin = pattern.strip().lower(), origin.strip().lower()
    if "*" not in pattern:
        return pattern == origin or ("://" not in pattern and origin.split("://", 1)[-1] == pattern)
    # The guide allows "*" only as the leftmost label ("*.example.org"): one or more labels before the rest.
    scheme, _, host = pattern.rpartition("://")
    if not host.startswith("*.") or "*" in host[2:]:
        return False
    their_scheme, _, their_host = origin.rpartition("://")
    if scheme and scheme != their_scheme:
        return False
    suffix = host[1:]
    return their_host.endswith(suffix) and len(their_host) > len(suffix) and "/" not in their_host


def _security(config: dict, headers) -> None:
    hsts = _section(config, "StrictTransportSecurity")
    if hsts is not None:
        value = f"max-age={_int(hsts.get('AccessControlMaxAgeSec'))}"
        value += "; includeSubDomains" if hsts.get("IncludeSubdomains") is True else ""
        value += "; preload" if hsts.get("Preload") is True else ""
        _set(headers, "Strict-Transport-Security", value, hsts.get("Override") is True)
    options = _section(config, "ContentTypeOptions")
    if options is not None:
        _set(headers, "X-Content-Type-Options", "nosniff", options.get("Override") is True)
    frame = _section(config, "FrameOptions")
    if frame is not None and frame.get("FrameOption"):
        _set(headers, "X-Frame-Options", str(frame["FrameOption"]), frame.get("Override") is True)
    xss = _section(config, "XSSProtection")
    if xss is not None:
        value = "1" if xss.get("Protection") is True else "0"
        if value == "1" and xss.get("ModeBlock") is True:
            value += "; mode=block"
        elif value == "1" and xss.get("ReportUri"):
            value += f"; report={xss['ReportUri']}"
        _set(headers, "X-XSS-Protection", value, xss.get("Override") is True)
    referrer = _section(config, "ReferrerPolicy")
    if referrer is not None and referrer.get("ReferrerPolicy"):
        _set(headers, "Referrer-Policy", str(referrer["ReferrerPolicy"]), referrer.get("Override") is True)
    csp = _section(config, "ContentSecurityPolicy")
    if csp is not None and csp.get("ContentSecurityPolicy"):
        _set(headers, "Content-Security-Policy", str(csp["ContentSecurityPolicy"]), csp.get("Override") is True)


def _server_timing(config: dict, request, headers, request_id: str, chance) -> None:
    """Sampled at SamplingRate percent, or always when the viewer sent "Pragma: server-timing"; CloudFront's
    metrics come first and the origin's Server-Timing value is kept after them, in one header (guide,
    "Server-Timing header"). The metrics are those of a cache miss at an edge location."""
    if config.get("Enabled") is not True:
        return
    asked = "server-timing" in (_get(request, "Pragma") or "").lower()
    rate = config.get("SamplingRate")
    rate = float(rate) if isinstance(rate, (int, float)) and not isinstance(rate, bool) else 0.0
    if not asked and not chance() * 100 < rate:
        return
    metrics = ['cdn-upstream-layer;desc="EDGE"', "cdn-cache-miss", f'cdn-pop;desc="{POP}"']
    if request_id:
        metrics.append(f'cdn-rid;desc="{request_id}"')
    theirs = [v for k, v in headers if k.lower() == "server-timing"]
    headers[:] = [(k, v) for k, v in headers if k.lower() != "server-timing"]
    headers.append(("Server-Timing", ",".join(metrics + theirs)))


# -- helpers ------------------------------------------------------------------------------------------------------
def _set(headers: list[tuple[str, str]], name: str, value: str, override: bool) -> None:
    """The origin's header wins unless the policy overrides it; with none from the origin, the policy's goes."""
    present = any(k.lower() == name.lower() for k, _ in headers)
    if present and not override:
        return
    headers[:] = [(k, v) for k, v in headers if k.lower() != name.lower()]
    headers.append((name, value))


def _get(headers, name: str) -> str | None:
    return next((str(v) for k, v in headers or [] if str(k).lower() == name.lower()), None)


def _part(policy: dict, key: str) -> dict:
    value = policy.get(key)
    return value if isinstance(value, dict) else {}


def _section(config: dict, key: str) -> dict | None:
    value = config.get(key)
    return value if isinstance(value, dict) else None


def _items(section: dict, key: str) -> list:
    value = section.get(key) if isinstance(section, dict) else None
    items = value.get("Items") if isinstance(value, dict) else value
    if not isinstance(items, list):
        return []
    return [i if isinstance(i, dict) else str(i) for i in items if i is not None]


def _int(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
