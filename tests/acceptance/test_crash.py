"""kill -9 during heavy writes: after a restart every acknowledged write is there, and the file is intact."""
import concurrent.futures
import sqlite3
import threading
import time

import botocore.exceptions

from conftest import make_client
from serving import RunningServer

ACCOUNT = "909090909090"


def test_acknowledged_writes_survive_kill_9(tmp_path):
    state = str(tmp_path / "state.sqlite")
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    server = RunningServer("--state", state, "--connection-group-quota", "100000")

    def writer(worker: int) -> None:
        client = make_client(server.url, ACCOUNT)
        for i in range(100000):
            if stop.is_set():
                return
            name = f"w{worker}-{i}"
            try:
                client.create_connection_group(Name=name)
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError):
                return  # the server is gone: this write was never acknowledged
            with lock:
                acknowledged.append(name)

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        futures = [pool.submit(writer, w) for w in range(6)]
        deadline = time.monotonic() + 30
        while len(acknowledged) < 400 and time.monotonic() < deadline:
            time.sleep(0.01)
        server.stop(kill=True)  # SIGKILL, in the middle of the writes
        stop.set()
        for future in futures:
            future.result()
    assert len(acknowledged) >= 400

    with sqlite3.connect(state) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with RunningServer("--state", state) as restarted:
        client = make_client(restarted.url, ACCOUNT)
        names = {group["Name"] for page in client.get_paginator("list_connection_groups").paginate()
                 for group in page["ConnectionGroups"]}
    missing = set(acknowledged) - names
    assert not missing, f"{len(missing)} acknowledged writes lost, e.g. {sorted(missing)[:5]}"
