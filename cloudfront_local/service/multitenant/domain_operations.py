"""Operations on domains across distributions and tenants: checking their DNS, their managed certificates,
finding who else holds one (in any account: other accounts' ids are masked), and moving one from its holder,
in this account or another (AssociateAlias, UpdateDomainAssociation)."""
from __future__ import annotations

from ...store import Record, Transaction
from ..common import errors, lifecycle, paging, quantities
from ..common.context import Context
from ..common.registry import operation
from ..distributions import distributions
from . import certificates, dns, domains, tenants


def _tenant(ctx: Context, tx: Transaction, identifier: str) -> Record:
    record = tenants.lookup(ctx, tx, identifier)
    if record is None:
        raise errors.EntityNotFound(f"The distribution tenant {identifier} does not exist.")
    return record


@operation("VerifyDnsConfiguration")
def verify_dns_configuration(ctx, tx, params):
    record = _tenant(ctx, tx, params["Identifier"])
    doc = tenants.current(ctx, tx, record)
    names = [d["Domain"] for d in doc["Domains"]]
    if params.get("Domain"):
        wanted = domains.normalise(params["Domain"])
        if wanted not in names:
            raise errors.InvalidArgument(f"{params['Domain']} is not a domain of the tenant {doc['Id']}.")
        names = [wanted]
    endpoint = certificates.routing_endpoint(ctx, tx, doc)
    answers = []
    for name in names:
        status, reason = certificates.check_domain(tx, name, endpoint)
        answers.append({"Domain": name, "Status": status, "Reason": reason})
    return {"DnsConfigurationList": answers}


@operation("GetManagedCertificateDetails")
def get_managed_certificate_details(ctx, tx, params):
    record = _tenant(ctx, tx, params["Identifier"])
    return {"ManagedCertificateDetails": certificates.details(tenants.current(ctx, tx, record))}


def _masked(text: str, keep: int) -> str:
    return "*" * max(len(text) - keep, 0) + text[-keep:]


def _overlapping(domain: str) -> list[str]:
    """The names that would serve `domain`: itself and the wildcard one level up (or, for a wildcard, the
    names it covers are not enumerable, so only itself)."""
    name = domains.normalise(domain)
    parent = name.split(".", 1)[1] if "." in name else ""
    return [name] + (["*." + parent] if parent and not name.startswith("*.") else [])


def _holders(tx: Transaction, name: str) -> list[Record]:
    """Every distribution or tenant holding the name, in any account (one, unless an older version of the
    state let two accounts hold it)."""
    return tx.holders(domains.KEY, domains.normalise(name), 100)


@operation("ListConflictingAliases")
def list_conflicting_aliases(ctx, tx, params):
    distributions.get_record(ctx, tx, params["DistributionId"])
    limit = params.get("MaxItems") or 100
    items = [{"Alias": name, "DistributionId": _masked(holder.id, 4), "AccountId": _masked(holder.account, 4)}
             for name in _overlapping(params["Alias"]) for holder in _holders(tx, name)
             if holder.kind == distributions.KIND and holder.id != params["DistributionId"]][:limit]
    return {"ConflictingAliasesList": {"MaxItems": limit, "Quantity": len(items), "Items": items}}


@operation("ListDomainConflicts")
def list_domain_conflicts(ctx, tx, params):
    _resource(ctx, tx, params["DomainControlValidationResource"])
    paging.max_items(params.get("MaxItems"))
    # A tenant id keeps its last 14 characters, as in AWS's example; a 14-character distribution id keeps 4,
    # as ListConflictingAliases shows them, so that another account's id is never whole.
    conflicts = [{"Domain": name, "ResourceType": holder.kind,
                  "ResourceId": _masked(holder.id, 14 if holder.kind == tenants.KIND else 4),
                  # The caller's own account is shown whole (AWS's example); another's is masked.
                  "AccountId": holder.account if holder.account == ctx.account else _masked(holder.account, 4)}
                 for name in _overlapping(params["Domain"]) for holder in _holders(tx, name)]
    return {"DomainConflicts": conflicts}


def _resource(ctx: Context, tx: Transaction, reference: dict) -> Record:
    """The distribution or tenant a DistributionResourceId names (exactly one of its two members)."""
    distribution_id, tenant_id = reference.get("DistributionId"), reference.get("DistributionTenantId")
    if bool(distribution_id) == bool(tenant_id):
        raise errors.InvalidArgument("Name either a DistributionId or a DistributionTenantId.")
    if distribution_id:
        record = tx.get(distributions.KIND, ctx.account, distribution_id)
        if record is None:
            raise errors.EntityNotFound(f"The distribution {distribution_id} does not exist.")
        return record
    return _tenant(ctx, tx, tenant_id)


