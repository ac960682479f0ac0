"""Monitoring subscriptions: the additional real-time metrics of one distribution, on or off."""
from __future__ import annotations

from ..common import errors
from ..common.context import Context
from ..common.registry import operation
from ..distributions import distributions

KIND = "monitoring-subscription"  # one per distribution, stored under the distribution's id


def _subscription(ctx: Context, tx, distribution_id: str):
    distributions.get_record(ctx, tx, distribution_id)
    record = tx.get(KIND, ctx.account, distribution_id)
    if record is None:
        raise errors.NoSuchMonitoringSubscription(
            f"The distribution {distribution_id} has no monitoring subscription.")
    return record


@operation("CreateMonitoringSubscription")
def create(ctx: Context, tx, params: dict) -> dict:
    distribution_id = params["DistributionId"]
    distributions.get_record(ctx, tx, distribution_id)
    subscription = params["MonitoringSubscription"]
    config = subscription.get("RealtimeMetricsSubscriptionConfig")
    if not config:
        raise errors.InvalidArgument("A monitoring subscription needs a RealtimeMetricsSubscriptionConfig.")
    doc = {"RealtimeMetricsSubscriptionConfig": config}
    existing = tx.get(KIND, ctx.account, distribution_id)
    if existing is None:
        tx.insert(KIND, ctx.account, distribution_id, doc)
    elif existing.doc == doc:
        raise errors.MonitoringSubscriptionAlreadyExists(
            f"The distribution {distribution_id} already has this monitoring subscription.")
    else:
        # Terraform changes a subscription by creating it again, and its acceptance test passes against AWS:
        # a Create that changes the subscription replaces it.
        tx.replace(existing, doc)
    return {"MonitoringSubscription": {"RealtimeMetricsSubscriptionConfig": config}}


@operation("GetMonitoringSubscription")
def get(ctx: Context, tx, params: dict) -> dict:
    return {"MonitoringSubscription": _subscription(ctx, tx, params["DistributionId"]).doc}


@operation("DeleteMonitoringSubscription")
def delete(ctx: Context, tx, params: dict) -> dict:
    tx.delete(_subscription(ctx, tx, params["DistributionId"]))
    return {}


def _forget(ctx: Context, tx, distribution_id: str) -> None:
    record = tx.get(KIND, ctx.account, distribution_id)
    if record is not None:
        tx.delete(record)


distributions.ON_DELETE.append(_forget)
