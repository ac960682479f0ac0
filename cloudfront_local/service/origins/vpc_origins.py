"""VPC origins: an Application or Network Load Balancer or an EC2 instance in a private subnet, reached
without a public address. Created, changed and deleted asynchronously (202), Deploying then Deployed."""
from __future__ import annotations

from ..common import errors, ids, lifecycle
from ..common.resource import Family, register
from ..distributions import distributions, references
from ..policies.rules import check_name


def _check(ctx, tx, config: dict, record) -> None:
    check_name(config["Name"], "VPC origin")
    if not config["Arn"].startswith("arn:aws:"):
        raise errors.InvalidArgument("The VPC origin endpoint must be the ARN of a load balancer or an EC2 instance.")
    if record is not None and references.users(ctx, tx, VPC_ORIGIN.kind, record.id):
        raise errors.CannotUpdateEntityWhileInUse("The VPC origin is used by a distribution.")


def _present(ctx, doc: dict) -> dict:
    status = "Deleting" if doc.get("_deleting") else lifecycle.status(ctx, doc, "Deploying")
    return {**doc, "Status": status, "AccountId": ctx.account,
            "OriginEndpointArn": doc["VpcOriginEndpointConfig"]["Arn"]}


VPC_ORIGIN = Family(
    resource="VpcOrigin", config="VpcOriginEndpointConfig", kind="vpc-origin", noun="VPC origin",
    quota="vpc_origin_quota", not_found="EntityNotFound", already_exists="EntityAlreadyExists",
    too_many="EntityLimitExceeded", in_use="CannotDeleteEntityWhileInUse", new_id=ids.vpc_origin_id, check=_check,
    present=_present, arn=("Arn", "vpc-origin"))
register(VPC_ORIGIN, list_op="ListVpcOrigins", list_key="VpcOriginList", get_config_op=False)


def _vpc_origin_ids(config: dict) -> list[str]:
    return [o["VpcOriginConfig"]["VpcOriginId"] for o in references.origins(config) if o.get("VpcOriginConfig")]


references.add(references.Reference(VPC_ORIGIN.kind, _vpc_origin_ids, VPC_ORIGIN.exists, "EntityNotFound",
                                    VPC_ORIGIN.users.append))
distributions.by_reference("ListDistributionsByVpcOriginId", "VpcOriginId", VPC_ORIGIN)
