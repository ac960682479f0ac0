"""CloudFront's words for a failed run: its prefix, then the engine's error as njs would have worded it.

Real TestFunction answers read "The CloudFront function associated with the CloudFront distribution is
invalid or could not run. TypeError: cannot get property "value" of undefined" (runtime errors) and
"… could not run. SyntaxError: Unexpected token "=>" in 10" (code njs cannot compile). QuickJS words the
same faults differently; the common ones are translated here to njs's texts (taken from njs's sources).
"""
from __future__ import annotations

import re

PREFIX = "The CloudFront function associated with the CloudFront distribution is invalid or could not run. "

# Our guesses where AWS publishes no wording (docs/behaviour notes say so).
TIMEOUT = "Error: The function exceeded the maximum allowed compute time"
MEMORY = "MemoryError"  # njs's MemoryError carries no message
STACK = "RangeError: Maximum call stack size exceeded"
CRASHED = "InternalError: The function runtime stopped unexpectedly"

_TRANSLATIONS = [
    (re.compile(r"^TypeError: cannot read property '(.*)' of (undefined|null)$", re.S),
     r'TypeError: cannot get property "\1" of \2'),
    (re.compile(r"^TypeError: cannot set property '(.*)' of (undefined|null)$", re.S),
     r'TypeError: cannot set property "\1" of \2'),
    (re.compile(r"^ReferenceError: '(.*)' is not defined$", re.S), r'ReferenceError: "\1" is not defined'),
    (re.compile(r"^InternalError: stack overflow$"), STACK),
    (re.compile(r"^InternalError: out of memory$"), MEMORY),
]
_SYNTAX = [
    (re.compile(r"^unexpected token in expression: ''$"), "Unexpected end of input"),
    (re.compile(r"^unexpected token in expression: '(.*)'$"), r'Unexpected token "\1"'),
    (re.compile(r"^unexpected token: '(.*)'$"), r'Unexpected token "\1"'),
    (re.compile(r"^unexpected end of input$"), "Unexpected end of input"),
    (re.compile(r"^unexpected end of string$"), "Unterminated string"),
]
_LINE = re.compile(r"at [^\n]*?:(\d+)")


def njs_error(text: str) -> str:
    """One line of error, njs style, from the text QuickJS gives ("Name: message\\n    at …")."""
    first = text.split("\n", 1)[0].strip()
    for pattern, replacement in _TRANSLATIONS:
        if pattern.match(first):
            return pattern.sub(replacement, first)
    return first


def njs_syntax_error(text: str) -> str:
    """A QuickJS SyntaxError as njs reports one: the message, then " in <line>"."""
    first = text.split("\n", 1)[0].strip()
    message = first[len("SyntaxError: "):] if first.startswith("SyntaxError: ") else first
    for pattern, replacement in _SYNTAX:
        if pattern.match(message):
            message = pattern.sub(replacement, message)
            break
    line = _LINE.search(text)
    return f"SyntaxError: {message} in {line.group(1) if line else 1}"


def failure(error: str) -> str:
    return PREFIX + error
