"""Public keys, for signed URLs and cookies and for field-level encryption: a PEM RSA 2048 or ECDSA P-256
public key that is checked by parsing it, a name, a CallerReference."""
from __future__ import annotations

from ..common import errors, ids
from ..common.resource import Family, register
from ..policies.rules import check_name


def parse(encoded: str):
    """The public key in a PEM text: RSA 2048 or ECDSA P-256, the two CloudFront signs with ("CloudFront
    supports signed URLs and signed cookies with RSA 2048 or ECDSA 256 key signatures", model docs);
    InvalidArgument for anything else."""
    # Imported on first use, so that starting the server does not pay for the library.
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        key = load_pem_public_key(encoded.strip().encode("utf-8"))
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise errors.InvalidArgument("The encoded public key is not a PEM-encoded public key.") from None
    if isinstance(key, rsa.RSAPublicKey) and key.key_size == 2048:
        return key
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return key
    raise errors.InvalidArgument("CloudFront public keys must be RSA 2048 or ECDSA P-256 keys.")


def is_rsa(encoded: str) -> bool:
    """Field-level encryption "is only compatible with RSA 2048" (model docs)."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    return isinstance(parse(encoded), rsa.RSAPublicKey)


def _check(ctx, tx, config: dict, record) -> None:
    check_name(config["Name"], "public key")
    if record is not None and config["EncodedKey"] != record.doc["PublicKeyConfig"]["EncodedKey"]:
        raise errors.CannotChangeImmutablePublicKeyFields("The encoded key of a public key cannot be changed.")
    parse(config["EncodedKey"])


def _defaults(config: dict) -> dict:
    config.setdefault("Comment", "")  # AWS answers a key created without a comment with Comment ""
    return config


PUBLIC_KEY = Family(
    resource="PublicKey", config="PublicKeyConfig", kind="public-key", noun="public key",
    quota="public_key_quota", not_found="NoSuchPublicKey", already_exists="PublicKeyAlreadyExists",
    too_many="TooManyPublicKeys", in_use="PublicKeyInUse", new_id=lambda: ids.short_id("K"),
    caller_reference=True, check=_check, defaults=_defaults)
register(PUBLIC_KEY, list_op="ListPublicKeys", list_key="PublicKeyList")
