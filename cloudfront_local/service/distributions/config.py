"""The checks AWS documents on a DistributionConfig, and the defaults it fills in. Plain data in, errors out."""
from __future__ import annotations

import copy

from ..common import quantities
from ..common import errors
from ..common.errors import InvalidArgument, NoSuchOrigin

# What CloudFront reports for members a request left out (a DistributionSummary requires all of them).
_DEFAULTS = {
    "Aliases": {"Quantity": 0},
    "DefaultRootObject": "",
    "OriginGroups": {"Quantity": 0},
    "CacheBehaviors": {"Quantity": 0},
    "CustomErrorResponses": {"Quantity": 0},
    "Logging": {"Enabled": False, "IncludeCookies": False, "Bucket": "", "Prefix": ""},
    "PriceClass": "PriceClass_All",
    "ViewerCertificate": {"CloudFrontDefaultCertificate": True, "SSLSupportMethod": "vip",
                          "MinimumProtocolVersion": "TLSv1", "CertificateSource": "cloudfront"},
    "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
    "WebACLId": "",
    "HttpVersion": "http2",
    "IsIPV6Enabled": False,
    "ContinuousDeploymentPolicyId": "",
    "Staging": False,
    "ConnectionMode": "direct",
}
# Members that only standard distributions have, so a multi-tenant one reports none of them.
_STANDARD_ONLY_DEFAULTS = ("PriceClass", "IsIPV6Enabled", "ContinuousDeploymentPolicyId", "Staging")


def with_defaults(config: dict) -> dict:
    filled = copy.deepcopy(config)
    tenant_only = config.get("ConnectionMode") == "tenant-only"
    for name, value in _DEFAULTS.items():
        if name not in filled and not (tenant_only and name in _STANDARD_ONLY_DEFAULTS):
            filled[name] = copy.deepcopy(value)
    return filled


def check(config: dict) -> None:
    """Every documented rule of a DistributionConfig that does not depend on other resources."""
    quantities.check(config, "DistributionConfig")
    origin_ids = [origin["Id"] for origin in config["Origins"].get("Items") or []]
    group_ids = [group["Id"] for group in (config.get("OriginGroups") or {}).get("Items") or []]
    if len(set(origin_ids + group_ids)) != len(origin_ids + group_ids):
        raise InvalidArgument("Origin and origin group ids must be unique within a distribution.")
    behaviors = [config["DefaultCacheBehavior"], *((config.get("CacheBehaviors") or {}).get("Items") or [])]
    for behavior in behaviors:
        if behavior["TargetOriginId"] not in origin_ids + group_ids:
            raise NoSuchOrigin(f"No origin exists with the specified Origin Id: {behavior['TargetOriginId']}.")
        if not behavior.get("CachePolicyId") and behavior.get("ForwardedValues") is None:
            raise InvalidArgument("A cache behavior needs a CachePolicyId, or ForwardedValues with MinTTL.")
    if config.get("Staging") and (config.get("Aliases") or {}).get("Quantity"):
        raise InvalidArgument("A staging distribution can't have alternate domain names (CNAMEs).")
    if config.get("ConnectionMode") == "tenant-only":
        _check_multi_tenant(config, behaviors)
    elif config.get("TenantConfig") is not None:
        raise InvalidArgument("TenantConfig is only supported by multi-tenant distributions "
                              "(ConnectionMode tenant-only).")
    _check_parameter_definitions(config)
    _check_error_responses(config)


# The statuses a custom error response can be for, and answer with (API Reference, CustomErrorResponse; the
# Developer Guide's "Generate custom error responses" lists the codes CloudFront caches).
ERROR_CODES = frozenset({400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504})
RESPONSE_CODES = frozenset({"200", *(str(code) for code in ERROR_CODES)})


def _check_error_responses(config: dict) -> None:
    seen = set()
    for item in quantities.items(config.get("CustomErrorResponses")):
        code = item["ErrorCode"]
        if code not in ERROR_CODES:
            raise errors.InvalidErrorCode(f"{code} is not a status a custom error response can be for.")
        if code in seen:
            raise InvalidArgument(f"The custom error responses name the error code {code} more than once.")
        seen.add(code)
        page, response = item.get("ResponsePagePath") or "", item.get("ResponseCode") or ""
        if response and response not in RESPONSE_CODES:
            raise errors.InvalidResponseCode(f"{response} is not a status a custom error response can answer with.")
        # "If you specify a value for ResponseCode, you must also specify a value for ResponsePagePath", and the
        # other way round (API Reference, CustomErrorResponse).
        if bool(page) != bool(response):
            raise InvalidArgument("A custom error response needs both ResponsePagePath and ResponseCode, or neither.")
        if page and not page.startswith("/"):
            raise InvalidArgument("A custom error response's ResponsePagePath must begin with /.")


def _check_multi_tenant(config: dict, behaviors: list[dict]) -> None:
    """Settings the Developer Guide and the model mark "only supports standard distributions"."""
    refused = []
    if (config.get("Aliases") or {}).get("Quantity"):
        refused.append("Aliases (use distribution tenant domains)")
    for name in ("PriceClass", "ContinuousDeploymentPolicyId", "AnycastIpListId"):
        if config.get(name):
            refused.append(name + (" (use a connection group)" if name == "AnycastIpListId" else ""))
    if config.get("Staging"):
        refused.append("Staging")
    if config.get("IsIPV6Enabled"):
        refused.append("IsIPV6Enabled (use a connection group)")
    if (config.get("ViewerCertificate") or {}).get("IAMCertificateId"):
        refused.append("ViewerCertificate.IAMCertificateId")
    web_acl = config.get("WebACLId") or ""
    if web_acl and not web_acl.startswith("arn:aws:wafv2:"):
        refused.append("WebACLId of AWS WAF Classic (only AWS WAF v2 web ACLs)")
    for behavior in behaviors:
        if (behavior.get("TrustedSigners") or {}).get("Enabled"):
            refused.append("TrustedSigners")
        if behavior.get("SmoothStreaming"):
            refused.append("SmoothStreaming")
        for name in ("ForwardedValues", "MinTTL", "DefaultTTL", "MaxTTL"):
            if behavior.get(name) is not None:
                refused.append(f"{name} (use a cache policy)")
    if refused:
        unique = list(dict.fromkeys(refused))
        raise InvalidArgument("Multi-tenant distributions do not support: " + ", ".join(unique) + ".")


def _check_parameter_definitions(config: dict) -> None:
    names = [d["Name"] for d in (config.get("TenantConfig") or {}).get("ParameterDefinitions") or []]
    if len(set(names)) != len(names):
        raise InvalidArgument("Tenant parameter definitions must have unique names.")


def parameter_definitions(config: dict) -> dict[str, dict]:
    """Name -> StringSchema of the parameters tenants of this distribution can set."""
    definitions = (config.get("TenantConfig") or {}).get("ParameterDefinitions") or []
    return {d["Name"]: (d["Definition"].get("StringSchema") or {}) for d in definitions}
