"""What the dashboard knows of the store's kinds: the API area each belongs to, its title, how a record is named
on a page, and what one record names of another. Pure functions over documents; no HTTP, no templates."""
from __future__ import annotations

from dataclasses import dataclass

from ..service.common import lifecycle


@dataclass(frozen=True)
class Kind:
    kind: str
    title: str       # plural, for headings
    area: str


_AREAS = {
    "Distributions": [("distribution", "Distributions"), ("invalidation", "Invalidations"),
                      ("continuous-deployment-policy", "Continuous deployment policies")],
    "Multi-tenant": [("connection-group", "Connection groups"), ("distribution-tenant", "Distribution tenants"),
                     ("anycast-ip-list", "Anycast IP lists")],
    "Policies": [("cache-policy", "Cache policies"), ("origin-request-policy", "Origin request policies"),
                 ("response-headers-policy", "Response headers policies")],
    "Functions": [("function", "CloudFront Functions"), ("connection-function", "Connection functions"),
                  ("key-value-store", "Key value stores")],
    "Lambda@Edge": [("lambda-function", "Lambda functions"), ("lambda-version", "Lambda versions")],
    "Access": [("origin-access-control", "Origin access controls"),
               ("origin-access-identity", "Origin access identities"), ("public-key", "Public keys"),
               ("key-group", "Key groups"), ("cloudfront-key-pair", "CloudFront key pairs"),
               ("field-level-encryption", "Field-level encryption configs"),
               ("field-level-encryption-profile", "Field-level encryption profiles"),
               ("trust-store", "Trust stores"), ("resource-policy", "Resource policies")],
    "Origins": [("vpc-origin", "VPC origins")],
    "Observability": [("realtime-log-config", "Real-time log configs"),
                      ("monitoring-subscription", "Monitoring subscriptions")],
}
KINDS: dict[str, Kind] = {kind: Kind(kind, title, area) for area, entries in _AREAS.items() for kind, title in entries}
AREAS = list(_AREAS)
# Kept beside another record and shown on its page (a store's keys, the zone, the geo table), never as a family.
HIDDEN = frozenset({"key-value-store-data", "dns-name", "geo-range"})
OTHER = "Other"


def kind_of(kind: str) -> Kind:
    """A kind the catalogue does not name still shows, under Other: nothing the store holds is hidden."""
    return KINDS.get(kind) or Kind(kind, kind.replace("-", " ").capitalize() + "s", OTHER)


def visible(doc: dict) -> dict:
    """The document without the service's private fields (`_uses`, `_deploy_at`, …)."""
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def _config(doc: dict) -> dict:
    for key, value in doc.items():
        if key.endswith(("Config", "Summary")) and isinstance(value, dict):
            return value
    return {}


def label(kind: str, doc: dict) -> str:
    """A record's name on a page: its Name, Comment or domain, where it has one."""
    config = _config(doc)
    if kind == "distribution":
        return doc.get("DomainName") or doc.get("Id", "")
    for source in (doc, config):
        for member in ("Name", "FunctionName", "CallerReference"):
            value = source.get(member)
            if isinstance(value, str) and value:
                return value
    comment = config.get("Comment") or doc.get("Comment")
    return comment if isinstance(comment, str) and comment else ""


def comment(doc: dict) -> str:
    value = _config(doc).get("Comment") or doc.get("Comment")
    return value if isinstance(value, str) else ""


def status(doc: dict, now: float) -> str:
    """What Get… reports: the deployment's state (InProgress until it is due) where the document has one and
    stores no other Status, else the stored Status."""
    stored = doc.get("Status")
    deploying = not isinstance(stored, str) or stored in ("InProgress", "Deployed")
    if deploying and isinstance(doc.get(lifecycle.DEPLOY_AT), (int, float)):
        return "Deployed" if lifecycle.deployed_at(doc, now) else "InProgress"
    return stored if isinstance(stored, str) else ""


# Members that hold the Id of a record of another kind, wherever they sit in a document.
_ID_MEMBERS = {
    "DistributionId": "distribution", "ConnectionGroupId": "connection-group", "AnycastIpListId": "anycast-ip-list",
    "CachePolicyId": "cache-policy", "OriginRequestPolicyId": "origin-request-policy",
    "ResponseHeadersPolicyId": "response-headers-policy", "OriginAccessControlId": "origin-access-control",
    "FieldLevelEncryptionId": "field-level-encryption", "ContinuousDeploymentPolicyId": "continuous-deployment-policy",
    "VpcOriginId": "vpc-origin", "PublicKey": "public-key", "ProfileId": "field-level-encryption-profile",
    "TrustStoreId": "trust-store",
}


def references(doc: dict) -> list[tuple[str, str]]:
    """(kind, id or ARN) of what a document names: a distribution's `_uses` mirror, and Id members anywhere."""
    found: list[tuple[str, str]] = []
    for entry in [*(doc.get("_uses") or []), doc.get("_owner")]:
        if isinstance(entry, str) and ":" in entry:
            kind, _, ident = entry.partition(":")
            found.append((kind, ident))

    def walk(value, depth=0):
        if depth > 40:
            return
        if isinstance(value, dict):
            for key, item in value.items():
                if key in _ID_MEMBERS and isinstance(item, str) and item:
                    found.append((_ID_MEMBERS[key], item))
                else:
                    walk(item, depth + 1)
        elif isinstance(value, list):
            for item in value:
                walk(item, depth + 1)
    walk(visible(doc))
    seen, unique = set(), []
    for pair in found:
        if pair not in seen and pair[1] != doc.get("Id"):
            seen.add(pair)
            unique.append(pair)
    return unique


def localhost_link(domain: str, port: str) -> str:
    """The `.localhost` name a browser reaches the edge by (README, "Reaching a distribution"), as a URL."""
    name = domain.lower().rstrip(".")
    name = name[:-len(".net")] + ".localhost" if name.endswith(".cloudfront.net") else name + ".localhost"
    return f"http://{name}{':' + port if port else ''}/"
