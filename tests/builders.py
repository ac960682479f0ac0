"""Request bodies the tests share: distribution configs as boto3 takes them."""
from __future__ import annotations

import uuid

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"


def _origin(origin_id: str = "origin") -> dict:
    return {"Id": origin_id, "DomainName": "origin.example.com",
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}


def direct_config(reference: str | None = None, **members) -> dict:
    """A standard (direct) distribution with one custom origin and a managed cache policy."""
    config = {
        "CallerReference": reference or str(uuid.uuid4()),
        "Comment": "test distribution",
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [_origin()]},
        "DefaultCacheBehavior": {"TargetOriginId": "origin", "ViewerProtocolPolicy": "redirect-to-https",
                                 "CachePolicyId": CACHING_OPTIMIZED},
    }
    config.update(members)
    return config


def multi_tenant_config(reference: str | None = None, parameters=(("tenantName", True, None),), **members) -> dict:
    """A multi-tenant distribution (ConnectionMode tenant-only) defining tenant parameters:
    (name, required, default value) triples."""
    definitions = [{"Name": name, "Definition": {"StringSchema": {
        "Required": required, **({"DefaultValue": default} if default is not None else {})}}}
        for name, required, default in parameters]
    return direct_config(reference, ConnectionMode="tenant-only",
                         TenantConfig={"ParameterDefinitions": definitions}, **members)


def disable(client, distribution_id: str) -> str:
    """Disable a distribution; returns the new ETag."""
    current = client.get_distribution_config(Id=distribution_id)
    config = current["DistributionConfig"]
    config["Enabled"] = False
    return client.update_distribution(Id=distribution_id, IfMatch=current["ETag"], DistributionConfig=config)["ETag"]
