"""What reaches the origin under cache / origin request policies or legacy ForwardedValues, and what a response
headers policy does to the answer; the AWS-managed policies are taken from the emulator's own managed.json."""
from __future__ import annotations

import pytest

from cloudfront_local.edge import response_headers
from cloudfront_local.edge.forwarding import to_origin
from cloudfront_local.service.policies import managed


def _policy(kind: str, name: str) -> dict:
    key = {"cache": "CachePolicyConfig", "origin_request": "OriginRequestPolicyConfig",
           "response_headers": "ResponseHeadersPolicyConfig"}[kind]
    return next(e[key] for e in managed.entries(kind) if e[key]["Name"] == f"Managed-{name}")


def _cache(name: str) -> dict:
    return _policy("cache", name)["ParametersInCacheKeyAndForwardedToOrigin"]


def _names(forwarded) -> list[str]:
    return [k.lower() for k, _ in forwarded.headers]


def _header(headers, name):
    return next((v for k, v in headers if k.lower() == name.lower()), None)


VIEWER = [("Host", "d111.cloudfront.net"), ("User-Agent", "curl/8"), ("Accept", "*/*"),
          ("Accept-Encoding", "gzip, deflate, br"), ("Authorization", "Bearer t"), ("Origin", "https://app.example"),
          ("X-Custom", "1"), ("Cookie", "b=2; a=1; junk; c=3"), ("Connection", "keep-alive"), ("TE", "trailers"),
          ("X-Real-IP", "6.6.6.6"), ("X-Forwarded-Proto", "http"), ("X-Edge-Thing", "x"), ("X-Amz-Cf-Id", "fake"),
          ("X-Forwarded-For", "1.1.1.1"), ("Content-Length", "0"), ("CloudFront-Viewer-Country", "XX")]
GENERATED = {"CloudFront-Viewer-Country": "FR", "CloudFront-Forwarded-Proto": "https",
             "CloudFront-Is-Desktop-Viewer": "true", "CloudFront-Viewer-Address": "192.0.2.1:4242"}
QUERY = "z=1&a=2&utm_source=x&a=3&flag"


def _params(headers=None, cookies=None, strings=None, gzip=False, brotli=False) -> dict:
    def section(behavior_key, items_key, spec):
        behavior, names = spec or ("none", [])
        out = {behavior_key: behavior}
        if names:
            out[items_key] = {"Quantity": len(names), "Items": names}
        return out
    return {"EnableAcceptEncodingGzip": gzip, "EnableAcceptEncodingBrotli": brotli,
            "HeadersConfig": section("HeaderBehavior", "Headers", headers),
            "CookiesConfig": section("CookieBehavior", "Cookies", cookies),
            "QueryStringsConfig": section("QueryStringBehavior", "QueryStrings", strings)}


def _orp(headers=None, cookies=None, strings=None) -> dict:
    params = _params(headers, cookies, strings)
    del params["EnableAcceptEncodingGzip"], params["EnableAcceptEncodingBrotli"]
    return params


# -- cache policy alone -----------------------------------------------------------------------------------------
def test_caching_optimized_sends_only_the_defaults():
    sent = to_origin(_cache("CachingOptimized"), None, None, VIEWER, QUERY, GENERATED)
    # Compression support on: the normalized Accept-Encoding goes; everything else from the viewer stays behind.
    assert sent.headers == [("Accept-Encoding", "br,gzip"), ("User-Agent", "Amazon CloudFront")]
    assert sent.cookie is None and sent.query == "" and sent.host is False


def test_caching_disabled_sends_nothing_of_the_viewer():
    sent = to_origin(_cache("CachingDisabled"), None, None, VIEWER, QUERY, GENERATED)
    assert sent.headers == [("User-Agent", "Amazon CloudFront")]


