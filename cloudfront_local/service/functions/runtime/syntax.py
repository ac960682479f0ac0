"""The syntax CloudFront's engine refuses although QuickJS would run it, and `import` turned into a lookup.

CloudFront Functions run on njs (NGINX JavaScript): its byte strings, its `crypto` and `querystring`
modules and its error texts (`cannot get property "value" of undefined`) give it away. cloudfront-js-1.0
dates from njs 0.5 (May 2021, before njs had `let` and `const`) and cloudfront-js-2.0 from njs 0.8. Each
refusal below is one njs's parser makes with `njs_parser_not_supported()` in both versions, or in 0.5 only
for the 1.0 list, worded as njs words it: `SyntaxError: Token "const" not supported in this version in 3`.
"""
from __future__ import annotations

from .tokens import Token, tokenize

RUNTIME_1 = "cloudfront-js-1.0"
RUNTIME_2 = "cloudfront-js-2.0"
RUNTIMES = (RUNTIME_1, RUNTIME_2)

# Built-in modules each runtime lets `import` and `require` load.
MODULES = {RUNTIME_1: ("crypto", "querystring"), RUNTIME_2: ("cloudfront", "crypto", "querystring", "buffer")}
# A global no function would name: rewritten `import`s call it (prelude.js defines it).
IMPORT_FUNCTION = "__cloudfront_import__"

_NOT_SUPPORTED = 'Token "{}" not supported in this version'
_STATEMENT_START = frozenset({None, ";", "{", "}", ")", ":"})  # ")" ends `if (…)` and the like
_CALLEE_END = frozenset({")", "]"})
_KEYWORDS_BEFORE_PAREN = frozenset("if for while switch catch with return typeof void delete new in of "
                                   "instanceof do else case throw await yield function".split())
_OPERAND_BEFORE_BRACE = frozenset("( [ , = : ? return ! ~ + - * / % & | ^ < > <= >= == != === !== && || ?? "
                                  "+= -= *= /= %= **= in of typeof void delete new throw case yield await".split())


class Refusal(Exception):
    """Code the runtime would not compile, with njs's message and the line it names."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message, self.line = message, line

    def __str__(self) -> str:
        return f"SyntaxError: {self.message} in {self.line}"


def prepare(source: str, runtime: str) -> tuple[str, frozenset[str]]:
    """The code to hand QuickJS, checked against `runtime`'s refusals (raising `Refusal`), strict as
    CloudFront runs it, with each `import x from 'm'` made a lookup on the same line; and the built-in
    modules it can reach, which are all that need loading into its context."""
    tokens = tokenize(source)
    _check(tokens, runtime)
    return '"use strict";' + _rewrite_imports(source, tokens, runtime), _modules(tokens, runtime)


# What makes a module reachable: its name, as a module name or one of the globals it provides.
_MODULE_NAMES = {"crypto": {"crypto"}, "querystring": {"querystring"}, "cloudfront": {"cloudfront"},
                 "buffer": {"buffer", "Buffer", "TextEncoder", "TextDecoder", "atob", "btoa"}}


def _modules(tokens: list[Token], runtime: str) -> frozenset[str]:
    available = set(MODULES[runtime])
    names = {token.text[1:-1] if token.kind == "str" else token.text for token in tokens
             if token.kind in ("name", "str")}
    if "globalThis" in names or "this" in names or _dynamic_require(tokens):
        needed = available  # a name put together at run time: no telling what it reaches
    else:
        needed = {module for module in available if names & _MODULE_NAMES[module]}
    if needed & {"crypto", "cloudfront"} and runtime == RUNTIME_2:
        needed.add("buffer")  # digest() and kvs.get(…, {format: "bytes"}) answer with Buffers
    return frozenset(needed)


def _dynamic_require(tokens: list[Token]) -> bool:
    for index, token in enumerate(tokens[:-2]):
        if token.text == "require" and tokens[index + 1].text == "(" and tokens[index + 2].kind != "str":
            return True
    return False


def _check(tokens: list[Token], runtime: str) -> None:
    shape = _Shape(tokens)
    for index, token in enumerate(tokens):
        before = tokens[index - 1] if index else None
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        text = token.text if token.kind in ("name", "punct") else None
        if before is not None and before.text in (".", "?."):
            continue  # a property name, not a keyword
        if text in ("class", "with", "debugger", "super") and not _is_key(after):
            raise Refusal(_NOT_SUPPORTED.format(text), token.line)
        if text == "function" and after is not None and after.text == "*":
            raise Refusal(_NOT_SUPPORTED.format("*"), after.line)
        if text == "import" and after is not None and after.text in ("(", "."):
            raise Refusal(_NOT_SUPPORTED.format("import"), token.line)
        if text == "export":
            raise Refusal("Illegal export statement", token.line)
        if text == "catch" and after is not None and after.text == "{":
            raise Refusal(_NOT_SUPPORTED.format("{"), after.line)
        if text in ("var", "let", "const") and after is not None and after.text in ("[", "{"):
            if runtime == RUNTIME_1 and text != "var":
                raise Refusal(_NOT_SUPPORTED.format(text), token.line)
            raise Refusal(_NOT_SUPPORTED.format(after.text), after.line)
        opener = shape.parent[index]
        if text == "of" and opener is not None and opener > 0 and tokens[opener - 1].text == "for":
            raise Refusal(_NOT_SUPPORTED.format("of"), token.line)
        if text in ("...", "[") and before is not None and before.text in ("{", ",") and \
                opener is not None and shape.object_literal(opener) and \
                (index - 1 == opener or shape.parent[index - 1] == opener):
            raise Refusal(_NOT_SUPPORTED.format(text), token.line)
        if text == "(" and index in shape.closers:
            _check_parameters(tokens, index, shape)
        if runtime == RUNTIME_1:
            _check_1_0(token, before, after)
        elif text == "await" and opener is not None and shape.call_arguments(opener):
            raise Refusal("await in arguments not supported", token.line)


def _check_1_0(token: Token, before: Token | None, after: Token | None) -> None:
    # njs 0.5 had neither lexical declarations nor async functions.
    text = token.text if token.kind == "name" else None
    if text in ("let", "const") and after is not None and (after.kind == "name" or after.text in ("[", "{")) \
            and (before is None or before.text in _STATEMENT_START or before.text == "("):
        raise Refusal(_NOT_SUPPORTED.format(text), token.line)
    if text == "async" and after is not None and (after.text in ("function", "(") or after.kind == "name") \
            and not _is_key(after):
        raise Refusal(_NOT_SUPPORTED.format("async"), token.line)
    if text == "await" and not _is_key(after):
        raise Refusal(_NOT_SUPPORTED.format("await"), token.line)


def _check_parameters(tokens: list[Token], index: int, shape: "_Shape") -> None:
    """Destructuring in parameters: njs refuses it in a function's list (`Token "[" not supported`), and
    an arrow's list it reads as an expression, then stumbles on the arrow (`Unexpected token "=>"`)."""
    close = shape.closers[index]
    arrow = close + 1 < len(tokens) and tokens[close + 1].text == "=>"
    before = tokens[index - 1] if index else None
    function = before is not None and (before.text == "function" or
                                       (before.kind == "name" and index >= 2 and tokens[index - 2].text == "function"))
    if not (arrow or function):
        return
    for position in shape.children.get(index, ()):
        token = tokens[position]
        if token.text in ("[", "{") and tokens[position - 1].text in ("(", ","):
            if arrow:
                raise Refusal('Unexpected token "=>"', tokens[close + 1].line)
            raise Refusal(_NOT_SUPPORTED.format(token.text), token.line)


