"""A fresh hit is written straight from the connection's protocol (server.ViewerProtocol._write_now), not through
an ASGI task: on the wire it must be the answer the ASGI way gives. Raw sockets, so that every byte is seen:
pipelined requests answered in order (a miss before a hit included), HEAD, HTTP/1.0 and Connection: close."""
from __future__ import annotations

import socket
import urllib.parse

import origin_servers
import pytest
import requests

from builders import direct_config
from conftest import make_client
from serving import RunningServer

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


@pytest.fixture(scope="module")
def edge():
    origin = origin_servers.start(origin_servers.Named, "page-body")
    with RunningServer() as server:
        requests.post(server.url + "/_cloudfront-local/dns", json={"name": "app.example.com", "type": "A",
                                                                   "value": "127.0.0.1"}, timeout=5)
        behavior = {"TargetOriginId": "app", "ViewerProtocolPolicy": "allow-all"}
        made = make_client(server.url, "123456789012").create_distribution(DistributionConfig=direct_config(
            Origins={"Quantity": 1, "Items": [{"Id": "app", "DomainName": "app.example.com", "CustomOriginConfig": {
                "HTTPPort": origin.server_address[1], "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
            DefaultCacheBehavior={**behavior, "CachePolicyId": CACHING_OPTIMIZED},
            CacheBehaviors={"Quantity": 1, "Items": [{**behavior, "PathPattern": "/live/*",
                                                      "CachePolicyId": CACHING_DISABLED}]}))["Distribution"]
        address = urllib.parse.urlsplit(server.edge_url)
        yield (address.hostname, address.port), made["DomainName"]
    origin.shutdown()


def _request(host: str, path: str, method: str = "GET", version: str = "1.1", extra: str = "") -> bytes:
    return f"{method} {path} HTTP/{version}\r\nHost: {host}\r\nUser-Agent: t\r\n{extra}\r\n".encode()


def _read_answers(sock: socket.socket, count: int, heads_only: tuple[int, ...] = ()) -> list[tuple[str, dict, bytes]]:
    """`count` answers off the socket: status line, headers (lower-cased names, each value list), body."""
    data, answers = b"", []
    while len(answers) < count:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            assert chunk, f"the connection closed after {len(answers)} answers"
            data += chunk
        head, data = data.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        headers: dict[str, list[str]] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), []).append(value.strip())
        length = 0 if len(answers) in heads_only else int(headers["content-length"][0])
        while len(data) < length:
            data += sock.recv(65536)
        answers.append((lines[0], headers, data[:length]))
        data = data[length:]
    assert data == b"", f"bytes past the last answer: {data[:200]!r}"
    return answers


def _connect(address) -> socket.socket:
    sock = socket.create_connection(address, timeout=10)
    return sock


def test_pipelined_hits_and_a_miss_before_them_come_back_in_order(edge):
    address, host = edge
    with _connect(address) as sock:
        sock.sendall(_request(host, "/page"))
        assert _read_answers(sock, 1)[0][1]["x-cache"] == ["Miss from cloudfront"]
    with _connect(address) as sock:
        sock.sendall(_request(host, "/live/x") + _request(host, "/page") + _request(host, "/page"))
        answers = _read_answers(sock, 3)
    assert [a[0] for a in answers] == ["HTTP/1.1 200 OK"] * 3
    assert [a[1]["x-cache"] for a in answers] == [["Miss from cloudfront"], ["Hit from cloudfront"],
                                                  ["Hit from cloudfront"]]
    for _, headers, body in answers:
        assert body == b"page-body"
        assert len(headers["date"]) == 1 and len(headers["content-length"]) == 1
        assert "connection" not in headers
    # The hits (written at once) carry what the miss (through ASGI) does, and an Age.
    assert set(answers[1][1]) == set(answers[2][1]) == set(answers[0][1]) | {"age"}
    assert answers[1][1]["x-amz-cf-id"] != answers[2][1]["x-amz-cf-id"]


def test_head_hit_has_the_length_and_no_body_and_the_connection_goes_on(edge):
    address, host = edge
    with _connect(address) as sock:
        sock.sendall(_request(host, "/page"))
        _read_answers(sock, 1)
        sock.sendall(_request(host, "/page", "HEAD") + _request(host, "/page"))
        head, get = _read_answers(sock, 2, heads_only=(0,))
    assert head[1]["x-cache"] == ["Hit from cloudfront"] and head[1]["content-length"] == ["9"]
    assert get[2] == b"page-body"


@pytest.mark.parametrize("version, extra", [("1.0", ""), ("1.1", "Connection: close\r\n")])
def test_a_hit_the_viewer_asked_to_close_on_is_closed_after(edge, version, extra):
    address, host = edge
    with _connect(address) as sock:
        sock.sendall(_request(host, "/page"))
        _read_answers(sock, 1)
    with _connect(address) as sock:
        sock.sendall(_request(host, "/page", version=version, extra=extra))
        status, headers, body = _read_answers(sock, 1)[0]
        assert sock.recv(10) == b""  # closed by the edge
    assert (status, headers["x-cache"], headers["connection"], body) == (
        "HTTP/1.1 200 OK", ["Hit from cloudfront"], ["close"], b"page-body")