def test_accept_encoding_normalization():
    def encoding(value, gzip, brotli):
        sent = to_origin(_params(gzip=gzip, brotli=brotli), None, None, [("Accept-Encoding", value)], "", {})
        return _header(sent.headers, "Accept-Encoding")
    assert encoding("gzip, deflate, br", True, True) == "br,gzip"
    assert encoding("gzip;q=1.0, deflate", True, True) == "gzip"
    assert encoding("br", True, False) == "identity"  # the enabled format is not offered
    assert encoding("deflate", True, True) == "identity"
    assert encoding("gzip", False, False) is None  # an ordinary header, not named
    assert to_origin(_params(gzip=True), None, None, [], "", {}).headers == [("User-Agent", "Amazon CloudFront")]
    sent = to_origin(_params(gzip=False), _orp(("whitelist", ["accept-encoding"])), None,
                     [("Accept-Encoding", "gzip, deflate")], "", {})
    assert _header(sent.headers, "Accept-Encoding") == "gzip, deflate"


def test_cache_whitelist_headers_any_case_and_authorization():
    sent = to_origin(_params(("whitelist", ["authorization", "X-CUSTOM", "CloudFront-Viewer-Country"])), None, None,
                     VIEWER, "", GENERATED)
    assert sent.headers == [("Authorization", "Bearer t"), ("X-Custom", "1"), ("CloudFront-Viewer-Country", "FR"),
                            ("User-Agent", "Amazon CloudFront")]


def test_cache_whitelist_user_agent_and_host():
    sent = to_origin(_params(("whitelist", ["User-Agent", "Host"])), None, None, VIEWER, "", {})
    assert sent.headers == [("User-Agent", "curl/8")] and sent.host is True


def test_cache_cookie_and_query_behaviors():
    def cookie(spec):
        return to_origin(_params(cookies=spec), None, None, VIEWER, "", {}).cookie

    def query(spec):
        return to_origin(_params(strings=spec), None, None, VIEWER, QUERY, {}).query
    assert cookie(("all", [])) == "a=1; b=2; c=3"  # sorted by name; "junk" is not name=value
    assert cookie(("whitelist", ["c", "a", "A"])) == "a=1; c=3"  # names are case-sensitive
    assert cookie(("allExcept", ["b"])) == "a=1; c=3"
    assert cookie(("none", [])) is None
    assert query(("all", [])) == QUERY
    assert query(("whitelist", ["a", "flag"])) == "a=2&a=3&flag"  # the viewer's order, repeats kept
    assert query(("allExcept", ["utm_source"])) == "z=1&a=2&a=3&flag"
    assert query(("whitelist", ["A"])) == ""


def test_query_names_match_decoded_and_odd_input():
    sent = to_origin(_params(strings=("whitelist", ["a b", "ü"])), None, None, [], "?a+b=1&%C3%BC=2&&x=%zz", {})
    assert sent.query == "a+b=1&%C3%BC=2"
    assert to_origin(_params(strings=("all", [])), None, None, [], "", {}).query == ""


# -- both policies ------------------------------------------------------------------------------------------------
def test_all_viewer_forwards_everything_but_what_cloudfront_never_sends():
    sent = to_origin(_cache("CachingDisabled"), _policy("origin_request", "AllViewer"), None, VIEWER, QUERY,
                     GENERATED)
    assert sent.headers == [("User-Agent", "curl/8"), ("Accept", "*/*"), ("Authorization", "Bearer t"),
                            ("Origin", "https://app.example"), ("X-Custom", "1"),
                            ("Accept-Encoding", "gzip, deflate, br")]
    assert sent.host is True and sent.cookie == "a=1; b=2; c=3" and sent.query == QUERY


def test_all_viewer_except_host_header():
    sent = to_origin(_cache("CachingOptimized"), _policy("origin_request", "AllViewerExceptHostHeader"), None,
                     VIEWER, QUERY, GENERATED)
    assert sent.host is False and "authorization" in _names(sent)
    assert _header(sent.headers, "Accept-Encoding") == "br,gzip"  # the cache policy's normalized value wins
    assert not [n for n in _names(sent) if n.startswith("cloudfront-")]


