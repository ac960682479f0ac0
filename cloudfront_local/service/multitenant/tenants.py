"""Distribution tenants: Create, Get (id, name, ARN), GetByDomain, List, ListByCustomization, Update, Delete."""
from __future__ import annotations

from ...store import KeyTaken, Record, Transaction
from . import certificates, connection_groups, domains
from ..common import ids, lifecycle, paging, tagging
from ..distributions import config as distribution_config, distributions
from ..common.context import Context
from ..common.errors import (
    CNAMEAlreadyExists,
    EntityAlreadyExists,
    EntityNotFound,
    InvalidArgument,
    InvalidAssociation,
    ResourceNotDisabled,
)
from ..common.registry import operation

KIND = "distribution-tenant"
ARN_TYPE = "distribution-tenant"
NAME_KEY = "distribution-tenant:name"
tagging.TAGGABLE[ARN_TYPE] = KIND


def _domain_names(doc: dict) -> list[str]:
    return [item["Domain"] for item in doc["Domains"]]


def _keys(account: str, doc: dict) -> list:
    return [(account, NAME_KEY, doc["Name"]), *domains.keys(_domain_names(doc))]


def _without_domain(doc: dict, domain: str) -> dict:
    return {**doc, "Domains": [d for d in doc["Domains"] if domains.normalise(d["Domain"]) != domain]}


domains.HOLDERS[KIND] = (_domain_names, _without_domain, _keys)


def _users(field: str, reason: str):
    def in_use(ctx: Context, tx: Transaction, resource_id: str) -> str | None:
        return reason if tx.page(KIND, ctx.account, 0, 1, {field: resource_id}) else None
    return in_use


distributions.IN_USE.append(_users("DistributionId", "The distribution has distribution tenants; delete them first."))
connection_groups.IN_USE.append(_users("ConnectionGroupId", "The connection group is in use by distribution tenants."))


def _not_found(identifier: str) -> EntityNotFound:
    return EntityNotFound(f"The distribution tenant {identifier} does not exist.")


def _output(ctx: Context, doc: dict, status: str | None = None) -> dict:
    tenant = {**doc, "Status": status or lifecycle.status(ctx, doc), "Tags": tagging.tags_output(doc)}
    return {"DistributionTenant": tenant, "ETag": doc["ETag"]}


def _summary(ctx: Context, doc: dict) -> dict:
    return {**doc, "Status": lifecycle.status(ctx, doc)}


def lookup(ctx: Context, tx: Transaction, identifier: str) -> Record | None:
    """A tenant of the caller's account by its id, ARN or name."""
    return tagging.by_identifier(ctx, tx, identifier, KIND, ARN_TYPE, NAME_KEY)


def _distribution(ctx: Context, tx: Transaction, distribution_id: str) -> Record:
    record = tx.get(distributions.KIND, ctx.account, distribution_id)
    if record is None:
        raise EntityNotFound(f"The distribution {distribution_id} does not exist.")
    if not distributions.is_multi_tenant(record.doc):
        raise InvalidAssociation(
            f"The distribution {distribution_id} is not a multi-tenant distribution (ConnectionMode tenant-only).")
    return record


def _parameters(distribution: Record, parameters: list[dict]) -> list[dict]:
    """Tenant parameters checked against the distribution's definitions; required ones with a default
    value are filled in."""
    definitions = distribution_config.parameter_definitions(distribution.doc["DistributionConfig"])
    given: dict[str, str] = {}
    for parameter in parameters:
        name = parameter["Name"]
        if name not in definitions:
            raise InvalidArgument(f"The distribution defines no tenant parameter named {name}.")
        if name in given:
            raise InvalidArgument(f"The parameter {name} is given more than once.")
        given[name] = parameter["Value"]
    for name, schema in definitions.items():
        if name in given or not schema.get("Required"):
            continue
        if schema.get("DefaultValue") is None:
            raise InvalidArgument(f"The parameter {name} is required by the distribution.")
        given[name] = schema["DefaultValue"]
    return [{"Name": name, "Value": value} for name, value in given.items()]


MAX_DOMAINS = 5  # "Each distribution tenant can have up to 5 domains" (the model's UpdateDistributionTenant docs)


