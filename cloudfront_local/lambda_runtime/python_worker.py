"""One Lambda function version's Python runtime, as Lambda's bootstrap runs it: the handler's module imported
once (the init phase), then one invocation at a time. Standard library only, and nothing of the server's:
it runs inside the function's own directory. Invocations come on stdin and answers go on a pipe of their own
(its fd in _CFL_PROTOCOL_FD), each a JSON document behind its length in four bytes, so that whatever the
handler prints is only ever log output."""
import ctypes
import importlib
import json
import os
import resource
import signal
import sys
import time
import traceback

OUT = int(os.environ.pop("_CFL_PROTOCOL_FD"))
IN = sys.stdin.buffer


def _die_with_parent():
    # The worker must not outlive the server, even one killed outright (PR_SET_PDEATHSIG, Linux only).
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:
        os._exit(0)


def send(message):
    try:
        data = json.dumps(message, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode(
            "utf-8", "surrogatepass")
    except (TypeError, ValueError, RecursionError) as error:
        data = json.dumps({"id": message.get("id"), "error": {
            "errorType": "Runtime.MarshalError",
            "errorMessage": f"Unable to marshal response: {error}"}}).encode()
    view = memoryview(len(data).to_bytes(4, "big") + data)
    while view:
        view = view[os.write(OUT, view):]


def read_exactly(size):
    chunks, missing = [], size
    while missing:
        chunk = IN.read(missing)
        if not chunk:
            os._exit(0)  # the server is gone
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def describe(error, kind=None):
    return {"errorType": kind or type(error).__name__, "errorMessage": str(error),
            "stackTrace": traceback.format_exception(type(error), error, error.__traceback__)[-20:]}


class Context:
    def __init__(self, given):
        self._deadline = time.monotonic() + given.get("remainingMs", 0) / 1000
        self.function_name = given.get("functionName")
        self.function_version = given.get("functionVersion")
        self.invoked_function_arn = given.get("invokedFunctionArn")
        self.memory_limit_in_mb = given.get("memoryLimitInMB")
        self.aws_request_id = given.get("awsRequestId")
        self.log_group_name = given.get("logGroupName")
        self.log_stream_name = given.get("logStreamName")
        self.identity = None
        self.client_context = None

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def load(handler):
    module_name, dot, function_name = handler.rpartition(".")
    if not dot or not module_name or not function_name:
        raise ValueError(f"Bad handler '{handler}': not enough values to unpack (expected 2, got 1)")
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as error:
        raise LoadError("Runtime.ImportModuleError",
                        f"Unable to import module '{module_name}': {error}") from None
    except SyntaxError as error:
        raise LoadError("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {error}") from None
    function = getattr(module, function_name, None)
    if not callable(function):
        raise LoadError("Runtime.HandlerNotFound",
                        f"Handler '{function_name}' missing on module '{module_name}'")
    return function


class LoadError(Exception):
    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


def main():
    _die_with_parent()
    limit = int(os.environ.pop("_CFL_MEMORY_BYTES", "0") or 0)
    if limit:
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError):
            pass
    root = os.environ["LAMBDA_TASK_ROOT"]
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [root] + [p for p in sys.path if p and os.path.abspath(p) != here]
    os.chdir(root)
    try:
        handler = load(os.environ["_HANDLER"])
    except LoadError as error:
        send({"op": "ready", "error": {"errorType": error.kind, "errorMessage": str(error)}})
        return
    except BaseException as error:  # the module's own code failed as it was imported
        send({"op": "ready", "error": describe(error, "Runtime.ImportModuleError")})
        return
    send({"op": "ready"})
    while True:
        message = json.loads(read_exactly(int.from_bytes(read_exactly(4), "big")))
        try:
            os.write(1, b"\x00cloudfront-local-invocation:%d\n" % message.get("id"))
        except OSError:
            pass
        try:
            result = handler(message.get("event"), Context(message.get("context") or {}))
        except MemoryError as error:
            send({"id": message.get("id"), "fatal": True, "error": describe(error, "Runtime.OutOfMemory")})
            os._exit(1)
        except BaseException as error:  # SystemExit too: Lambda reports it and starts afresh
            fatal = isinstance(error, (SystemExit, KeyboardInterrupt))
            send({"id": message.get("id"), "fatal": fatal, "error": describe(error)})
            if fatal:
                os._exit(1)
            continue
        send({"id": message.get("id"), "result": result})


if __name__ == "__main__":
    main()
