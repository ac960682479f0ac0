"""VPC origins at the edge: an origin with a VpcOriginConfig is reached at its own DomainName (the load
balancer's or instance's private name, which the simulated DNS zone points at a test's server), as a custom
origin is, but with the protocol policy, ports and SSL protocols of the VPC origin resource it names and the
timeouts of the distribution's origin (Developer Guide, "Restrict access with VPC origins")."""
from __future__ import annotations

import dataclasses
import time

from ..service.common import lifecycle
from ..service.common.context import Context
from ..service.origins.vpc_origins import VPC_ORIGIN
from . import origins

# The lowest of OriginSslProtocols is the least CloudFront accepts (the model: "the minimum SSL/TLS protocol
# that CloudFront uses when connecting to your origin over HTTPS"); SSLv3 asks nothing a TLS library still does.
_LOWEST = ("TLSv1", "TLSv1.1", "TLSv1.2")


def target(tx, account: str, settings, origin: dict, domain: str, path: str, viewer_scheme: str):
    """An origins.Target, or why the VPC origin cannot be reached (the edge answers 502)."""
    vpc = origin.get("VpcOriginConfig") or {}
    vpc_id = vpc.get("VpcOriginId") or ""
    # The distribution's own account: the API takes only a VPC origin of the caller's account, so the one
    # the distribution names is there (OwnerAccountId, for origins shared through AWS RAM, is not followed).
    record = tx.get(VPC_ORIGIN.kind, account, vpc_id)
    if record is None:
        return f"the VPC origin {vpc_id} does not exist"
    if not lifecycle.is_deployed(Context(account, time.time(), settings), record.doc):
        return f"the VPC origin {vpc_id} is not deployed yet"
    endpoint = record.doc.get(VPC_ORIGIN.config) or {}
    custom = {"HTTPPort": endpoint.get("HTTPPort"), "HTTPSPort": endpoint.get("HTTPSPort"),
              "OriginProtocolPolicy": endpoint.get("OriginProtocolPolicy"),
              "OriginReadTimeout": vpc.get("OriginReadTimeout"),
              "OriginKeepaliveTimeout": vpc.get("OriginKeepaliveTimeout")}
    found = origins.target(tx, {**origin, "CustomOriginConfig": custom}, domain, path, viewer_scheme)
    listed = ((endpoint.get("OriginSslProtocols") or {}).get("Items")) or []
    lowest = next((name for name in _LOWEST if name in listed), "")
    return dataclasses.replace(found, tls_minimum=lowest)
