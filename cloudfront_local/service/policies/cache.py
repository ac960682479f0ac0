"""Cache policies: what goes into the cache key, and how long objects stay."""
from __future__ import annotations

from ..common import errors, ids, quantities
from ..common.resource import Family, managed, register
from . import managed as managed_data
from .rules import check_list, check_name

DEFAULT_TTL = 86400      # "The default value for this field is 86400 seconds (one day)" (model docs)
MAX_TTL = 31536000       # "The default value for this field is 31536000 seconds (one year)" (model docs)


def _defaults(config: dict) -> dict:
    """The TTLs AWS fills in: DefaultTTL one day and MaxTTL one year, each raised to the TTL below it."""
    minimum = config["MinTTL"]
    config.setdefault("DefaultTTL", max(DEFAULT_TTL, minimum))
    config.setdefault("MaxTTL", max(MAX_TTL, config["DefaultTTL"]))
    config.setdefault("Comment", "")
    return config


def _check(ctx, tx, config: dict, record) -> None:
    check_name(config["Name"], "cache policy")
    quantities.check(config, "CachePolicyConfig")
    filled = _defaults(dict(config))
    if not 0 <= filled["MinTTL"] <= filled["DefaultTTL"] <= filled["MaxTTL"]:
        raise errors.InvalidArgument("The TTLs must satisfy 0 <= MinTTL <= DefaultTTL <= MaxTTL.")
    parameters = config.get("ParametersInCacheKeyAndForwardedToOrigin")
    if parameters is None:
        # Optional in the model, but a cache key needs to say what it holds (the console and every SDK
        # example send it).
        raise errors.InvalidArgument("A cache policy needs ParametersInCacheKeyAndForwardedToOrigin.")
    check_list(parameters["HeadersConfig"], "HeaderBehavior", "Headers", ("none",),
               "TooManyHeadersInCachePolicy", "Headers")
    check_list(parameters["CookiesConfig"], "CookieBehavior", "Cookies", ("none", "all"),
               "TooManyCookiesInCachePolicy", "Cookies")
    check_list(parameters["QueryStringsConfig"], "QueryStringBehavior", "QueryStrings", ("none", "all"),
               "TooManyQueryStringsInCachePolicy", "QueryStrings")
    if filled["MaxTTL"] == 0:
        # Caching disabled: nothing can be in the cache key, in the order CloudFront checks (its messages).
        for member, value, allowed in (
                ("HeaderBehavior", parameters["HeadersConfig"]["HeaderBehavior"], "none"),
                ("CookieBehavior", parameters["CookiesConfig"]["CookieBehavior"], "none"),
                ("QueryStringBehavior", parameters["QueryStringsConfig"]["QueryStringBehavior"], "none"),
                ("EnableAcceptEncodingGzip", bool(parameters.get("EnableAcceptEncodingGzip")), False),
                ("EnableAcceptEncodingBrotli", bool(parameters.get("EnableAcceptEncodingBrotli")), False)):
            if value != allowed:
                raise errors.InvalidArgument(f"The parameter {member} is invalid for policy with caching disabled.")
    if parameters.get("EnableAcceptEncodingGzip") or parameters.get("EnableAcceptEncodingBrotli"):
        headers = quantities.items(parameters["HeadersConfig"].get("Headers"))
        if any(h.lower() == "accept-encoding" for h in headers):
            raise errors.InvalidArgument("The parameter Headers contains Accept-Encoding that is not allowed "
                                         "with EnableAcceptEncodingGzip or EnableAcceptEncodingBrotli.")


CACHE_POLICY = Family(
    resource="CachePolicy", config="CachePolicyConfig", kind="cache-policy", noun="cache policy",
    quota="cache_policy_quota", not_found="NoSuchCachePolicy", already_exists="CachePolicyAlreadyExists",
    too_many="TooManyCachePolicies", in_use="CachePolicyInUse", new_id=ids.uuid_id, check=_check,
    defaults=_defaults)
CACHE_POLICY.managed = managed(CACHE_POLICY, managed_data.entries("cache"))
register(CACHE_POLICY, list_op="ListCachePolicies", list_key="CachePolicyList")
