"""A deterministic self-signed certificate and key for the scenarios' TLS Secrets.

The pair is a real, parseable X.509 certificate so consumers that read `tls.crt` (expiry,
subject, SANs) see realistic content. Ed25519 signatures are deterministic and the key is
derived from the host name, so every call returns byte-identical PEM.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID

NOT_BEFORE = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
NOT_AFTER = dt.datetime(2025, 5, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class TlsPair:
    """PEM-encoded certificate and private key."""

    cert_pem: str
    key_pem: str


def self_signed(host: str) -> TlsPair:
    """A one-year self-signed certificate for `host` (CN and DNS SAN) with its key.

    Args:
        host: the DNS name the certificate is issued for.

    Returns:
        The certificate and its PKCS#8 private key, both PEM text.
    """
    seed = hashlib.sha256(f"kubesim-scenario-key/{host}".encode()).digest()
    key = Ed25519PrivateKey.from_private_bytes(seed)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(seed[:8], "big"))
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .sign(key, None)
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return TlsPair(cert.public_bytes(serialization.Encoding.PEM).decode(), key_pem.decode())
