"""Origin request policies: which viewer headers, cookies and query strings reach the origin."""
from __future__ import annotations

from ..common import ids, quantities
from ..common.resource import Family, managed, register
from . import managed as managed_data
from .rules import check_list, check_name


def _defaults(config: dict) -> dict:
    config.setdefault("Comment", "")
    return config


def _check(ctx, tx, config: dict, record) -> None:
    check_name(config["Name"], "origin request policy")
    quantities.check(config, "OriginRequestPolicyConfig")
    check_list(config["HeadersConfig"], "HeaderBehavior", "Headers", ("none", "allViewer"),
               "TooManyHeadersInOriginRequestPolicy", "Headers")
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
