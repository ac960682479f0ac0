"""Who is calling: the account behind a request's SigV4 access key id.

Signature checking and allow-lists come later; this is the one place they will go.
"""
from __future__ import annotations


def access_key_id(headers: dict[str, str], query: str) -> str | None:
    authorization = headers.get("authorization", "")
    start = authorization.find("Credential=")
    if start >= 0:
        credential = authorization[start + len("Credential="):]
        return credential.split("/", 1)[0].split(",", 1)[0].strip() or None
    if "X-Amz-Credential=" in query:
        import urllib.parse

        values = urllib.parse.parse_qs(query).get("X-Amz-Credential")
        if values:
            return values[0].split("/", 1)[0] or None
    return None


def account_for(headers: dict[str, str], query: str, default_account: str) -> str:
    """A 12-digit access key id is that account; any other key, or none, is the default account."""
    key = access_key_id(headers, query)
    if key is not None and len(key) == 12 and key.isdigit():
        return key
    return default_account
