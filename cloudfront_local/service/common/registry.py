"""Operation name -> handler, per service. A handler is `handler(ctx, tx, params) -> output dict`.

Most operations are CloudFront's; the KeyValueStore data plane (botocore's `cloudfront-keyvaluestore`) has
operations of its own, one of them named like a CloudFront one (DescribeKeyValueStore)."""
from __future__ import annotations

from typing import Callable

CLOUDFRONT = "cloudfront"
SERVICES: dict[str, dict[str, Callable]] = {CLOUDFRONT: {}}
HANDLERS = SERVICES[CLOUDFRONT]


def operation(name: str, service: str = CLOUDFRONT):
    handlers = SERVICES.setdefault(service, {})

    def register(function: Callable) -> Callable:
        if name in handlers:
            raise RuntimeError(f"{service} {name} has two handlers")
        handlers[name] = function
        return function

    return register


def load_all() -> dict[str, dict[str, Callable]]:
    """Import every module of the service layer, so that each family's handlers register: a new family
    needs no line here. Returns service name -> its handlers."""
    from ... import service

    _import_tree(service.__path__, service.__name__)
    return SERVICES


def _import_tree(path, prefix: str) -> None:
    # pkgutil.walk_packages would import every package to look inside it; the JavaScript runtime registers
    # no operation and its engine should load when code first runs, not at start-up, so it is not entered.
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(path, prefix + "."):
        if module.name.rsplit(".", 1)[1] == "runtime":
            continue
        imported = importlib.import_module(module.name)
        if module.ispkg:
            _import_tree(imported.__path__, module.name)
