"""What each dashboard page shows, read from the store and the edge: plain dictionaries for the templates.
Changes go through the service's own operations (a purge is CreateInvalidation, a test is TestFunction), so
the dashboard can do nothing the API would refuse."""
from __future__ import annotations

import base64
import time
import uuid

from ..service.common.context import Context
from ..service.common import resource
from ..service.distributions import references
from ..store import Record
from . import catalogue

PAGE = 100              # records per page of a family's list
REFERRERS = 50          # records per kind that refer to the one shown
CACHE_ROWS = 200
KVS_ROWS = 500


def home(tx, accounts: list[str] | None) -> dict:
    """Every account and, per API area, the families it holds with their counts (one query: the census)."""
    by_account: dict[str, dict[str, list]] = {}
    for account, kind, count in tx.census():
        if kind in catalogue.HIDDEN or account == "" or (accounts is not None and account not in accounts):
            continue
        entry = catalogue.kind_of(kind)
        by_account.setdefault(account, {}).setdefault(entry.area, []).append((entry, count))
    order = {area: n for n, area in enumerate([*catalogue.AREAS, catalogue.OTHER])}
    return {"accounts": [(account, sorted(areas.items(), key=lambda item: order[item[0]]))
                         for account, areas in sorted(by_account.items())]}


def listing(tx, account: str, kind: str, after: int, now: float) -> dict:
    records = tx.page(kind, account, after, PAGE + 1)
    more = len(records) > PAGE
    records = records[:PAGE]
    rows = [{"id": r.id, "label": catalogue.label(kind, r.doc), "comment": catalogue.comment(r.doc),
             "status": catalogue.status(r.doc, now), "modified": r.doc.get("LastModifiedTime") or r.doc.get(
                 "CreateTime") or r.doc.get("LastModified") or ""} for r in records]
    return {"kind": catalogue.kind_of(kind), "account": account, "rows": rows, "total": tx.count(kind, account),
            "after": after, "next": records[-1].seq if more else None}


def detail(app, tx, account: str, kind: str, record, now: float, port: str) -> dict:
    doc = record.doc
    shown = catalogue.visible(doc)
    view = {"kind": catalogue.kind_of(kind), "account": account, "id": record.id, "label": catalogue.label(kind, doc),
            "etag": doc.get("ETag", ""), "status": catalogue.status(doc, now), "tags": doc.get("Tags") or [],
            "arn": _arn(doc), "document": shown,
            "refers_to": _refers_to(tx, account, doc), "referred_by": _referred_by(tx, account, kind, record)}
    extra = _EXTRA.get(kind)
    if extra is not None:
        view.update(extra(app, tx, account, record, now, port))
    return view


def _arn(doc: dict) -> str:
    for source in (doc, doc.get("FunctionMetadata") or {}):
        for member in ("ARN", "Arn", "FunctionArn", "FunctionARN"):
            if isinstance(source.get(member), str):
                return source[member]
    return ""


def find(tx, account: str, kind: str, ident: str):
    """A record of the account, or an AWS-managed one (managed policies are every account's, and not stored)."""
    found = tx.get(kind, account, ident)
    if found is None:
        managed = resource.managed_doc(kind, ident)
        if managed is not None:
            found = Record(kind, account, ident, 0, managed)
    return found


def _resolve(tx, account: str, kind: str, ident: str):
    """The record a reference names, by id, by ARN (its last segment) or by Lambda's ACCOUNT:NAME:VERSION."""
    candidates = [ident]
    if ident.startswith("arn:"):
        candidates.append(ident.rsplit("/", 1)[-1])
        candidates.append(ident.rsplit(":", 1)[-1])
    if kind == "lambda-version" and ident.startswith(account + ":"):
        candidates.append(ident[len(account) + 1:])
    for candidate in candidates:
        found = find(tx, account, kind, candidate)
        if found is not None:
            return found
    return None


