"""CloudFront's JavaScript runtimes (cloudfront-js-1.0 and cloudfront-js-2.0) on QuickJS.

Knows nothing of HTTP or the store: it takes code, a runtime name and an event, runs the function in a
fresh QuickJS context inside a worker process (`pool`), and answers as TestFunction does (`Outcome`).
Importing this package is cheap; QuickJS loads in the workers, which start when a function first runs.
"""
from __future__ import annotations

import json
import time

from . import messages, output, syntax
from .model import DEFAULT_LIMITS, KvsReader, Limits, Outcome
from .pool import WorkerFailure, shared

__all__ = ["KvsReader", "Limits", "Outcome", "check_code", "run_connection_function", "run_function"]

_META_FIELDS = {"creationDateTime": str, "lastUpdatedDateTime": str, "keyCount": int}
_MAX_KEY_CHARS = 1024


def check_code(code: bytes, runtime: str) -> str | None:
    """Why CloudFront would refuse to store this code, or None. It refuses none for its syntax: a
    function that does not compile is created, published and associated, and fails when it runs (its
    TestFunction answer carries the SyntaxError), so this answers None; `run_function` reports the rest."""
    if runtime not in syntax.RUNTIMES:
        return f"The runtime {runtime} is not supported."
    return None


def run_function(code: bytes, runtime: str, event: bytes, *, kvs: KvsReader | None = None,
                 limits: Limits = DEFAULT_LIMITS, edge_location: dict | None = None,
                 raw_query_string: str | None = None, now: float | None = None) -> Outcome:
    """Run `handler(event)` as TestFunction does. `event` is the EventObject; `edge_location` is what
    `cf.edgeLocation` holds and `raw_query_string` what `request.rawQueryString()` returns (without them,
    {} and the query string written back from the event); `now` fixes the clock (seconds since the epoch)."""
    return _run("viewer", code, runtime, event, kvs, limits, now,
                {"edge": edge_location, "raw_query": raw_query_string})


def run_connection_function(code: bytes, runtime: str, connection: bytes, *, kvs: KvsReader | None = None,
                            limits: Limits = DEFAULT_LIMITS, now: float | None = None) -> Outcome:
    """Run `connectionHandler(connection)` as TestConnectionFunction does: the decision is the last of
    connection.allow() and connection.deny() called, and deny when neither was."""
    return _run("connection", code, runtime, connection, kvs, limits, now, {})


def _run(kind, code, runtime, event, kvs, limits: Limits, now, extra) -> Outcome:
    if runtime not in syntax.RUNTIMES:
        raise ValueError(f"unknown runtime {runtime!r}")
    event_text = _event_text(event)
    if event_text is None:
        # Our wording: TestFunction's own for an event that is not a JSON object is not on record.
        return Outcome(None, [], "The event object is not a valid JSON object.", 0)
    job = {"kind": kind, "code": bytes(code).decode("utf-8", "replace"), "runtime": runtime, "event": event_text,
           "now": int((time.time() if now is None else now) * 1000), "kvs": kvs is not None,
           "limits": {"cpu_seconds": limits.cpu_seconds, "memory_bytes": limits.memory_bytes,
                      "stack_bytes": limits.stack_bytes, "log_bytes": limits.log_bytes, "kvs_reads": limits.kvs_reads},
           **extra}
    for attempt in range(2):
        budget = {"reads": limits.kvs_reads}
        try:
            answer = shared().run(job, lambda requests: _answer_kvs(kvs, requests, budget),
                                  limits.cpu_seconds + limits.grace_seconds)
            return _outcome(answer, limits)
        except WorkerFailure as failure:
            # QuickJS (2021-03-27, the binding's) can crash its process while running out of memory, about one
            # such run in a hundred. A run is the same each time (a fresh context, the same clock), so a worker
            # that died gets one more try in a fresh one; dying twice is the function's answer.
            if failure.timed_out or attempt:
                error = messages.TIMEOUT if failure.timed_out else messages.CRASHED
                return Outcome(None, [], messages.failure(error), 100 if failure.timed_out else 0,
                               cpu_seconds=limits.cpu_seconds if failure.timed_out else 0.0)


def _event_text(event: bytes) -> str | None:
    try:
        text = bytes(event).decode("utf-8")
        return text if isinstance(json.loads(text), dict) else None
    except (ValueError, RecursionError):
        return None


def _outcome(answer: dict, limits: Limits) -> Outcome:
    """The worker's answer, every part checked: it comes from the process that ran hostile code."""
    cpu = answer.get("cpu") if isinstance(answer.get("cpu"), (int, float)) else 0.0
    utilization = max(0, min(100, round(cpu / limits.notional_seconds * 100)))
    logs = [line for line in answer.get("logs") or [] if isinstance(line, str)]
    origin = [call for call in answer.get("origin") or [] if isinstance(call, dict)]
    custom = answer.get("custom") if isinstance(answer.get("custom"), str) else None
    error = answer.get("error")
    if isinstance(error, str):
        return Outcome(None, logs, error, utilization, None, origin, custom, cpu_seconds=cpu)
    try:
        result = output.canonical(answer.get("output"))
    except output.OutputError:
        return Outcome(None, logs, messages.failure(messages.CRASHED), utilization, cpu_seconds=cpu)
    action = result.get("action")
    return Outcome(output.dumps(result), logs, None, utilization, result, origin, custom, action, cpu)


def _answer_kvs(kvs: KvsReader | None, requests: list, budget: dict) -> list[dict]:
    answers = []
    for request in requests:
        if not isinstance(request, dict) or not isinstance(request.get("id"), int):
            continue
        answer = {"id": request["id"]}
        budget["reads"] -= 1
        method, key = request.get("method"), request.get("key")
        try:
            if kvs is None or budget["reads"] < 0 or method not in ("get", "exists", "meta") or \
                    not isinstance(key, str) or len(key) > _MAX_KEY_CHARS:
                raise LookupError
            if method == "meta":
                meta = kvs.meta() or {}
                answer["meta"] = {name: meta[name] for name, kind in _META_FIELDS.items()
                                  if isinstance(meta.get(name), kind)}
            else:
                value = kvs.get(key)
                answer["found"] = value is not None
                if method == "get" and value is not None:
                    answer["value"] = value if isinstance(value, str) else bytes(value).decode("utf-8", "replace")
        except Exception:  # the store's failure is this read's, not the server's
            answer = {"id": request["id"], "error": "The KeyValueStore could not be read"}
        answers.append(answer)
    return answers
