"""The simulated geo table (`/_cloudfront-local/geo`): add, list, replace, clear; bad input is a 400, never a
5xx; under --credentials the endpoint needs a signed caller allowed cloudfront-local:ListGeo or ChangeGeo."""
from __future__ import annotations

import datetime
import json

import botocore.auth
import pytest
import requests
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from serving import RunningServer

CREDENTIALS = """
[[credentials]]
access_key_id = "AKIAGEOWRITER0000001"
secret_access_key = "writer-secret"
account_id = "111111111111"

[[credentials]]
access_key_id = "AKIAGEOREADER0000002"
secret_access_key = "reader-secret"
account_id = "111111111111"
allow = ["cloudfront-local:ListGeo"]
"""


def _geo(server, method: str, **kwargs):
    return requests.request(method, f"{server.url}/_cloudfront-local/geo", timeout=10, **kwargs)


@pytest.fixture
def geo_server(server):
    # The table is every account's, and the session server's: leave it empty for whoever comes next.
    assert _geo(server, "DELETE").status_code == 204
    yield server
    _geo(server, "DELETE")


def test_add_list_replace_and_clear(geo_server):
    added = _geo(geo_server, "POST", json={"cidr": "127.0.0.1/8", "country": "fr"})
    assert added.status_code == 201 and added.json() == {"cidr": "127.0.0.0/8", "country": "FR"}
    assert _geo(geo_server, "POST", json={"cidr": "2001:DB8::/32", "country": "DE"}).status_code == 201
    assert _geo(geo_server, "GET").json() == {"entries": [{"cidr": "127.0.0.0/8", "country": "FR"},
                                                          {"cidr": "2001:db8::/32", "country": "DE"}]}
    replaced = _geo(geo_server, "POST", json={"cidr": "127.0.0.0/8", "country": "JP"})
    assert replaced.status_code == 201
    assert _geo(geo_server, "GET").json()["entries"][0] == {"cidr": "127.0.0.0/8", "country": "JP"}
    assert len(_geo(geo_server, "GET").json()["entries"]) == 2
    cleared = _geo(geo_server, "DELETE")
    assert cleared.status_code == 204 and cleared.content == b""
    assert _geo(geo_server, "GET").json() == {"entries": []}


@pytest.mark.parametrize("bad", [
    {"cidr": "127.0.0.0/33", "country": "FR"}, {"cidr": "nowhere", "country": "FR"}, {"cidr": 1, "country": "FR"},
    {"cidr": "127.0.0.0/8", "country": "FRA"}, {"cidr": "127.0.0.0/8", "country": "1"},
    {"cidr": "127.0.0.0/8", "country": None}, {"cidr": "127.0.0.0/8"}, {"country": "FR"},
    {"cidr": "127.0.0.0/8", "country": "FR", "extra": True}, ["127.0.0.0/8", "FR"], "FR", None, 7,
])
def test_bad_entries_are_400(geo_server, bad):
    answer = _geo(geo_server, "POST", json=bad)
    assert answer.status_code == 400 and answer.json()["error"], bad
    assert _geo(geo_server, "GET").json() == {"entries": []}


@pytest.mark.parametrize("body", [b"{", b"\xff", b"", b"[" * 100_000, b'{"cidr": "10.0.0.0/8", "country": "FR"'],
                         ids=["open-brace", "not-utf-8", "empty", "deeply-nested", "truncated"])
def test_bodies_that_are_not_json_are_400(geo_server, body):
    answer = _geo(geo_server, "POST", data=body)
    assert answer.status_code == 400 and answer.json()["error"]


@pytest.mark.parametrize("method, path", [("PUT", ""), ("PATCH", ""), ("GET", "/127.0.0.0%2F8"),
                                          ("DELETE", "/127.0.0.0%2F8")])
def test_other_methods_and_paths_are_404(geo_server, method, path):
    answer = requests.request(method, f"{geo_server.url}/_cloudfront-local/geo{path}", timeout=10)
    assert answer.status_code == 404


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    path = tmp_path_factory.mktemp("geo-auth") / "credentials.toml"
    path.write_text(CREDENTIALS)
    with RunningServer("--credentials", str(path)) as running:
        yield running


def _signed(server, method: str, body: bytes = b"", key="AKIAGEOWRITER0000001", secret="writer-secret"):
    """Sent with botocore's own SigV4 signer, as any AWS SDK would sign it."""
    request = AWSRequest(method=method, url=server.url + "/_cloudfront-local/geo", data=body)
    request.context["timestamp"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    request.headers["X-Amz-Date"] = request.context["timestamp"]
    botocore.auth.SigV4Auth(Credentials(key, secret), "cloudfront", "us-east-1").add_auth(request)
    return requests.request(method, request.url, headers=dict(request.headers), data=body, timeout=10)


def test_the_geo_table_needs_a_signature_when_credentials_are_enforced(secured):
    entry = json.dumps({"cidr": "198.51.100.0/24", "country": "FR"}).encode()
    assert _geo(secured, "POST", data=entry).status_code == 403
    assert _geo(secured, "GET").status_code == 403
    assert _geo(secured, "DELETE").status_code == 403
    reader = {"key": "AKIAGEOREADER0000002", "secret": "reader-secret"}
    assert _signed(secured, "POST", entry, **reader).status_code == 403  # not allowed cloudfront-local:ChangeGeo
    assert _signed(secured, "DELETE", **reader).status_code == 403
    assert _signed(secured, "POST", entry).status_code == 201
    listed = _signed(secured, "GET", **reader)
    assert listed.status_code == 200 and listed.json() == {"entries": [{"cidr": "198.51.100.0/24", "country": "FR"}]}
    assert _signed(secured, "DELETE").status_code == 204
    assert _signed(secured, "GET").json() == {"entries": []}
