"""Field-level encryption at the edge: the named fields of a viewer's POST form, each replaced by the base64 of
an AWS Encryption SDK message that only the holder of the profile's private key can open, as CloudFront does
("Using field-level encryption to help protect sensitive data", "Decrypting data fields at your origin").

The message is the Encryption SDK's own format, written here with `cryptography` (the SDK's own dependency) so
that the emulator needs nothing more: format version 1, algorithm suite 0x0378 (AES-256-GCM, HKDF-SHA384,
ECDSA P-384 signature, the SDK's default when CloudFront's feature was made), framed content, one encrypted
data key wrapped with RSA-OAEP (SHA-256, MGF1 with SHA-256: the guide's "RSA/ECB/OAEPWithSHA-256AndMGF1Padding"
as the SDK's JceMasterKey reads it) under the profile's ProviderId and the public key's name. Any Encryption
SDK decrypts it with a raw RSA master key of that provider and key name (docs/behaviour.md, "Field-level
encryption at the edge", gives the reasons and what is inferred)."""
from __future__ import annotations

import base64
import os
import struct
from dataclasses import dataclass, field
from urllib.parse import quote_plus, unquote_to_bytes

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..service.access.field_level_encryption import FIELD_LEVEL_ENCRYPTION, FIELD_LEVEL_ENCRYPTION_PROFILE
from ..service.access.public_keys import PUBLIC_KEY

# Quotas page, "Quotas on field-level encryption".
MAX_BODY = 1024 * 1024        # "Maximum length of a request body when field-level encryption is configured"
MAX_FIELD = 16 * 1024         # "Maximum length of a field to encrypt"
MAX_FIELDS = 10               # "Maximum number of fields in a request body when field-level encryption is configured"
QUERY_ARG = "fle-profile"     # the query argument that names a profile (Developer Guide, step 4)
FORM = "application/x-www-form-urlencoded"

# The Encryption SDK's message format (its specification, "Message Format" and "Body AAD").
_SUITE = 0x0378
_FRAME = 4096
_IV, _TAG, _KEY = 12, 16, 32
_FRAME_AAD = b"AWSKMSEncryptionClient Frame"
_FINAL_AAD = b"AWSKMSEncryptionClient Final Frame"
_SIGNATURE_LENGTH = 103       # a P-384 DER signature of the longest form, as the SDKs write it
_P384_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973
_OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)

BLOCKED = ("Bad request.\nThe request could not be encrypted as the distribution's field-level encryption "
           "configuration requires.\nWe can't connect to the server for this app or website at this time. There "
           "might be too much traffic or a configuration error. Try again later, or contact the app or website "
           "owner.")
TOO_LARGE = ("Bad request.\nThe request body is larger than field-level encryption allows.\nWe can't connect to "
             "the server for this app or website at this time. There might be too much traffic or a configuration "
             "error. Try again later, or contact the app or website owner.")


@dataclass
class Entity:
    provider_id: str
    key_name: str
    public_key: object
    patterns: list[str]


@dataclass
class Setup:
    """What a behavior's field-level encryption config says, read from the store by `load`."""
    content_types: dict[str, str | None] | None   # media type (lower case) -> profile id; None: no such config
    forward_unknown_content_type: bool
    query_args: dict[str, str] | None             # fle-profile value -> profile id; None: no such config
    forward_unknown_query_arg: bool
    profiles: dict[str, list[Entity]] = field(default_factory=dict)


class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def load(tx, account: str, behavior: dict) -> Setup | None:
    """The behavior's config and every profile it names, with their public keys; None without one (or when
    it was deleted since: the API refuses that while a distribution uses it)."""
    config_id = behavior.get("FieldLevelEncryptionId")
    if not config_id:
        return None
    record = tx.get(FIELD_LEVEL_ENCRYPTION.kind, account, config_id)
    if record is None:
        return None
    config = record.doc[FIELD_LEVEL_ENCRYPTION.config]
    content, query = config.get("ContentTypeProfileConfig"), config.get("QueryArgProfileConfig")
    setup = Setup(
        None if content is None else {(item.get("ContentType") or "").strip().lower(): item.get("ProfileId")
                                      for item in _items(content.get("ContentTypeProfiles"))},
        bool((content or {}).get("ForwardWhenContentTypeIsUnknown")),
        None if query is None else {item["QueryArg"]: item["ProfileId"]
                                    for item in _items(query.get("QueryArgProfiles"))},
        bool((query or {}).get("ForwardWhenQueryArgProfileIsUnknown")))
    wanted = {p for p in list((setup.content_types or {}).values()) + list((setup.query_args or {}).values()) if p}
    for profile_id in wanted:
        profile = tx.get(FIELD_LEVEL_ENCRYPTION_PROFILE.kind, account, profile_id)
        if profile is None:
            continue
        entities = []
        for entity in _items(profile.doc[FIELD_LEVEL_ENCRYPTION_PROFILE.config].get("EncryptionEntities")):
            key = tx.get(PUBLIC_KEY.kind, account, entity["PublicKeyId"])
            if key is None:
                continue
            key_config = key.doc[PUBLIC_KEY.config]
            public = serialization.load_pem_public_key(key_config["EncodedKey"].encode())
            entities.append(Entity(entity["ProviderId"], key_config["Name"], public,
                                   _items(entity.get("FieldPatterns"))))
        setup.profiles[profile_id] = entities
    return setup


def _items(container) -> list:
    return list((container or {}).get("Items") or [])


