"""The edge's cache as CloudFront keys, ages, revalidates and invalidates it (cloudfront_local/edge/cache.py)."""
from __future__ import annotations

import threading
from email.utils import formatdate

from cloudfront_local.edge.cache import (Cache, Entry, KeyRules, accept_encoding, cache_key, cacheable_method,
                                         cached_query, invalidated, key_rules, refreshed, revalidation_headers,
                                         ttl)

NOW = 1_800_000_000.0


def policy(headers=None, cookies=("none", []), query=("none", []), gzip=False, brotli=False,
           min_ttl=1, default_ttl=86400, max_ttl=31536000) -> dict:
    def listed(items):
        return {"Quantity": len(items), "Items": list(items)}
    return {"Name": "p", "MinTTL": min_ttl, "DefaultTTL": default_ttl, "MaxTTL": max_ttl,
            "ParametersInCacheKeyAndForwardedToOrigin": {
                "EnableAcceptEncodingGzip": gzip, "EnableAcceptEncodingBrotli": brotli,
                "HeadersConfig": {"HeaderBehavior": "whitelist" if headers else "none",
                                  **({"Headers": listed(headers)} if headers else {})},
                "CookiesConfig": {"CookieBehavior": cookies[0], "Cookies": listed(cookies[1])},
                "QueryStringsConfig": {"QueryStringBehavior": query[0], "QueryStrings": listed(query[1])}}}


def key(rules, uri="/a", query="", headers=(), method="GET", scope="E1"):
    return cache_key(rules, scope, method, uri, query, list(headers))


def entry(path="/a", stored=NOW, query="", headers=None, body=b"x") -> Entry:
    return Entry(200, "OK", headers or [], body, stored, stored + 60, path, "E1", query)


# -- rules -----------------------------------------------------------------------------------------------------
def test_key_rules_from_a_cache_policy():
    rules = key_rules(policy(headers=["Origin", "X-Thing"], cookies=("allExcept", ["s"]), query=("whitelist", ["v"]),
                             gzip=True, brotli=True, min_ttl=5, default_ttl=60, max_ttl=600), {"ForwardedValues": {}})
    assert rules == KeyRules(headers=frozenset({"origin", "x-thing"}), cookies="allExcept", cookie_names=("s",),
                             query="whitelist", query_names=frozenset({"v"}), gzip=True, brotli=True,
                             min_ttl=5, default_ttl=60, max_ttl=600)
    assert key_rules({"ParametersInCacheKeyAndForwardedToOrigin": {}}, {}) == KeyRules()  # the API's defaults


def test_key_rules_from_legacy_forwarded_values():
    behavior = {"MinTTL": 0, "DefaultTTL": 30, "MaxTTL": 90, "Compress": True,
                "ForwardedValues": {"QueryString": True, "QueryStringCacheKeys": {"Quantity": 1, "Items": ["q"]},
                                    "Cookies": {"Forward": "whitelist",
                                                "WhitelistedNames": {"Quantity": 1, "Items": ["user_*"]}},
                                    "Headers": {"Quantity": 1, "Items": ["Accept-Language"]}}}
    rules = key_rules(None, behavior)
    assert (rules.query, rules.query_names, rules.cookies, rules.headers) == (
        "whitelist", frozenset({"q"}), "whitelist", frozenset({"accept-language"}))
    assert (rules.gzip, rules.brotli, rules.default_ttl, rules.max_ttl) == (True, False, 30, 90)
    every_query = key_rules(None, {"MinTTL": 0, "ForwardedValues": {"QueryString": True}})
    assert every_query.query == "all" and every_query.default_ttl == 86400 and every_query.max_ttl == 31536000
    assert key_rules(None, {"MinTTL": 0, "ForwardedValues": {"QueryString": False}}).query == "none"
    # every header forwarded: CloudFront caches nothing for the behavior
    everything = key_rules(None, {"MinTTL": 0, "ForwardedValues": {"Headers": {"Quantity": 1, "Items": ["*"]}}})
    assert ttl(everything, 200, [("Cache-Control", "max-age=60")], NOW) == 0


# -- the key ---------------------------------------------------------------------------------------------------
def test_key_holds_only_what_the_rules_name():
    bare = key_rules(policy(), {})
    assert key(bare, query="a=1", headers=[("X-Thing", "1"), ("Cookie", "s=1")]) == key(bare)
    assert key(bare, uri="/a") != key(bare, uri="/b")
    assert key(bare, scope="E1") != key(bare, scope="E1/T1")
    assert key(bare, uri="/A") != key(bare, uri="/a")


