"""Origin request policies: which viewer headers, cookies and query strings reach the origin."""
from __future__ import annotations

from ..common import errors, ids, quantities
from ..common.resource import Family, managed, register
from . import managed as managed_data
from .rules import check_list, check_name


# Headers an origin request policy cannot forward (CloudFront's own messages; Authorization goes through a
# cache policy instead, Accept-Encoding through its compression settings).
FORBIDDEN = frozenset({"authorization", "accept-encoding", "x-amz-content-sha256"})


def _defaults(config: dict) -> dict:
    config.setdefault("Comment", "")
    return config


def _check(ctx, tx, config: dict, record) -> None:
    check_name(config["Name"], "origin request policy")
    quantities.check(config, "OriginRequestPolicyConfig")
    check_list(config["HeadersConfig"], "HeaderBehavior", "Headers", ("none", "allViewer"),
               "TooManyHeadersInOriginRequestPolicy", "Headers")
    for header in quantities.items(config["HeadersConfig"].get("Headers")):
        if header.lower() in FORBIDDEN:
            raise errors.InvalidArgument(f"The parameter Headers contains {header} that is not allowed.")
    check_list(config["CookiesConfig"], "CookieBehavior", "Cookies", ("none", "all"),
               "TooManyCookiesInOriginRequestPolicy", "Cookies")
    check_list(config["QueryStringsConfig"], "QueryStringBehavior", "QueryStrings", ("none", "all"),
               "TooManyQueryStringsInOriginRequestPolicy", "QueryStrings")


ORIGIN_REQUEST_POLICY = Family(
    resource="OriginRequestPolicy", config="OriginRequestPolicyConfig", kind="origin-request-policy",
    noun="origin request policy", quota="origin_request_policy_quota", not_found="NoSuchOriginRequestPolicy",
    already_exists="OriginRequestPolicyAlreadyExists", too_many="TooManyOriginRequestPolicies",
    in_use="OriginRequestPolicyInUse", new_id=ids.uuid_id, check=_check, defaults=_defaults)
ORIGIN_REQUEST_POLICY.managed = managed(ORIGIN_REQUEST_POLICY, managed_data.entries("origin_request"))
register(ORIGIN_REQUEST_POLICY, list_op="ListOriginRequestPolicies", list_key="OriginRequestPolicyList")
