"""Distributions, as far as multi-tenant work needs them: Create (WithTags), Get, GetConfig, List,
ListByAnycastIpListId, Update, Delete. The config is kept as sent, with the defaults AWS fills in."""
from __future__ import annotations

from ...store import GLOBAL, KeyTaken, Record, Transaction
from . import config as distribution_config
from . import references
from ..common import ids, lifecycle, paging, tagging
from ..access import key_groups, key_pairs
from ..multitenant import anycast_ip_lists, domains
from ..common.context import Context
from ..common.errors import (
    CNAMEAlreadyExists,
    DistributionAlreadyExists,
    DistributionNotDisabled,
    IllegalUpdate,
    NoSuchDistribution,
    ResourceInUse,
    TooManyDistributions,
)
from ..common.registry import operation

KIND = "distribution"
ARN_TYPE = "distribution"
CALLER_KEY = "distribution:caller-reference"
DOMAIN_NAME_KEY = "distribution:domain-name"
tagging.TAGGABLE[ARN_TYPE] = KIND
LOCATION = "https://cloudfront.amazonaws.com/2020-05-31/distribution/"  # the Location member AWS returns
# Checks (ctx, tx, distribution_id) -> reason or None, registered by the families that use distributions.
IN_USE: list = []
# (ctx, tx, distribution_id) -> None, run as a distribution is deleted, by families that belong to one.
ON_DELETE: list = []


def _aliases(config: dict) -> list[str]:
    return list((config.get("Aliases") or {}).get("Items") or [])


def _keys(account: str, doc: dict) -> list:
    config = doc["DistributionConfig"]
    # The domain name, unique everywhere, is how the edge finds a distribution from a viewer's Host.
    return [(account, CALLER_KEY, config["CallerReference"]), (GLOBAL, DOMAIN_NAME_KEY, doc["DomainName"]),
            *domains.keys(_aliases(config))]


def _without_alias(doc: dict, domain: str) -> dict:
    config = dict(doc["DistributionConfig"])
    kept = [a for a in _aliases(config) if domains.normalise(a) != domain]
    config["Aliases"] = {"Quantity": len(kept), **({"Items": kept} if kept else {})}
    return {**doc, "DistributionConfig": config}


domains.HOLDERS[KIND] = (lambda doc: _aliases(doc["DistributionConfig"]), _without_alias, _keys)


def get_record(ctx: Context, tx: Transaction, distribution_id: str) -> Record:
    record = tx.get(KIND, ctx.account, distribution_id)
    if record is None:
        raise NoSuchDistribution("The specified distribution does not exist.")
    return record


def is_multi_tenant(doc: dict) -> bool:
    return doc["DistributionConfig"].get("ConnectionMode") == "tenant-only"


def _distribution(ctx: Context, tx: Transaction, doc: dict, status: str | None = None) -> dict:
    return {
        "Id": doc["Id"],
        "ARN": doc["ARN"],
        "Status": status or lifecycle.status(ctx, doc),
        "LastModifiedTime": doc["LastModifiedTime"],
        "InProgressInvalidationBatches": 0,
        "DomainName": doc["DomainName"],
        "ActiveTrustedSigners": key_pairs.active_trusted_signers(tx, ctx.account,
                                                                 references.behaviors(doc["DistributionConfig"])),
        "ActiveTrustedKeyGroups": key_groups.active_trusted_key_groups(
            tx, ctx.account, references.behaviors(doc["DistributionConfig"])),
        "DistributionConfig": doc["DistributionConfig"],
    }


def _summary(ctx: Context, doc: dict) -> dict:
    config = doc["DistributionConfig"]
    return {
        **config,
        "Id": doc["Id"],
        "ARN": doc["ARN"],
        "ETag": doc["ETag"],
        "Status": lifecycle.status(ctx, doc),
        "LastModifiedTime": doc["LastModifiedTime"],
        "DomainName": doc["DomainName"],
        # ListDistributionsByOwnedResource lists {DistributionId, OwnerAccountId} pairs from the same summaries.
        "DistributionId": doc["Id"],
        "OwnerAccountId": ctx.account,
        # A DistributionSummary requires these even where a multi-tenant config has none; the AWS CLI's
        # list-distributions-by-connection-mode example answers a multi-tenant one with these values.
        "Aliases": config.get("Aliases", {"Quantity": 0}),
        "PriceClass": config.get("PriceClass", "PriceClass_All"),
        "IsIPV6Enabled": config.get("IsIPV6Enabled", False),
        "Staging": config.get("Staging", False),
    }