def test_all_viewer_and_cloudfront_headers():
    sent = to_origin(_cache("CachingDisabled"), _policy("origin_request", "AllViewerAndCloudFrontHeaders-2022-06"),
                     None, VIEWER, "", GENERATED)
    # CloudFront's values, never the viewer's copy of a CloudFront header.
    assert [(k, v) for k, v in sent.headers if k.lower().startswith("cloudfront-")] == list(GENERATED.items())


def test_cors_s3_origin_whitelist():
    viewer = VIEWER + [("Access-Control-Request-Method", "PUT"), ("Access-Control-Request-Headers", "x-a")]
    sent = to_origin(_cache("CachingOptimized"), _policy("origin_request", "CORS-S3Origin"), None, viewer, QUERY,
                     GENERATED)
    assert _names(sent) == ["origin", "access-control-request-method", "access-control-request-headers",
                            "accept-encoding", "user-agent"]
    assert sent.cookie is None and sent.query == ""


def test_user_agent_referer_policy():
    viewer = [("Referer", "https://r.example/"), ("User-Agent", "ua"), ("Accept-Language", "fr")]
    sent = to_origin(_cache("CachingDisabled"), _policy("origin_request", "UserAgentRefererHeaders"), None,
                     viewer, "", {})
    assert sent.headers == viewer[:2]


def test_origin_request_whitelist_cannot_send_authorization():
    sent = to_origin(_params(), _orp(("whitelist", ["Authorization", "X-Custom"])), None, VIEWER, "", {})
    assert _names(sent) == ["x-custom", "user-agent"]


def test_all_except_leaves_out_what_it_lists():
    sent = to_origin(_params(), _orp(("allExcept", ["authorization", "x-custom", "user-agent"])), None, VIEWER, "",
                     GENERATED)
    assert "authorization" not in _names(sent) and "x-custom" not in _names(sent)
    assert _header(sent.headers, "User-Agent") == "Amazon CloudFront" and sent.host is True
    assert not [n for n in _names(sent) if n.startswith("cloudfront-")]


def test_orp_whitelist_names_cloudfront_headers():
    sent = to_origin(_params(("whitelist", ["CloudFront-Forwarded-Proto"])),
                     _orp(("whitelist", ["cloudfront-viewer-address"])), None, VIEWER, "", GENERATED)
    assert [k for k, _ in sent.headers] == ["CloudFront-Forwarded-Proto", "CloudFront-Viewer-Address", "User-Agent"]


def test_the_union_table():
    # Allow list in either: both lists' values go.
    sent = to_origin(_params(cookies=("whitelist", ["a"]), strings=("whitelist", ["z"])),
                     _orp(cookies=("whitelist", ["c"]), strings=("whitelist", ["flag"])), None, VIEWER, QUERY, {})
    assert sent.cookie == "a=1; c=3" and sent.query == "z=1&flag"
    # A cache allow list beats an origin request block list, and an origin request allow list a cache block list.
    sent = to_origin(_params(cookies=("whitelist", ["a"])), _orp(cookies=("allExcept", ["a", "b"])), None, VIEWER,
                     "", {})
    assert sent.cookie == "a=1; c=3"
    sent = to_origin(_params(strings=("allExcept", ["a", "z"])), _orp(strings=("whitelist", ["a"])), None, [],
                     QUERY, {})
    assert sent.query == "a=2&utm_source=x&a=3&flag"
    # Two block lists: what either lists stays behind.
    sent = to_origin(_params(cookies=("allExcept", ["a"])), _orp(cookies=("allExcept", ["b"])), None, VIEWER, "", {})
    assert sent.cookie == "c=3"
    # "all" anywhere: everything.
    sent = to_origin(_params(strings=("allExcept", ["a"])), _orp(strings=("all", [])), None, [], QUERY, {})
    assert sent.query == QUERY


