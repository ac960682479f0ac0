"""CloudFront's collections carry their own count: {"Quantity": 2, "Items": [...]}. The two must agree."""
from __future__ import annotations

from .errors import InconsistentQuantities


def check(value, name: str) -> None:
    """Every Quantity in `value`, at any depth, must match the number of its Items."""
    if isinstance(value, dict):
        if isinstance(value.get("Quantity"), int) and not isinstance(value["Quantity"], bool):
            items = value.get("Items") or []
            if len(items) != value["Quantity"]:
                raise InconsistentQuantities(
                    f"The specified quantity of {name} ({value['Quantity']}) does not match the actual quantity "
                    f"supplied ({len(items)}).")
        for key, item in value.items():
            check(item, key)
    elif isinstance(value, list):
        for item in value:
            check(item, name)


def items(collection: dict | None) -> list:
    """The Items of a collection that may be absent or empty."""
    return list((collection or {}).get("Items") or [])


def as_answered(value):
    """`value` with every empty collection's Items left out ({"Quantity": 0, "Items": []} becomes
    {"Quantity": 0}), at any depth: CloudFront answers an empty collection by its Quantity alone."""
    if isinstance(value, dict):
        if value.get("Quantity") == 0 and "Items" in value and not value["Items"]:
            value = {key: item for key, item in value.items() if key != "Items"}
        return {key: as_answered(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_answered(item) for item in value]
    return value