def users_of_anycast_list(ctx: Context, tx: Transaction, list_id: str, limit: int = 1000):
    return [("distribution", bool(record.doc["DistributionConfig"].get("IsIPV6Enabled")))
            for record in tx.page(KIND, ctx.account, 0, limit, {"AnycastIpListId": list_id})]


anycast_ip_lists.USERS.append(users_of_anycast_list)


def _check_references(ctx: Context, tx: Transaction, config: dict, self_id: str | None) -> list[str]:
    """Checks everything the config names; returns what it uses, for the `_uses` mirror."""
    anycast_ip_lists.check_ipv6(ctx, tx, config.get("AnycastIpListId"), bool(config.get("IsIPV6Enabled")))
    for alias in _aliases(config):
        domains.checked(alias)
    domains.claim(ctx, tx, _aliases(config), self_id, take_over=False)
    return references.check(ctx, tx, config)


def create_from(ctx: Context, tx: Transaction, config: dict, tags: list[dict]) -> dict:
    """A new distribution from a config (CreateDistribution, …WithTags, CopyDistribution); its output."""
    distribution_config.check(config)
    existing = tx.find(ctx.account, CALLER_KEY, config["CallerReference"])
    if existing is not None:
        # Any reuse, whatever the config (the model's DistributionConfig.CallerReference docs), in
        # CloudFront's words (aws-sdk-js-v3 issue 2618).
        raise DistributionAlreadyExists(
            "The caller reference that you are using to create a distribution is associated with another "
            f"distribution. Already exists: {existing.id}")
    quota = ctx.settings.distribution_quota
    if tx.count(KIND, ctx.account) >= quota:
        raise TooManyDistributions(f"You have reached the limit of {quota} distributions for this account.")
    uses = _check_references(ctx, tx, config, None)
    distribution_id = ids.distribution_id()
    stored = distribution_config.with_defaults(config)
    doc = {
        "Id": distribution_id,
        "ARN": ids.arn(ctx.account, ARN_TYPE, distribution_id),
        "DomainName": ids.routing_endpoint(),
        "DistributionConfig": stored,
        "Tags": tags,
        # Mirrors of config members other resources search by.
        "AnycastIpListId": stored.get("AnycastIpListId") or None,
        "_uses": uses,
        **lifecycle.created(ctx),
    }
    try:
        tx.insert(KIND, ctx.account, distribution_id, doc, _keys(ctx.account, doc))
    except KeyTaken as taken:
        if taken.key == domains.KEY:
            raise CNAMEAlreadyExists(f"The CNAME {taken.value} is already in use.") from None
        raise
    return {"Distribution": _distribution(ctx, tx, doc, "InProgress"), "ETag": doc["ETag"],
            "Location": LOCATION + distribution_id}


@operation("CreateDistribution")
def create_distribution(ctx: Context, tx: Transaction, params: dict) -> dict:
    return create_from(ctx, tx, params["DistributionConfig"], [])


@operation("CreateDistributionWithTags")
def create_distribution_with_tags(ctx: Context, tx: Transaction, params: dict) -> dict:
    request = params["DistributionConfigWithTags"]
    tags = tagging.checked_tags(request.get("Tags"))
    return create_from(ctx, tx, request["DistributionConfig"], tags)


@operation("GetDistribution")
def get_distribution(ctx: Context, tx: Transaction, params: dict) -> dict:
    doc = get_record(ctx, tx, params["Id"]).doc
    return {"Distribution": _distribution(ctx, tx, doc), "ETag": doc["ETag"]}


@operation("GetDistributionConfig")
def get_distribution_config(ctx: Context, tx: Transaction, params: dict) -> dict:
    doc = get_record(ctx, tx, params["Id"]).doc
    return {"DistributionConfig": doc["DistributionConfig"], "ETag": doc["ETag"]}


def list_where(ctx: Context, tx: Transaction, params: dict, where: dict | None) -> dict:
    """A DistributionList page of the account's distributions matching `where`."""
    limit = paging.max_items(params.get("MaxItems"))
    records, next_marker = paging.page(tx, KIND, ctx.account, params.get("Marker"), limit, where)
    listing = {"Marker": params.get("Marker") or "", "MaxItems": limit, "IsTruncated": next_marker is not None,
               "Quantity": len(records)}
    if records:  # an empty list answers without Items, as every CloudFront list does
        listing["Items"] = [_summary(ctx, record.doc) for record in records]
    if next_marker:
        listing["NextMarker"] = next_marker
    return {"DistributionList": listing}


@operation("ListDistributions")
def list_distributions(ctx: Context, tx: Transaction, params: dict) -> dict:
    return list_where(ctx, tx, params, None)


