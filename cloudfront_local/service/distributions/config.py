"""The checks AWS documents on a DistributionConfig, and the defaults it fills in. Plain data in, errors out."""
from __future__ import annotations

import copy
import ipaddress
import re

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
# Members that only standard distributions have, so a multi-tenant one reports none of them (the AWS CLI's
# create-distribution example of a multi-tenant distribution answers without any of them).
_STANDARD_ONLY_DEFAULTS = ("Aliases", "PriceClass", "IsIPV6Enabled", "ContinuousDeploymentPolicyId", "Staging")
# Per origin and per cache behavior, what GetDistribution answers for a member the create left out (the AWS
# CLI's create-distribution and get-distribution-config examples; docs/behaviour.md, "Read-back").
_ORIGIN_DEFAULTS = {
    "OriginPath": "",
    "CustomHeaders": {"Quantity": 0},
    "ConnectionAttempts": 3,
    "ConnectionTimeout": 10,
    "OriginShield": {"Enabled": False},
    "OriginAccessControlId": "",
}
_CUSTOM_ORIGIN_DEFAULTS = {"OriginReadTimeout": 30, "OriginKeepaliveTimeout": 5}
_METHODS = {"Quantity": 2, "Items": ["HEAD", "GET"]}
_BEHAVIOR_DEFAULTS = {
    "TrustedSigners": {"Enabled": False, "Quantity": 0},
    "TrustedKeyGroups": {"Enabled": False, "Quantity": 0},
    "AllowedMethods": {**_METHODS, "CachedMethods": _METHODS},
    "SmoothStreaming": False,
    "Compress": False,
    "LambdaFunctionAssociations": {"Quantity": 0},
    "FunctionAssociations": {"Quantity": 0},
    "FieldLevelEncryptionId": "",
    "GrpcConfig": {"Enabled": False},
}
# Legacy cache settings: what a behavior with ForwardedValues (and no cache policy) reads back with.
_LEGACY_TTL_DEFAULTS = {"DefaultTTL": 86400, "MaxTTL": 31536000}
_FORWARDED_DEFAULTS = {"Headers": {"Quantity": 0}, "QueryStringCacheKeys": {"Quantity": 0}}
# Multi-tenant distributions support neither, and AWS answers their behaviors without them.
_STANDARD_ONLY_BEHAVIOR = ("TrustedSigners", "SmoothStreaming")


def _fill(target: dict, defaults: dict, skip: tuple = ()) -> None:
    for name, value in defaults.items():
        if name not in target and name not in skip:
            target[name] = copy.deepcopy(value)


def with_defaults(config: dict) -> dict:
    filled = copy.deepcopy(config)
    tenant_only = config.get("ConnectionMode") == "tenant-only"
    _fill(filled, _DEFAULTS, _STANDARD_ONLY_DEFAULTS if tenant_only else ())
    if tenant_only and "ViewerCertificate" not in config:
        # Tenants' domains are served by SNI: the CLI's multi-tenant example answers sni-only, not vip.
        filled["ViewerCertificate"]["SSLSupportMethod"] = "sni-only"
    for origin in quantities.items(filled.get("Origins")):
        _fill(origin, _ORIGIN_DEFAULTS)
        if origin.get("CustomOriginConfig") is not None:
            _fill(origin["CustomOriginConfig"], _CUSTOM_ORIGIN_DEFAULTS)
        if origin.get("S3OriginConfig") is not None:
            _fill(origin["S3OriginConfig"], {"OriginReadTimeout": 30})
    behaviors = [filled["DefaultCacheBehavior"], *quantities.items(filled.get("CacheBehaviors"))]
    for behavior in behaviors:
        _fill(behavior, _BEHAVIOR_DEFAULTS, _STANDARD_ONLY_BEHAVIOR if tenant_only else ())
        if "CachedMethods" not in behavior["AllowedMethods"]:
            behavior["AllowedMethods"]["CachedMethods"] = copy.deepcopy(_METHODS)
        if behavior.get("ForwardedValues") is not None:
            _fill(behavior, _LEGACY_TTL_DEFAULTS)
            _fill(behavior["ForwardedValues"], _FORWARDED_DEFAULTS)
    return filled


def check(config: dict) -> None:
    """Every documented rule of a DistributionConfig that does not depend on other resources."""
    quantities.check(config, "DistributionConfig")
    for origin in quantities.items(config.get("Origins")):
        _check_origin_domain(origin)
    origin_ids = [origin["Id"] for origin in config["Origins"].get("Items") or []]
    group_ids = [group["Id"] for group in (config.get("OriginGroups") or {}).get("Items") or []]
    if len(set(origin_ids + group_ids)) != len(origin_ids + group_ids):
        raise InvalidArgument("Origin and origin group ids must be unique within a distribution.")
    behaviors = [config["DefaultCacheBehavior"], *((config.get("CacheBehaviors") or {}).get("Items") or [])]
    for behavior in behaviors:
        if behavior["TargetOriginId"] not in origin_ids + group_ids:
            raise NoSuchOrigin("One or more of your origins or origin groups do not exist.")
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


# An S3 origin's DomainName names a bucket's REST endpoint: BUCKET.s3.amazonaws.com, BUCKET.s3.REGION…,
# BUCKET.s3-REGION… (legacy), BUCKET.s3.dualstack.REGION…, and the China partition's amazonaws.com.cn.
_S3_DOMAIN = re.compile(r"[^.]+(?:\.[^.]+)*\.s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?\.?", re.IGNORECASE)


def _check_origin_domain(origin: dict) -> None:
    domain = origin["DomainName"]
    if "{{" in domain:  # a multi-tenant origin's parameters are only known per tenant
        return
    try:
        ipaddress.ip_address(domain.strip("[]"))
    except ValueError:
        pass
    else:
        raise InvalidArgument("The parameter origin name cannot be an IP address.")
    if origin.get("S3OriginConfig") is not None and not _S3_DOMAIN.fullmatch(domain):
        raise InvalidArgument("The parameter Origin DomainName does not refer to a valid S3 bucket.")


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
