"""Running calls at the same moment, for the race tests."""
from __future__ import annotations

import concurrent.futures
import threading

import botocore.exceptions


def race(calls) -> list[tuple[str, object]]:
    """Start every call together (a barrier releases them at once); return ("ok", result) or (error code,
    None) for each, in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return ("ok", call())
        except botocore.exceptions.ClientError as error:
            return (error.response["Error"]["Code"], None)

    with concurrent.futures.ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))