def _refers_to(tx, account: str, doc: dict) -> list[dict]:
    out = []
    for kind, ident in catalogue.references(doc):
        found = _resolve(tx, account, kind, ident)
        out.append({"kind": catalogue.kind_of(kind), "id": found.id if found else ident, "exists": found is not None,
                    "label": catalogue.label(kind, found.doc) if found else ""})
    return out


def _referred_by(tx, account: str, kind: str, record) -> list[dict]:
    """Distributions whose `_uses` names the record, tenants on it, and a distribution's invalidations."""
    names = {record.id, _arn(record.doc)} - {""}
    if kind == "lambda-version":
        names.add(f"{account}:{record.id}")
    found = {}
    # What a distribution's `_uses` can name (families register as they load): other kinds are never looked
    # for there, which would be a scan of every distribution.
    used = any(reference.kind == kind for reference in references.REFERENCES)
    for name in names if used else ():
        for user in tx.page("distribution", account, 0, REFERRERS, {"_uses": f"{kind}:{name}"}):
            found[("distribution", user.id)] = user
    for member, holder in (("DistributionId", "distribution"), ("ConnectionGroupId", "connection-group")):
        if kind == holder:
            for tenant in tx.page("distribution-tenant", account, 0, REFERRERS, {member: record.id}):
                found[("distribution-tenant", tenant.id)] = tenant
    return [{"kind": catalogue.kind_of(k), "id": i, "label": catalogue.label(k, r.doc)} for (k, i), r in found.items()]


# -- a family's own parts ---------------------------------------------------------------------------------------------
def _distribution(app, tx, account: str, record, now: float, port: str) -> dict:
    doc = record.doc
    config = doc.get("DistributionConfig") or {}
    domains = [doc.get("DomainName")] + list((config.get("Aliases") or {}).get("Items") or [])
    tenants = tx.page("distribution-tenant", account, 0, REFERRERS, {"DistributionId": record.id})
    for tenant in tenants:
        domains += [d.get("Domain") for d in tenant.doc.get("Domains") or []]
    behaviors = [{"pattern": "Default (*)", **_behavior(config.get("DefaultCacheBehavior") or {})}]
    behaviors += [{"pattern": b.get("PathPattern", ""), **_behavior(b)}
                  for b in (config.get("CacheBehaviors") or {}).get("Items") or []]
    origins = [{"id": o.get("Id", ""), "domain": o.get("DomainName", ""), "path": o.get("OriginPath", ""),
                "type": "S3" if o.get("S3OriginConfig") else "VPC" if o.get("VpcOriginConfig") else "Custom"}
               for o in (config.get("Origins") or {}).get("Items") or []]
    invalidations = tx.page("invalidation", account, 0, 1000, {"_owner": f"distribution:{record.id}"})
    return {"domains": [{"name": d, "url": catalogue.localhost_link(d, port)} for d in dict.fromkeys(domains) if d],
            "behaviors": behaviors, "origins": origins, "cache": cache_entries(app, record.id, now),
            "invalidations": [{"id": i.id, "paths": (i.doc["InvalidationBatch"].get("Paths") or {}).get("Items") or [],
                               "created": i.doc.get("CreateTime", ""), "status": catalogue.status(i.doc, now)}
                              for i in reversed(invalidations)],
            "requests": app.edge_requests(distribution=record.id, limit=50),
            "enabled": config.get("Enabled")}


def _behavior(behavior: dict) -> dict:
    functions = [f"{a.get('EventType')}: {a.get('FunctionARN', '').rsplit('/', 1)[-1]}"
                 for a in (behavior.get("FunctionAssociations") or {}).get("Items") or []]
    functions += [f"{a.get('EventType')}: {a.get('LambdaFunctionARN', '').split(':function:', 1)[-1]}"
                  for a in (behavior.get("LambdaFunctionAssociations") or {}).get("Items") or []]
    return {"origin": behavior.get("TargetOriginId", ""), "viewer_protocol": behavior.get("ViewerProtocolPolicy", ""),
            "cache_policy": behavior.get("CachePolicyId", ""), "functions": functions}


