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
    import importlib
    import pkgutil

    from ... import service

    for module in pkgutil.walk_packages(service.__path__, service.__name__ + "."):
        # The JavaScript runtime registers no operation, and its engine loads when code first runs.
        if ".runtime" not in module.name:
            importlib.import_module(module.name)
    return SERVICES
