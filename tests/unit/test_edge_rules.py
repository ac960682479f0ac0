"""The edge's pure rules: path patterns as CloudFront matches them, the function event as it builds it,
the Host header as it reads it."""
from __future__ import annotations

from cloudfront_local.edge import events, routing
from cloudfront_local.edge.patterns import behavior_for, matches, normalised


def test_path_patterns():
    assert matches("*", "/anything/at/all")
    assert matches("/images/*.jpg", "/images/a/b.jpg")  # `*` crosses slashes
    assert matches("images/*", "/images/x")  # the leading slash is optional
    assert not matches("/images/*.jpg", "/images/a.JPG")  # case-sensitive
    assert matches("/a?c", "/abc") and not matches("/a?c", "/ac") and not matches("/a?c", "/abbc")
    assert not matches("/api", "/api/x")  # the whole path, not a prefix
    assert matches("/a.b+(c)", "/a.b+(c)") and not matches("/a.b", "/aXb")  # the rest is literal


def test_behaviors_in_order_default_last():
    config = {"DefaultCacheBehavior": {"TargetOriginId": "default"},
              "CacheBehaviors": {"Quantity": 2, "Items": [{"PathPattern": "/api/v1/*", "TargetOriginId": "v1"},
                                                          {"PathPattern": "/api/*", "TargetOriginId": "api"}]}}
    assert behavior_for(config, "/api/v1/x")["TargetOriginId"] == "v1"
    assert behavior_for(config, "/api/v2/x")["TargetOriginId"] == "api"
    assert behavior_for(config, "/other")["TargetOriginId"] == "default"
    assert behavior_for({"DefaultCacheBehavior": {"TargetOriginId": "d"}}, "/x")["TargetOriginId"] == "d"
    # Matched on the path RFC 3986 normalises: another spelling cannot slip past a behavior.
    for spelling in ("/api/v1/x", "/x/../api/v1/x", "/%61pi/v1/x", "/api/./v1/x", "/api/v2/%2E%2E/v1/x"):
        assert behavior_for(config, spelling)["TargetOriginId"] == "v1", spelling


def test_normalised_paths():
    assert normalised("/a/./b/../c") == "/a/c"
    assert normalised("/..") == "/" and normalised("/a/..") == "/"
    assert normalised("/a/b/.") == "/a/b/"
    assert normalised("/%7e%41%2f") == "/~A%2F"  # unreserved decoded, the rest upper case and kept
    assert normalised("/a%zz") == "/a%zz"  # not an escape: left as it is


def test_request_event():
    request = events.request_event("GET", "/p", "a=1&b=2&a=3&flag", [
        ("Host", "example.com"), ("Accept", "text/html"), ("X-Multi", "1"), ("X-Multi", "2"),
        ("Cookie", "id=42; theme=dark")])
    assert request["querystring"] == {"a": {"value": "1", "multiValue": [{"value": "1"}, {"value": "3"}]},
                                      "b": {"value": "2"}, "flag": {"value": ""}}
    assert request["headers"]["host"] == {"value": "example.com"}
    assert request["headers"]["x-multi"]["multiValue"] == [{"value": "1"}, {"value": "2"}]
    assert "cookie" not in request["headers"]
    assert request["cookies"] == {"id": {"value": "42"}, "theme": {"value": "dark"}}
    event = events.event("viewer-request", {"distributionId": "E1"}, "198.51.100.7", request)
    assert event["version"] == "1.0"
    assert event["context"] == {"distributionId": "E1", "eventType": "viewer-request"}
    assert event["viewer"] == {"ip": "198.51.100.7"}
    # and back: the query string and cookies written as a request carries them
    assert events.query_text(request["querystring"]) == "a=1&a=3&b=2&flag"
    assert events.cookie_header(request["cookies"]) == "id=42; theme=dark"


def test_response_event_and_set_cookie():
    seen = events.response_event(200, "OK", [("Content-Type", "text/plain"), ("Set-Cookie", "s=1; Path=/")])
    assert seen["statusCode"] == 200 and seen["headers"] == {"content-type": {"value": "text/plain"}}
    assert seen["cookies"] == {"s": {"value": "1", "attributes": "Path=/"}}
    assert events.set_cookie_values(seen["cookies"]) == ["s=1; Path=/"]


def test_host_names():
    assert routing.host_name("Shop.Example.COM:4598") == "shop.example.com"
    assert routing.host_name("shop.example.com.") == "shop.example.com"
    assert routing.host_name(None) == ""
    assert routing.host_name("[::1]:80") == "[::1]"


def test_unsendable_headers_and_statuses_are_not_sent():
    from cloudfront_local.edge.pipeline import EdgeResponse, finish

    answer = finish(EdgeResponse(200, [("X-Ok", "1"), ("Bad Name", "x"), ("X-Split", "a\r\nInjected: 1"),
                                       ("Connection", "close")]), "id", "Miss")
    names = [name for name, _ in answer.headers]
    assert "X-Ok" in names and "Bad Name" not in names and "X-Split" not in names and "Connection" not in names
    assert finish(EdgeResponse(1000), "id", "Miss").status == 503


def test_localhost_names():
    """A `.localhost` form stands for the name without it, `LABEL.cloudfront.localhost` for
    `LABEL.cloudfront.net`; the name as written is tried first; `localhost` and `X.localhost` for a one-label X
    stand for nothing else."""
    assert routing.names("d111111abcdef8.cloudfront.localhost") == ("d111111abcdef8.cloudfront.localhost",
                                                                    "d111111abcdef8.cloudfront.net")
    assert routing.names("d111111abcdef8.cloudfront.net.localhost")[1] == "d111111abcdef8.cloudfront.net"
    assert routing.names("www.example.com.localhost")[1] == "www.example.com"
    assert routing.names("www.example.com") == ("www.example.com",)
    assert routing.names("localhost") == ("localhost",)
    assert routing.names("shop.localhost") == ("shop.localhost",)
    assert routing.names("cloudfront.localhost") == ("cloudfront.localhost",)