def applied(setup: Setup, method: str, query: str, headers: list[tuple[str, str]], body: bytes) -> bytes:
    """The body to send on: the viewer's, or its form with the profile's fields encrypted. Refused when the
    config says the request must not go on, or it is beyond field-level encryption's quotas."""
    if method != "POST":
        return body
    content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
    media = content_type.split(";", 1)[0].strip().lower()
    asked = _asked_profile(query)
    if setup.content_types is not None and media not in setup.content_types:
        if setup.forward_unknown_content_type:
            return body
        raise Refused(400, BLOCKED)
    profile_id = (setup.content_types or {}).get(media)
    if asked is not None and setup.query_args is not None:
        if asked in setup.query_args:
            profile_id = setup.query_args[asked]
        elif setup.forward_unknown_query_arg:
            return body
        else:
            raise Refused(400, BLOCKED)
    if not profile_id or media != FORM:
        # "If you add a content type to a configuration but haven't specified a profile to use with that
        # type, CloudFront always forwards requests with that content type to the origin."
        return body
    if len(body) > MAX_BODY:
        raise Refused(413, TOO_LARGE)
    return encrypted_form(body, setup.profiles.get(profile_id) or [])


def _asked_profile(query: str) -> str | None:
    for pair in (query or "").split("&"):
        name, _, value = pair.partition("=")
        if unquote_to_bytes(name.replace("+", " ")) == QUERY_ARG.encode():
            return unquote_to_bytes(value.replace("+", " ")).decode("utf-8", "replace")
    return None


def _entity_for(name: str, entities: list[Entity]) -> Entity | None:
    for entity in entities:
        for pattern in entity.patterns:
            # "the entire name of the data field, or just the first part of the name with a wildcard
            # character (*)"; names are case-sensitive.
            if name == pattern or (pattern.endswith("*") and name.startswith(pattern[:-1])):
                return entity
    return None


def encrypted_form(body: bytes, entities: list[Entity]) -> bytes:
    """The form with each field a pattern names encrypted; every other byte as the viewer sent it."""
    pairs = body.split(b"&") if body else []
    out, count = [], 0
    for pair in pairs:
        raw_name, equals, raw_value = pair.partition(b"=")
        name = unquote_to_bytes(raw_name.replace(b"+", b" ")).decode("utf-8", "replace")
        entity = _entity_for(name, entities) if equals else None
        if entity is None:
            out.append(pair)
            continue
        value = unquote_to_bytes(raw_value.replace(b"+", b" "))
        count += 1
        if count > MAX_FIELDS or len(value) > MAX_FIELD:
            raise Refused(400, BLOCKED)
        text = base64.b64encode(encrypt(value, entity.provider_id, entity.key_name, entity.public_key))
        out.append(raw_name + b"=" + quote_plus(text.decode("ascii"), safe="").encode("ascii"))
    return b"&".join(out)


# -- the Encryption SDK's message ----------------------------------------------------------------------------
def encrypt(plaintext: bytes, provider_id: str, key_name: str, public_key) -> bytes:
    """An Encryption SDK message (format version 1, suite 0x0378, framed) holding `plaintext`."""
    message_id = os.urandom(16)
    data_key = os.urandom(_KEY)
    signing = ec.generate_private_key(ec.SECP384R1())
    point = signing.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
    context = _context({"aws-crypto-public-key": base64.b64encode(point).decode("ascii")})
    wrapped = public_key.encrypt(data_key, _OAEP)
    header = (struct.pack(">BBH", 1, 0x80, _SUITE) + message_id + struct.pack(">H", len(context)) + context
              + struct.pack(">H", 1) + _short(provider_id.encode()) + _short(key_name.encode()) + _short(wrapped)
              + struct.pack(">BIBI", 2, 0, _IV, _FRAME))
    key = HKDF(algorithm=hashes.SHA384(), length=_KEY, salt=None,
               info=struct.pack(">H", _SUITE) + message_id).derive(data_key)
    gcm = AESGCM(key)
    header_iv = b"\x00" * _IV
    message = header + header_iv + gcm.encrypt(header_iv, b"", header)
    chunks = [plaintext[i:i + _FRAME] for i in range(0, len(plaintext), _FRAME)] or [b""]
    for sequence, chunk in enumerate(chunks, start=1):
        iv = b"\x00" * (_IV - 4) + struct.pack(">I", sequence)
        final = sequence == len(chunks)
        aad = message_id + (_FINAL_AAD if final else _FRAME_AAD) + struct.pack(">IQ", sequence, len(chunk))
        sealed = gcm.encrypt(iv, chunk, aad)
        if final:
            message += struct.pack(">II", 0xFFFFFFFF, sequence) + iv + struct.pack(">I", len(chunk)) + sealed
        else:
            message += struct.pack(">I", sequence) + iv + sealed
    return message + _short(_signature(signing, message))


def _short(data: bytes) -> bytes:
    return struct.pack(">H", len(data)) + data


def _context(pairs: dict[str, str]) -> bytes:
    encoded = sorted((k.encode(), v.encode()) for k, v in pairs.items())
    return struct.pack(">H", len(encoded)) + b"".join(_short(k) + _short(v) for k, v in encoded)


def _signature(key, message: bytes) -> bytes:
    """ECDSA P-384 over the message, in the one DER length the SDKs write (s or its negation, whichever
    gives it), so every message of the suite ends the same way."""
    while True:
        signature = key.sign(message, ec.ECDSA(hashes.SHA384()))
        if len(signature) == _SIGNATURE_LENGTH:
            return signature
        r, s = decode_dss_signature(signature)
        signature = encode_dss_signature(r, _P384_ORDER - s)
        if len(signature) == _SIGNATURE_LENGTH:
            return signature

