"""Tenants' domains against the simulated DNS: VerifyDnsConfiguration, and the managed certificate a tenant
may ask for (ManagedCertificateRequest), pending validation until the DNS shows what AWS looks for.

With ValidationTokenHost `cloudfront`, CloudFront serves the validation token itself, so every domain of the
tenant must already point (through CNAMEs) at its connection group's routing endpoint; with `self-hosted`,
the customer's own server answers it, so every domain must resolve at all. Once issued, a certificate stays
issued, and the tenant's domains turn active."""
from __future__ import annotations

import hashlib

from ...store import Transaction
from ..common import errors, ids
from ..common.context import Context
from . import connection_groups, dns

PENDING, ISSUED = "pending-validation", "issued"


def requested(ctx: Context, request: dict, domain_names: list[str]) -> dict:
    """The `_certificate` a tenant keeps for its ManagedCertificateRequest."""
    host = request.get("ValidationTokenHost") or "cloudfront"
    primary = (request.get("PrimaryDomainName") or domain_names[0]).lower()
    if primary not in domain_names:
        raise errors.InvalidArgument(f"The primary domain name {primary} is not one of the tenant's domains.")
    return {"Arn": f"arn:aws:acm:us-east-1:{ctx.account}:certificate/{ids.uuid_id()}", "Status": PENDING,
            "ValidationTokenHost": host, "PrimaryDomainName": primary,
            "CertificateTransparencyLoggingPreference": request.get("CertificateTransparencyLoggingPreference")
            or "enabled"}


def routing_endpoint(ctx: Context, tx: Transaction, doc: dict) -> str | None:
    group = tx.get(connection_groups.KIND, ctx.account, doc.get("ConnectionGroupId") or "")
    return group.doc["RoutingEndpoint"] if group else None


def check_domain(tx: Transaction, domain: str, endpoint: str | None) -> tuple[str, str]:
    """(DnsConfigurationStatus, reason) of one domain against the routing endpoint it must point at."""
    chain, records = dns.resolve(tx, domain)
    if endpoint is not None and endpoint in chain[1:]:
        return "valid-configuration", f"{domain} points to the routing endpoint {endpoint}."
    if len(chain) == 1 and not records:
        return "unknown-configuration", f"No DNS record was found for {domain}."
    found = chain[-1] if len(chain) > 1 else ", ".join(r["value"] for r in records)
    return "invalid-configuration", f"{domain} points to {found}, not to the routing endpoint {endpoint}."


def _validated(ctx: Context, tx: Transaction, doc: dict) -> bool:
    names = [d["Domain"] for d in doc["Domains"]]
    if doc["_certificate"]["ValidationTokenHost"] == "cloudfront":
        endpoint = routing_endpoint(ctx, tx, doc)
        return all(check_domain(tx, name, endpoint)[0] == "valid-configuration" for name in names)
    return all(len(chain) > 1 or records for chain, records in (dns.resolve(tx, name) for name in names))


def refreshed(ctx: Context, tx: Transaction, doc: dict) -> dict | None:
    """The tenant document with its certificate issued, when the DNS now validates it; else None."""
    certificate = doc.get("_certificate")
    if not certificate or certificate["Status"] != PENDING or not _validated(ctx, tx, doc):
        return None
    return {**doc, "_certificate": {**certificate, "Status": ISSUED},
            "Domains": [{**d, "Status": "active"} for d in doc["Domains"]]}


def details(doc: dict) -> dict:
    certificate = doc.get("_certificate")
    if not certificate:
        raise errors.EntityNotFound(f"The distribution tenant {doc['Id']} has no managed certificate.")
    answer = {"CertificateArn": certificate["Arn"], "CertificateStatus": certificate["Status"],
              "ValidationTokenHost": certificate["ValidationTokenHost"]}
    if certificate["Status"] == PENDING:
        # ACM's HTTP validation: a token under /.well-known/pki-validation/ redirected to ACM's host.
        answer["ValidationTokenDetails"] = [
            {"Domain": d["Domain"],
             "RedirectFrom": f"http://{d['Domain']}/.well-known/pki-validation/{_token(certificate, d['Domain'])}.txt",
             "RedirectTo": f"http://validation.us-east-1.acm-validations.aws/{certificate['Arn'].split(':')[4]}/"
                           f".well-known/pki-validation/{_token(certificate, d['Domain'])}.txt"}
            for d in doc["Domains"]]
    return answer


def _token(certificate: dict, domain: str) -> str:
    return hashlib.sha256(f"{certificate['Arn']}|{domain}".encode()).hexdigest()[:32]
