"""The preludes read into each context as bytecode: the fast path is taken, and a context shaped that way
answers as one that parsed the source does, with nothing of one run left in the next."""
import json

import quickjs

from cloudfront_local.service.functions.runtime import bytecode, engine

MODULES = frozenset({"crypto", "querystring", "buffer"})


def test_the_preludes_compile_and_load_as_bytecode():
    compiled = engine._compiled(MODULES)
    assert compiled is not None and len(compiled) > 1000
    context = quickjs.Context()
    host = bytecode.load(context, compiled)
    assert host is not None
    assert context.eval("typeof globalThis.__cloudfront_local_host") == "undefined"  # the slot is gone


def _run(code: str) -> dict:
    job = {"kind": "viewer", "code": code, "runtime": "cloudfront-js-2.0", "now": 0, "kvs": False, "edge": None,
           "raw_query": None, "event": json.dumps({"version": "1.0", "context": {"eventType": "viewer-request"},
                                                  "viewer": {"ip": "198.51.100.7"}, "request": {
                                                      "method": "GET", "uri": "/a", "querystring": {},
                                                      "headers": {}, "cookies": {}}}),
           "limits": {"cpu_seconds": 1.0, "memory_bytes": 2 << 20, "stack_bytes": 256 << 10, "kvs_reads": 10,
                      "log_bytes": 10240}}
    outcome = engine.run(job, lambda requests: [])
    engine.prepare_next()
    engine.free_spent()
    return outcome


def test_runs_on_bytecode_contexts_are_fresh_each_time():
    code = ("import crypto from 'crypto'; function handler(e) { globalThis.seen = (globalThis.seen || 0) + 1;"
            " console.log(String(globalThis.seen) + ' ' + crypto.createHash('md5').update('a').digest('hex'));"
            " return e.request; }")
    for _ in range(3):
        outcome = _run(code)
        assert outcome["error"] is None
        assert outcome["logs"] == ["1 0cc175b9c0f1b6a831c399e269772661"]


def test_a_run_that_exhausts_memory_leaves_the_next_one_whole():
    for _ in range(5):
        assert "MemoryError" in _run("function handler(e) { var s = 'x'; for (;;) s += s; }")["error"]
        assert _run("function handler(e) { return e.request; }")["output"]["request"]["uri"] == "/a"
