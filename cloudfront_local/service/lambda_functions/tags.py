"""Tags, on the function (Lambda tags functions, not versions): TagResource, UntagResource, ListTags."""
from __future__ import annotations

from ..common.registry import operation
from . import names
from .names import SERVICE, InvalidParameterValueException

MAX_TAGS = 50


def check_tags(tags: dict) -> None:
    if len(tags) > MAX_TAGS:
        raise InvalidParameterValueException(f"A function can have at most {MAX_TAGS} tags.")
    for key, value in tags.items():
        if not 1 <= len(key) <= 128 or len(value) > 256:
            raise InvalidParameterValueException("A tag key is 1 to 128 characters and its value at most 256.")
        if key.lower().startswith("aws:"):
            raise InvalidParameterValueException(f"The tag key {key[:128]} uses the reserved prefix aws:.")


def _function(ctx, tx, arn: str):
    if not arn.startswith("arn:"):
        raise InvalidParameterValueException(f"The resource {arn[:300]} is not an ARN.")
    named = names.parse(ctx, arn)
    if named.qualifier:
        raise InvalidParameterValueException("Tags are on the function: give its unqualified ARN.")
    return names.function(ctx, tx, named.name)


@operation("TagResource", SERVICE)
def tag_resource(ctx, tx, params):
    record = _function(ctx, tx, params["Resource"])
    tags = {**record.doc.get("Tags", {}), **params["Tags"]}
    check_tags(tags)
    tx.replace(record, {**record.doc, "Tags": tags})
    return {}


@operation("UntagResource", SERVICE)
def untag_resource(ctx, tx, params):
    record = _function(ctx, tx, params["Resource"])
    tags = {k: v for k, v in record.doc.get("Tags", {}).items() if k not in set(params["TagKeys"])}
    tx.replace(record, {**record.doc, "Tags": tags})
    return {}


@operation("ListTags", SERVICE)
def list_tags(ctx, tx, params):
    return {"Tags": dict(_function(ctx, tx, params["Resource"]).doc.get("Tags", {}))}
