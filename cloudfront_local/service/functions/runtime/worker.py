"""A runtime worker: a process of its own that runs functions, one at a time, for the server.

A separate process because some of QuickJS's native loops cannot be interrupted (a regular expression
backtracking on a long input, `indexOf` over an array whose length is four billion): a run stuck in one
would hold a thread of the server and a core for as long as it pleases. The server kills a worker that
outlives its run's budget and starts another; nothing else is affected.

Started as `python -m cloudfront_local.service.functions.runtime.worker`; talks `frames` on stdin/stdout.
"""
from __future__ import annotations

import os
import sys

from . import engine, frames, messages


def main() -> None:
    # stdout carries frames only: anything printed by mistake would corrupt them.
    reader, writer = sys.stdin.fileno(), os.dup(sys.stdout.fileno())
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    frames.write(writer, {"op": "ready"})
    while True:
        try:
            job = frames.read(reader)
        except frames.FrameError:
            return  # the server closed the pipe: it is done with this worker

        def ask(requests: list[dict]) -> list[dict]:
            frames.write(writer, {"op": "kvs", "requests": requests})
            return frames.read(reader).get("answers") or []

        try:
            outcome = engine.run(job, ask)
        except frames.FrameError:
            return
        except Exception:  # a fault of ours: this job fails, the worker goes on
            outcome = {"error": messages.failure(messages.CRASHED)}
        frames.write(writer, {"op": "done", "outcome": outcome})
        engine.prepare_next()
        frames.write(writer, {"op": "ready"})  # the next context is made: the pool may pick this worker
        engine.free_spent()


if __name__ == "__main__":
    main()