def cache_entries(app, distribution_id: str, now: float) -> dict:
    """What the edge holds for a distribution (all its tenants): keys, status, age and TTL left."""
    edge = getattr(app, "edge", None)
    if edge is None:
        return {"entries": [], "count": 0, "started": False}
    rows = []
    for key, entry in edge.cache.entries(distribution_id + "/"):
        rows.append({"key": key, "path": entry.path, "query": entry.query, "status": entry.status,
                     "tenant": entry.scope.split("/", 1)[1], "age": entry.age(now),
                     "ttl_left": max(0, int(entry.expires - now)), "bytes": len(entry.body),
                     "fresh": entry.fresh(now)})
    return {"entries": rows[:CACHE_ROWS], "count": len(rows), "started": True}


def _tenant(app, tx, account: str, record, now: float, port: str) -> dict:
    domains = [d.get("Domain") for d in record.doc.get("Domains") or [] if d.get("Domain")]
    return {"domains": [{"name": d, "url": catalogue.localhost_link(d, port)} for d in domains]}


def _function(app, tx, account: str, record, now: float, port: str) -> dict:
    stages = []
    for name, stage in (record.doc.get("Stages") or {}).items():
        try:
            code = base64.b64decode(stage.get("Code", "")).decode("utf-8", "replace")
        except ValueError:
            code = ""
        stages.append({"name": name, "etag": stage.get("ETag", ""), "runtime": (stage.get("Config") or {}).get(
            "Runtime", ""), "code": code, "modified": stage.get("LastModifiedTime", "")})
    return {"stages": stages, "sample_event": SAMPLE_EVENT}


def _key_value_store(app, tx, account: str, record, now: float, port: str) -> dict:
    data = tx.get("key-value-store-data", account, record.id)
    items = (data.doc.get("Items") or {}) if data is not None else {}
    rows = sorted(items.items())
    return {"items": rows[:KVS_ROWS], "item_count": len(rows)}


def _lambda_function(app, tx, account: str, record, now: float, port: str) -> dict:
    versions = tx.page("lambda-version", account, 0, 200, {"FunctionName": record.id})
    return {"versions": [{"id": v.id, "version": v.doc.get("Version", ""), "runtime": v.doc.get("Runtime", "")}
                         for v in versions]}


_EXTRA = {"distribution": _distribution, "distribution-tenant": _tenant, "function": _function,
          "key-value-store": _key_value_store, "lambda-function": _lambda_function}

SAMPLE_EVENT = """{
  "version": "1.0",
  "context": {"eventType": "viewer-request"},
  "viewer": {"ip": "198.51.100.11"},
  "request": {
    "method": "GET",
    "uri": "/index.html",
    "querystring": {},
    "headers": {"host": {"value": "www.example.com"}},
    "cookies": {}
  }
}"""


# -- changes, through the service's own operations ------------------------------------------------------------------
def _context(app, account: str) -> Context:
    return Context(account, time.time(), app.settings)


def purge(app, account: str, distribution_id: str, path: str) -> dict:
    """A purge is a real invalidation: CreateInvalidation, with the rules and limits it has."""
    params = {"DistributionId": distribution_id, "InvalidationBatch": {
        "Paths": {"Quantity": 1, "Items": [path]}, "CallerReference": f"dashboard-{uuid.uuid4()}"}}
    ctx = _context(app, account)
    return app.transact(lambda tx: app.handlers["CreateInvalidation"](ctx, tx, params), account)["Invalidation"]


def test_function(app, account: str, name: str, stage: str, event: bytes) -> dict:
    ctx = _context(app, account)

    def run(tx):
        found = tx.get("function", account, name)
        etag = ((found.doc.get("Stages") or {}).get(stage) or {}).get("ETag") if found else None
        params = {"Name": name, "IfMatch": etag, "Stage": stage, "EventObject": event}
        return app.handlers["TestFunction"](ctx, tx, params)["TestResult"]
    return app.transact(run, account)  # as the API runs TestFunction, a POST
