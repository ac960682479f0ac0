"""Which distribution a viewer's Host names: a standard distribution's domain name or alias, or a tenant's
domain (through its connection group, which must be enabled, to its multi-tenant distribution). Viewers
carry no account, so the lookup spans every account.

Browsers resolve every `*.localhost` name to the loopback address (RFC 6761, 6.3), so a name under
`.localhost` also stands for the name without it, and `LABEL.cloudfront.localhost` for `LABEL.cloudfront.net`:
a distribution opens in a browser with no DNS set up. The API never answers such names; they exist only here."""
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
    host: str = ""              # the name the site answered for: a `.localhost` form's real name

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


LOCALHOST = ".localhost"


def names(host: str) -> tuple[str, ...]:
    """The names a Host stands for, in the order they are looked up: itself, then for `X.localhost` the name X
    (with `.cloudfront` completed to `.cloudfront.net`). The name as written comes first, so a domain that
    really ends in `.localhost` keeps its own holder."""
    if not host.endswith(LOCALHOST):
        return (host,)
    real = host[: -len(LOCALHOST)]
    if real.endswith(".cloudfront"):
        real += ".net"
    return (host, real) if "." in real else (host,)


def holder(tx: Transaction, host: str):
    """(the record holding the name the Host stands for, that name), or (None, None). Enabled or not."""
    for name in names(host):
        if not name or len(name) > domains.MAX_LENGTH:
            continue
        record = tx.find(GLOBAL, distributions.DOMAIN_NAME_KEY, name)
        if record is not None:
            return record, name
        candidates = [name]
        if "." in name:
            candidates.append("*." + name.split(".", 1)[1])  # a wildcard alias or domain answers one level down
        for candidate in candidates:
            held = tx.holders(domains.KEY, candidate, 1)
            if held:
                return held[0], name
    return None, None


def find(tx: Transaction, host: str) -> Site | None:
    """The enabled site answering for `host`, or None (CloudFront answers both unknown and disabled with 403)."""
    record, name = holder(tx, host)
    if record is None:
        return None
    if record.kind == distributions.KIND:
        if distributions.is_multi_tenant(record.doc) or not record.doc["DistributionConfig"].get("Enabled"):
            return None  # a multi-tenant distribution serves through its tenants' domains only
        if record.doc["DistributionConfig"].get("Staging"):
            return None  # "Viewers cannot send requests directly to a staging distribution" (edge/staging.py)
        return Site(record.account, record.doc, None, name)
    if record.kind != tenants.KIND or not record.doc.get("Enabled"):
        return None
    group = tx.get(connection_groups.KIND, record.account, record.doc.get("ConnectionGroupId") or "")
    distribution = tx.get(distributions.KIND, record.account, record.doc["DistributionId"])
    if group is None or not group.doc.get("Enabled") or distribution is None:
        return None
    if not distribution.doc["DistributionConfig"].get("Enabled"):
        return None
    return Site(record.account, distribution.doc, record.doc, name)
