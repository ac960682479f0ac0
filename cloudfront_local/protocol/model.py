"""Loading botocore service models: the single source of truth for routes, shapes and errors."""
from __future__ import annotations

import collections
import functools

import botocore.loaders
import botocore.model


@functools.lru_cache(maxsize=None)
def load_service_model(service_name: str, api_version: str | None = None) -> botocore.model.ServiceModel:
    """The service model exactly as the installed botocore ships it."""
    loader = botocore.loaders.create_loader()
    data = loader.load_service_model(service_name, "service-2", api_version)
    return botocore.model.ServiceModel(data, service_name=service_name)


def service_namespace(model: botocore.model.ServiceModel) -> str | None:
    """The XML namespace a REST-XML service writes on its root elements.

    Models put it on input shapes only; the most common one is the service's namespace.
    """
    seen: collections.Counter[str] = collections.Counter()
    for name in model.operation_names:
        shape = model.operation_model(name).input_shape
        if shape is None:
            continue
        for declared in (shape, *shape.members.values()):
            uri = namespace_of(declared)[1]
            if uri:
                seen[uri] += 1
    return seen.most_common(1)[0][0] if seen else None


def namespace_of(shape: botocore.model.Shape) -> tuple[str | None, str | None]:
    """(prefix, uri) of a shape's or member's `xmlNamespace`, which models write either as a bare URI or
    as {"prefix": ..., "uri": ...}; (None, None) where there is none."""
    declared = shape.serialization.get("xmlNamespace")
    if isinstance(declared, str):
        return None, declared or None
    if isinstance(declared, dict):
        return declared.get("prefix") or None, declared.get("uri") or None
    return None, None


def error_shapes(model: botocore.model.ServiceModel) -> dict[str, botocore.model.Shape]:
    """Error code -> the model's shape for that error."""
    shapes: dict[str, botocore.model.Shape] = {}
    for shape_name in model.shape_names:
        shape = model.shape_for(shape_name)
        if shape.metadata.get("exception"):
            shapes[(shape.metadata.get("error") or {}).get("code", shape_name)] = shape
    return shapes


def error_statuses(model: botocore.model.ServiceModel) -> dict[str, int]:
    """Error code -> HTTP status, from the model's error shapes."""
    return {code: int((shape.metadata.get("error") or {}).get("httpStatusCode", 400))
            for code, shape in error_shapes(model).items()}
