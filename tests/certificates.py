"""Keys and certificates the tests make for themselves."""
from __future__ import annotations

import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID


def _self_signed(name: str, ca: bool, names: tuple[str, ...] = ()):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now)
               .not_valid_after(now + datetime.timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]),
                                        critical=False)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM), key


def certificate(name: str, ca: bool = True) -> bytes:
    """A self-signed PEM certificate, a CA's or a leaf's."""
    return _self_signed(name, ca)[0]


def public_key_pem(bits: int = 2048) -> str:
    """The PEM public key of a new RSA key pair, as CloudFront's public keys take it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def server_files(directory, name: str) -> tuple[str, str]:
    """A self-signed leaf certificate for `name` and its key, written as PEM files for a TLS server."""
    pem, key = _self_signed(name, False, (name,))
    cert_path, key_path = f"{directory}/{name}.crt", f"{directory}/{name}.key"
    with open(cert_path, "wb") as out:
        out.write(pem)
    with open(key_path, "wb") as out:
        out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    return cert_path, key_path
