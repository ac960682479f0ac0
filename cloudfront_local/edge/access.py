"""Who may see a site: geo restrictions (the distribution's, or a tenant's own customization) and the public
keys of a behavior's trusted key groups, which signed URLs and cookies are verified against."""
from __future__ import annotations

from ..service.access import key_pairs
from ..service.access.key_groups import KEY_GROUP
from ..service.access.public_keys import PUBLIC_KEY
from . import geo


def refused_by_geo(site, country: str) -> bool:
    restrictions = site.config.get("Restrictions")
    custom = ((site.tenant or {}).get("Customizations") or {}).get("GeoRestrictions")
    if custom and custom.get("RestrictionType"):
        # A tenant's customization replaces the distribution's restriction (DistributionTenant Customizations).
        locations = custom.get("Locations") or []
        restrictions = {"GeoRestriction": {"RestrictionType": custom["RestrictionType"],
                                           "Quantity": len(locations), "Items": locations}}
    return not geo.allowed(restrictions, country)


def keys_for(tx, account: str, behavior: dict) -> dict[str, str] | None:
    """{public key id: PEM} of the behavior's trusted key groups and of its trusted signers' CloudFront key
    pairs (both count, as while migrating from one to the other); None when the behavior needs no signature."""
    groups = behavior.get("TrustedKeyGroups") or {}
    signers = key_pairs.signers([behavior])
    if (not groups.get("Enabled") or not groups.get("Items")) and not signers:
        return None
    keys = {}
    for signer in signers:
        keys.update(key_pairs.of_account(tx, account if signer == "self" else signer))
    if not groups.get("Enabled"):
        return keys
    for group_id in groups.get("Items") or []:
        group = tx.get(KEY_GROUP.kind, account, group_id)
        for key_id in ((group.doc.get(KEY_GROUP.config) or {}).get("Items") or []) if group else []:
            key = tx.get(PUBLIC_KEY.kind, account, key_id)
            if key is not None:
                keys[key_id] = key.doc[PUBLIC_KEY.config]["EncodedKey"]
    return keys
