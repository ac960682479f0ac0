"""An event loop of the edge's own, on a thread of its own, for callers that have none: the in-process mock's
synchronous `Edge.handle` drives on it the very coroutines the server awaits on its loop, so the delivery
logic exists once. Made when first needed; its origin connections are closed at exit."""
from __future__ import annotations

import asyncio
import atexit
import threading

_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None
_lock = threading.Lock()


def run(coroutine):
    """The coroutine's result, run to its end on the private loop (the caller's thread waits)."""
    loop = _started()
    if threading.current_thread() is _thread:
        coroutine.close()
        raise RuntimeError("the edge's private loop cannot wait on itself")
    return asyncio.run_coroutine_threadsafe(coroutine, loop).result()


def _started() -> asyncio.AbstractEventLoop:
    global _loop, _thread
    with _lock:
        if _loop is None:
            loop = asyncio.new_event_loop()
            _thread = threading.Thread(target=loop.run_forever, name="cloudfront-local edge", daemon=True)
            _thread.start()
            _loop = loop
            atexit.register(_closed)
        return _loop


def _closed() -> None:
    """Pooled origin connections closed before the interpreter goes, so that aiohttp has none to warn of."""
    from . import origins

    try:
        asyncio.run_coroutine_threadsafe(origins.close(), _loop).result(timeout=2)
    except Exception:  # exiting: nothing is left to tell
        pass
