"""SigV4A (AWS4-ECDSA-P256-SHA256): the P-256 key AWS derives from a secret access key, and signature checks.

A SigV4A signer never uses the secret directly: it derives an ECDSA key from it, the same for every
region, date and service, and signs the SHA-256 of the string to sign with it. To check a signature we
derive the same key and verify with its public half. The derivation is aws-c-auth's (the C library
behind awscrt, which boto3 uses for SigV4A), also in aws-sdk-go-v2's internal/v4a: NIST SP 800-108
counter-mode KDF with HMAC-SHA256 (FIPS 186-4 B.4.2 style candidate testing).
"""
from __future__ import annotations

import functools
import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.kbkdf import CounterLocation, KBKDFHMAC, Mode

ALGORITHM = "AWS4-ECDSA-P256-SHA256"

# The order of P-256, less 2: a candidate above this is out of range once 1 is added, so the next
# counter value is tried (aws-c-auth's s_n_minus_2).
_N_MINUS_2 = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC63254F
# aws-c-auth gives up after counter 254; reaching even 2 has a chance of about 2**-32.
_MAX_COUNTER = 254
# A DER ECDSA P-256 signature is at most 72 bytes; anything longer is not worth parsing.
_SIGNATURE_HEX = re.compile(r"(?:[0-9a-fA-F]{2}){8,72}")


def derive_private_key(access_key_id: str, secret_access_key: str) -> ec.EllipticCurvePrivateKey:
    """The P-256 key a SigV4A signer derives from this access key pair."""
    for counter in range(1, _MAX_COUNTER + 1):
        # HMAC-SHA256(key="AWS4A"+secret, 0x00000001 || label || 0x00 || access key id || counter || 0x00000100):
        # the SP 800-108 layout KBKDFHMAC builds when given this label and context.
        kdf = KBKDFHMAC(algorithm=hashes.SHA256(), mode=Mode.CounterMode, length=32, rlen=4, llen=4,
                        location=CounterLocation.BeforeFixed, label=ALGORITHM.encode(),
                        context=access_key_id.encode() + bytes([counter]), fixed=None)
        candidate = int.from_bytes(kdf.derive(b"AWS4A" + secret_access_key.encode()), "big")
        # aws-c-auth moves on only when the candidate is above n-2 (aws-sdk-go-v2 also when equal to it,
        # a difference with a chance of 2**-256).
        if candidate <= _N_MINUS_2:
            return ec.derive_private_key(candidate + 1, ec.SECP256R1())
    raise ValueError("no SigV4A key could be derived")  # as likely as guessing the secret


@functools.lru_cache(maxsize=256)
def public_key(access_key_id: str, secret_access_key: str) -> ec.EllipticCurvePublicKey:
    """Cached: deriving takes HMACs and a scalar multiplication, and a client sends many requests."""
    return derive_private_key(access_key_id, secret_access_key).public_key()


def string_to_sign(amz_date: str, scope: str, canonical_request_hash: str) -> str:
    """As SigV4's, with the region-less scope (DATE/SERVICE/aws4_request)."""
    return f"{ALGORITHM}\n{amz_date}\n{scope}\n{canonical_request_hash}"


def verify(key: ec.EllipticCurvePublicKey, text: str, signature_hex: str) -> bool:
    """Whether `signature_hex` is a hex DER ECDSA-SHA256 signature of `text` by `key`."""
    if not _SIGNATURE_HEX.fullmatch(signature_hex):
        return False
    try:
        key.verify(bytes.fromhex(signature_hex), text.encode(), ec.ECDSA(hashes.SHA256()))
    except (ValueError, InvalidSignature):
        return False
    return True
