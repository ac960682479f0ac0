"""Many clients writing in one account through two servers on one PostgreSQL database: contention is never
an error, and the state reached is the one a single server reaches with the same calls."""
import collections
import concurrent.futures
import threading
import time

import botocore.exceptions
import pytest

from conftest import make_client
from serving import RunningServer

NAMES = 160          # each name is created twice, once through each server, by different threads
THREADS = 16         # 8 for each server: as many as a server has request threads
ACCOUNT = "246813579024"


def _workload(urls: list[str]) -> tuple[collections.Counter, list[str]]:
    """Every name created twice, the two attempts on different URLs (when there are two) from different
    threads, all threads at once; the outcome of each call, and the names listed afterwards."""
    attempts = [(name, copy) for name in (f"g-{i}" for i in range(NAMES)) for copy in (0, 1)]
    # Thread t takes attempts t, t + THREADS, ...: the two attempts at one name go to neighbouring threads,
    # which run at the same moment on different servers.
    plans = [attempts[t::THREADS] for t in range(THREADS)]
    outcomes: collections.Counter = collections.Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def run(t: int) -> None:
        client = make_client(urls[t % len(urls)], ACCOUNT)
        barrier.wait()
        for name, _ in plans[t]:
            try:
                client.create_connection_group(Name=name)
                code = "ok"
            except botocore.exceptions.ClientError as error:
                code = error.response["Error"]["Code"]
            with lock:
                outcomes[code] += 1

    with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(run, range(THREADS)))
    reader = make_client(urls[-1], ACCOUNT)
    names = [group["Name"] for page in reader.get_paginator("list_connection_groups").paginate(PaginationConfig={"PageSize": 7})
             for group in page["ConnectionGroups"]]
    return outcomes, names


def _quota_is_exact(url: str) -> None:
    """The count quotas read matches the groups there are: at the quota one more create is refused, and one
    delete makes room for exactly one."""
    client = make_client(url, ACCOUNT)
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        client.create_connection_group(Name="one-too-many")
    assert refused.value.response["Error"]["Code"] == "EntityLimitExceeded"
    group = client.get_connection_group(Identifier="g-0")
    client.update_connection_group(Id=group["ConnectionGroup"]["Id"], IfMatch=group["ETag"], Enabled=False)
    disabled = client.get_connection_group(Identifier="g-0")
    client.delete_connection_group(Id=disabled["ConnectionGroup"]["Id"], IfMatch=disabled["ETag"])
    client.create_connection_group(Name="in-its-place")
    with pytest.raises(botocore.exceptions.ClientError) as again:
        client.create_connection_group(Name="one-more")
    assert again.value.response["Error"]["Code"] == "EntityLimitExceeded"


def test_creates_in_one_account_on_two_servers_never_fail_and_reach_one_servers_state(postgres):
    database = postgres.database()
    settings = ("--state", database, "--edge-port", "-1", "--connection-group-quota", str(NAMES))
    with RunningServer(*settings) as first, RunningServer(*settings) as second:
        outcomes, names = _workload([first.url, second.url])
        _quota_is_exact(second.url)
        lines = first.lines + second.lines
    # Half the calls win their name, the other half find it taken: nothing else, no 5xx among them.
    assert outcomes == {"ok": NAMES, "EntityAlreadyExists": NAMES}, outcomes
    assert sorted(names) == sorted(f"g-{i}" for i in range(NAMES))
    assert not [line for line in lines if "internal error" in line]

    with RunningServer("--edge-port", "-1", "--connection-group-quota", str(NAMES)) as alone:
        alone_outcomes, alone_names = _workload([alone.url])
    assert alone_outcomes == outcomes and sorted(alone_names) == sorted(names)


def test_a_server_killed_mid_write_leaves_no_lock_behind(postgres):
    """kill -9 of one server while both write in one account: the other goes on writing (its account's lock
    went with the killed server's transactions), and every acknowledged write is there."""
    database = postgres.database()
    settings = ("--state", database, "--edge-port", "-1", "--connection-group-quota", "100000")
    acknowledged: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(url: str, prefix: str, survivor: bool) -> None:
        client = make_client(url, ACCOUNT)
        i = 0
        while not stop.is_set():
            name = f"{prefix}-{i}"
            try:
                client.create_connection_group(Name=name)
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
                if survivor:
                    failures.append(f"{name}: {error}")
                return
            with lock:
                acknowledged.append(name)
            i += 1

    with RunningServer(*settings) as survivor:
        doomed = RunningServer(*settings)
        threads = [threading.Thread(target=writer, args=(doomed.url, f"d{t}", False)) for t in range(6)]
        threads += [threading.Thread(target=writer, args=(survivor.url, f"s{t}", True)) for t in range(4)]
        for thread in threads:
            thread.start()
        try:
            deadline = time.monotonic() + 30
            while len(acknowledged) < 200 and time.monotonic() < deadline:
                time.sleep(0.01)
            doomed.stop(kill=True)  # SIGKILL, with its transactions under way
            made = len(acknowledged)
            while len(acknowledged) < made + 100 and time.monotonic() < deadline + 30:
                time.sleep(0.01)
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        assert not failures, failures[:3]
        assert len(acknowledged) >= made + 100, "the surviving server stopped writing after the kill"
        client = make_client(survivor.url, ACCOUNT)
        names = {group["Name"] for page in client.get_paginator("list_connection_groups").paginate()
                 for group in page["ConnectionGroups"]}
    missing = set(acknowledged) - names
    assert not missing, f"{len(missing)} acknowledged writes lost, e.g. {sorted(missing)[:5]}"
