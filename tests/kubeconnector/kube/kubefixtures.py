"""Test material for the cluster access layer: throwaway PKI and kubeconfig documents."""

from __future__ import annotations

import base64
import datetime
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2VjcmV0LXRva2VuLXNpZ25hdHVyZS12YWx1ZQ"


@dataclass(frozen=True)
class Pair:
    """A certificate and its key, PEM."""

    cert: bytes
    key: bytes


def _name(cn: str, orgs: tuple[str, ...] = ()) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, org) for org in orgs]
    return x509.Name([*attributes, x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _sign(
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    ca: bool,
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


def _pem(cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> Pair:
    return Pair(
        cert.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


@cache
def ca_pair(cn: str = "other-ca") -> Pair:
    """A self-signed CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    return _pem(_sign(_name(cn), key, _name(cn), key, ca=True), key)


@cache
def client_pair(cn: str = "alice", orgs: tuple[str, ...] = ("dev",)) -> Pair:
    """A client certificate issued by `ca_pair()`."""
    ca = ca_pair()
    ca_key = serialization.load_pem_private_key(ca.key, password=None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    return _pem(_sign(_name(cn, orgs), key, _name("other-ca"), ca_key, ca=False), key)


def b64(data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.b64encode(raw).decode()


def document(
    cluster: dict[str, Any] | None = None,
    user: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
    **top: Any,
) -> dict[str, Any]:
    """A one-context kubeconfig (token auth, CA data) with the given entry fields replaced."""
    cluster_body = {
        "server": "https://k8s.example.com:6443",
        "certificate-authority-data": b64(ca_pair().cert),
    }
    user_body: dict[str, Any] = {"token": TOKEN}
    context_body = {"cluster": "prod", "user": "deployer", "namespace": "apps"}
    cluster_body.update(cluster or {})
    user_body = user if user is not None else user_body
    context_body.update(context or {})
    doc: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "prod", "cluster": cluster_body}],
        "users": [{"name": "deployer", "user": user_body}],
        "contexts": [{"name": "prod-ctx", "context": context_body}],
        "current-context": "prod-ctx",
    }
    doc.update(top)
    return {k: v for k, v in doc.items() if v is not None}


def dump(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, sort_keys=False)


def certificate_user(pair: Pair | None = None) -> dict[str, str]:
    pair = pair or client_pair()
    return {"client-certificate-data": b64(pair.cert), "client-key-data": b64(pair.key)}


def secret_fragments(doc: dict[str, Any]) -> Iterator[str]:
    """Every token, key and certificate string in a kubeconfig, and their decoded forms."""
    for entry in doc.get("users", []):
        for field, value in (entry.get("user") or {}).items():
            if field in ("token", "client-key-data", "client-certificate-data", "password"):
                yield str(value)[-24:]
                if field.endswith("-data"):
                    yield from _pem_body(str(value))


def _pem_body(value: str) -> Iterator[str]:
    try:
        lines = base64.b64decode(value).decode().splitlines()
    except ValueError:
        return
    if len(lines) > 1:
        yield lines[1][:24]


def closed_port() -> int:
    """A local TCP port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def listing(*directories: str) -> set[str]:
    """Every file under the directories (one level), for before/after comparisons."""
    found: set[str] = set()
    for directory in directories:
        if os.path.isdir(directory):
            found.update(os.path.join(directory, name) for name in os.listdir(directory))
    return found


def open_files() -> set[str]:
    """What this process's file descriptors point at."""
    targets: set[str] = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            targets.add(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            continue
    return targets