def test_query_strings_keep_order_and_case():
    every = key_rules(policy(query=("all", [])), {})
    assert key(every, query="a=1&b=2") != key(every, query="b=2&a=1")
    assert key(every, query="a=1") != key(every, query="A=1") != key(every, query="a=X")
    listed = key_rules(policy(query=("whitelist", ["a", "c"])), {})
    assert cached_query(listed, "a=1&b=2&c=3&A=4") == "a=1&c=3"
    assert key(listed, query="a=1&b=2") == key(listed, query="a=1&b=9")
    assert cached_query(key_rules(policy(query=("allExcept", ["b"])), {}), "a=1&b=2&&c") == "a=1&c"
    assert cached_query(listed, "%61=1") == "%61=1"   # names compare percent-decoded
    assert cached_query(key_rules(policy(), {}), "a=1") == ""


def test_headers_by_name_case_insensitively():
    rules = key_rules(policy(headers=["X-Thing", "Origin"]), {})
    assert key(rules, headers=[("x-thing", "1"), ("Origin", "o")]) == key(rules, headers=[("Origin", "o"),
                                                                                           ("X-THING", "1")])
    assert key(rules, headers=[("X-Thing", "1")]) != key(rules, headers=[("X-Thing", "A")])
    assert key(rules, headers=[("X-Thing", "")]) != key(rules)
    assert key(rules, headers=[("X-Other", "1")]) == key(rules)


def test_cookies_by_name():
    listed = key_rules(policy(cookies=("whitelist", ["id"])), {})
    assert key(listed, headers=[("Cookie", "id=1; theme=dark")]) == key(listed, headers=[("Cookie", "id=1")])
    assert key(listed, headers=[("Cookie", "id=1")]) != key(listed, headers=[("Cookie", "id=2")])
    assert key(listed, headers=[("Cookie", "ID=1")]) == key(listed)   # names are case-sensitive
    every = key_rules(policy(cookies=("all", [])), {})
    assert key(every, headers=[("Cookie", "a=1; b=2")]) == key(every, headers=[("Cookie", "b=2"), ("Cookie", "a=1")])
    assert key(every, headers=[("Cookie", "a=1")]) != key(every, headers=[("Cookie", "a=1; b=2")])
    allbut = key_rules(policy(cookies=("allExcept", ["track"])), {})
    assert key(allbut, headers=[("Cookie", "a=1; track=9")]) == key(allbut, headers=[("Cookie", "a=1; track=0")])
    legacy = key_rules(None, {"MinTTL": 0, "ForwardedValues": {"Cookies": {
        "Forward": "whitelist", "WhitelistedNames": {"Quantity": 2, "Items": ["user_*", "v?"]}}}})
    assert key(legacy, headers=[("Cookie", "user_7=a; v1=b; other=c")]) != key(legacy, headers=[("Cookie", "other=c")])
    assert key(legacy, headers=[("Cookie", "other=c; v12=x")]) == key(legacy)
    assert key(bare := key_rules(policy(cookies=("whitelist", ["user_*"])), {}),
               headers=[("Cookie", "user_7=a")]) == key(bare)   # cache policies take names literally


def test_accept_encoding_normalised_when_a_flag_is_on():
    both = key_rules(policy(gzip=True, brotli=True), {})
    assert accept_encoding(both, [("Accept-Encoding", "gzip, deflate, br;q=0.9")]) == "br,gzip"
    assert accept_encoding(both, [("Accept-Encoding", "GZIP, deflate")]) == "gzip"
    assert accept_encoding(both, [("Accept-Encoding", "deflate")]) is None
    # A coding refused with q=0 is not accepted: the key must not promise what the viewer refused.
    assert accept_encoding(both, [("Accept-Encoding", "gzip;q=0, identity")]) is None
    assert accept_encoding(both, [("Accept-Encoding", "br;q=0.0, gzip")]) == "gzip"
    assert accept_encoding(key_rules(policy(gzip=True), {}), [("Accept-Encoding", "br, gzip")]) == "gzip"
    assert accept_encoding(key_rules(policy(brotli=True), {}), [("Accept-Encoding", "br, gzip")]) == "br"
    assert accept_encoding(key_rules(policy(), {}), [("Accept-Encoding", "gzip")]) is None
    assert key(both, headers=[("Accept-Encoding", "br, gzip")]) == key(both, headers=[("Accept-Encoding", "gzip,br")])
    assert key(both, headers=[("Accept-Encoding", "gzip")]) != key(both)
    off = key_rules(policy(), {})
    assert key(off, headers=[("Accept-Encoding", "gzip")]) == key(off)


