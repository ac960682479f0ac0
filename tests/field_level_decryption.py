"""What an origin does with a field CloudFront encrypted (the Developer Guide's decryption sample, in Python):
base64-decode it, then decrypt it with the AWS Encryption SDK and a raw RSA master key (OAEP with SHA-256) of
the profile's ProviderId and the public key's name."""
from __future__ import annotations

import base64

import aws_encryption_sdk
from aws_encryption_sdk import CommitmentPolicy
from aws_encryption_sdk.identifiers import EncryptionKeyType, WrappingAlgorithm
from aws_encryption_sdk.internal.crypto.wrapping_keys import WrappingKey
from aws_encryption_sdk.key_providers.raw import RawMasterKeyProvider
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


class Keys:
    """An RSA key pair: the public half for CloudFront, the private half for the origin."""

    def __init__(self):
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.public_pem = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        self.private_pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption())


def decrypt(text: str, keys: Keys, provider_id: str, key_name: str):
    """(plaintext, the message's header) of one encrypted field's value."""

    def raw_key(self, key_id):
        return WrappingKey(wrapping_algorithm=WrappingAlgorithm.RSA_OAEP_SHA256_MGF1,
                           wrapping_key=keys.private_pem, wrapping_key_type=EncryptionKeyType.PRIVATE)

    provider = type("Provider", (RawMasterKeyProvider,), {"provider_id": provider_id, "_get_raw_key": raw_key})()
    provider.add_master_key(key_name)
    # CloudFront's messages predate key commitment: the origin's SDK must allow decrypting them.
    sdk = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)
    return sdk.decrypt(source=base64.b64decode(text, validate=True), key_provider=provider)
