"""A JavaScript tokenizer good enough to find syntax by its tokens: it knows comments, strings, template
literals (with their `${…}` parts), regular expressions and line numbers. It never raises: on a construct
it cannot read (an unterminated string, say) it stops, and QuickJS, which parses the code anyway, reports it.
"""
from __future__ import annotations

import re
from typing import NamedTuple

# The tokens after which a `/` begins a regular expression rather than a division.
_REGEX_AFTER_WORDS = frozenset(
    "return typeof instanceof in of new delete void throw case do else yield await".split())
_NAME = re.compile(r"[A-Za-z_$\u0080-\uffff][\w$\u0080-\uffff]*")
_NUMBER = re.compile(r"(?:0[xXoObB][\w]*|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?n?)")
_PUNCT = re.compile(r">>>=|\.\.\.|===|!==|\*\*=|<<=|>>=|>>>|\?\?=|&&=|\|\|=|=>|==|!=|<=|>=|&&|\|\||\?\?|\?\.(?!\d)"
                    r"|\+\+|--|\+=|-=|\*=|/=|%=|&=|\|=|\^=|\*\*|<<|>>|[{}()\[\];,<>+\-*/%&|^!~?:=.@#]")
_NEWLINES = re.compile(r"\r\n|[\n\r\u2028\u2029]")


class Token(NamedTuple):
    kind: str   # "name", "num", "str", "template", "regex", "punct"
    text: str
    line: int   # 1-based, as njs reports it
    start: int  # offset in the source
    end: int


def _lines(text: str) -> int:
    return len(_NEWLINES.findall(text))


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    i, line, n = 0, 1, len(source)
    braces: list[str] = []  # "{" for a brace, "`" for a template's ${ … }
    while i < n:
        c = source[i]
        if c in " \t\f\v\ufeff\xa0":
            i += 1
            continue
        if c in "\n\r\u2028\u2029":
            i += 2 if source.startswith("\r\n", i) else 1
            line += 1
            continue
        if source.startswith("//", i):
            end = _NEWLINES.search(source, i)
            i = end.start() if end else n
            continue
        if source.startswith("/*", i):
            end = source.find("*/", i + 2)
            if end < 0:
                return tokens
            line += _lines(source[i:end])
            i = end + 2
            continue
        if c in "'\"":
            j = i + 1
            while j < n and source[j] != c:
                if source[j] == "\\":
                    j += 1
                elif source[j] in "\n\r":
                    return tokens
                j += 1
            if j >= n:
                return tokens
            tokens.append(Token("str", source[i:j + 1], line, i, j + 1))
            line += _lines(source[i:j + 1])
            i = j + 1
            continue
        if c == "`" or (c == "}" and braces and braces[-1] == "`"):
            if c == "}":
                braces.pop()
            j, start_line = i + 1, line
            while j < n and source[j] != "`" and not source.startswith("${", j):
                j += 2 if source[j] == "\\" else 1
            if j >= n:
                return tokens
            line += _lines(source[i:j])
            tokens.append(Token("template", source[i:j + 1], start_line, i, j + 1))
            if source[j] == "$":
                braces.append("`")
                j += 1
            i = j + 1
            continue
        if c == "/" and _regex_allowed(tokens):
            j, in_class = i + 1, False
            while j < n and (in_class or source[j] != "/"):
                if source[j] == "\\":
                    j += 1
                elif source[j] == "[":
                    in_class = True
                elif source[j] == "]":
                    in_class = False
                elif source[j] in "\n\r":
                    return tokens
                j += 1
            if j >= n:
                return tokens
            flags = _NAME.match(source, j + 1)
            end = flags.end() if flags else j + 1
            tokens.append(Token("regex", source[i:end], line, i, end))
            i = end
            continue
        match = _NUMBER.match(source, i) if (c.isdigit() or (c == "." and source[i + 1:i + 2].isdigit())) else None
        kind = "num"
        if not match:
            match, kind = _NAME.match(source, i), "name"
        if not match:
            match, kind = _PUNCT.match(source, i), "punct"
        if not match:
            i += 1  # a character no token starts with: QuickJS will say so
            continue
        text = match.group()
        if text == "{":
            braces.append("{")
        elif text == "}" and braces:
            braces.pop()
        tokens.append(Token(kind, text, line, i, match.end()))
        i = match.end()
    return tokens


def _regex_allowed(tokens: list[Token]) -> bool:
    if not tokens:
        return True
    last = tokens[-1]
    if last.kind == "name":
        return last.text in _REGEX_AFTER_WORDS
    if last.kind in ("num", "str", "regex") or (last.kind == "template" and last.text.endswith("`")):
        return False
    return last.text not in (")", "]", "}")
