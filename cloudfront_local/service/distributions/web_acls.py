"""AWS WAF web ACLs on distributions and tenants: Associate/Disassociate set or clear the distribution's
WebACLId (the tenant's Customizations.WebAcl) under If-Match, as an UpdateDistribution of that one member
would; ListDistributionsByWebACLId answers from the same member."""
from __future__ import annotations

import re

from ..common import errors, lifecycle
from ..common.context import Context
from ..common.registry import operation
from ..multitenant import tenants
from . import distributions

# A web ACL CloudFront can use is a global AWS WAF v2 one (created in us-east-1 with scope CLOUDFRONT).
WAFV2_ARN = re.compile(r"arn:aws:wafv2:us-east-1:\d{12}:global/webacl/[\w-]{1,128}/[0-9a-f-]{36}")
# WAF Classic web ACLs are known by a bare id; ListDistributionsByWebACLId still takes one, and "null".
CLASSIC_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _checked(arn: str) -> str:
    if not WAFV2_ARN.fullmatch(arn):
        raise errors.InvalidArgument(f"{arn[:200]!r} is not the ARN of a global AWS WAF v2 web ACL "
                                     "(arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>).")
    return arn


def _set_on_distribution(ctx: Context, tx, distribution_id: str, if_match: str | None, arn: str) -> str:
    """Set (or, with "", clear) a distribution's web ACL; its new ETag."""
    record = tx.get(distributions.KIND, ctx.account, distribution_id)
    if record is None:
        raise errors.EntityNotFound(f"The distribution {distribution_id} does not exist.")
    if if_match is not None:
        lifecycle.check_if_match(record.doc, if_match)
    config = {**record.doc["DistributionConfig"], "WebACLId": arn}
    return distributions.replace_config(ctx, tx, record, config)["ETag"]


def _set_on_tenant(ctx: Context, tx, tenant_id: str, if_match: str | None, arn: str) -> str:
    """Set (or, with "", clear) a tenant's web ACL customization; its new ETag."""
    record = tenants.lookup(ctx, tx, tenant_id)
    if record is None:
        raise errors.EntityNotFound(f"The distribution tenant {tenant_id} does not exist.")
    if if_match is not None:
        lifecycle.check_if_match(record.doc, if_match)
    customizations = dict(record.doc.get("Customizations") or {})
    if arn:
        customizations["WebAcl"] = {"Action": "override", "Arn": arn}
    else:
        customizations.pop("WebAcl", None)
    doc = lifecycle.changed(ctx, {**record.doc, "Customizations": customizations or None})
    tx.replace(record, doc)
    return doc["ETag"]


def _register(suffix: str, set_web_acl) -> None:
    """Associate…/Disassociate… for distributions ("Distribution") or tenants ("DistributionTenant")."""

    @operation(f"Associate{suffix}WebACL")
    def associate(ctx, tx, params):
        arn = _checked(params["WebACLArn"])
        etag = set_web_acl(ctx, tx, params["Id"], params.get("IfMatch"), arn)
        return {"Id": params["Id"], "WebACLArn": arn, "ETag": etag}

    @operation(f"Disassociate{suffix}WebACL")
    def disassociate(ctx, tx, params):
        return {"Id": params["Id"], "ETag": set_web_acl(ctx, tx, params["Id"], params.get("IfMatch"), "")}


_register("Distribution", _set_on_distribution)
_register("DistributionTenant", _set_on_tenant)


@operation("ListDistributionsByWebACLId")
def list_distributions_by_web_acl_id(ctx, tx, params):
    web_acl = params["WebACLId"]
    if web_acl == "null":  # the distributions with no web ACL
        web_acl = ""
    elif not (WAFV2_ARN.fullmatch(web_acl) or CLASSIC_ID.fullmatch(web_acl)):
        raise errors.InvalidWebACLId(f"{web_acl[:200]!r} is neither a web ACL ARN nor an AWS WAF Classic id.")
    return distributions.list_where(ctx, tx, params, {"DistributionConfig.WebACLId": web_acl})
