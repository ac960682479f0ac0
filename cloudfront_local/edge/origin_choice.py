"""Where a request goes: the behavior's origin, or an origin group's members in failover order; and what a
viewer-request function chose instead with cf.updateRequestOrigin, cf.selectRequestOriginById or
cf.createRequestOriginGroup (CloudFront Functions' helper methods for origin modification)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from . import local_buckets, origins, s3_origin, vpc_origins

# CloudFront's statuses an origin group can fail over on (OriginGroupFailoverCriteria's documented set).
FAILOVER_STATUSES = frozenset({400, 403, 404, 416, 500, 502, 503, 504})


class Unreachable(str):
    """Why an origin cannot be reached (the edge answers 502), and which origin of the distribution it is."""

    def __new__(cls, reason: str, origin_id: str = ""):
        made = super().__new__(cls, reason)
        made.origin_id = origin_id
        return made


@dataclass
class Route:
    members: list          # origins.Target, s3_origin.S3Target, or Unreachable (a 502)
    failover: frozenset    # origin statuses that send the request on to the next member


def origin_by_id(config: dict, origin_id: str) -> dict | None:
    return next((o for o in (config.get("Origins") or {}).get("Items") or [] if o.get("Id") == origin_id), None)


def _group(config: dict, group_id: str) -> dict | None:
    return next((g for g in (config.get("OriginGroups") or {}).get("Items") or [] if g.get("Id") == group_id), None)


def member(tx, site, settings, origin: dict | None, scheme: str = "http"):
    if origin is None:
        return "the behavior's origin does not exist"
    domain = site.substituted(origin.get("DomainName") or "")
    path = site.substituted(origin.get("OriginPath") or "")
    if origin.get("CustomOriginConfig") is not None:
        website = local_buckets.website_bucket(domain) if settings.s3_dir else None
        # A website endpoint is a local bucket's unless the simulated zone names it (a test's own server).
        if website is not None and origins.address_of(tx, domain) == domain:
            return local_buckets.target(settings, domain, website, path, origin, "website")
        return origins.target(tx, origin, domain, path, scheme)
    if origin.get("S3OriginConfig") is not None or origin.get("OriginAccessControlId"):
        return s3_origin.target(tx, site.account, {**origin, "DomainName": domain}, settings, path)
    if origin.get("VpcOriginConfig") is not None:
        return vpc_origins.target(tx, site.account, settings, origin, domain, path, scheme)
    return "the origin has no configuration cloudfront-local can reach"


def _named(tx, site, settings, origin_id: str, scheme: str):
    """The member for the distribution's origin of that id, knowing its id."""
    found = member(tx, site, settings, origin_by_id(site.config, origin_id), scheme)
    if isinstance(found, str):
        return Unreachable(found, origin_id)
    found.origin_id = origin_id
    return found


def resolve(tx, site, settings, origin_id: str, scheme: str = "http") -> Route:
    """The route to an origin or an origin group of the site's distribution."""
    group = _group(site.config, origin_id)
    if group is None:
        return Route([_named(tx, site, settings, origin_id, scheme)], frozenset())
    ids = [m.get("OriginId") for m in (group.get("Members") or {}).get("Items") or []]
    statuses = (group.get("FailoverCriteria") or {}).get("StatusCodes") or {}
    return Route([_named(tx, site, settings, i or "", scheme) for i in ids],
                 frozenset(int(s) for s in statuses.get("Items") or []))


def changed(tx, site, settings, route: Route, calls: list[dict], scheme: str = "http") -> Route:
    """The route after a function's origin calls, applied in the order it made them."""
    for call in calls:
        args = call.get("args") or []
        first = args[0] if args else None
        method = call.get("method")
        if method == "selectRequestOriginById" and isinstance(first, str):
            if origin_by_id(site.config, first) is None:
                route = Route([Unreachable("the function selected an origin the distribution lacks",
                                           first[:128])], frozenset())
            else:
                route = resolve(tx, site, settings, first, scheme)
        elif method == "createRequestOriginGroup" and isinstance(first, dict):
            ids = [i for i in first.get("originIds") or [] if isinstance(i, str)]
            codes = ((first.get("failoverCriteria") or {}).get("statusCodes")) or []
            route = Route([_named(tx, site, settings, i, scheme) for i in ids] or
                          [Unreachable("the function made an origin group without origins")],
                          frozenset(c for c in codes if isinstance(c, int)) & FAILOVER_STATUSES)
        elif method == "updateRequestOrigin" and isinstance(first, dict):
            route = Route([_updated(tx, route.members[0] if route.members else None, first)] + route.members[1:],
                          route.failover)
    return route


def _updated(tx, current, params: dict):
    """cf.updateRequestOrigin's parameters over the request's origin: a new domain name makes a custom origin."""
    base = current if isinstance(current, origins.Target) else None
    domain = params.get("domainName")
    if isinstance(base, local_buckets.LocalTarget) and isinstance(domain, str) and domain:
        # Another domain is another origin: a custom one, no longer the local bucket.
        base = origins.Target(base.scheme, domain, domain, 80, base.path, base.headers, base.connect_timeout,
                              base.read_timeout, 3)
    custom = params.get("customOriginConfig") if isinstance(params.get("customOriginConfig"), dict) else {}
    if base is None and not isinstance(domain, str):
        return current if current is not None else Unreachable("the function updated an origin it did not name")
    if base is None:
        base = origins.Target("http", domain, domain, 80, "", [], 10.0, 30.0, 3,
                              origin_id=getattr(current, "origin_id", ""))
    changes = {}
    if isinstance(domain, str) and domain:
        changes.update(domain=domain, address=origins.address_of(tx, domain))
    protocol = custom.get("protocol")
    if protocol in ("http", "https"):
        changes["scheme"] = protocol
        changes["port"] = 443 if protocol == "https" else 80
    if isinstance(custom.get("port"), int) and 1 <= custom["port"] <= 65535:
        changes["port"] = custom["port"]
    if isinstance(params.get("originPath"), str):
        changes["path"] = params["originPath"].rstrip("/")
    if isinstance(params.get("customHeaders"), dict):
        changes["headers"] = [(str(k), str(v)) for k, v in params["customHeaders"].items()]
    timeouts = params.get("timeouts") if isinstance(params.get("timeouts"), dict) else {}
    if isinstance(timeouts.get("readTimeout"), (int, float)) and 0 < timeouts["readTimeout"] <= 120:
        changes["read_timeout"] = float(timeouts["readTimeout"])
    if isinstance(timeouts.get("connectionTimeout"), (int, float)) and 0 < timeouts["connectionTimeout"] <= 10:
        changes["connect_timeout"] = float(timeouts["connectionTimeout"])
    if isinstance(params.get("connectionAttempts"), int) and 1 <= params["connectionAttempts"] <= 3:
        changes["attempts"] = params["connectionAttempts"]
    return dataclasses.replace(base, **changes)
