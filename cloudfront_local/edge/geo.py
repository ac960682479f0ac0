"""The simulated geo table: which country a viewer's address is in, for geographic restrictions and the
CloudFront-Viewer-Country header. Tests write it through `/_cloudfront-local/geo` or the mock; like the DNS
zone it is one table per emulator, shared by every account, as the internet's geography is."""
from __future__ import annotations

import ipaddress
import re

from ..service.common.errors import InvalidArgument
from ..store import GLOBAL, Transaction

KIND = "geo-range"
MAX_ENTRIES = 10_000
DEFAULT_COUNTRY = "US"  # the rule: with no entry a viewer's country is US
# Up to this many entries a lookup reads them all; beyond, it asks for each enclosing network by name,
# which costs at most 33 (IPv4) or 129 (IPv6) keyed reads however large the table grows.
SCAN_AT_MOST = 64
_COUNTRY = re.compile(r"[A-Za-z]{2}")  # ASCII only: str.isalpha would let other scripts' letters in


class BadEntry(InvalidArgument):
    """An entry the table cannot hold (the internal endpoint answers it as a 400)."""


def network_of(text) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    if not isinstance(text, str):
        raise BadEntry("An entry's cidr must be a string.")
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise BadEntry(f"{text[:100]!r} is not an IPv4 or IPv6 network.") from None


def country_code(text) -> str:
    if not isinstance(text, str) or not _COUNTRY.fullmatch(text):
        raise BadEntry("A country is an ISO 3166-1 alpha-2 code: two letters, such as FR.")
    return text.upper()


def checked(entry) -> dict:
    """{"cidr", "country"} as the table keeps it; raises BadEntry."""
    if not isinstance(entry, dict) or set(entry) != {"cidr", "country"}:
        raise BadEntry('An entry is a JSON object {"cidr": "192.0.2.0/24", "country": "FR"}.')
    return {"cidr": str(network_of(entry["cidr"])), "country": country_code(entry["country"])}


def add(tx: Transaction, entry) -> dict:
    """Add an entry; the same network again takes the new country."""
    entry = checked(entry)
    found = tx.get(KIND, GLOBAL, entry["cidr"])
    if found is not None:
        tx.replace(found, {"country": entry["country"]})
    elif tx.count(KIND, GLOBAL) >= MAX_ENTRIES:
        raise BadEntry(f"The geo table holds at most {MAX_ENTRIES} entries.")
    else:
        tx.insert(KIND, GLOBAL, entry["cidr"], {"country": entry["country"]})
    return entry


def _all(tx: Transaction):
    after = 0
    while True:
        page = tx.page(KIND, GLOBAL, after, 500)
        yield from page
        if len(page) < 500:
            return
        after = page[-1].seq


def listing(tx: Transaction) -> list[dict]:
    return [{"cidr": r.id, "country": r.doc["country"]} for r in _all(tx)]


def clear(tx: Transaction) -> None:
    for record in list(_all(tx)):
        tx.delete(record)


def _address(text: str):
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # A dual-stack listener reports an IPv4 viewer as ::ffff:a.b.c.d; it is still that IPv4 viewer.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def country_of(tx: Transaction, ip: str) -> str:
    """The country of the most specific network holding `ip`; US when none does or `ip` is no address."""
    address = _address(ip) if isinstance(ip, str) else None
    if address is None:
        return DEFAULT_COUNTRY
    size = tx.count(KIND, GLOBAL)
    if size == 0:  # the usual case, a table no test wrote: one cheap read
        return DEFAULT_COUNTRY
    if size <= SCAN_AT_MOST:
        best = None
        for record in _all(tx):
            network = ipaddress.ip_network(record.id)
            if address in network and (best is None or network.prefixlen > best[0]):
                best = (network.prefixlen, record.doc["country"])
        return best[1] if best else DEFAULT_COUNTRY
    for length in range(address.max_prefixlen, -1, -1):
        found = tx.get(KIND, GLOBAL, str(ipaddress.ip_network((address, length), strict=False)))
        if found is not None:
            return found.doc["country"]
    return DEFAULT_COUNTRY


def allowed(restrictions: dict | None, country: str) -> bool:
    """Whether a distribution's `Restrictions` let a viewer from `country` in."""
    geo = (restrictions or {}).get("GeoRestriction") or {}
    kind = geo.get("RestrictionType", "none")
    listed = country.upper() in {item.upper() for item in geo.get("Items") or () if isinstance(item, str)}
    if kind == "whitelist":
        return listed
    if kind == "blacklist":
        return not listed
    return True
