"""Invalidations of a distribution's or a tenant's cached objects: InProgress until the deploy delay has
passed, then Completed. What each covered stays with it, for the edge to purge."""
from __future__ import annotations

import hashlib

from ...store import KeyTaken, Transaction
from ..common import errors, ids, lifecycle, paging, quantities
from ..common.context import Context
from ..common.registry import operation
from ..multitenant import tenants
from . import distributions

KIND = "invalidation"
REFERENCE_KEY = "invalidation:caller-reference"
API = "https://cloudfront.amazonaws.com/2020-05-31/"
# CloudFront's quotas: "File invalidation: maximum number of active file invalidations allowed" 3,000 paths;
# "wildcard invalidation" 15 paths; a path is at most 4,000 characters.
MAX_PATHS_IN_PROGRESS = 3000
MAX_WILDCARDS_IN_PROGRESS = 15
MAX_PATH_LENGTH = 4000
BAD_PATHS = "Your request contains one or more invalid invalidation paths."
# CloudFront's answer to a used CallerReference with other paths, as public reports quote it (aws-cdk issue
# 3878, jonls/s3-deploy-website issue 26): InvalidArgument, the only fitting error in the model's list.
REFERENCE_USED = ("Your request contains a caller reference that was used for a previous invalidation batch for "
                  "the same distribution.")


def _check_paths(batch: dict) -> list[str]:
    quantities.check(batch["Paths"], "Paths")
    paths = quantities.items(batch["Paths"])
    if not paths:
        raise errors.InvalidArgument(BAD_PATHS + " An invalidation needs at least one path.")
    if len(paths) > MAX_PATHS_IN_PROGRESS:
        raise errors.BatchTooLarge(f"An invalidation can hold at most {MAX_PATHS_IN_PROGRESS} paths.")
    for path in paths:
        if not path.startswith("/") or len(path) > MAX_PATH_LENGTH or "*" in path[:-1]:
            raise errors.InvalidArgument(f"{BAD_PATHS} {path[:80]!r}: a path starts with /, is at most "
                                         f"{MAX_PATH_LENGTH} characters, and may end with one * and have no other.")
    return paths


def _all(ctx: Context, tx: Transaction, owner: str) -> list[dict]:
    """Every invalidation of a distribution ("distribution:<id>") or tenant, oldest first."""
    docs, after = [], 0
    while True:
        records = tx.page(KIND, ctx.account, after, 500, {"_owner": owner})
        docs += [record.doc for record in records]
        if len(records) < 500:
            return docs
        after = records[-1].seq


def _create(ctx: Context, tx: Transaction, owner: str, batch: dict, id_length: int, location: str) -> dict:
    paths = _check_paths(batch)
    fingerprint = hashlib.sha256("\n".join(paths).encode()).hexdigest()
    reference = f"{owner}/{batch['CallerReference']}"
    existing = tx.find(ctx.account, REFERENCE_KEY, reference)
    if existing is not None:
        if existing.doc["_paths"] == fingerprint:
            return _output(ctx, existing.doc, location)  # the same batch again is the same invalidation
        raise errors.InvalidArgument(REFERENCE_USED)
    running = [doc for doc in _all(ctx, tx, owner) if not lifecycle.is_deployed(ctx, doc)]
    wildcards = sum(1 for path in paths if path.endswith("*"))
    running_wildcards = sum(doc["_wildcards"] for doc in running)
    running_files = sum(doc["_files"] for doc in running)
    if running_wildcards + wildcards > MAX_WILDCARDS_IN_PROGRESS or \
            running_files + len(paths) - wildcards > MAX_PATHS_IN_PROGRESS:
        raise errors.TooManyInvalidationsInProgress(
            f"Processing your request would cause you to exceed the maximum number of in-progress paths "
            f"({MAX_PATHS_IN_PROGRESS} file paths, {MAX_WILDCARDS_IN_PROGRESS} wildcard paths).")
    invalidation_id = ids.invalidation_id(id_length)
    doc = {"Id": invalidation_id, "CreateTime": ids.timestamp(ctx.now), "InvalidationBatch": batch,
           "_owner": owner, "_paths": fingerprint, "_wildcards": wildcards, "_files": len(paths) - wildcards,
           **lifecycle.deploying(ctx)}
    try:
        tx.insert(KIND, ctx.account, invalidation_id, doc, [(ctx.account, REFERENCE_KEY, reference)])
    except KeyTaken as taken:
        if taken.key == REFERENCE_KEY:  # a concurrent request with the same reference won
            raise errors.InvalidArgument(REFERENCE_USED) from None
        raise
    return _output(ctx, doc, location)