def test_get_and_head_share_options_apart():
    rules = key_rules(policy(), {})
    assert key(rules, method="GET") == key(rules, method="HEAD") != key(rules, method="OPTIONS")
    assert cacheable_method({}, "GET") and cacheable_method({}, "HEAD")
    assert not cacheable_method({}, "OPTIONS") and not cacheable_method({}, "POST")
    allowed = {"AllowedMethods": {"Quantity": 3, "Items": ["GET", "HEAD", "OPTIONS"],
                                  "CachedMethods": {"Quantity": 3, "Items": ["GET", "HEAD", "OPTIONS"]}}}
    assert cacheable_method(allowed, "OPTIONS") and not cacheable_method(allowed, "PUT")


# -- how long --------------------------------------------------------------------------------------------------
def test_ttl_from_the_origin_headers_within_min_and_max():
    rules = key_rules(policy(min_ttl=10, default_ttl=100, max_ttl=1000), {})
    assert ttl(rules, 200, [], NOW) == 100
    assert ttl(rules, 200, [("Cache-Control", "public, max-age=500")], NOW) == 500
    assert ttl(rules, 200, [("Cache-Control", "max-age=5000")], NOW) == 1000
    assert ttl(rules, 200, [("Cache-Control", "max-age=1")], NOW) == 10
    assert ttl(rules, 200, [("Cache-Control", "max-age=50, s-maxage=300")], NOW) == 300
    assert ttl(rules, 200, [("Cache-Control", "max-age=50"), ("Expires", formatdate(NOW + 900, usegmt=True))],
               NOW) == 50
    assert ttl(rules, 200, [("Expires", formatdate(NOW + 900, usegmt=True))], NOW) == 900
    assert ttl(rules, 200, [("Expires", formatdate(NOW + 9000, usegmt=True))], NOW) == 1000
    assert ttl(rules, 200, [("Expires", "0")], NOW) == 10
    for directive in ("no-cache", "no-store", "private", "max-age=500, No-Store"):
        assert ttl(rules, 200, [("Cache-Control", directive)], NOW) == 10
    assert ttl(rules, 200, [("Cache-Control", 'no-cache="Set-Cookie", max-age=60')], NOW) == 60
    zero = key_rules(policy(min_ttl=0), {})
    assert ttl(zero, 200, [("Cache-Control", "no-store")], NOW) == 0
    assert ttl(zero, 301, [("Cache-Control", "max-age=60")], NOW) == 60
    assert ttl(zero, 206, [], NOW) == ttl(zero, 304, [], NOW) == ttl(zero, 101, [], NOW) == 0


def test_ttl_of_errors():
    rules = key_rules(policy(min_ttl=0, default_ttl=100, max_ttl=1000), {})
    assert ttl(rules, 404, [], NOW) == 10 and ttl(rules, 503, [("Cache-Control", "no-store")], NOW) == 10
    assert ttl(rules, 404, [("Cache-Control", "max-age=60")], NOW) == 60
    assert ttl(rules, 404, [("Cache-Control", "max-age=1")], NOW) == 10
    assert ttl(rules, 404, [("Cache-Control", "max-age=5000")], NOW) == 1000
    assert ttl(rules, 403, [], NOW) == 0 and ttl(rules, 403, [("Cache-Control", "s-maxage=30")], NOW) == 30
    assert ttl(rules, 400, [("Expires", formatdate(NOW + 60, usegmt=True))], NOW) == 0  # max-age or s-maxage only
    assert ttl(rules, 416, [("Cache-Control", "max-age=60")], NOW) == 0
    assert ttl(rules, 401, [("Cache-Control", "max-age=60")], NOW) == 0
    assert ttl(rules, 500, [], NOW, custom_error_ttl=300) == 300
    assert ttl(rules, 500, [], NOW, custom_error_ttl=0) == 0
    disabled = key_rules(policy(min_ttl=0, default_ttl=0, max_ttl=0), {})
    assert ttl(disabled, 404, [], NOW) == 0 and ttl(disabled, 200, [("Cache-Control", "max-age=9")], NOW) == 0


# -- entries and the cache ---------------------------------------------------------------------------------------
def test_entry_age():
    item = entry(stored=NOW)
    assert item.age(NOW + 12.7) == 12 and item.age(NOW - 5) == 0
    assert item.fresh(NOW + 59) and not item.fresh(NOW + 60)


def test_cache_keeps_expired_entries_and_removes():
    cache = Cache()
    cache.put("k", entry(stored=NOW - 1000))
    assert cache.get("k").stored == NOW - 1000 and len(cache) == 1 and cache.bytes_held > 0
    cache.remove("k")
    assert cache.get("k") is None and cache.bytes_held == 0
    cache.put("a", entry())
    cache.put("b", entry())
    cache.clear()
    assert len(cache) == 0 and cache.bytes_held == 0


