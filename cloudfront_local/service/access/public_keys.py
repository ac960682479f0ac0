"""Public keys, for signed URLs and cookies and for field-level encryption: a PEM RSA public key that is
checked by parsing it, a name, a CallerReference."""
from __future__ import annotations

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from ..common import errors, ids
from ..common.resource import Family, register
from ..policies.rules import check_name


def parse(encoded: str) -> rsa.RSAPublicKey:
    """The RSA public key in a PEM text; InvalidArgument for anything else."""
    try:
        key = load_pem_public_key(encoded.strip().encode("utf-8"))
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise errors.InvalidArgument("The encoded public key is not a PEM-encoded public key.") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise errors.InvalidArgument("CloudFront public keys must be RSA keys.")
    if key.key_size != 2048:
        raise errors.InvalidArgument("CloudFront public keys must be 2048-bit RSA keys.")
    return key


def _check(ctx, tx, config: dict, record) -> None:
    check_name(config["Name"], "public key")
    if record is not None and config["EncodedKey"] != record.doc["PublicKeyConfig"]["EncodedKey"]:
        raise errors.CannotChangeImmutablePublicKeyFields("The encoded key of a public key cannot be changed.")
    parse(config["EncodedKey"])


PUBLIC_KEY = Family(
    resource="PublicKey", config="PublicKeyConfig", kind="public-key", noun="public key",
    quota="public_key_quota", not_found="NoSuchPublicKey", already_exists="PublicKeyAlreadyExists",
    too_many="TooManyPublicKeys", in_use="PublicKeyInUse", new_id=lambda: ids.short_id("K"),
    caller_reference=True, check=_check)
register(PUBLIC_KEY, list_op="ListPublicKeys", list_key="PublicKeyList")
