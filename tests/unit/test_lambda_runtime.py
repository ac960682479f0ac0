"""The Lambda workers on their own: handlers of every form Lambda runs, warm state, and handlers that hang,
crash, fork or talk too much, driven through the runtime with zips built here."""
from __future__ import annotations

import hashlib
import logging
import os
import threading
import time

import pytest

from cloudfront_local.lambda_runtime import Runtime, Spec
from tests.lambda_zips import node, package, python

ARN = "arn:aws:lambda:us-east-1:123456789012:function:{name}:{version}"


def spec(code: bytes, runtime="nodejs20.x", handler="index.handler", timeout=3.0, version="1", name="fn",
         memory=128) -> Spec:
    return Spec(ARN.format(name=name, version=version), name, version, runtime, handler, memory, timeout,
                hashlib.sha256(code).hexdigest(), code)


@pytest.fixture
def runtime():
    made = Runtime(4)
    yield made
    made.close()


def test_node_commonjs_async_handler(runtime):
    outcome = runtime.invoke(spec(node("exports.handler = async (event) => ({seen: event.x * 2});")), {"x": 21},
                             "r1")
    assert outcome.kind == "ok" and outcome.result == {"seen": 42}


def test_node_module_exports_object_and_nested_directory(runtime):
    code = package({"src/lib/app.js": "module.exports = { main: async (e, c) => c.functionName };"})
    outcome = runtime.invoke(spec(code, handler="src/lib/app.main", name="nested"), {}, "r1")
    assert outcome.result == "us-east-1.nested"


@pytest.mark.parametrize("files", [
    {"index.mjs": "export const handler = async (event) => ({esm: event.v});"},
    {"index.js": "export async function handler(event) { return {esm: event.v}; }",
     "package.json": '{"type": "module"}'},
])
def test_node_es_modules(runtime, files):
    assert runtime.invoke(spec(package(files)), {"v": 1}, "r1").result == {"esm": 1}


def test_node_callback_handler(runtime):
    code = node("exports.handler = (event, context, callback) => { setTimeout(() => callback(null, "
                "{later: context.awsRequestId}), 10); };")
    assert runtime.invoke(spec(code), {}, "the-request").result == {"later": "the-request"}


def test_node_callback_error_and_thrown_error(runtime):
    failed = runtime.invoke(spec(node("exports.handler = (e, c, cb) => cb(new TypeError('nope'));")), {}, "r")
    assert failed.kind == "error" and failed.error["errorType"] == "TypeError" and failed.error["errorMessage"] == "nope"
    thrown = runtime.invoke(spec(node("exports.handler = async () => { throw new Error('boom'); };"), version="2"),
                            {}, "r")
    assert thrown.kind == "error" and thrown.error["errorMessage"] == "boom"


def test_python_handler_in_a_package_directory(runtime):
    code = package({"pkg/__init__.py": "", "pkg/app.py": "def handler(event, context):\n"
                    "    return {'got': event['x'], 'left': context.get_remaining_time_in_millis() > 0}\n"})
    outcome = runtime.invoke(spec(code, runtime="python3.12", handler="pkg/app.handler"), {"x": [1]}, "r")
    assert outcome.result == {"got": [1], "left": True}


@pytest.mark.parametrize("runtime_name,code,handler", argvalues=[
    ("nodejs20.x", node("let calls = 0; exports.handler = async () => ++calls;"), "index.handler"),
    ("python3.12", python("calls = 0\ndef handler(e, c):\n    global calls\n    calls += 1\n    return calls\n"),
     "app.handler"),
], ids=["node", "python"])
def test_globals_live_across_invocations_of_one_worker_and_a_new_version_starts_afresh(runtime, runtime_name,
                                                                                       code, handler):
    first = spec(code, runtime=runtime_name, handler=handler)
    assert [runtime.invoke(first, {}, f"r{i}").result for i in range(3)] == [1, 2, 3]
    second = spec(code, runtime=runtime_name, handler=handler, version="2")
    assert runtime.invoke(second, {}, "r").result == 1
    assert runtime.invoke(first, {}, "r").result == 4


@pytest.mark.parametrize("runtime_name,code,handler", argvalues=[
    ("nodejs20.x", node("let calls = 0; exports.handler = async (e) => { calls++; if (e.hang) for (;;) {} "
                        "return calls; };"), "index.handler"),
    ("python3.12", python("calls = 0\ndef handler(e, c):\n    global calls\n    calls += 1\n"
                          "    while e.get('hang'):\n        pass\n    return calls\n"), "app.handler"),
], ids=["node", "python"])
def test_a_handler_past_its_timeout_is_killed_and_the_next_call_gets_a_fresh_worker(runtime, runtime_name, code,
                                                                                    handler):
    version = spec(code, runtime=runtime_name, handler=handler, timeout=0.5)
    assert runtime.invoke(version, {}, "r").result == 1
    started = time.monotonic()
    hung = runtime.invoke(version, {"hang": True}, "r")
    assert hung.kind == "timeout" and time.monotonic() - started < 3
    assert runtime.invoke(version, {}, "r").result == 1  # a new worker: the globals are new too


