"""Continuous deployment: policies that send part of a primary distribution's traffic to a staging one,
staging distributions made with CopyDistribution, and UpdateDistributionWithStagingConfig, which
promotes the staging config onto the primary."""
from __future__ import annotations

import copy

from ..common import errors, ids, lifecycle, quantities
from ..common.registry import operation
from ..common.resource import Family, register
from . import distributions, references

MAX_WEIGHT = 0.15           # "the percentage of traffic to send to a staging distribution ... 0 to .15" (model)
HEADER_PREFIX = "aws-cf-cd-"  # "The request header name ... must begin with aws-cf-cd-" (model docs)
STICKINESS = (300, 3600)    # IdleTTL and MaximumTTL: "Allowed values are 300–3600 seconds" (model docs)


def _staging_names(config: dict) -> list[str]:
    return quantities.items(config.get("StagingDistributionDnsNames"))


def _check(ctx, tx, config: dict, record) -> None:
    quantities.check(config, "ContinuousDeploymentPolicyConfig")
    names = _staging_names(config)
    if len(names) != 1:
        raise errors.InvalidArgument("A continuous deployment policy names exactly one staging distribution.")
    traffic = config.get("TrafficConfig") or {}
    kind = traffic.get("Type")
    weight, header = traffic.get("SingleWeightConfig"), traffic.get("SingleHeaderConfig")
    if (kind == "SingleWeight") != (weight is not None) or (kind == "SingleHeader") != (header is not None):
        raise errors.InvalidArgument("TrafficConfig must carry the configuration of its Type, and only that one.")
    if weight is not None:
        if not 0 <= weight["Weight"] <= MAX_WEIGHT:
            raise errors.InvalidArgument(f"Weight must be from 0 to {MAX_WEIGHT}.")
        stickiness = weight.get("SessionStickinessConfig")
        if stickiness and not (STICKINESS[0] <= stickiness["IdleTTL"] <= stickiness["MaximumTTL"] <= STICKINESS[1]):
            raise errors.InvalidArgument("Session stickiness needs 300 <= IdleTTL <= MaximumTTL <= 3600.")
    if header is not None and not header["Header"].lower().startswith(HEADER_PREFIX):
        raise errors.InvalidArgument(f"The header name must begin with {HEADER_PREFIX}.")
    staging = _staging_distribution(ctx, tx, names[0])
    for other in tx.page(POLICY.kind, ctx.account, 0, 1000, {"_staging": names[0].lower()}):
        if record is None or other.id != record.id:
            raise errors.StagingDistributionInUse(
                f"The staging distribution {staging.id} is already used by another continuous deployment policy.")


def _staging_distribution(ctx, tx, dns_name: str):
    for record in tx.page(distributions.KIND, ctx.account, 0, 1, {"DomainName": dns_name.lower()}):
        if record.doc["DistributionConfig"].get("Staging"):
            return record
    raise errors.InvalidArgument(f"{dns_name} is not the domain name of a staging distribution of this account.")


SESSIONS_SINCE = "_sessions_since"  # sessions begun before this time are over (the edge's stickiness cookie)


def _stickiness_on(config: dict) -> bool:
    weight = (config.get("TrafficConfig") or {}).get("SingleWeightConfig") or {}
    return bool(weight.get("SessionStickinessConfig"))


def _sessions(ctx, previous: dict, config: dict) -> dict:
    """"CloudFront resets all sessions (even active ones)" when the policy or its session stickiness is
    enabled or disabled (Developer Guide, "Session stickiness for weight-based configurations"); other
    changes, a new weight say, leave the sessions as they are."""
    old = previous[POLICY.config]
    if bool(old.get("Enabled")) != bool(config.get("Enabled")) or _stickiness_on(old) != _stickiness_on(config):
        return {SESSIONS_SINCE: ctx.now}
    return {}


POLICY = Family(
    resource="ContinuousDeploymentPolicy", config="ContinuousDeploymentPolicyConfig",
    kind="continuous-deployment-policy", noun="continuous deployment policy",
    quota="continuous_deployment_policy_quota", not_found="NoSuchContinuousDeploymentPolicy",
    already_exists="ContinuousDeploymentPolicyAlreadyExists", too_many="TooManyContinuousDeploymentPolicies",
    in_use="ContinuousDeploymentPolicyInUse", new_id=ids.uuid_id, name_member=None, check=_check,
    mirrors=lambda config: {"_staging": [name.lower() for name in _staging_names(config)]}, revised=_sessions)
