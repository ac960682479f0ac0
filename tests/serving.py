"""Start `cloudfront-local serve` as a user would, on a free port, and stop it afterwards."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time


class RunningServer:
    def __init__(self, *args: str, env: dict[str, str] | None = None, timeout: float = 15.0):
        # --edge-port 0: most edge tests reach viewers on a listener of their own, a free port; the API's port,
        # which answers viewers by Host as well, is test_one_port.py's.
        command = [sys.executable, "-m", "cloudfront_local", "serve", "--port", "0", "--edge-port", "0", *args]
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
            env={**os.environ, **(env or {})},
        )
        deadline = time.monotonic() + timeout
        self.url = None
        self.edge_url = None  # the edge's address, when the server has an edge
        self.edge_tls_url = None  # the edge's HTTPS address, with --edge-tls-port
        edge = not ("--edge-port" in args and args[args.index("--edge-port") + 1:][:1] == ("-1",))
        tls = "--edge-tls-port" in args and args[args.index("--edge-tls-port") + 1:][:1] != ("-1",)
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line:
                break
            self.lines.append(line)
            if "edge (TLS) listening on " in line:
                self.edge_tls_url = line.rsplit("listening on ", 1)[1].strip()
            elif "edge listening on " in line:
                self.edge_url = line.rsplit("listening on ", 1)[1].strip()
            elif "listening on " in line:
                self.url = line.rsplit("listening on ", 1)[1].strip()
            if self.url and (self.edge_url or not edge) and (self.edge_tls_url or not tls):
                break
        if self.url is None:
            self.process.kill()
            raise RuntimeError("the server did not start:\n" + "".join(self.lines))
        # Keep reading stderr so the server never blocks on a full pipe; tests may inspect the lines.
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line)

    def stop(self, kill: bool = False) -> None:
        if self.process.poll() is None:
            self.process.kill() if kill else self.process.terminate()
            self.process.wait(timeout=10)

    def __enter__(self) -> "RunningServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