@pytest.mark.parametrize("runtime_name,code,handler", argvalues=[
    ("nodejs20.x", node("exports.handler = async (e) => { if (e.die) process.exit(3); return 'up'; };"),
     "index.handler"),
    ("nodejs20.x", node("exports.handler = async (e) => { if (!e.die) return 'up'; "
                        "setTimeout(() => { throw new Error('late'); }); return new Promise(() => {}); };"),
     "index.handler"),
    ("python3.12", python("import os\ndef handler(e, c):\n    if e.get('die'):\n        os._exit(3)\n"
                          "    return 'up'\n"), "app.handler"),
], ids=["node-exit", "node-uncaught", "python-exit"])
def test_a_crash_is_an_error_and_the_worker_is_restarted(runtime, runtime_name, code, handler):
    version = spec(code, runtime=runtime_name, handler=handler)
    crashed = runtime.invoke(version, {"die": True}, "r")
    assert crashed.kind == "error"
    assert runtime.invoke(version, {}, "r").result == "up"


def test_a_handler_that_cannot_load_is_an_error(runtime):
    missing = runtime.invoke(spec(node("exports.other = 1;")), {}, "r")
    assert missing.kind == "error" and missing.error["errorType"] == "Runtime.HandlerNotFound"
    broken = runtime.invoke(spec(python("def handler(:\n"), runtime="python3.11", handler="app.handler"), {}, "r")
    assert broken.kind == "error" and broken.error["errorType"] == "Runtime.UserCodeSyntaxError"
    not_zip = runtime.invoke(spec(b"not a zip"), {}, "r")
    assert not_zip.kind == "error" and not_zip.error["errorType"] == "Runtime.InvalidPackage"
    escaping = runtime.invoke(spec(package({"../outside.js": "x"})), {}, "r")
    assert escaping.kind == "error" and "outside" in escaping.error["errorMessage"]


def test_output_reaches_the_log_with_the_request_id_and_huge_output_is_cut(runtime, caplog):
    code = node("exports.handler = async (e) => { console.log('hello from', e.n); "
                "if (e.big) { process.stdout.write('x'.repeat(3 * 1024 * 1024) + '\\n'); "
                "for (let i = 0; i < 20000; i++) console.error('line', i); } return 'done'; };")
    version = spec(code)
    with caplog.at_level(logging.INFO, logger="cloudfront_local"):
        assert runtime.invoke(version, {"n": 1}, "request-one").result == "done"
        assert runtime.invoke(version, {"n": 2, "big": True}, "request-two").result == "done"
        assert runtime.invoke(version, {"n": 3}, "request-three").result == "done"
        time.sleep(0.5)  # the log reader is a thread of its own
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("lambda:")]
    assert "lambda: /aws/lambda/us-east-1.fn [1] request-one hello from 1" in lines
    assert "lambda: /aws/lambda/us-east-1.fn [1] request-three hello from 3" in lines
    two = [line for line in lines if " request-two " in line]
    assert 1000 < len(two) < 10000
    assert any(line.endswith("[line truncated]") for line in two)
    assert any("bytes more output not logged" in line for line in two)


def test_a_handler_that_forks_and_hangs_never_blocks_and_its_children_go_with_it(runtime, tmp_path):
    code = python("import os, time\ndef handler(e, c):\n    child = os.fork()\n    if child == 0:\n"
                  "        time.sleep(600)\n        os._exit(0)\n    if e.get('hang'):\n        time.sleep(600)\n"
                  "    return child\n")
    version = spec(code, runtime="python3.12", handler="app.handler", timeout=0.5)
    child = runtime.invoke(version, {}, "r").result
    assert isinstance(child, int) and _exists(child)
    started = time.monotonic()
    assert runtime.invoke(version, {"hang": True}, "r").kind == "timeout"
    assert time.monotonic() - started < 3
    runtime.close()
    assert _gone(child)


def test_workers_are_bounded_and_a_caller_waits_then_is_throttled():
    small = Runtime(1)
    try:
        slow = spec(python("import time\ndef handler(e, c):\n    time.sleep(e['s'])\n    return e['s']\n"),
                    runtime="python3.12", handler="app.handler", timeout=5)
        other = spec(node(), version="9")
        results = []
        thread = threading.Thread(target=lambda: results.append(small.invoke(slow, {"s": 1.0}, "a")))
        thread.start()
        time.sleep(0.5)
        throttled = small.invoke(other, {"Records": [{"cf": {"request": {}}}]}, "b", seconds=0.2)
        assert throttled.kind == "throttled"
        waited = small.invoke(other, {"Records": [{"cf": {"request": {"uri": "/"}}}]}, "c", seconds=3)
        assert waited.kind == "ok" and waited.result == {"uri": "/"}  # the idle slow worker made way for it
        thread.join()
        assert results[0].result == 1.0 and small.count == 1
    finally:
        small.close()


def test_python_memory_is_bounded_by_memory_size(runtime):
    code = python("def handler(e, c):\n    block = bytearray(e['mb'] * 1024 * 1024)\n    return len(block)\n")
    version = spec(code, runtime="python3.12", handler="app.handler", memory=128)
    assert runtime.invoke(version, {"mb": 8}, "r").kind == "ok"
    assert runtime.invoke(version, {"mb": 512}, "r").kind == "error"
    assert runtime.invoke(version, {"mb": 8}, "r").kind == "ok"


def test_close_removes_every_unzipped_package_and_process():
    made = Runtime(2)
    outcome = made.invoke(spec(python("import os\ndef handler(e, c):\n    return [os.getcwd(), os.getpid()]\n"),
                               runtime="python3.12", handler="app.handler"), {}, "r")
    directory, pid = outcome.result
    assert os.path.isdir(directory)
    made.close()
    assert not os.path.exists(directory) and _gone(pid)


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _gone(pid: int) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if not _exists(pid):
            return True
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().split(") ", 1)[1].startswith("Z"):
                    return True  # a zombie waiting for init: it runs no more
        except OSError:
            return True
        time.sleep(0.05)
    return False
