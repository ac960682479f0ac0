"""The simulated DNS zone: the records CloudFront would look up on the internet (a domain's CNAME to a routing
endpoint, an alias move's TXT record), written by tests through `/_cloudfront-local/dns` or the mock. One zone
per emulator, shared by every account, as the internet is."""
from __future__ import annotations

import ipaddress
import re

from ...store import GLOBAL, Transaction
from ..common.errors import InvalidArgument

KIND = "dns-name"
TYPES = ("CNAME", "A", "AAAA", "TXT")
MAX_TXT = 4000
MAX_RECORDS_PER_NAME = 100
MAX_CHAIN = 8  # CNAMEs followed before a lookup gives up
_LABEL = re.compile(r"(\*|_?[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?)")


class BadRecord(InvalidArgument):
    """A record the zone cannot hold (the internal endpoint answers it as a 400)."""


def name_of(text) -> str:
    if not isinstance(text, str):
        raise BadRecord("A record's name must be a string.")
    name = text.strip().rstrip(".").lower()
    labels = name.split(".")
    if not name or len(name) > 253 or not all(_LABEL.fullmatch(label) for label in labels) \
            or "*" in labels[1:]:
        raise BadRecord(f"{text[:100]!r} is not a domain name.")
    return name


def checked(record) -> dict:
    """{"name", "type", "value"} as the zone keeps it; raises BadRecord."""
    if not isinstance(record, dict) or set(record) - {"name", "type", "value"}:
        raise BadRecord('A record is a JSON object {"name": …, "type": "CNAME"|"A"|"AAAA"|"TXT", "value": …}.')
    name = name_of(record.get("name"))
    kind, value = record.get("type"), record.get("value")
    if kind not in TYPES:
        raise BadRecord(f"The type must be one of {', '.join(TYPES)}.")
    if not isinstance(value, str) or not value:
        raise BadRecord("The value must be a non-empty string.")
    if kind == "CNAME":
        value = name_of(value)
    elif kind in ("A", "AAAA"):
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            raise BadRecord(f"{value[:100]!r} is not an IP address.") from None
        if address.version != (4 if kind == "A" else 6):
            raise BadRecord(f"An {kind} record holds an IPv{4 if kind == 'A' else 6} address.")
        value = str(address)
    elif len(value) > MAX_TXT or not value.isprintable():
        raise BadRecord(f"A TXT value is up to {MAX_TXT} printable characters.")
    return {"name": name, "type": kind, "value": value}


def add(tx: Transaction, record) -> dict:
    record = checked(record)
    found = tx.get(KIND, GLOBAL, record["name"])
    entry = {"type": record["type"], "value": record["value"]}
    if found is None:
        tx.insert(KIND, GLOBAL, record["name"], {"records": [entry]})
    elif entry not in found.doc["records"]:
        others = [r for r in found.doc["records"] if r["type"] != "CNAME"]
        if record["type"] == "CNAME" and others or any(r["type"] == "CNAME" for r in found.doc["records"]):
            raise BadRecord(f"{record['name']} cannot have a CNAME and other records (RFC 1034, 3.6.2).")
        if len(found.doc["records"]) >= MAX_RECORDS_PER_NAME:
            raise BadRecord(f"A name holds at most {MAX_RECORDS_PER_NAME} records.")
        tx.replace(found, {"records": [*found.doc["records"], entry]})
    return record


def remove(tx: Transaction, name: str) -> bool:
    found = tx.get(KIND, GLOBAL, name_of(name))
    if found is None:
        return False
    tx.delete(found)
    return True


def listing(tx: Transaction) -> list[dict]:
    records, after = [], 0
    while True:
        page = tx.page(KIND, GLOBAL, after, 500)
        records += [{"name": r.id, **entry} for r in page for entry in r.doc["records"]]
        if len(page) < 500:
            return records
        after = page[-1].seq


def _records(tx: Transaction, name: str) -> list[dict]:
    found = tx.get(KIND, GLOBAL, name)
    if found is None:  # a wildcard record answers for the names under it
        parent = name.split(".", 1)[1] if "." in name else ""
        found = tx.get(KIND, GLOBAL, "*." + parent) if parent else None
    return found.doc["records"] if found else []


def resolve(tx: Transaction, name: str) -> tuple[list[str], list[dict]]:
    """Follow CNAMEs from `name`: (the names on the way, the name itself first; the records at the end)."""
    chain = [name_of(name)]
    for _ in range(MAX_CHAIN):
        records = _records(tx, chain[-1])
        target = next((r["value"] for r in records if r["type"] == "CNAME"), None)
        if target is None or target in chain:
            return chain, records
        chain.append(target)
    return chain, []


def txt(tx: Transaction, name: str) -> list[str]:
    return [r["value"] for r in _records(tx, name_of(name)) if r["type"] == "TXT"]