def _invalidation(ctx: Context, doc: dict) -> dict:
    return {"Id": doc["Id"], "Status": lifecycle.status(ctx, doc, "InProgress").replace("Deployed", "Completed"),
            "CreateTime": doc["CreateTime"], "InvalidationBatch": doc["InvalidationBatch"]}


def _output(ctx: Context, doc: dict, location: str) -> dict:
    return {"Invalidation": _invalidation(ctx, doc), "Location": location + doc["Id"]}


def _get(ctx: Context, tx: Transaction, owner: str, invalidation_id: str) -> dict:
    record = tx.get(KIND, ctx.account, invalidation_id)
    if record is None or record.doc["_owner"] != owner:
        raise errors.NoSuchInvalidation("The specified invalidation does not exist.")
    return {"Invalidation": _invalidation(ctx, record.doc)}


def _list(ctx: Context, tx: Transaction, owner: str, params: dict) -> dict:
    """Newest first, as AWS lists them; the marker is the last listed invalidation's Id."""
    limit = paging.max_items(params.get("MaxItems"))
    docs = _all(ctx, tx, owner)[::-1]
    start = 0
    if params.get("Marker"):
        start = next((i + 1 for i, doc in enumerate(docs) if doc["Id"] == params["Marker"]), None)
        if start is None:
            raise errors.InvalidArgument(f"The marker {params['Marker']!r} is not an invalidation of this list.")
    page = docs[start:start + limit]
    listing = {"Marker": params.get("Marker") or "", "MaxItems": limit, "IsTruncated": start + limit < len(docs),
               "Quantity": len(page)}
    if page:
        listing["Items"] = [{key: _invalidation(ctx, doc)[key] for key in ("Id", "CreateTime", "Status")}
                            for doc in page]
    if listing["IsTruncated"]:
        listing["NextMarker"] = page[-1]["Id"]
    return {"InvalidationList": listing}


def _distribution(ctx: Context, tx: Transaction, distribution_id: str) -> str:
    record = distributions.get_record(ctx, tx, distribution_id)
    if distributions.is_multi_tenant(record.doc):
        # A multi-tenant distribution serves nothing itself: its tenants are invalidated one by one.
        raise errors.NoSuchDistribution("The specified distribution does not exist: invalidate its tenants.")
    return "distribution:" + record.id


def _tenant(ctx: Context, tx: Transaction, tenant_id: str) -> str:
    record = tenants.lookup(ctx, tx, tenant_id)
    if record is None:
        raise errors.EntityNotFound(f"The distribution tenant {tenant_id} does not exist.")
    return "distribution-tenant:" + record.id


def _register(suffix: str, owner_of, owner_member: str, get_owner_member: str, id_length: int) -> None:
    """The three operations of one kind of owner: `suffix` names them (…ForDistributionTenant), `owner_of`
    finds the owner from the id its requests carry (in `owner_member`, or `get_owner_member` for Get)."""

    @operation("CreateInvalidation" + suffix)
    def create(ctx, tx, params):
        owner = owner_of(ctx, tx, params[owner_member])
        kind, owner_id = owner.split(":", 1)
        return _create(ctx, tx, owner, params["InvalidationBatch"], id_length, f"{API}{kind}/{owner_id}/invalidation/")

    @operation("GetInvalidation" + suffix)
    def get(ctx, tx, params):
        return _get(ctx, tx, owner_of(ctx, tx, params[get_owner_member]), params["Id"])

    @operation("ListInvalidations" + suffix)
    def list_all(ctx, tx, params):
        return _list(ctx, tx, owner_of(ctx, tx, params[owner_member]), params)


_register("", _distribution, "DistributionId", "DistributionId", 13)
_register("ForDistributionTenant", _tenant, "Id", "DistributionTenantId", 25)


def covering(ctx: Context, tx: Transaction, owner: str) -> list[dict]:
    """The paths each invalidation of a distribution or tenant covers and when it was made, oldest first:
    what the edge purges from its cache."""
    return [{"CreateTime": doc["CreateTime"], "Paths": quantities.items(doc["InvalidationBatch"]["Paths"])}
            for doc in _all(ctx, tx, owner)]