def _domains(items: list[dict]) -> list[dict]:
    if not items:
        raise InvalidArgument("A distribution tenant needs at least one domain.")
    if len(items) > MAX_DOMAINS:
        raise InvalidArgument(f"A distribution tenant can have at most {MAX_DOMAINS} domains.")
    return [{"Domain": domains.checked(item["Domain"]), "Status": "active", "ServeOn": item.get("ServeOn", "any")}
            for item in items]


def _connection_group(ctx: Context, tx: Transaction, group_id: str | None) -> str:
    if not group_id:
        return connection_groups.default_group(ctx, tx).id
    record = connection_groups.lookup(ctx, tx, group_id)
    if record is None:
        raise EntityNotFound(f"The connection group {group_id} does not exist.")
    return record.id


def _customizations(customizations: dict | None) -> dict | None:
    web_acl = (customizations or {}).get("WebAcl")
    if web_acl and web_acl["Action"] == "override" and not web_acl.get("Arn"):
        raise InvalidArgument("Customizations.WebAcl.Arn is required when its Action is override.")
    return customizations


def _points_here(ctx: Context, tx: Transaction, group_id: str):
    """Whether a domain's DNS points to a tenant of the connection group: what OnDomainTakeover `allow` asks
    before it moves a domain ("when the domain's DNS points to this distribution tenant", model docs)."""
    endpoint = certificates.routing_endpoint(ctx, tx, {"ConnectionGroupId": group_id})
    return lambda domain: certificates.check_domain(tx, domain, endpoint)[0] == "valid-configuration"


def _store(ctx: Context, tx: Transaction, record: Record | None, doc: dict) -> None:
    try:
        if record is None:
            tx.insert(KIND, ctx.account, doc["Id"], doc, _keys(ctx.account, doc))
        else:
            tx.replace(record, doc, _keys(ctx.account, doc))
    except KeyTaken as taken:
        if taken.key == NAME_KEY:
            raise EntityAlreadyExists(f"A distribution tenant named {doc['Name']} already exists.") from None
        if taken.key == domains.KEY:
            raise CNAMEAlreadyExists(f"The domain {taken.value} is already in use.") from None
        raise


@operation("CreateDistributionTenant")
def create_distribution_tenant(ctx: Context, tx: Transaction, params: dict) -> dict:
    name = params["Name"]
    tags = tagging.checked_tags(params.get("Tags"))
    lifecycle.check_new(ctx, tx, KIND, NAME_KEY, name, ctx.settings.distribution_tenant_quota, "distribution tenant")
    distribution = _distribution(ctx, tx, params["DistributionId"])
    tenant_domains = _domains(params["Domains"])
    group_id = _connection_group(ctx, tx, params.get("ConnectionGroupId"))
    domains.claim(ctx, tx, _domain_names({"Domains": tenant_domains}), None,
                  take_over=params.get("OnDomainTakeover") == "allow", proven=_points_here(ctx, tx, group_id))
    tenant_id = ids.distribution_tenant_id()
    doc = {
        "Id": tenant_id,
        "DistributionId": distribution.id,
        "Name": name,
        "Arn": ids.arn(ctx.account, ARN_TYPE, tenant_id),
        "Domains": tenant_domains,
        "Tags": tags,
        "Customizations": _customizations(params.get("Customizations")),
        "Parameters": _parameters(distribution, params.get("Parameters") or []),
        "ConnectionGroupId": group_id,
        "Enabled": params.get("Enabled", True),
        **lifecycle.created(ctx),
    }
    if params.get("ManagedCertificateRequest"):
        doc = _requesting(ctx, doc, params["ManagedCertificateRequest"])
    _store(ctx, tx, None, doc)
    return _output(ctx, doc, "InProgress")


def _requesting(ctx: Context, doc: dict, request: dict) -> dict:
    """A managed certificate asked for: pending validation, and the domains inactive until it is issued."""
    return {**doc, "_certificate": certificates.requested(ctx, request, _domain_names(doc)),
            "Domains": [{**d, "Status": "inactive"} for d in doc["Domains"]]}


def current(ctx: Context, tx: Transaction, record: Record) -> dict:
    """The tenant as it now stands: a pending managed certificate the DNS now validates is issued."""
    issued = certificates.refreshed(ctx, tx, record.doc)
    if issued is None:
        return record.doc
    tx.replace(record, issued, _keys(ctx.account, issued))
    return issued