@operation("ListDistributionsByAnycastIpListId")
def list_distributions_by_anycast_ip_list_id(ctx: Context, tx: Transaction, params: dict) -> dict:
    list_id = params["AnycastIpListId"]
    anycast_ip_lists.get_record(ctx, tx, list_id)
    return list_where(ctx, tx, params, {"AnycastIpListId": list_id})


@operation("UpdateDistribution")
def update_distribution(ctx: Context, tx: Transaction, params: dict) -> dict:
    record = get_record(ctx, tx, params["Id"])
    lifecycle.check_if_match(record.doc, params.get("IfMatch"))
    config = params["DistributionConfig"]
    current = record.doc["DistributionConfig"]
    if config["CallerReference"] != current["CallerReference"]:
        raise IllegalUpdate("The CallerReference of a distribution cannot be changed.")
    if config.get("ConnectionMode", "direct") != current.get("ConnectionMode", "direct"):
        raise IllegalUpdate("The ConnectionMode of a distribution cannot be changed.")
    return replace_config(ctx, tx, record, config)


def replace_config(ctx: Context, tx: Transaction, record: Record, config: dict) -> dict:
    """A distribution's new config, checked like any other (UpdateDistribution, a promotion); its output."""
    distribution_config.check(config)
    uses = _check_references(ctx, tx, config, record.id)
    stored = distribution_config.with_defaults(config)
    doc = lifecycle.changed(ctx, {**record.doc, "DistributionConfig": stored,
                                  "AnycastIpListId": stored.get("AnycastIpListId") or None, "_uses": uses})
    try:
        tx.replace(record, doc, _keys(ctx.account, doc))
    except KeyTaken as taken:
        raise CNAMEAlreadyExists(f"The CNAME {taken.value} is already in use.") from None
    return {"Distribution": _distribution(ctx, tx, doc, "InProgress"), "ETag": doc["ETag"]}


@operation("DeleteDistribution")
def delete_distribution(ctx: Context, tx: Transaction, params: dict) -> dict:
    record = get_record(ctx, tx, params["Id"])
    lifecycle.check_if_match(record.doc, params.get("IfMatch"))
    if record.doc["DistributionConfig"]["Enabled"] or not lifecycle.is_deployed(ctx, record.doc):
        raise DistributionNotDisabled("You must disable the distribution before you can delete it.")
    for in_use in IN_USE:
        reason = in_use(ctx, tx, record.id)
        if reason:
            raise ResourceInUse(reason)
    for forget in ON_DELETE:
        forget(ctx, tx, record.id)
    tx.delete(record)
    return {}


def _list_ids(ctx: Context, tx: Transaction, params: dict, where: dict) -> dict:
    limit = paging.max_items(params.get("MaxItems"))
    records, next_marker = paging.page(tx, KIND, ctx.account, params.get("Marker"), limit, where)
    listing = {"Marker": params.get("Marker") or "", "MaxItems": limit, "IsTruncated": next_marker is not None,
               "Quantity": len(records)}
    if records:
        listing["Items"] = [record.id for record in records]
    if next_marker:
        listing["NextMarker"] = next_marker
    return {"DistributionIdList": listing}


def by_reference(operation_name: str, member: str, family) -> None:
    """ListDistributionsBy…: the distributions whose config names one resource of `family`."""

    @operation(operation_name)
    def handler(ctx: Context, tx: Transaction, params: dict) -> dict:
        resource_id = params[member]
        family.record(ctx, tx, resource_id)  # the family's not-found error for an unknown id
        return _list_ids(ctx, tx, params, {"_uses": f"{family.kind}:{resource_id}"})


by_reference("ListDistributionsByCachePolicyId", "CachePolicyId", references.CACHE_POLICY)
by_reference("ListDistributionsByOriginRequestPolicyId", "OriginRequestPolicyId", references.ORIGIN_REQUEST_POLICY)
by_reference("ListDistributionsByResponseHeadersPolicyId", "ResponseHeadersPolicyId",
              references.RESPONSE_HEADERS_POLICY)
by_reference("ListDistributionsByKeyGroup", "KeyGroupId", references.KEY_GROUP)


@operation("ListDistributionsByRealtimeLogConfig")
def list_distributions_by_realtime_log_config(ctx: Context, tx: Transaction, params: dict) -> dict:
    record = references.realtime_logs.find(ctx, tx, params.get("RealtimeLogConfigName"),
                                           params.get("RealtimeLogConfigArn"))
    return list_where(ctx, tx, params, {"_uses": f"{references.realtime_logs.KIND}:{record.doc['ARN']}"})


@operation("ListDistributionsByConnectionMode")
def list_distributions_by_connection_mode(ctx: Context, tx: Transaction, params: dict) -> dict:
    return list_where(ctx, tx, params, {"DistributionConfig.ConnectionMode": params["ConnectionMode"]})
