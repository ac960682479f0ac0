"""Checks the three policy kinds share: names, and the header, cookie and query string lists."""
from __future__ import annotations

import re

from ..common import errors, quantities

NAME = re.compile(r"[A-Za-z0-9_-]{1,128}")
MAX_ITEMS = 10  # headers, cookies or query strings in one cache or origin request policy


def check_name(name: str, noun: str) -> None:
    if not NAME.fullmatch(name):
        raise errors.InvalidArgument(f"The {noun} name {name!r} is invalid: use 1 to 128 letters, digits, - and _.")


def check_list(config: dict | None, behavior_member: str, list_member: str, none_values: tuple[str, ...],
               too_many: str, what: str) -> None:
    """A {…Behavior, …s: {Quantity, Items}} pair: no names with a behavior that takes none, at least one
    with one that needs them, and at most MAX_ITEMS."""
    config = config or {}
    behavior = config.get(behavior_member)
    names = quantities.items(config.get(list_member))
    if behavior in none_values and names:
        raise errors.InvalidArgument(f"{what} can't be listed when {behavior_member} is {behavior}.")
    if behavior not in none_values and not names:
        raise errors.InvalidArgument(f"{behavior_member} {behavior} needs at least one {what[:-1].lower()}.")
    if len(names) > MAX_ITEMS:
        raise getattr(errors, too_many)(f"A policy can list at most {MAX_ITEMS} {what.lower()}.")
    if len({n.lower() for n in names}) != len(names):
        raise errors.InvalidArgument(f"{what} must be listed only once each.")
