"""One run of a function in a fresh QuickJS context, inside a runtime worker process.

The context gets the preludes, then the function's code, then the event; its memory limit is the prelude's
own footprint plus the function's 2 MB, its time limit is whatever is left of the run's CPU budget at each
call into it. Nothing in the context can call Python: KeyValueStore reads come out as pending requests
between two turns of the job queue and go back in as answers (`ask`), so the time limit stays armed (the
binding refuses Python callables while one is set) and the only way out of the context is data.
"""
from __future__ import annotations

import functools
import json
import re
import time
from importlib import resources
from typing import Callable

import quickjs

from . import bytecode, messages, syntax

# The core every context gets, then each built-in module's file (compiling them all would cost a run
# about 9 ms, the core alone about 3).
_CORE = ("prelude.js", "encoding.js", "bytes.js")
_MODULE_FILES = {"crypto": "hashes.js", "querystring": "querystring.js", "buffer": "buffer.js",
                 "cloudfront": "cloudfront.js"}
_SOURCES = {name: resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
            for name in _CORE + tuple(_MODULE_FILES.values())}


@functools.lru_cache(maxsize=64)
def prelude(modules: frozenset[str]) -> str:
    """The script that shapes a context: one closure over the core and `modules`, answering `host`."""
    files = _CORE + tuple(_MODULE_FILES[name] for name in sorted(modules))
    return '(function () {\n"use strict";\n' + "\n".join(_SOURCES[name] for name in files) + "\nreturn host;\n})()"


# The same function runs again and again (traffic through one distribution, a test suite): its check and
# rewrite are the same each time. A refusal is not kept; it raises again.
_checked = functools.lru_cache(maxsize=64)(syntax.prepare)


class _Stop(Exception):
    """The run is over before its end: `error` says why (already in CloudFront's words, without prefix)."""

    def __init__(self, error: str):
        super().__init__(error)
        self.error = error


def run(job: dict, ask: Callable[[list[dict]], list[dict]]) -> dict:
    """`job`: kind ("viewer" or "connection"), code, runtime, event (JSON text), now (ms since the epoch),
    kvs (a store is associated), edge, raw_query, limits. Returns the outcome as plain data."""
    limits = job["limits"]
    outcome = {"output": None, "error": None, "logs": [], "cpu": 0.0, "origin": [], "custom": None}
    try:
        code, modules = _checked(job["code"], job["runtime"])
    except syntax.Refusal as refusal:
        outcome["error"] = messages.failure(str(refusal))
        return outcome
    if job["kind"] == "connection":
        modules |= {"cloudfront"}  # connection.logCustomData lives there
    context, host = _fresh_context(modules, limits["stack_bytes"], job["runtime"])
    clock = _Clock(context, limits["cpu_seconds"])
    try:
        try:
            host("init", json.dumps({
                "kind": job["kind"], "now": job["now"], "kvs": job["kvs"],
                "kvsLimit": limits["kvs_reads"], "logLimit": limits["log_bytes"], "edge": job.get("edge"),
                "rawQuery": job.get("raw_query"), "event": job["event"]}))
        except Exception:  # an event too deeply nested for the parser's stack, say
            raise _Stop(messages.CRASHED) from None
        context.set_memory_limit(context.memory()["memory_used_size"] + limits["memory_bytes"])
        clock.start()
        clock.call(context.eval, code, compiling=True)
        clock.call(host, "start")
        _drive(clock, host, ask)
        answer = _json(clock.call(host, "finish"))
        outcome["origin"] = answer.get("origin") or []
        outcome["custom"] = answer.get("custom")
        if answer.get("error"):
            outcome["error"] = messages.failure(messages.njs_error(answer["error"]))
        else:
            outcome["output"] = answer.get("output")
    except _Stop as stop:
        outcome["error"] = messages.failure(stop.error)
    outcome["cpu"] = clock.used()
    outcome["logs"] = _logs(context, host)
    _ready["spent"] = context  # freeing a runtime takes a while: after the answer is sent, not before
    return outcome


# A context shaped for the last run's modules, made while the worker waited: a function run again and
# again (a test suite, traffic through one distribution) gets one without waiting. It has run no code.
_ready: dict = {}


