"""Checks parsed input against the model's constraints: required, length, range, pattern, enum."""
from __future__ import annotations

import functools

import botocore.model
import regex

from .text import clip as _show
from .text import join_path as _join


@functools.lru_cache(maxsize=1024)
def _pattern(text: str):
    # The whole value must match: CloudFront's own validation messages show the model's patterns
    # anchored (^...$), although Smithy leaves them unanchored. `regex` understands \p{...} classes.
    try:
        return regex.compile(text)
    except regex.error:
        return None


class Validator:
    """Walks parameters and shape together and collects every violation, each naming its member."""

    def __init__(self, skip_required: frozenset[str] = frozenset()):
        # Wire names of members whose absence the caller reports itself (CloudFront answers a missing
        # If-Match with InvalidIfMatchVersion rather than a validation error).
        self._skip_required = skip_required

    def problems(self, params: dict, shape: botocore.model.Shape | None) -> list[tuple[str, str]]:
        """Every violation as (member path, message); empty when the input conforms."""
        if shape is None:
            return []
        problems: list[tuple[str, str]] = []
        self._structure(params, shape, "", problems)
        return problems

    def _structure(self, value: dict, shape, where: str, problems: list[tuple[str, str]]) -> None:
        for name in shape.required_members:
            if value.get(name) is None:
                member = shape.members[name]
                if member.serialization.get("name", name) in self._skip_required and not where:
                    continue
                path = _join(where, name)
                problems.append((path, f"Value null at '{path}' failed to satisfy constraint: Member must not be null"))
        for name, item in value.items():
            member = shape.members.get(name)
            if member is None or item is None:
                continue
            self._value(item, member, _join(where, name), problems)

    def _value(self, value, shape, where: str, problems: list[tuple[str, str]]) -> None:
        kind = shape.type_name
        meta = shape.metadata
        if meta.get("document") or shape.serialization.get("jsonvalue"):
            return  # any JSON value at all: the model constrains nothing inside it
        if kind == "structure":
            self._structure(value, shape, where, problems)
        elif kind == "list":
            self._length(len(value), meta, value, where, problems, "length")
            for index, item in enumerate(value, 1):
                if item is not None:
                    self._value(item, shape.member, f"{where}.{index}.member", problems)
        elif kind == "map":
            self._length(len(value), meta, value, where, problems, "length")
            for key, item in value.items():
                self._value(key, shape.key, f"{where}.{key}.key", problems)
                if item is not None:
                    self._value(item, shape.value, f"{where}.{key}.value", problems)
        elif kind == "string":
            self._length(len(value), meta, value, where, problems, "length")
            enum = shape.enum
            if enum and value not in enum:
                problems.append((where, f"Value '{_show(value)}' at '{where}' failed to satisfy constraint: "
                                 f"Member must satisfy enum value set: [{', '.join(enum)}]"))
            pattern = meta.get("pattern")
            if pattern:
                compiled = _pattern(pattern)
                if compiled is not None and compiled.fullmatch(value) is None:
                    problems.append((where, f"Value '{_show(value)}' at '{where}' failed to satisfy constraint: "
                                     f"Member must satisfy regular expression pattern: {pattern}"))
        elif kind == "blob":
            self._length(len(value), meta, "<binary>", where, problems, "length")
        elif kind in ("integer", "long", "float", "double"):
            self._length(value, meta, value, where, problems, "value")

    @staticmethod
    def _length(size, meta: dict, value, where: str, problems: list[tuple[str, str]], what: str) -> None:
        """Bounds check: `what` is "length" (of a string, list, map or blob) or "value" (of a number)."""
        low, high = meta.get("min"), meta.get("max")
        if low is not None and size < low:
            problems.append((where, f"Value '{_show(value)}' at '{where}' failed to satisfy constraint: "
                             f"Member must have {what} greater than or equal to {low}"))
        if high is not None and size > high:
            problems.append((where, f"Value '{_show(value)}' at '{where}' failed to satisfy constraint: "
                             f"Member must have {what} less than or equal to {high}"))
