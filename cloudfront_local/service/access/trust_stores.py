"""Trust stores: the CA certificates that viewer mTLS checks client certificates against, read from a PEM
bundle in S3 (from --s3-endpoint), counted, and named by distributions' ViewerMtlsConfig."""
from __future__ import annotations

from ..common import errors, ids, lifecycle, paging, s3_objects, tagging
from ..common.context import Context
from ..common.registry import operation
from ..distributions import distributions, references
from ..policies.rules import check_name

KIND = "trust-store"
ARN_TYPE = "trust-store"
NAME_KEY = KIND + ":name"
tagging.TAGGABLE[ARN_TYPE] = KIND


def _certificates(ctx: Context, source: dict | None) -> int:
    location = (source or {}).get("CaCertificatesBundleS3Location")
    if not location:
        raise errors.InvalidArgument("A trust store needs CaCertificatesBundleSource.CaCertificatesBundleS3Location.")
    bundle = s3_objects.read(ctx, location["Bucket"], location["Key"], location["Region"], location.get("Version"))
    from cryptography import x509  # on first use: starting the server does not pay for the library

    try:
        certificates = x509.load_pem_x509_certificates(bundle)
    except ValueError:
        raise errors.InvalidArgument("The CA bundle is not a PEM file of X.509 certificates.") from None
    if not all(_is_ca(c) for c in certificates):
        raise errors.InvalidArgument("Every certificate of a trust store's bundle must be a CA certificate.")
    return len(certificates)


def _is_ca(certificate) -> bool:
    from cryptography import x509

    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def _output(ctx: Context, doc: dict) -> dict:
    return {**doc, "Status": "active" if lifecycle.is_deployed(ctx, doc) else "pending"}


def find(ctx: Context, tx, identifier: str):
    record = tagging.by_identifier(ctx, tx, identifier, KIND, ARN_TYPE, NAME_KEY)
    if record is None:
        raise errors.EntityNotFound(f"The trust store {identifier} does not exist.")
    return record


@operation("CreateTrustStore")
def create(ctx: Context, tx, params: dict) -> dict:
    name = params["Name"]
    check_name(name, "trust store")
    tags = tagging.checked_tags(params.get("Tags"))
    if tx.find(ctx.account, NAME_KEY, name) is not None:
        raise errors.EntityAlreadyExists(f"A trust store named {name} already exists.")
    quota = ctx.settings.trust_store_quota
    if tx.count(KIND, ctx.account) >= quota:
        raise errors.EntityLimitExceeded(f"You have reached the limit of {quota} trust stores.")
    count = _certificates(ctx, params["CaCertificatesBundleSource"])
    store_id = ids.trust_store_id()
    doc = {"Id": store_id, "Arn": ids.arn(ctx.account, ARN_TYPE, store_id), "Name": name,
           "NumberOfCaCertificates": count, "CaCertificatesBundleSource": params["CaCertificatesBundleSource"],
           "UseClientCertificateOCSPEndpoint": bool(params.get("UseClientCertificateOCSPEndpoint")), "Tags": tags,
           **lifecycle.created(ctx)}
    tx.insert(KIND, ctx.account, store_id, doc, [(ctx.account, NAME_KEY, name)])
    return {"TrustStore": _output(ctx, doc), "ETag": doc["ETag"]}


def _current(ctx: Context, tx, params: dict):
    """The store an update or delete acts on, under If-Match."""
    return lifecycle.current(tx.get(KIND, ctx.account, params["Id"]),
                             errors.EntityNotFound(f"The trust store {params['Id']} does not exist."),
                             params.get("IfMatch"))


@operation("GetTrustStore")
def get(ctx: Context, tx, params: dict) -> dict:
    doc = find(ctx, tx, params["Identifier"]).doc
    return {"TrustStore": _output(ctx, doc), "ETag": doc["ETag"]}


@operation("UpdateTrustStore")
def update(ctx: Context, tx, params: dict) -> dict:
    record = _current(ctx, tx, params)
    doc = dict(record.doc)
    if params.get("CaCertificatesBundleSource") is not None:
        doc["NumberOfCaCertificates"] = _certificates(ctx, params["CaCertificatesBundleSource"])
        doc["CaCertificatesBundleSource"] = params["CaCertificatesBundleSource"]
    if params.get("UseClientCertificateOCSPEndpoint") is not None:
        doc["UseClientCertificateOCSPEndpoint"] = params["UseClientCertificateOCSPEndpoint"]
    doc = lifecycle.changed(ctx, doc)
    tx.replace(record, doc)
    return {"TrustStore": _output(ctx, doc), "ETag": doc["ETag"]}


@operation("DeleteTrustStore")
def delete(ctx: Context, tx, params: dict) -> dict:
    record = _current(ctx, tx, params)
    if references.users(ctx, tx, KIND, record.id):
        raise errors.CannotDeleteEntityWhileInUse("The trust store is used by a distribution.")
    tx.delete(record)
    return {}


@operation("ListTrustStores")
def list_stores(ctx: Context, tx, params: dict) -> dict:
    limit = paging.max_items(params.get("MaxItems"))
    records, next_marker = paging.page(tx, KIND, ctx.account, params.get("Marker"), limit)
    output: dict = {"TrustStoreList": [_output(ctx, record.doc) for record in records]}
    if next_marker:
        output["NextMarker"] = next_marker
    return output


def _trust_store_ids(config: dict) -> list[str]:
    store = ((config.get("ViewerMtlsConfig") or {}).get("TrustStoreConfig") or {}).get("TrustStoreId")
    return [store] if store else []


references.add(references.Reference(
    KIND, _trust_store_ids, lambda ctx, tx, store_id: tx.get(KIND, ctx.account, store_id) is not None,
    "EntityNotFound"))


@operation("ListDistributionsByTrustStore")
def list_distributions_by_trust_store(ctx: Context, tx, params: dict) -> dict:
    record = find(ctx, tx, params["TrustStoreIdentifier"])
    return distributions.list_where(ctx, tx, params, {"_uses": f"{KIND}:{record.id}"})
