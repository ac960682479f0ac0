"""Tests that spend their minutes waiting run side by side, each still reported as its own test.

The Terraform tests are such: AWS provider 5.100 sleeps 30 s after every distribution change before it
looks at Status (15 s after a delete), whatever the server answers and however fast, so most of their time is
sleep. A test marked `@side_by_side.body(run)` has `run(env, workdir)` as its body: the first such test to
run starts the body of every selected one, each in a thread of its own, then each test waits for its own body
and raises what it raised (an assertion's message as pytest rewrote it), so a failure is still reported
against the test it belongs to. Bodies must share nothing but `env`: each gets its own workdir and starts
its own servers.
"""
from __future__ import annotations

import threading
import time

_lock = threading.Lock()
_runs: dict[str, "_Run"] = {}


class _Run:
    def __init__(self, name: str, body, env: dict, workdir):
        self.error: BaseException | None = None
        self.seconds = 0.0
        self.thread = threading.Thread(target=self._run, args=(body, env, workdir), name=name, daemon=True)
        self.thread.start()

    def _run(self, body, env, workdir) -> None:
        __tracebackhide__ = True  # a failure's report starts in the body, as if the test had run it
        started = time.monotonic()
        try:
            body(env, workdir)
        except BaseException as error:  # pytest.fail and pytest.skip raise BaseExceptions too
            self.error = error
        finally:
            self.seconds = time.monotonic() - started


def body(run):
    """Marks a test whose body is `run(env, workdir)`, run side by side with the other selected ones."""
    def mark(test):
        test.side_by_side = run
        return test
    return mark


def outcome(request, env: dict, tmp_path_factory) -> None:
    """Start every selected side-by-side body not started yet, then wait for this test's and raise its error."""
    __tracebackhide__ = True
    with _lock:
        if not _runs:
            # Whatever this session leaves running at its end (after -x stopped it, say) is waited for, so
            # that no body's servers or terraform processes outlive the session.
            request.config.add_cleanup(lambda: [run.thread.join() for run in list(_runs.values())])
        for item in request.session.items:
            run = getattr(getattr(item, "function", None), "side_by_side", None)
            if run is not None and item.nodeid not in _runs:
                _runs[item.nodeid] = _Run(item.nodeid, run, env, tmp_path_factory.mktemp(item.name[:30]))
    own = _runs[request.node.nodeid]
    own.thread.join()
    # --durations times only the wait, which is about nothing for the bodies that finished first; the body's
    # own time goes in the report (JUnit XML's properties).
    request.node.user_properties.append(("side_by_side_seconds", round(own.seconds, 1)))
    if own.error is not None:
        raise own.error