@operation("GetDistributionTenant")
def get_distribution_tenant(ctx: Context, tx: Transaction, params: dict) -> dict:
    record = lookup(ctx, tx, params["Identifier"])
    if record is None:
        raise _not_found(params["Identifier"])
    return _output(ctx, current(ctx, tx, record))


@operation("GetDistributionTenantByDomain")
def get_distribution_tenant_by_domain(ctx: Context, tx: Transaction, params: dict) -> dict:
    record = domains.holder(tx, params["Domain"])
    if record is None or record.kind != KIND or record.account != ctx.account:
        raise EntityNotFound(f"No distribution tenant has the domain {params['Domain']}.")
    return _output(ctx, record.doc)


def _list(ctx: Context, tx: Transaction, params: dict, where: dict | None) -> dict:
    limit = paging.max_items(params.get("MaxItems"))
    records, next_marker = paging.page(tx, KIND, ctx.account, params.get("Marker"), limit, where)
    output: dict = {"DistributionTenantList": [_summary(ctx, record.doc) for record in records]}
    if next_marker:
        output["NextMarker"] = next_marker
    return output


@operation("ListDistributionTenants")
def list_distribution_tenants(ctx: Context, tx: Transaction, params: dict) -> dict:
    association = params.get("AssociationFilter") or {}
    where = {name: association[name] for name in ("DistributionId", "ConnectionGroupId") if association.get(name)}
    return _list(ctx, tx, params, where or None)


@operation("ListDistributionTenantsByCustomization")
def list_distribution_tenants_by_customization(ctx: Context, tx: Transaction, params: dict) -> dict:
    web_acl, certificate = params.get("WebACLArn"), params.get("CertificateArn")
    if bool(web_acl) == bool(certificate):
        raise InvalidArgument("Specify either WebACLArn or CertificateArn, but not both.")
    where = {"Customizations.WebAcl.Arn": web_acl} if web_acl else {"Customizations.Certificate.Arn": certificate}
    return _list(ctx, tx, params, where)


@operation("UpdateDistributionTenant")
def update_distribution_tenant(ctx: Context, tx: Transaction, params: dict) -> dict:
    record = lifecycle.current(tx.get(KIND, ctx.account, params["Id"]), _not_found(params["Id"]), params.get("IfMatch"))
    doc = dict(record.doc)
    distribution = _distribution(ctx, tx, params.get("DistributionId") or doc["DistributionId"])
    doc["DistributionId"] = distribution.id
    if params.get("ConnectionGroupId"):  # empty: no change (the default group is for new tenants only)
        doc["ConnectionGroupId"] = _connection_group(ctx, tx, params["ConnectionGroupId"])
    if "Domains" in params:
        doc["Domains"] = _domains(params["Domains"])
        domains.claim(ctx, tx, _domain_names(doc), record.id, take_over=params.get("OnDomainTakeover") == "allow",
                      proven=_points_here(ctx, tx, doc["ConnectionGroupId"]))
    if "Customizations" in params:
        doc["Customizations"] = _customizations(params["Customizations"])
    if "Parameters" in params or "DistributionId" in params:
        given = params["Parameters"] if "Parameters" in params else doc.get("Parameters") or []
        doc["Parameters"] = _parameters(distribution, given)
    if "Enabled" in params:
        doc["Enabled"] = params["Enabled"]
    if params.get("ManagedCertificateRequest"):
        doc = _requesting(ctx, doc, params["ManagedCertificateRequest"])
    doc = lifecycle.changed(ctx, doc)
    _store(ctx, tx, record, doc)
    return _output(ctx, doc, "InProgress")


@operation("DeleteDistributionTenant")
def delete_distribution_tenant(ctx: Context, tx: Transaction, params: dict) -> dict:
    record = lifecycle.current(tx.get(KIND, ctx.account, params["Id"]), _not_found(params["Id"]), params.get("IfMatch"))
    if record.doc["Enabled"]:
        raise ResourceNotDisabled("The distribution tenant must be disabled before it can be deleted.")
    tx.delete(record)
    return {}