def test_cache_evicts_least_recently_used():
    cache = Cache(max_bytes=8000)
    for name in "abcdefgh":  # eight of about 970 bytes each fit
        cache.put(name, entry(body=b"x" * 900))
    assert len(cache) == 8
    cache.get("a")           # a is now the most recently used
    cache.put("i", entry(body=b"x" * 900))
    assert cache.bytes_held <= 8000
    held = {name for name in "abcdefghi" if cache.get(name) is not None}
    assert held == set("acdefghi")
    cache.put("big", entry(body=b"x" * 1001))   # over max_bytes // 8: not kept
    assert cache.get("big") is None
    cache.put("a", entry(body=b"y"))            # replacing an entry releases its bytes
    assert cache.get("a").body == b"y" and cache.bytes_held <= 8000


def test_cache_from_threads():
    cache, errors = Cache(max_bytes=200_000), []

    def work(n):
        try:
            for i in range(300):
                cache.put(f"{n}-{i % 40}", entry(body=bytes(500)))
                got = cache.get(f"{n}-{i % 40}")
                assert got is None or got.body == bytes(500)
                if i % 7 == 0:
                    cache.remove(f"{n}-{(i + 3) % 40}")
        except Exception as failure:   # the assertion is reported from the main thread
            errors.append(failure)
    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert cache.bytes_held <= 200_000 and len(cache) > 0
    for n in range(6):       # the byte count stayed true: removing every key brings it back to zero
        for i in range(40):
            cache.remove(f"{n}-{i}")
    assert len(cache) == 0 and cache.bytes_held == 0


# -- revalidation ----------------------------------------------------------------------------------------------
def test_revalidation_headers():
    assert revalidation_headers(entry(headers=[("ETag", '"v1"'), ("Last-Modified", "Tue, 01 Dec 2026 00:00:00 GMT")])
                                ) == [("If-None-Match", '"v1"'), ("If-Modified-Since", "Tue, 01 Dec 2026 00:00:00 GMT")]
    assert revalidation_headers(entry(headers=[("etag", '"v2"')])) == [("If-None-Match", '"v2"')]
    assert revalidation_headers(entry(headers=[("Content-Type", "text/plain")])) == []


def test_refreshed_by_a_304():
    old = entry(stored=NOW - 500, headers=[("ETag", '"v1"'), ("Cache-Control", "max-age=60"),
                                           ("Content-Length", "1"), ("Content-Type", "text/plain")])
    new = refreshed(old, [("Cache-Control", "max-age=120"), ("Content-Length", "0"), ("Connection", "close"),
                          ("Date", "x")], 120, NOW)
    assert new.stored == NOW and new.expires == NOW + 120 and new.body == old.body and new.status == 200
    headers = dict(new.headers)
    assert headers["Cache-Control"] == "max-age=120" and headers["Content-Length"] == "1"
    assert headers["ETag"] == '"v1"' and headers["Date"] == "x" and "Connection" not in headers
    assert old.stored == NOW - 500   # the old entry is not changed in place


# -- invalidations ---------------------------------------------------------------------------------------------
def test_invalidation_paths():
    stored = 1_796_188_575.123   # 2026-12-02T05:16:15.123Z
    made = "2026-12-02T05:16:15.123Z"

    def hit(path, query="", paths=(), when=made):
        return invalidated(entry(path=path, stored=stored, query=query), [{"CreateTime": when, "Paths": list(paths)}])
    assert hit("/a", paths=["/a"]) and not hit("/a/b", paths=["/a"])
    assert hit("/images/x/y.png", paths=["/images/*"]) and hit("/images2", paths=["/images*"])
    assert not hit("/Images/x", paths=["/images/*"])                   # case-sensitive
    assert hit("/", paths=["/*"])
    assert not hit("/a", "v=1", paths=["/a"]) and hit("/a", "v=1", paths=["/a?v=1"]) and hit("/a", "v=1", paths=["/a*"])
    assert hit("/a b", paths=["/a%20b"])
    assert not hit("/a*b", paths=["/a*c"]) and hit("/a*b", paths=["/a*b"])  # only a final * is a wildcard
    assert hit("/a", paths=["/a"], when="2026-12-02T05:16:16.000Z")
    assert hit("/a", paths=["/a"], when="2026-12-02T05:16:15.122Z")   # a millisecond of slack, to be safe
    assert not hit("/a", paths=["/a"], when="2026-12-02T05:16:15.121Z")   # made before the entry was stored
    assert not hit("/a", paths=["/a"], when="2026-12-02T05:16:15Z")   # whole seconds: 15.000 < 15.123
    assert not invalidated(entry(), [])
