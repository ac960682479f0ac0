"""Starting the emulator and the floor as separate processes, as users run them."""
from __future__ import annotations

import subprocess
import sys
import threading
import time


class Process:
    def __init__(self, command: list[str]):
        self.started = time.perf_counter()
        self.process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        self.url = None
        for line in self.process.stderr:
            if "listening on " in line:
                self.url = line.rsplit("listening on ", 1)[1].strip()
                break
        if self.url is None:
            raise RuntimeError(f"{command} did not start")
        self.listening = time.perf_counter()
        threading.Thread(target=lambda: [None for _ in self.process.stderr], daemon=True).start()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def emulator(*args: str) -> Process:
    return Process([sys.executable, "-m", "cloudfront_local", "serve", "--port", "0", "--edge-port", "-1",
                    "--connection-group-quota", "1000000", *args])


def floor(canned_path: str) -> Process:
    return Process([sys.executable, "-m", "benchmarks.floor", canned_path])
