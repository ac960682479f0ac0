"""Response headers policies: CORS, security headers, custom headers and headers removed from responses."""
from __future__ import annotations

from ..common import errors, ids, quantities
from ..common.resource import Family, managed, register
from . import managed as managed_data
from .rules import check_name

MAX_HEADERS = 10        # custom headers, and headers to remove, per policy (quotas page)
MAX_CSP_LENGTH = 1783   # "The maximum length of the Content-Security-Policy header value is 1783" (quotas page)


# Set through SecurityHeadersConfig and CorsConfig only (CloudFront: "…is a security header and cannot be
# set as custom header").
SECURITY_HEADERS = frozenset({"content-security-policy", "strict-transport-security", "x-frame-options",
                              "x-content-type-options", "referrer-policy", "x-xss-protection"})
# Developer Guide, "Headers that you can't remove": CloudFront's own and the connection's headers.
RESERVED = frozenset({
    "connection", "content-encoding", "content-length", "expect", "host", "keep-alive", "proxy-authenticate",
    "proxy-authorization", "proxy-connection", "trailer", "transfer-encoding", "upgrade", "via", "warning",
    "x-accel-buffering", "x-accel-charset", "x-accel-limit-rate", "x-accel-redirect", "x-amzn-auth",
    "x-amzn-cf-billing", "x-amzn-cf-id", "x-amzn-cf-xff", "x-amzn-errortype", "x-amzn-fle-profile",
    "x-amzn-header-count", "x-amzn-header-order", "x-amzn-lambda-integration-tag", "x-amzn-requestid",
    "x-cache", "x-forwarded-proto", "x-real-ip"})
RESERVED_PREFIXES = ("x-amz-cf-", "x-edge-")


def _reserved(name: str) -> bool:
    lowered = name.lower()
    return lowered in RESERVED or lowered.startswith(RESERVED_PREFIXES)


def _defaults(config: dict) -> dict:
    config.setdefault("Comment", "")
    return config


def _check(ctx, tx, config: dict, record) -> None:
    check_name(config["Name"], "response headers policy")
    quantities.check(config, "ResponseHeadersPolicyConfig")
    cors = config.get("CorsConfig")
    if cors:
        origins = quantities.items(cors["AccessControlAllowOrigins"])
        if cors["AccessControlAllowCredentials"] and "*" in origins:
            raise errors.InvalidArgument("AccessControlAllowCredentials can't be true when "
                                         "AccessControlAllowOrigins contains *.")
    security = config.get("SecurityHeadersConfig") or {}
    xss = security.get("XSSProtection")
    if xss:
        if xss.get("ModeBlock") and xss.get("ReportUri"):
            raise errors.InvalidArgument("XSSProtection can't have both ModeBlock and ReportUri.")
        if not xss["Protection"] and (xss.get("ModeBlock") or xss.get("ReportUri")):
            raise errors.InvalidArgument("XSSProtection takes ModeBlock or ReportUri only when Protection is true.")
    csp = security.get("ContentSecurityPolicy")
    if csp and len(csp["ContentSecurityPolicy"]) > MAX_CSP_LENGTH:
        raise errors.TooLongCSPInResponseHeadersPolicy(
            f"The Content-Security-Policy value is longer than {MAX_CSP_LENGTH} characters.")
    custom = [item["Header"].lower() for item in quantities.items(config.get("CustomHeadersConfig"))]
    for item in quantities.items(config.get("CustomHeadersConfig")):
        name = item["Header"]
        if name.lower() in SECURITY_HEADERS or name.lower().startswith("access-control-"):
            raise errors.InvalidArgument(f"The parameter CustomHeaders contains {name} that is a security header "
                                         "and cannot be set as custom header.")
        if _reserved(name):
            raise errors.InvalidArgument(f"The parameter CustomHeaders contains {name} that is not allowed.")
    for item in quantities.items(config.get("RemoveHeadersConfig")):
        if _reserved(item["Header"]):
            raise errors.InvalidArgument(f"The parameter RemoveHeaders contains {item['Header']} that is not allowed.")
    if len(custom) > MAX_HEADERS:
        raise errors.TooManyCustomHeadersInResponseHeadersPolicy(
            f"A response headers policy can have at most {MAX_HEADERS} custom headers.")
    removed = [item["Header"].lower() for item in quantities.items(config.get("RemoveHeadersConfig"))]
    if len(removed) > MAX_HEADERS:
        raise errors.TooManyRemoveHeadersInResponseHeadersPolicy(
            f"A response headers policy can remove at most {MAX_HEADERS} headers.")
    for names, what in ((custom, "custom header"), (removed, "header to remove")):
        if len(set(names)) != len(names):
            raise errors.InvalidArgument(f"Each {what} can be listed only once.")
    if set(custom) & set(removed):
        raise errors.InvalidArgument("A header can't be both added and removed by one policy.")


RESPONSE_HEADERS_POLICY = Family(
    resource="ResponseHeadersPolicy", config="ResponseHeadersPolicyConfig", kind="response-headers-policy",
    noun="response headers policy", quota="response_headers_policy_quota",
    not_found="NoSuchResponseHeadersPolicy", already_exists="ResponseHeadersPolicyAlreadyExists",
    too_many="TooManyResponseHeadersPolicies", in_use="ResponseHeadersPolicyInUse", new_id=ids.uuid_id,
    check=_check, defaults=_defaults)
RESPONSE_HEADERS_POLICY.managed = managed(RESPONSE_HEADERS_POLICY, managed_data.entries("response_headers"))
register(RESPONSE_HEADERS_POLICY, list_op="ListResponseHeadersPolicies", list_key="ResponseHeadersPolicyList")
