"""The edge's TLS listener: a certificate made at start (self-signed, for *.cloudfront.net, localhost and the
loopback addresses; a viewer connects with verification off or trusting it), and a uvicorn server that also
serves that socket over TLS with the same app, state and lifespan."""
from __future__ import annotations

import asyncio
import datetime
import ipaddress
import os
import ssl
import tempfile

import uvicorn


def context() -> ssl.SSLContext:
    """A server context with a fresh certificate; its key lives only in memory once loaded."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "*.cloudfront.net")])
    now = datetime.datetime.now(datetime.timezone.utc)
    names = [x509.DNSName("*.cloudfront.net"), x509.DNSName("localhost"),
             x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.IPAddress(ipaddress.ip_address("::1"))]
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=365))
                   .add_extension(x509.SubjectAlternativeName(names), critical=False)
                   .sign(key, hashes.SHA256()))
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.minimum_version = ssl.TLSVersion.TLSv1_2  # CloudFront's viewer minimum (TLSv1.2_2021 is its default)
    # load_cert_chain reads files only: written to a private directory and removed at once.
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "edge.pem")
        with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as out:
            out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()))
            out.write(certificate.public_bytes(serialization.Encoding.PEM))
        tls.load_cert_chain(path)
    return tls


class Server(uvicorn.Server):
    """uvicorn's server, serving one more socket over TLS: uvicorn applies one ssl setting to all its sockets,
    and the API and the plain edge stay plain."""

    def __init__(self, config: uvicorn.Config, tls_socket=None, tls_context: ssl.SSLContext | None = None):
        super().__init__(config)
        self.tls_socket, self.tls_context = tls_socket, tls_context

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets)
        if self.tls_socket is None or self.should_exit:
            return
        config = self.config

        def protocol(_loop=None):
            return config.http_protocol_class(config=config, server_state=self.server_state,
                                              app_state=self.lifespan.state, _loop=_loop)

        self.servers.append(await asyncio.get_running_loop().create_server(
            protocol, sock=self.tls_socket, ssl=self.tls_context, backlog=config.backlog,
            # A viewer that never answers TLS's close_notify must not hold up shutdown for asyncio's 30 s.
            ssl_handshake_timeout=10, ssl_shutdown_timeout=1))