def _with_domain(doc: dict, kind: str, domain: str) -> dict:
    if kind == distributions.KIND:
        config = doc["DistributionConfig"]
        aliases = [*quantities.items(config.get("Aliases")), domain]
        return {**doc, "DistributionConfig": {**config, "Aliases": {"Quantity": len(aliases), "Items": aliases}}}
    if len(doc["Domains"]) >= tenants.MAX_DOMAINS:
        raise errors.EntityLimitExceeded(f"A distribution tenant can have at most {tenants.MAX_DOMAINS} domains.")
    return {**doc, "Domains": [*doc["Domains"], {"Domain": domain, "Status": "active", "ServeOn": "any"}]}


def _answering_name(ctx: Context, tx: Transaction, target: Record) -> str | None:
    """The CloudFront name a domain points to when it is the target's: a distribution's own domain name, a
    tenant's connection group routing endpoint."""
    if target.kind == distributions.KIND:
        return target.doc["DomainName"]
    return certificates.routing_endpoint(ctx, tx, target.doc)


def _check_txt_record(ctx: Context, tx: Transaction, domain: str, target: Record) -> None:
    """CloudFront checks that the domain's owner allows the move: a TXT record _<domain> naming the target
    (the guide's "Move an alternate domain name", setting up the target)."""
    expected = _answering_name(ctx, tx, target)
    name = "_" + domain.removeprefix("*.")
    if expected is None or expected not in dns.txt(tx, name):
        raise errors.InvalidArgument(f"Add a DNS TXT record {name} with the value {expected} to move {domain} "
                                     f"to {target.id}.")


def _is_enabled(holder: Record) -> bool:
    if holder.kind == distributions.KIND:
        return bool(holder.doc["DistributionConfig"].get("Enabled"))
    return bool(holder.doc.get("Enabled"))


def _move(ctx: Context, tx: Transaction, domain: str, target: Record) -> dict:
    """Take `domain` from its holder (in any account: the caller has checked what a move from another
    account needs) and give it to `target`; the target's new doc."""
    name = domains.normalise(domain)
    domains.claim(ctx, tx, [name], target.id, take_over=True, proven=lambda _domain: True)
    held, _without, all_keys = domains.HOLDERS[target.kind]
    if name in held(target.doc):
        return target.doc
    doc = lifecycle.changed(ctx, _with_domain(target.doc, target.kind, name))
    tx.replace(target, doc, all_keys(ctx.account, doc))
    return doc


@operation("UpdateDomainAssociation")
def update_domain_association(ctx, tx, params):
    target = _resource(ctx, tx, params["TargetResource"])
    if params.get("IfMatch") is not None:
        lifecycle.check_if_match(target.doc, params["IfMatch"])
    source = domains.holder(tx, params["Domain"])
    if source is None:
        raise errors.EntityNotFound(f"No distribution or tenant has the domain {params['Domain']}.")
    if source.id == target.id and source.account == ctx.account:
        raise errors.InvalidAssociation(f"{params['Domain']} is already associated with {target.id}.")
    if target.kind == distributions.KIND and not distributions.is_multi_tenant(target.doc) and \
            source.kind != distributions.KIND:
        raise errors.InvalidAssociation("A tenant's domain moves to another tenant or multi-tenant distribution.")
    if source.account != ctx.account:
        # From another account only once its holder is disabled, and with the domain owner's TXT record (the
        # guide's "Move the alternate domain name", different accounts).
        if _is_enabled(source):
            raise errors.IllegalUpdate(f"The distribution or tenant holding {params['Domain']} in another account "
                                       "must be disabled before the domain can move.")
        _check_txt_record(ctx, tx, domains.normalise(params["Domain"]), target)
    doc = _move(ctx, tx, params["Domain"], target)
    return {"Domain": domains.normalise(params["Domain"]), "ResourceId": target.id, "ETag": doc["ETag"]}


@operation("AssociateAlias")
def associate_alias(ctx, tx, params):
    target = distributions.get_record(ctx, tx, params["TargetDistributionId"])
    alias = domains.checked(params["Alias"])
    if distributions.is_multi_tenant(target.doc):
        raise errors.IllegalUpdate("AssociateAlias moves an alias to a standard distribution; tenants have domains.")
    certificate = target.doc["DistributionConfig"].get("ViewerCertificate") or {}
    if not (certificate.get("ACMCertificateArn") or certificate.get("IAMCertificateId")):
        raise errors.InvalidArgument(f"The distribution {target.id} needs a certificate that covers {alias}.")
    _check_txt_record(ctx, tx, alias, target)
    _move(ctx, tx, alias, target)
    return {}