def test_body_and_range_headers_always_go():
    viewer = [("Content-Type", "application/json"), ("Range", "bytes=0-1"), ("If-None-Match", '"x"')]
    sent = to_origin(_params(), None, None, viewer, "", {})
    assert sent.headers == viewer[:2] + [("User-Agent", "Amazon CloudFront")]


# -- legacy ForwardedValues ---------------------------------------------------------------------------------------
def _legacy(headers=(), forward="none", cookies=(), query=False) -> dict:
    cookie = {"Forward": forward}
    if cookies:
        cookie["WhitelistedNames"] = {"Quantity": len(cookies), "Items": list(cookies)}
    return {"QueryString": query, "Cookies": cookie, "Headers": {"Quantity": len(headers), "Items": list(headers)},
            "QueryStringCacheKeys": {"Quantity": 0}}


def test_legacy_defaults_forward_other_headers():
    sent = to_origin(None, None, _legacy(), VIEWER + [("Referer", "r"), ("Range", "bytes=1-")], QUERY, GENERATED)
    assert sent.headers == [("Accept-Encoding", "br,gzip"), ("Origin", "https://app.example"), ("X-Custom", "1"),
                            ("Range", "bytes=1-"), ("User-Agent", "Amazon CloudFront")]
    assert sent.cookie is None and sent.query == "" and sent.host is False


def test_legacy_authorization_by_method():
    assert "authorization" not in _names(to_origin(None, None, _legacy(), VIEWER, "", {}, method="HEAD"))
    assert "authorization" in _names(to_origin(None, None, _legacy(), VIEWER, "", {}, method="POST"))
    assert "authorization" in _names(to_origin(None, None, _legacy(["Authorization"]), VIEWER, "", {}))


def test_legacy_whitelist_and_star():
    sent = to_origin(None, None, _legacy(["Accept", "User-Agent", "Host", "CloudFront-Is-Desktop-Viewer"]), VIEWER,
                     "", GENERATED)
    assert ("Accept", "*/*") in sent.headers and ("User-Agent", "curl/8") in sent.headers and sent.host
    assert ("CloudFront-Is-Desktop-Viewer", "true") in sent.headers
    sent = to_origin(None, None, _legacy(["*"]), VIEWER, "", GENERATED)
    assert sent.host and ("Accept-Encoding", "gzip, deflate, br") in sent.headers
    assert {"authorization", "accept", "user-agent"} <= set(_names(sent))


def test_legacy_cookies_and_query():
    viewer = [("Cookie", "session-1=a; sess=b; other=c"), ("Cookie", "x=1")]
    assert to_origin(None, None, _legacy(forward="all"), viewer, "", {}).cookie == "other=c; sess=b; session-1=a; x=1"
    sent = to_origin(None, None, _legacy(forward="whitelist", cookies=["sess*", "?"], query=True), viewer, QUERY, {})
    assert sent.cookie == "sess=b; session-1=a; x=1" and sent.query == QUERY


def test_forwarding_never_raises_on_odd_input():
    odd = [None, {}, {"HeadersConfig": None, "CookiesConfig": "x", "QueryStringsConfig": {"QueryStrings": 3}},
           {"HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": {"Quantity": 0}}},
           {"HeadersConfig": {"HeaderBehavior": "bogus", "Headers": {"Items": [None, 5]}}}]
    for policy in odd:
        for other in odd:
            sent = to_origin(policy, other, other, [("Cookie", "=; ;=x"), ("X", "")], "&&=", {"A": "b"})
            assert isinstance(sent.headers, list)
    to_origin(None, None, {"Headers": "*", "Cookies": {"Forward": "whitelist", "WhitelistedNames": None}},
              [("Cookie", "a")], None, None)


# -- response headers policies ------------------------------------------------------------------------------------
CORS_GET = [("Origin", "https://app.example")]
PREFLIGHT = CORS_GET + [("Access-Control-Request-Method", "PUT"), ("Access-Control-Request-Headers", "x-a")]


