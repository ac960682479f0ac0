"""Resident memory of the emulator holding 100,000 connection groups (the default state, no --state).

    python3 -m benchmarks.memory 100000     # prints JSON

The groups are created through the same application `serve` runs, with the server's modules loaded, in
one process (creating 100,000 over HTTP would take minutes and measure the same thing).
"""
from __future__ import annotations

import json
import sys

from cloudfront_local.application import Application
from cloudfront_local.config import Settings
from cloudfront_local.server import create_app

from .listing import _populate


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    count = int(sys.argv[1])
    server = create_app(Settings(log_requests=False, connection_group_quota=count))
    app: Application = server.application
    before = rss_mb()
    _populate(app, 0, count)
    print(json.dumps({"groups": count, "rss_mb": rss_mb(), "rss_before_mb": before}))


if __name__ == "__main__":
    main()
