"""Published versions: immutable snapshots of $LATEST (code and configuration) numbered 1, 2, ... and never
renumbered, even after a deletion; ListVersionsByFunction pages $LATEST and then them."""
from __future__ import annotations

import base64
import binascii
import json

from ..common.context import Context
from ..common.registry import operation
from . import names
from .names import FUNCTION, LATEST, SERVICE, VERSION, InvalidParameterValueException

DEFAULT_ITEMS = 50  # Lambda's page when MaxItems is not given
# What a version keeps of $LATEST; everything else (Tags, Policy, the version counter) is the function's.
_SNAPSHOT_EXTRA = ("Code", "Region")


def all_versions(ctx: Context, tx, name: str) -> list:
    """The function's version records, oldest first."""
    found, after = [], 0
    while True:
        batch = tx.page(VERSION, ctx.account, after, 500, {"FunctionName": name})
        found.extend(batch)
        if len(batch) < 500:
            return found
        after = batch[-1].seq


def _same(latest: dict, version: dict) -> bool:
    ignored = {"FunctionArn", "Version", "RevisionId", "LastModified", "Description", "MasterArn"}
    keep = lambda doc: {k: v for k, v in names.configuration(doc).items() if k not in ignored}  # noqa: E731
    return keep(latest) == keep(version)


def publish(ctx: Context, tx, record, description: str | None = None) -> dict:
    """Publish $LATEST as the next version, or answer the newest version when nothing changed since it was
    published ("Lambda doesn't publish a version if the function's configuration and code haven't changed
    since the last version"). Returns the version's doc."""
    doc = record.doc
    number = doc.get("_last_version", 0)
    if number:
        newest = tx.get(VERSION, ctx.account, f"{doc['FunctionName']}:{number}")
        if newest is not None and _same(doc, newest.doc):
            return newest.doc
    number += 1
    snapshot = {**names.configuration(doc), **{key: doc[key] for key in _SNAPSHOT_EXTRA}}
    snapshot.update({"FunctionArn": names.function_arn(doc["Region"], ctx.account, doc["FunctionName"], str(number)),
                     "Version": str(number), "RevisionId": names.revision(),
                     "Description": doc.get("Description", "") if description is None else description})
    tx.insert(VERSION, ctx.account, f"{doc['FunctionName']}:{number}", snapshot)
    tx.replace(record, {**doc, "_last_version": number})
    return snapshot


@operation("PublishVersion", SERVICE)
def publish_version(ctx, tx, params):
    named = names.parse(ctx, params["FunctionName"])
    if named.qualifier not in (None, LATEST):
        raise InvalidParameterValueException("PublishVersion takes an unqualified function name.")
    record = names.function(ctx, tx, named.name)
    names.check_revision(record.doc, params.get("RevisionId"))
    wanted = params.get("CodeSha256")
    if wanted and wanted != record.doc["CodeSha256"]:
        raise InvalidParameterValueException(
            f"CodeSHA256 ({wanted}) is different from current CodeSHA256 in $LATEST ({record.doc['CodeSha256']}). "
            "Please try again with the CodeSHA256 in $LATEST.")
    return names.configuration(publish(ctx, tx, record, params.get("Description")))


def page(items: list[tuple[list, dict]], marker: str | None, max_items: int | None, what: str):
    """(the page, NextMarker or None) of items sorted by key, a marker naming the last key of a page."""
    start = 0
    if marker:
        try:
            after = json.loads(base64.urlsafe_b64decode(marker.encode("ascii")))
        except (ValueError, binascii.Error, UnicodeError, RecursionError):
            raise InvalidParameterValueException(f"The Marker {marker[:60]!r} is not one {what} gave.") from None
        if not isinstance(after, list):
            raise InvalidParameterValueException(f"The Marker {marker[:60]!r} is not one {what} gave.")
        try:
            start = next((i for i, (key, _) in enumerate(items) if key > after), len(items))
        except TypeError:
            raise InvalidParameterValueException(f"The Marker {marker[:60]!r} is not one {what} gave.") from None
    limit = max_items or DEFAULT_ITEMS
    chosen = items[start:start + limit]
    following = None
    if start + limit < len(items):
        following = base64.urlsafe_b64encode(json.dumps(chosen[-1][0]).encode()).decode()
    return [doc for _, doc in chosen], following


def listing(ctx: Context, tx, record) -> list[tuple[list, dict]]:
    """$LATEST and every version of one function, keyed in Lambda's order."""
    name = record.doc["FunctionName"]
    found = [([name, 0], names.configuration(record.doc))]
    found += [([name, int(v.doc["Version"])], names.configuration(v.doc)) for v in all_versions(ctx, tx, name)]
    return sorted(found, key=lambda item: item[0])


@operation("ListVersionsByFunction", SERVICE)
def list_versions(ctx, tx, params):
    named = names.parse(ctx, params["FunctionName"])
    if named.qualifier:
        raise InvalidParameterValueException("ListVersionsByFunction takes an unqualified function name.")
    record = names.function(ctx, tx, named.name)
    versions, following = page(listing(ctx, tx, record), params.get("Marker"), params.get("MaxItems"),
                               "ListVersionsByFunction")
    answer = {"Versions": versions}
    if following:
        answer["NextMarker"] = following
    return answer


__all__ = ["FUNCTION", "all_versions", "listing", "page", "publish"]