def _fresh_context(modules: frozenset[str], stack_bytes: int, runtime: str):
    key = (modules, stack_bytes, runtime)
    ready = _ready.pop("context", None)
    _ready["key"] = key
    if ready is not None and ready[0] == key:
        return ready[1], ready[2]
    return _shaped(modules, stack_bytes, runtime)


@functools.lru_cache(maxsize=64)
def _compiled(modules: frozenset[str]) -> bytes | None:
    return bytecode.compile_script(prelude(modules))


def _shaped(modules: frozenset[str], stack_bytes: int, runtime: str):
    """A new context with the preludes for `modules` run in it and its globals shaped for `runtime`, and
    their `host`. Nothing of a job is in it yet."""
    context = quickjs.Context()
    context.set_max_stack_size(stack_bytes)
    compiled = _compiled(modules)
    host = bytecode.load(context, compiled) if compiled is not None else None
    if host is None:
        context = quickjs.Context()
        context.set_max_stack_size(stack_bytes)
        host = context.eval(prelude(modules))
    host("shape", runtime)
    return context, host


def prepare_next() -> None:
    """Make the context the next run most likely wants; the worker calls this between jobs (and then
    `free_spent`, once it has said it is ready)."""
    if "key" in _ready and "context" not in _ready:
        _ready["context"] = (_ready["key"], *_shaped(*_ready["key"]))


def free_spent() -> None:
    """Free the last run's context: its runtime's teardown is not on the way to anyone's answer."""
    _ready.pop("spent", None)


class _Clock:
    """The run's CPU budget, spent inside the calls into the context only: relaying KeyValueStore reads
    in between is the host's work, not the function's. (The worker runs one job at a time, so process
    time is this run's time; it is also what QuickJS's time limit counts.)"""

    def __init__(self, context, budget: float):
        self.context, self.budget, self.spent, self.running = context, budget, 0.0, False

    def start(self) -> None:
        self.running = True

    def used(self) -> float:
        return self.spent

    def call(self, function, *args, compiling: bool = False):
        remaining = self.budget - self.spent
        if remaining <= 0:
            raise _Stop(messages.TIMEOUT)
        self.context.set_time_limit(remaining)
        began = time.process_time()
        try:
            return function(*args)
        except quickjs.StackOverflow:
            raise _Stop(messages.STACK) from None
        except quickjs.JSException as error:
            text = str(error)
            if compiling and _COMPILE_ERROR.match(text):
                raise _Stop(messages.njs_syntax_error(text)) from None
            raise _Stop(_classify(text, self.spent + time.process_time() - began >= self.budget)) from None
        except Exception:  # the binding failing in a way it should not: end this run, keep the worker
            raise _Stop(messages.CRASHED) from None
        finally:
            if self.running:
                self.spent += time.process_time() - began


# QuickJS's report of code it could not compile: the error, then the line, and no frame of running code.
_COMPILE_ERROR = re.compile(r"SyntaxError: [^\n]*\n\s*at <input>:\d+\s*$")


def _classify(text: str, over_budget: bool) -> str:
    if text.startswith("InternalError: interrupted") or over_budget:
        return messages.TIMEOUT
    if text.startswith("InternalError: out of memory") or text.strip() in ("null", ""):
        return messages.MEMORY  # after running out of memory QuickJS can no longer even say why
    return messages.njs_error(text)


def _drive(clock: _Clock, host, ask) -> None:
    """Run the job queue until the handler's promise settles, answering KeyValueStore reads in between."""
    while True:
        while clock.call(clock.context.execute_pending_job):
            pass
        polled = _json(clock.call(host, "poll"))
        if polled.get("settled") or not polled.get("kvs"):
            return
        for answer in ask(polled["kvs"]):
            clock.call(host, "answer", json.dumps(answer))


def _json(text) -> dict:
    try:
        value = json.loads(text) if isinstance(text, str) else None
    except (ValueError, RecursionError):
        value = None
    if not isinstance(value, dict):
        raise _Stop(messages.CRASHED)
    return value


def _logs(context, host) -> list[str]:
    """The log lines written so far, even when the run ended early (not after running out of memory)."""
    if host is None:
        return []
    try:
        context.set_time_limit(0.05)
        logs = json.loads(host("logs"))
    except Exception:
        return []
    return [line for line in logs if isinstance(line, str)] if isinstance(logs, list) else []
