"""Operation name -> handler. A handler is `handler(ctx, tx, params) -> output dict`."""
from __future__ import annotations

from typing import Callable

HANDLERS: dict[str, Callable] = {}


def operation(name: str):
    def register(function: Callable) -> Callable:
        if name in HANDLERS:
            raise RuntimeError(f"{name} has two handlers")
        HANDLERS[name] = function
        return function

    return register


def load_all() -> dict[str, Callable]:
    """Import every resource family so that its handlers register."""
    from . import anycast_ip_lists, connection_groups, distributions, tagging, tenants  # noqa: F401

    return HANDLERS
