"""Domain names (distribution aliases, tenant domains): one holder across all of CloudFront at a time, in
whichever account ("already associated with a different resource", the guide's CNAMEAlreadyExists)."""
from __future__ import annotations

import re
from typing import Callable

from ...store import GLOBAL, Record, Transaction
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


def keys(domains: list[str]) -> list[tuple[str, str, str]]:
    return [(GLOBAL, KEY, normalise(domain)) for domain in domains]


def holder(tx: Transaction, domain: str) -> Record | None:
    """The distribution or tenant holding `domain`, in any account."""
    # holders() rather than find(GLOBAL): it also sees a key written per account by an older version.
    held = tx.holders(KEY, normalise(domain), 1)
    return held[0] if held else None


def claim(ctx: Context, tx: Transaction, domains: list[str], claimant_id: str | None, take_over: bool,
          proven: Callable[[str], bool] | None = None) -> None:
    """Make sure `domains` are free for the claimant: held by nobody, by the claimant itself, or (with
    `take_over`) moved away from their current holder; a holder in another account gives a domain up only
    where `proven(domain)` shows the claimant controls it. Raises CNAMEAlreadyExists otherwise."""
    seen = set()
    for domain in domains:
        name = normalise(domain)
        if name in seen:
            raise CNAMEAlreadyExists(f"The domain {domain} is listed more than once.")
        seen.add(name)
        current = holder(tx, name)
        if current is None or (current.id == claimant_id and current.account == ctx.account):
            continue
        if not take_over or (current.account != ctx.account and not (proven and proven(name))):
            raise CNAMEAlreadyExists(
                f"One or more of the CNAMEs you provided are already associated with a different resource: {domain}")
        _release(ctx, tx, current, name)


def _release(ctx: Context, tx: Transaction, holder: Record, domain: str) -> None:
    _held, without, all_keys = HOLDERS[holder.kind]
    doc = lifecycle.changed(ctx, without(holder.doc, domain))
    tx.replace(holder, doc, all_keys(holder.account, doc))
