"""Resident memory of the emulator holding 100,000 connection groups (default in-memory state).

    python3 -m benchmarks.memory 100000     # prints JSON
"""
from __future__ import annotations

import json
import sys

from cloudfront_local.application import Application
from cloudfront_local.config import Settings

from .listing import _populate


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    count = int(sys.argv[1])
    app = Application(Settings(log_requests=False, connection_group_quota=count))
    before = rss_mb()
    _populate(app, 0, count)
    print(json.dumps({"groups": count, "rss_mb": rss_mb(), "rss_before_mb": before}))


if __name__ == "__main__":
    main()