register(POLICY, list_op="ListContinuousDeploymentPolicies", list_key="ContinuousDeploymentPolicyList")


def _policy_ids(config: dict) -> list[str]:
    policy_id = config.get("ContinuousDeploymentPolicyId")
    if policy_id and config.get("Staging"):
        raise errors.InvalidArgument("A staging distribution can't have a continuous deployment policy.")
    if (policy_id or config.get("Staging")) and config.get("HttpVersion") in ("http3", "http2and3"):
        raise errors.InvalidArgument("The parameter HTTP3 is not supported for Continuous Deployment Policy.")
    return [policy_id] if policy_id else []


references.add(references.Reference(POLICY.kind, _policy_ids, POLICY.exists, "NoSuchContinuousDeploymentPolicy",
                                    POLICY.users.append))


def _staging_user(ctx, tx, distribution_id: str) -> str | None:
    record = tx.get(distributions.KIND, ctx.account, distribution_id)
    if record is not None and tx.page(POLICY.kind, ctx.account, 0, 1, {"_staging": record.doc["DomainName"]}):
        return "The distribution is the staging distribution of a continuous deployment policy."
    return None


distributions.IN_USE.append(_staging_user)


@operation("CopyDistribution")
def copy_distribution(ctx, tx, params: dict) -> dict:
    """A new distribution with the primary's config: a new CallerReference, no aliases (a staging
    distribution serves only its own domain name), no continuous deployment policy."""
    primary = distributions.get_record(ctx, tx, params["PrimaryDistributionId"])
    if params.get("IfMatch") is not None:
        lifecycle.check_if_match(primary.doc, params["IfMatch"])
    config = copy.deepcopy(primary.doc["DistributionConfig"])
    if config.get("Staging"):
        raise errors.InvalidArgument("A staging distribution can't be copied.")
    config["CallerReference"] = params["CallerReference"]
    staging = bool(params.get("Staging"))
    config["Staging"] = staging
    config["ContinuousDeploymentPolicyId"] = ""
    if staging:
        config["Aliases"] = {"Quantity": 0}
    if params.get("Enabled") is not None:
        config["Enabled"] = params["Enabled"]
    return distributions.create_from(ctx, tx, config, list(primary.doc.get("Tags") or []))


@operation("UpdateDistributionWithStagingConfig")
def update_distribution_with_staging_config(ctx, tx, params: dict) -> dict:
    """Promote: the staging distribution's config becomes the primary's, except what identifies the
    primary (its CallerReference, aliases, continuous deployment policy and Staging false)."""
    primary = distributions.get_record(ctx, tx, params["Id"])
    if not params.get("StagingDistributionId"):
        raise errors.InvalidArgument("StagingDistributionId names the staging distribution to promote.")
    staging = distributions.get_record(ctx, tx, params["StagingDistributionId"])
    if not staging.doc["DistributionConfig"].get("Staging"):
        raise errors.InvalidArgument(f"{staging.id} is not a staging distribution.")
    tags = [t.strip() for t in (params.get("IfMatch") or "").split(",")]
    if len(tags) != 2:
        raise errors.InvalidIfMatchVersion("If-Match must hold the ETags of the primary and the staging "
                                           "distribution, separated by a comma.")
    lifecycle.check_if_match(primary.doc, tags[0])
    lifecycle.check_if_match(staging.doc, tags[1])
    current = primary.doc["DistributionConfig"]
    config = copy.deepcopy(staging.doc["DistributionConfig"])
    for kept in ("CallerReference", "Aliases", "ContinuousDeploymentPolicyId"):
        if kept in current:
            config[kept] = copy.deepcopy(current[kept])
    config["Staging"] = False
    # "This action will disable the continuous deployment policy" (model docs): all traffic goes to the primary.
    policy_id = current.get("ContinuousDeploymentPolicyId")
    policy = tx.get(POLICY.kind, ctx.account, policy_id) if policy_id else None
    if policy is not None:
        policy_config = {**policy.doc[POLICY.config], "Enabled": False}
        tx.replace(policy, lifecycle.changed(ctx, {**policy.doc, POLICY.config: policy_config,
                                                   **_sessions(ctx, policy.doc, policy_config)}))
    return distributions.replace_config(ctx, tx, primary, config)
