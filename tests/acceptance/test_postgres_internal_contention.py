"""The emulator's own endpoints under contention on PostgreSQL: two servers on one database, resets beside API
writes in the same account. A reset takes the writers' lock and its retries like the API's writes: no call
answers 5xx."""
import collections
import concurrent.futures
import threading

import botocore.exceptions
import requests

from conftest import make_client
from serving import RunningServer

ACCOUNT = "246813579024"
ROUNDS = 24           # calls per thread


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