class _Shape:
    """Where each bracket closes and which bracket each token sits directly in, found in one pass so
    that hostile code costs time linear in its length."""

    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.closers: dict[int, int] = {}
        self.parent: list[int | None] = []
        self.children: dict[int, list[int]] = {}
        stack: list[int] = []
        for index, token in enumerate(tokens):
            closing = token.kind == "punct" and token.text in ")]}" and stack
            if closing:
                self.closers[stack.pop()] = index
            self.parent.append(stack[-1] if stack else None)
            if stack:
                self.children.setdefault(stack[-1], []).append(index)
            if token.kind == "punct" and token.text in "([{":
                stack.append(index)

    def object_literal(self, opener: int) -> bool:
        before = self.tokens[opener - 1] if opener else None
        return self.tokens[opener].text == "{" and before is not None and before.text in _OPERAND_BEFORE_BRACE

    def call_arguments(self, opener: int) -> bool:
        if self.tokens[opener].text != "(" or opener == 0:
            return False
        callee = self.tokens[opener - 1]
        if callee.kind == "name":
            return callee.text not in _KEYWORDS_BEFORE_PAREN
        return callee.text in _CALLEE_END or callee.kind == "template"


def _is_key(after: Token | None) -> bool:
    return after is not None and after.text == ":"  # `{ class: 1 }`: a property name


def _rewrite_imports(source: str, tokens: list[Token], runtime: str) -> str:
    """`import name from 'module'` (njs lets a script import its built-in modules) becomes
    `const name = __cloudfront_import__("module")`, keeping every line where it was."""
    pieces, last = [], 0
    for index, token in enumerate(tokens):
        if token.text != "import" or token.kind != "name" or (index and tokens[index - 1].text not in (";", "}")):
            continue
        rest = tokens[index + 1:index + 4]
        if len(rest) < 3 or rest[0].kind != "name" or rest[1].text != "from" or rest[2].kind != "str":
            if rest and rest[0].text in ("{", "*"):
                raise Refusal("Non-default import is not supported", token.line)
            continue
        module = rest[2].text[1:-1]
        if module not in MODULES[runtime]:
            raise Refusal(f'Cannot find module "{module}"', token.line)
        keyword = "var" if runtime == RUNTIME_1 else "const"
        pieces.append(source[last:token.start])
        pieces.append(f'{keyword} {rest[0].text} = {IMPORT_FUNCTION}("{module}")')
        last = rest[2].end
    pieces.append(source[last:])
    return "".join(pieces)
