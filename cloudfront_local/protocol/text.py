"""Small text helpers the parser and the validator share for their messages."""
from __future__ import annotations


def join_path(where: str, name: str) -> str:
    """A member path as messages show it: Tags.Items.1.member.Key."""
    return f"{where}.{name}" if where else name


def clip(value, limit: int = 64) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "..."
