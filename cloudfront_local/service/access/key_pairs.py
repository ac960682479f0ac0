"""CloudFront key pairs: the legacy trusted signers of signed URLs and cookies. They belong to an account and
are made by its root user in the console (the Developer Guide, "Create key pairs for your signers"); the API has
no operation for them, so tests register their public keys through `/_cloudfront-local/key-pairs` or the mock.
A behavior with TrustedSigners verifies against the key pairs of the accounts it lists; GetDistribution's
ActiveTrustedSigners lists their ids."""
from __future__ import annotations

import re
import secrets
import string

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ...store import GLOBAL, Transaction
from ..common.errors import InvalidArgument

KIND = "cloudfront-key-pair"
ID_KEY = "cloudfront-key-pair:id"  # unique everywhere: a viewer's Key-Pair-Id names one without its account
# "You can have up to two active CloudFront key pairs per AWS account" (Create key pairs for your signers).
PER_ACCOUNT = 2
_ID = re.compile(r"APKA[A-Z0-9]{16}")  # APKA and 16 characters, as the guide's APKAEIBAERJR2EXAMPLE
_ACCOUNT = re.compile(r"[0-9]{12}")
MAX_PEM = 4096


class BadKeyPair(InvalidArgument):
    """A key pair the emulator cannot hold (the internal endpoint answers it as a 400)."""


def shaped(entry) -> dict:
    """The entry, if it has the members of one; raises BadKeyPair."""
    if not isinstance(entry, dict) or not {"account", "publicKey"} <= set(entry) <= {"account", "publicKey", "id"}:
        raise BadKeyPair('A key pair is a JSON object {"account": "123456789012", "publicKey": PEM, '
                         '"id": "APKA…" (optional)}.')
    return entry


def checked(entry) -> dict:
    """{"account", "id", "publicKey"} as kept; the id is made when not given. Raises BadKeyPair."""
    shaped(entry)
    account, pem, key_id = entry["account"], entry["publicKey"], entry.get("id")
    if not isinstance(account, str) or not _ACCOUNT.fullmatch(account):
        raise BadKeyPair("The account must be 12 digits.")
    if key_id is None:
        key_id = "APKA" + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(16))
    if not isinstance(key_id, str) or not _ID.fullmatch(key_id):
        raise BadKeyPair("A key pair id is APKA and 16 upper-case letters or digits.")
    if not isinstance(pem, str) or len(pem) > MAX_PEM:
        raise BadKeyPair(f"The public key must be a PEM string of at most {MAX_PEM} characters.")
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except (ValueError, TypeError, UnicodeEncodeError):
        raise BadKeyPair("The public key is not a PEM-encoded public key.") from None
    # CloudFront key pairs are SSH-2 RSA 2048-bit keys (the same guide); ECDSA came only with key groups.
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size != 2048:
        raise BadKeyPair("A CloudFront key pair is an RSA key of 2048 bits.")
    return {"account": account, "id": key_id, "publicKey": pem}


def add(tx: Transaction, entry) -> dict:
    entry = checked(entry)
    if tx.find(GLOBAL, ID_KEY, entry["id"]) is not None:
        raise BadKeyPair(f"The key pair {entry['id']} already exists.")
    if tx.count(KIND, entry["account"]) >= PER_ACCOUNT:
        raise BadKeyPair(f"An account has at most {PER_ACCOUNT} CloudFront key pairs.")
    tx.insert(KIND, entry["account"], entry["id"], {"EncodedKey": entry["publicKey"]},
              [(GLOBAL, ID_KEY, entry["id"])])
    return {"account": entry["account"], "id": entry["id"]}


def remove(tx: Transaction, key_id: str) -> bool:
    found = tx.find(GLOBAL, ID_KEY, key_id) if isinstance(key_id, str) else None
    if found is None:
        return False
    tx.delete(found)
    return True


def of_account(tx: Transaction, account: str) -> dict[str, str]:
    """{key pair id: PEM} of the account's key pairs."""
    return {r.id: r.doc["EncodedKey"] for r in tx.page(KIND, account, 0, PER_ACCOUNT + 1)}


def signers(behaviors: list[dict]) -> list[str]:
    """The accounts of the behaviors' enabled TrustedSigners ("self" or a number), once each, in order."""
    found: list[str] = []
    for behavior in behaviors:
        trusted = behavior.get("TrustedSigners") or {}
        if trusted.get("Enabled"):
            found += [a for a in trusted.get("Items") or [] if isinstance(a, str) and a not in found]
    return found


def active_trusted_signers(tx: Transaction, account: str, behaviors: list[dict]) -> dict:
    """ActiveTrustedSigners as GetDistribution answers it: each listed account with its key pair ids."""
    accounts = signers(behaviors)
    if not accounts:
        return {"Enabled": False, "Quantity": 0}
    items = []
    for name in accounts:
        ids = list(of_account(tx, account if name == "self" else name))
        pairs = {"Quantity": len(ids), **({"Items": ids} if ids else {})}
        items.append({"AwsAccountNumber": name, "KeyPairIds": pairs})
    return {"Enabled": True, "Quantity": len(items), "Items": items}
