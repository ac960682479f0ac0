"""Marker / MaxItems paging shared by every list operation.

A marker is an opaque token for the position of the last item returned (its insertion sequence), so a walk
through the pages never repeats an item and never skips one that still exists, whatever is created or
deleted meanwhile.
"""
from __future__ import annotations

import base64
import binascii

from ...store import Record, Transaction
from .errors import InvalidArgument

MAX_ITEMS = 100


def encode_marker(kind: str, seq: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{seq}".encode()).decode().rstrip("=")


def decode_marker(kind: str, marker: str) -> int:
    try:
        text = base64.urlsafe_b64decode(marker + "=" * (-len(marker) % 4)).decode()
        prefix, _, seq = text.rpartition(":")
        if prefix != kind or not seq.isascii() or not seq.isdigit() or len(seq) > 18:
            raise ValueError
        return int(seq)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidArgument(f"The marker {marker!r} is not valid.") from None


def max_items(value, default: int = MAX_ITEMS) -> int:
    """MaxItems as sent (an integer, or a string for older operations); 1 to 100."""
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidArgument(f"MaxItems must be a whole number, not {value!r}.") from None
    if not 1 <= number <= MAX_ITEMS:
        raise InvalidArgument(f"MaxItems must be between 1 and {MAX_ITEMS}.")
    return number


def page(tx: Transaction, kind: str, account: str, marker: str | None, limit: int,
         where: dict[str, str] | None = None) -> tuple[list[Record], str | None]:
    """One page of records of `kind` and the marker of the next page (None on the last)."""
    after = decode_marker(kind, marker) if marker else 0
    records = tx.page(kind, account, after, limit + 1, where)
    if len(records) > limit:
        return records[:limit], encode_marker(kind, records[limit - 1].seq)
    return records, None


def page_after(tx: Transaction, kind: str, account: str, marker: str | None, limit: int, fixed: list[dict],
               include_store: bool = True) -> tuple[list[dict], str | None]:
    """One page of documents: the `fixed` ones first (AWS-managed resources, the same in every account),
    then, with `include_store`, the account's records of `kind` in insertion order. Returns (documents,
    the next page's marker or None)."""
    fixed_kind = kind + ":fixed"
    position, after = 0, 0
    if marker:
        try:
            position = min(decode_marker(fixed_kind, marker), len(fixed))
        except InvalidArgument:
            after, position = decode_marker(kind, marker), len(fixed)
    head = fixed[position:position + limit + 1]
    if len(head) > limit:
        return head[:limit], encode_marker(fixed_kind, position + limit)
    if not include_store:
        return head, None
    room = limit - len(head)
    records = tx.page(kind, account, after, room + 1)
    if len(records) <= room:
        return head + [record.doc for record in records], None
    if room == 0:  # the page ends with the last fixed document, and records follow
        return head, encode_marker(fixed_kind, len(fixed))
    return head + [record.doc for record in records[:room]], encode_marker(kind, records[room - 1].seq)
