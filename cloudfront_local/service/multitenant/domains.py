"""Domain names (distribution aliases, tenant domains): one holder per account at a time."""
from __future__ import annotations

import re
from typing import Callable

from ...store import Record, Transaction
from ..common import lifecycle
from ..common.context import Context
from ..common.errors import CNAMEAlreadyExists, InvalidArgument

KEY = "domain"

# kind -> (domains the record holds, the record's doc without `domain`, all unique keys of a doc);
# filled in by each family that holds domains.
HOLDERS: dict[str, tuple[Callable[[dict], list[str]], Callable[[dict, str], dict], Callable[[str, dict], list]]] = {}


MAX_LENGTH = 253
_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


def normalise(domain: str) -> str:
    return domain.strip().rstrip(".").lower()


def checked(domain: str) -> str:
    """A domain name as CloudFront keeps it (lower case, no trailing dot); a leading `*.` is a wildcard."""
    name = normalise(domain)
    labels = name.split(".")
    if labels[0] == "*":
        labels = labels[1:]
    if not name or len(name) > MAX_LENGTH or len(labels) < 2 or not all(_LABEL.fullmatch(x) for x in labels):
        raise InvalidArgument(f"The domain name {domain!r} is not valid.")
    return name


def keys(account: str, domains: list[str]) -> list[tuple[str, str, str]]:
    return [(account, KEY, normalise(domain)) for domain in domains]


def claim(ctx: Context, tx: Transaction, domains: list[str], claimant_id: str | None, take_over: bool) -> None:
    """Make sure `domains` are free for the claimant: held by nobody, by the claimant itself, or (with
    `take_over`) moved away from their current holder. Raises CNAMEAlreadyExists otherwise."""
    seen = set()
    for domain in domains:
        name = normalise(domain)
        if name in seen:
            raise CNAMEAlreadyExists(f"The domain {domain} is listed more than once.")
        seen.add(name)
        holder = tx.find(ctx.account, KEY, name)
        if holder is None or holder.id == claimant_id:
            continue
        if not take_over:
            raise CNAMEAlreadyExists(
                f"One or more of the CNAMEs you provided are already associated with a different resource: {domain}")
        _release(ctx, tx, holder, name)


def _release(ctx: Context, tx: Transaction, holder: Record, domain: str) -> None:
    _held, without, all_keys = HOLDERS[holder.kind]
    doc = lifecycle.changed(ctx, without(holder.doc, domain))
    tx.replace(holder, doc, all_keys(holder.account, doc))
