"""Time from starting `cloudfront-local serve` to its first answer."""
from __future__ import annotations

import statistics
import sys
import time
import urllib.error
import urllib.request

from . import processes


def measure(runs: int = 5) -> dict:
    to_listening, to_answer = [], []
    for _ in range(runs):
        started = time.perf_counter()
        server = processes.Process([sys.executable, "-m", "cloudfront_local", "serve", "--port", "0", "--edge-port", "-1"])
        try:
            listening = time.perf_counter()
            while True:
                try:
                    urllib.request.urlopen(server.url + "/2020-05-31/connection-group/none").read()
                except urllib.error.HTTPError:
                    break  # a 404 from CloudFront's API is an answer
                except OSError:
                    time.sleep(0.005)
            answered = time.perf_counter()
        finally:
            server.stop()
        to_listening.append(listening - started)
        to_answer.append(answered - started)
    return {"listening_s": statistics.median(to_listening), "first_answer_s": statistics.median(to_answer),
            "runs": runs}
