"""The emulator's own endpoints under contention on PostgreSQL: two servers on one database, clients adding DNS
records (the internal endpoint and the dashboard's form) and key pairs while others write through the API in
the same account. The internal writes take the API's way to the store (the account's queue, retries until
commit): no call answers 5xx, and the zone, the key pairs and the API's resources are all there after."""
import collections
import concurrent.futures
import re
import threading

import botocore.exceptions
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from conftest import make_client
from serving import RunningServer

ACCOUNT = "246813579024"
UI = "/_cloudfront-local/ui/"
ROUNDS = 24           # calls per thread
# Thread t talks to server t % 2; neighbouring threads (2p, 2p + 1) do the same thing to the same names at
# the same moment, one through each server.
ENDPOINT_DNS = range(0, 4)
FORM_DNS = range(4, 8)
KEY_PAIRS = range(8, 10)
API = range(10, 16)
THREADS = 16


def _public_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _dashboard(url: str) -> tuple[requests.Session, str]:
    browser = requests.Session()
    home = browser.get(url + "/_cloudfront-local/", timeout=30)
    return browser, re.search(r'name="csrf(?:-token)?" (?:value|content)="([^"]+)"', home.text).group(1)


def test_internal_writes_beside_api_writes_on_two_servers_never_fail(postgres):
    database = postgres.database()
    settings = ("--state", database, "--edge-port", "-1", "--connection-group-quota", "1000")
    outcomes: collections.Counter = collections.Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)
    keys = [_public_key() for _ in KEY_PAIRS]

    def note(what: str, status: int) -> None:
        with lock:
            outcomes[what, status] += 1

    def run(t: int, urls: list[str]) -> None:
        url = urls[t % 2]
        pair, value = t // 2, t % 2 + 1
        client = make_client(url, ACCOUNT)
        browser, token = _dashboard(url)
        barrier.wait()
        for n in range(ROUNDS):
            if t in ENDPOINT_DNS:
                added = requests.post(url + "/_cloudfront-local/dns", timeout=60, json={
                    "name": f"e{pair}-{n}.example.com", "type": "A", "value": f"192.0.2.{value}"})
                note("dns", added.status_code)
            elif t in FORM_DNS:
                added = browser.post(url + UI + "dns", allow_redirects=False, timeout=60, data={
                    "csrf": token, "name": f"f{pair}-{n}.example.com", "type": "A", "value": f"198.51.100.{value}"})
                note("form", added.status_code)
            elif t in KEY_PAIRS:
                key_id = f"APKA{t:02d}{n:014d}"
                added = requests.post(url + "/_cloudfront-local/key-pairs", timeout=60, json={
                    "account": ACCOUNT, "id": key_id, "publicKey": keys[t - KEY_PAIRS.start]})
                note("key-pair", added.status_code)
                # Removed again at once: the account holds at most one per thread, under its quota of two.
                note("key-pair-removed", requests.delete(
                    url + f"/_cloudfront-local/key-pairs/{key_id}", timeout=60).status_code)
            else:
                try:
                    client.create_connection_group(Name=f"g-{t}-{n}")
                    note("api", 201)
                except botocore.exceptions.ClientError as error:
                    note("api", error.response["ResponseMetadata"]["HTTPStatusCode"])

    with RunningServer(*settings) as first, RunningServer(*settings) as second:
        urls = [first.url, second.url]
        with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(run, range(THREADS), [urls] * THREADS))
        zone = requests.get(second.url + "/_cloudfront-local/dns", timeout=30).json()["records"]
        reader = make_client(first.url, ACCOUNT)
        groups = {group["Name"] for page in reader.get_paginator("list_connection_groups").paginate()
                  for group in page["ConnectionGroups"]}
        lines = first.lines + second.lines

    pairs_added = ROUNDS * len(KEY_PAIRS)
    assert outcomes == {("dns", 201): ROUNDS * len(ENDPOINT_DNS), ("form", 303): ROUNDS * len(FORM_DNS),
                        ("key-pair", 201): pairs_added, ("key-pair-removed", 204): pairs_added,
                        ("api", 201): ROUNDS * len(API)}, outcomes
    assert not [line for line in lines if "internal error" in line]
    # Each name was given two addresses at once, one through each server: both are there.
    expected = {(f"{prefix}{t // 2}-{n}.example.com", f"{network}.{t % 2 + 1}")
                for prefix, threads, network in (("e", ENDPOINT_DNS, "192.0.2"), ("f", FORM_DNS, "198.51.100"))
                for t in threads for n in range(ROUNDS)}
    assert {(r["name"], r["value"]) for r in zone} == expected
    assert groups == {f"g-{t}-{n}" for t in API for n in range(ROUNDS)}


def test_resets_beside_writes_on_two_servers_never_fail(postgres):
    """A reset waits out the writers under way (no write is cut in half) and retries a deadlock lost to a
    reader: every reset answers 204 and every create 201 while both go on through both servers."""
    database = postgres.database()
    settings = ("--state", database, "--edge-port", "-1", "--connection-group-quota", "1000")
    outcomes: collections.Counter = collections.Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def run(t: int, urls: list[str]) -> None:
        url = urls[t % 2]
        client = make_client(url, ACCOUNT)
        barrier.wait()
        for n in range(ROUNDS):
            if t < 2:
                status = requests.post(url + "/_cloudfront-local/reset", timeout=60).status_code
                what = "reset"
            else:
                try:
                    client.create_connection_group(Name=f"r-{t}-{n}")
                    client.list_connection_groups()
                    status = 201
                except botocore.exceptions.ClientError as error:
                    status = error.response["ResponseMetadata"]["HTTPStatusCode"]
                what = "api"
            with lock:
                outcomes[what, status] += 1

    with RunningServer(*settings) as first, RunningServer(*settings) as second:
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(run, range(8), [[first.url, second.url]] * 8))
        lines = first.lines + second.lines
    assert outcomes == {("reset", 204): 2 * ROUNDS, ("api", 201): 6 * ROUNDS}, outcomes
    assert not [line for line in lines if "internal error" in line]
