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
    """Import every module of the service layer, so that each family's handlers register: a new family
    needs no line here."""
    import importlib
    import pkgutil

    from ... import service

    for module in pkgutil.walk_packages(service.__path__, service.__name__ + "."):
        importlib.import_module(module.name)
    return HANDLERS
