"""The preludes compiled once per worker and read into each fresh context as bytecode.

Parsing the preludes is most of what a fresh context costs (about 1.3 ms of a 1.9 ms run); reading their
bytecode back is a copy. The `quickjs` binding has no door to QuickJS's JS_WriteObject / JS_ReadObject, so
this module calls them through ctypes in the binding's own library, on the JSContext the binding made.
Every step checks what QuickJS answers; anything unexpected (another binding layout, a failed read) turns
this module off and the engine parses the source as before, so the worst case is the old speed.

The global state stays fresh: each run still gets a new runtime and context; only the compiled, immutable
program is shared, never an object.
"""
from __future__ import annotations

import ctypes
import sys

import quickjs

_COMPILE_ONLY = 1 << 5   # JS_EVAL_FLAG_COMPILE_ONLY
_BYTECODE = 1            # JS_WRITE_OBJ_BYTECODE / JS_READ_OBJ_BYTECODE
_TAG_EXCEPTION = 6       # JS_TAG_EXCEPTION
_TAG_UNDEFINED = 3
_TAG_FUNCTION_BYTECODE = -2
# The name the compiled prelude leaves its result under, taken back and deleted at once.
_SLOT = "__cloudfront_local_host"


class _Value(ctypes.Structure):
    """QuickJS's JSValue on 64-bit builds without NaN boxing: a union of 8 bytes, then the tag."""
    _fields_ = [("u", ctypes.c_uint64), ("tag", ctypes.c_int64)]


def _library():
    if sys.maxsize <= 2 ** 32:
        return None
    try:
        import _quickjs
        library = ctypes.CDLL(_quickjs.__file__)
        library.JS_Eval.restype = _Value
        library.JS_Eval.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
                                    ctypes.c_int]
        library.JS_WriteObject.restype = ctypes.c_void_p
        library.JS_WriteObject.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t), _Value, ctypes.c_int]
        library.JS_ReadObject.restype = _Value
        library.JS_ReadObject.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int]
        library.JS_EvalFunction.restype = _Value
        library.JS_EvalFunction.argtypes = [ctypes.c_void_p, _Value]
        library.js_free.restype = None
        library.js_free.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        library.__JS_FreeValue.restype = None
        library.__JS_FreeValue.argtypes = [ctypes.c_void_p, _Value]
        return library
    except (ImportError, OSError, AttributeError):
        return None


_LIB = _library()


def _context_pointer(context: quickjs.Context) -> int:
    # The binding's RuntimeData: PyObject_HEAD, JSRuntime *runtime, JSContext *context.
    return ctypes.c_void_p.from_address(id(context) + object.__basicsize__ + ctypes.sizeof(ctypes.c_void_p)).value


def _free(context_pointer: int, value: _Value) -> None:
    """JS_FreeValue, which is inline in QuickJS's header: drop one reference, free at zero."""
    if value.tag < 0:  # the tags that carry a reference count
        count = ctypes.c_int.from_address(value.u)
        count.value -= 1
        if count.value <= 0:
            _LIB.__JS_FreeValue(context_pointer, value)


def compile_script(source: str) -> bytes | None:
    """`source` (an expression whose value the engine wants) compiled into bytecode, or None."""
    if _LIB is None:
        return None
    context = quickjs.Context()
    try:
        pointer = _context_pointer(context)
        if not pointer or context.eval("1+1") != 2:
            return None
        script = f"void (globalThis.{_SLOT} = {source});".encode()
        compiled = _LIB.JS_Eval(pointer, script, len(script), b"<runtime>", _COMPILE_ONLY)
        if compiled.tag != _TAG_FUNCTION_BYTECODE:
            if compiled.tag == _TAG_EXCEPTION:
                context.eval("void 0")  # leaves the pending exception where the binding clears it
            return None
        size = ctypes.c_size_t()
        buffer = _LIB.JS_WriteObject(pointer, ctypes.byref(size), compiled, _BYTECODE)
        _free(pointer, compiled)
        if not buffer:
            return None
        data = ctypes.string_at(buffer, size.value)
        _LIB.js_free(pointer, buffer)
        return data
    except (ValueError, OSError, ctypes.ArgumentError):
        return None


def load(context: quickjs.Context, data: bytes):
    """Run the compiled script `data` in `context`; its value, or None when QuickJS refused to read it."""
    pointer = _context_pointer(context)
    function = _LIB.JS_ReadObject(pointer, data, len(data), _BYTECODE)
    if function.tag != _TAG_FUNCTION_BYTECODE:
        return None
    result = _LIB.JS_EvalFunction(pointer, function)  # takes the function's reference
    if result.tag == _TAG_EXCEPTION:
        return None
    _free(pointer, result)
    value = context.get(_SLOT)
    context.eval(f"delete globalThis.{_SLOT}")
    return value
