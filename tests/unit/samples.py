"""Sample parameters for any botocore shape, for round-trip tests of the codec."""
from __future__ import annotations

import datetime


def sample(shape, depth: int = 0, seen: tuple = ()):
    """A value of `shape`: every member filled, lists of two, bounded recursion."""
    kind = shape.type_name
    if kind == "structure":
        if shape.name in seen or depth > 6:
            return None
        value = {}
        for name, member in shape.members.items():
            if member.metadata.get("eventstream") or member.serialization.get("eventstream"):
                continue
            item = sample(member, depth + 1, seen + (shape.name,))
            if item is not None:
                value[name] = item
        return value
    if kind == "list":
        item = sample(shape.member, depth + 1, seen)
        return [] if item is None else [item, item]
    if kind == "map":
        item = sample(shape.value, depth + 1, seen)
        return {} if item is None else {"k1": item, "k2": item}
    if kind == "string":
        if shape.enum:
            return shape.enum[-1]
        return "v-" + shape.name[:8]
    if kind in ("integer", "long"):
        return int(shape.metadata.get("min", 7)) + 1
    if kind in ("float", "double"):
        return 1.5
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return datetime.datetime(2026, 11, 24, 10, 30, 15, tzinfo=datetime.timezone.utc)
    if kind == "blob":
        return b"binary-blob"
    return None
