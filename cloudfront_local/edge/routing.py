"""Which distribution a viewer's Host names: a standard distribution's domain name or alias, or a tenant's
domain (through its connection group, which must be enabled, to its multi-tenant distribution). Viewers
carry no account, so the lookup spans every account."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..service.distributions import config as distribution_config, distributions
from ..service.multitenant import connection_groups, domains, tenants
from ..store import GLOBAL, Transaction

_PARAMETER = re.compile(r"\{\{([A-Za-z0-9_-]{1,128})\}\}")


@dataclass
class Site:
    account: str
    distribution: dict          # the distribution's document
    tenant: dict | None         # the tenant's document, for a tenant's domain

    @property
    def config(self) -> dict:
        return self.distribution["DistributionConfig"]

    def parameters(self) -> dict[str, str]:
        """The tenant's parameter values over the distribution's defaults."""
        values = {name: schema["DefaultValue"]
                  for name, schema in distribution_config.parameter_definitions(self.config).items()
                  if schema.get("DefaultValue") is not None}
        for parameter in (self.tenant or {}).get("Parameters") or []:
            values[parameter["Name"]] = parameter["Value"]
        return values

    def substituted(self, text: str) -> str:
        """`{{name}}` replaced by the tenant's value (an undefined name is left as written)."""
        if "{{" not in text:
            return text
        values = self.parameters()
        return _PARAMETER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def host_name(header: str | None) -> str:
    """The Host header without its port, lower case, without a trailing dot."""
    host = (header or "").strip()
    if host.startswith("["):
        host = host.split("]", 1)[0] + "]"
    else:
        host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return domains.normalise(host)


def find(tx: Transaction, host: str) -> Site | None:
    """The enabled site answering for `host`, or None (CloudFront answers both unknown and disabled with 403)."""
    if not host or len(host) > domains.MAX_LENGTH:
        return None
    record = tx.find(GLOBAL, distributions.DOMAIN_NAME_KEY, host)
    if record is None:
        candidates = [host]
        if "." in host:
            candidates.append("*." + host.split(".", 1)[1])  # a wildcard alias or domain answers one level down
        for name in candidates:
            held = tx.holders(domains.KEY, name, 1)
            if held:
                record = held[0]
                break
    if record is None:
        return None
    if record.kind == distributions.KIND:
        if distributions.is_multi_tenant(record.doc) or not record.doc["DistributionConfig"].get("Enabled"):
            return None  # a multi-tenant distribution serves through its tenants' domains only
        return Site(record.account, record.doc, None)
    if record.kind != tenants.KIND or not record.doc.get("Enabled"):
        return None
    group = tx.get(connection_groups.KIND, record.account, record.doc.get("ConnectionGroupId") or "")
    distribution = tx.get(distributions.KIND, record.account, record.doc["DistributionId"])
    if group is None or not group.doc.get("Enabled") or distribution is None:
        return None
    if not distribution.doc["DistributionConfig"].get("Enabled"):
        return None
    return Site(record.account, distribution.doc, record.doc)