def test_simple_cors_only_for_cors_requests():
    policy = _policy("response_headers", "SimpleCORS")
    assert response_headers.apply(policy, [], [("Content-Type", "text/plain")], "GET") == [("Content-Type",
                                                                                             "text/plain")]
    assert response_headers.apply(policy, CORS_GET, [], "GET") == [("Access-Control-Allow-Origin", "*")]
    # Not overriding: the origin's own value stays.
    got = response_headers.apply(policy, CORS_GET, [("access-control-allow-origin", "https://o")], "GET")
    assert got == [("access-control-allow-origin", "https://o")]


def test_cors_with_preflight():
    policy = _policy("response_headers", "CORS-With-Preflight")
    got = response_headers.apply(policy, PREFLIGHT, [], "OPTIONS")
    assert got == [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Headers", "*"),
                   ("Access-Control-Allow-Methods", "GET, DELETE, HEAD, OPTIONS, PATCH, POST, PUT"),
                   ("Access-Control-Max-Age", "600")]
    got = response_headers.apply(policy, CORS_GET, [], "GET")
    assert got == [("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", "*")]
    # OPTIONS without Access-Control-Request-Method is not a preflight.
    assert "Access-Control-Max-Age" not in dict(response_headers.apply(policy, CORS_GET, [], "OPTIONS"))


def _cors(origins, override=False, credentials=False, methods=("GET", "POST")) -> dict:
    return {"CorsConfig": {"AccessControlAllowOrigins": {"Quantity": len(origins), "Items": list(origins)},
                           "AccessControlAllowHeaders": {"Quantity": 2, "Items": ["X-A", "Authorization"]},
                           "AccessControlAllowMethods": {"Quantity": len(methods), "Items": list(methods)},
                           "AccessControlAllowCredentials": credentials, "OriginOverride": override}}


def test_cors_listed_origins_are_echoed():
    policy = _cors(["https://app.example", "https://*.example.org"], override=True, credentials=True)
    got = dict(response_headers.apply(policy, PREFLIGHT, [("Access-Control-Allow-Origin", "*")], "OPTIONS"))
    assert got == {"Access-Control-Allow-Origin": "https://app.example", "Access-Control-Allow-Credentials": "true",
                   "Access-Control-Allow-Headers": "X-A, Authorization",
                   "Access-Control-Allow-Methods": "GET, POST"}
    for origin, allowed in [("https://a.b.example.org", True), ("https://example.org", False),
                            ("http://a.example.org", False), ("https://evil.example", False)]:
        got = response_headers.apply(policy, [("Origin", origin)], [], "GET")
        assert (_header(got, "Access-Control-Allow-Origin") == origin) is allowed
        assert bool(got) is allowed  # a refused origin gets no CORS header at all


def test_security_headers_policy():
    policy = _policy("response_headers", "SecurityHeadersPolicy")
    got = response_headers.apply(policy, [], [("X-Content-Type-Options", "x"), ("X-Frame-Options", "DENY")], "GET")
    assert got == [("X-Frame-Options", "DENY"), ("Strict-Transport-Security", "max-age=31536000"),
                   ("X-Content-Type-Options", "nosniff"), ("X-XSS-Protection", "1; mode=block"),
                   ("Referrer-Policy", "strict-origin-when-cross-origin")]


