"""What `prepare` read for one viewer request, for `complete` to act on without the store: the site and its
behavior, the policies the behavior names, the route to the origin and the functions to run."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..service.policies.cache import CACHE_POLICY
from ..service.policies.origin_request import ORIGIN_REQUEST_POLICY
from ..service.policies.response_headers import RESPONSE_HEADERS_POLICY
from . import cache, response_headers
from .origin_choice import Route
from .routing import Site


@dataclass
class Function:
    code: bytes
    runtime: str
    kvs: object


@dataclass
class Chosen:
    """The behavior's cache, origin request and response headers policies (their configs), or None."""
    cache_policy: dict | None
    origin_request: dict | None
    response_headers: dict | None
    rules: cache.KeyRules = field(repr=False, default=None)

    @property
    def cache_params(self) -> dict | None:
        return (self.cache_policy or {}).get("ParametersInCacheKeyAndForwardedToOrigin")

    def named_headers(self) -> set[str]:
        """Header names (lower case) the cache key or the origin request policy lists (the policies of one
        configuration version do not change: worked out once)."""
        names = self.__dict__.get("_named")
        if names is None:
            names = set()
            for config in ((self.cache_params or {}).get("HeadersConfig"),
                           (self.origin_request or {}).get("HeadersConfig")):
                names.update(h.lower() for h in ((config or {}).get("Headers") or {}).get("Items") or [])
            self.__dict__["_named"] = names = frozenset(names)
            self.__dict__["_generated_named"] = any(name.startswith("cloudfront-") for name in names)
        return names

    def apply_response_headers(self, request_headers, response_headers_, method):
        return response_headers.apply(self.response_headers, request_headers, response_headers_, method)


def _config(tx, account: str, family, policy_id: str | None) -> dict | None:
    if not policy_id:
        return None
    doc = family.managed_doc(policy_id)
    if doc is None:
        record = tx.get(family.kind, account, policy_id)
        doc = record.doc if record else None
    return doc[family.config] if doc else None


def policies_for(tx, account: str, behavior: dict) -> Chosen:
    cache_policy = _config(tx, account, CACHE_POLICY, behavior.get("CachePolicyId"))
    return Chosen(cache_policy, _config(tx, account, ORIGIN_REQUEST_POLICY, behavior.get("OriginRequestPolicyId")),
                  _config(tx, account, RESPONSE_HEADERS_POLICY, behavior.get("ResponseHeadersPolicyId")),
                  cache.key_rules(cache_policy, behavior))


# The device headers from the User-Agent, as CloudFront derives them ("Headers for determining the viewer's
# device type"): AWS's device database is not public, so these are the common tokens of each kind, and one
# kind only is "true" for a viewer (our reading).
_SMART_TV = re.compile(r"smart-?tv|googletv|appletv|hbbtv|netcast|roku|\baft[a-z]{1,3}\b|crkey|web0s|tizen.*tv|bravia|"
                       r"playstation|xbox", re.I)
_TABLET = re.compile(r"ipad|tablet|kindle|silk/|playbook|nexus (7|9|10)|sm-t\d|android(?!.*mobile)", re.I)
_MOBILE = re.compile(r"mobi|iphone|ipod|android|windows phone|blackberry|bb10|opera mini|iemobile", re.I)


def device(user_agent: str) -> str:
    """"smarttv", "tablet", "mobile" or "desktop" (also for no User-Agent at all)."""
    if _SMART_TV.search(user_agent):
        return "smarttv"
    if _TABLET.search(user_agent):
        return "tablet"
    if _MOBILE.search(user_agent):
        return "mobile"
    return "desktop"


@dataclass
class Plan:
    request_id: str
    method: str
    uri: str
    query: str
    headers: list[tuple[str, str]]
    body: bytes
    viewer_ip: str
    country: str
    site: Site
    behavior: dict
    context: dict
    route: Route
    chosen: Chosen
    viewer_request: Function | None
    viewer_response: Function | None
    error: tuple[int, str] | None = None   # a function that could not be loaded: CloudFront's 503
    scheme: str = "http"                   # the viewer's: "https" on the TLS edge port
    lambdas: dict = field(default_factory=dict)  # Lambda@Edge associations by event type (lambda_edge)
    set_cookies: list = field(default_factory=list)  # CloudFront's own cookies for the answer (staging)
    fle: object = None                     # the behavior's field-level encryption (field_level_encryption)
    asked: list = field(default_factory=list)  # the origins asked, by id, in order (request_log)
    generation: object = None  # the configuration version it was read under (None: the store keeps none)
    key: str | None = None     # its cache key, once quick() has worked it out
    ran: list = field(default_factory=list)    # the functions that ran: ("cloudfront-function"|"lambda@edge", event)

    @property
    def scope(self) -> str:
        """Whose cache entries these are: a tenant's are its own, apart from its distribution's other tenants."""
        tenant = self.site.tenant["Id"] if self.site.tenant is not None else "-"
        return f"{self.site.distribution['Id']}/{tenant}"

    def generated(self) -> dict[str, str]:
        """The CloudFront-* headers CloudFront can add to a request (Developer Guide, "Add CloudFront request
        headers"); each reaches functions and the origin only where a policy names it."""
        kind = device(next((v for k, v in self.headers if k.lower() == "user-agent"), ""))
        return {"CloudFront-Viewer-Country": self.country, "CloudFront-Forwarded-Proto": self.scheme,
                "CloudFront-Viewer-Address": f"{self.viewer_ip}:0",
                "CloudFront-Is-Desktop-Viewer": str(kind == "desktop").lower(),
                "CloudFront-Is-Mobile-Viewer": str(kind == "mobile").lower(),
                "CloudFront-Is-Tablet-Viewer": str(kind == "tablet").lower(),
                "CloudFront-Is-SmartTV-Viewer": str(kind == "smarttv").lower(), "CloudFront-Viewer-Http-Version": "1.1"}

    def generated_headers(self) -> list[tuple[str, str]]:
        named = self.chosen.named_headers()
        if not self.chosen.__dict__["_generated_named"]:
            return []  # most behaviors name none: no User-Agent matching for them
        return [(k, v) for k, v in self.generated().items() if k.lower() in named]