def test_security_header_values():
    config = {"StrictTransportSecurity": {"Override": True, "IncludeSubdomains": True, "Preload": True,
                                          "AccessControlMaxAgeSec": 31536000},
              "XSSProtection": {"Override": True, "Protection": True, "ReportUri": "https://r.example/x"},
              "FrameOptions": {"Override": False, "FrameOption": "SAMEORIGIN"},
              "ContentSecurityPolicy": {"Override": True, "ContentSecurityPolicy": "default-src 'self'"}}
    got = dict(response_headers.apply({"SecurityHeadersConfig": config}, [],
                                      [("strict-transport-security", "max-age=1")], "GET"))
    assert got["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert got["X-XSS-Protection"] == "1; report=https://r.example/x"
    assert got["X-Frame-Options"] == "SAMEORIGIN" and got["Content-Security-Policy"] == "default-src 'self'"
    assert "strict-transport-security" not in got
    off = {"XSSProtection": {"Override": True, "Protection": False, "ModeBlock": True}}
    assert response_headers.apply({"SecurityHeadersConfig": off}, [], [], "GET") == [("X-XSS-Protection", "0")]


def test_managed_cors_and_security_together():
    policy = _policy("response_headers", "CORS-with-preflight-and-SecurityHeadersPolicy")
    got = dict(response_headers.apply(policy, PREFLIGHT, [], "OPTIONS"))
    assert got["Access-Control-Allow-Origin"] == "*" and got["X-Content-Type-Options"] == "nosniff"


def test_custom_and_remove_headers():
    policy = {"CustomHeadersConfig": {"Quantity": 3, "Items": [
                  {"Header": "Cache-Control", "Value": "no-store", "Override": True},
                  {"Header": "X-Kept", "Value": "policy", "Override": False},
                  {"Header": "X-Empty", "Override": False}]},
              "RemoveHeadersConfig": {"Quantity": 4, "Items": [{"Header": "X-Powered-By"}, {"Header": "vary"},
                                                               {"Header": "X-Kept"}, {"Header": "Via"}]}}
    origin = [("Cache-Control", "max-age=60"), ("X-Powered-By", "php"), ("Vary", "Accept"), ("X-Kept", "origin"),
              ("Via", "1.1 proxy")]
    got = response_headers.apply(policy, [], origin, "GET")
    # X-Kept is removed first, then added back with the policy's value; Via cannot be removed.
    assert got == [("Via", "1.1 proxy"), ("Cache-Control", "no-store"), ("X-Kept", "policy"), ("X-Empty", "")]


def test_server_timing():
    policy = {"ServerTimingHeadersConfig": {"Enabled": True, "SamplingRate": 50.0}}
    got = response_headers.apply(policy, [], [("Server-Timing", "db;dur=53")], "GET", request_id="rid",
                                 chance=lambda: 0.1)
    assert got == [("Server-Timing", 'cdn-upstream-layer;desc="EDGE",cdn-cache-miss,cdn-pop;desc="LOC50-C1",'
                                     'cdn-rid;desc="rid",db;dur=53')]
    assert response_headers.apply(policy, [], [], "GET", chance=lambda: 0.9) == []
    zero = {"ServerTimingHeadersConfig": {"Enabled": True, "SamplingRate": 0}}
    assert _header(response_headers.apply(zero, [("Pragma", "server-timing")], [], "GET"), "Server-Timing")
    off = {"ServerTimingHeadersConfig": {"Enabled": False, "SamplingRate": 100}}
    assert response_headers.apply(off, [("Pragma", "server-timing")], [], "GET") == []


def test_preflight_is_never_answered_by_cloudfront():
    policy = _policy("response_headers", "CORS-With-Preflight")
    assert response_headers.preflight(policy, PREFLIGHT, "OPTIONS") is False
    assert response_headers.is_preflight(PREFLIGHT, "options") is True
    assert response_headers.is_preflight(CORS_GET, "OPTIONS") is False


@pytest.mark.parametrize("policy", [None, {}, {"CorsConfig": None}, {"CorsConfig": {"AccessControlAllowOrigins": 5}},
                                    {"SecurityHeadersConfig": {"StrictTransportSecurity": {"AccessControlMaxAgeSec":
                                                                                           "x"}, "FrameOptions": 1}},
                                    {"CustomHeadersConfig": {"Items": [None, "x", {"Value": "v"}]},
                                     "RemoveHeadersConfig": {"Quantity": 0},
                                     "ServerTimingHeadersConfig": {"Enabled": True, "SamplingRate": "all"}}])
def test_response_headers_never_raise(policy):
    got = response_headers.apply(policy, [("Origin", None), ("Pragma", "x")], [("A", "1"), (None, "x")], None)
    assert ("A", "1") in got
