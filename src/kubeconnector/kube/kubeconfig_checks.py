"""The checks applied to one kubeconfig cluster entry and one user entry.

Each check refuses with a `KubeconfigError` naming the entry and the offending field, never its
value when the value could be secret (tokens, keys, certificates, proxy credentials).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import SplitResult, urlsplit

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from kubeconnector.errors import KubeconfigError

_ADVICE = "use a kubeconfig with a static ServiceAccount token or a client certificate"
_FLATTEN = "embed the data instead (kubectl config view --raw --flatten)"
_USER_FILES = ("tokenFile", "client-certificate", "client-key")
_IMPERSONATION = ("as", "as-uid", "as-groups", "as-user-extra")
_PROXY_SCHEMES = frozenset({"http", "https"})
_SPKI = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def quoted(value: Any) -> str:
    """A name quoted for a message (JSON string syntax, at most 100 characters)."""
    text = json.dumps(str(value))
    return text if len(text) <= 100 else text[:96] + '..."'


def redact_url(url: str) -> str:
    """The URL without user name or password."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return SplitResult(parts.scheme, host + port, parts.path, "", "").geturl()


@dataclass(frozen=True)
class Credential:
    """How a user authenticates; every field is kept out of ``repr``.

    Attributes:
        token: A bearer token.
        client_certificate: A PEM client certificate (chain).
        client_key: The PEM private key of the client certificate.
    """

    token: str | None = field(default=None, repr=False)
    client_certificate: bytes | None = field(default=None, repr=False)
    client_key: bytes | None = field(default=None, repr=False)

    @property
    def kind(self) -> Literal["token", "client-certificate", "token+client-certificate"]:
        """``token``, ``client-certificate`` or both."""
        if self.token and self.client_certificate:
            return "token+client-certificate"
        return "token" if self.token else "client-certificate"

    def to_entry(self) -> dict[str, str]:
        """The kubeconfig ``user`` mapping for this credential."""
        entry: dict[str, str] = {}
        if self.token:
            entry["token"] = self.token
        if self.client_certificate and self.client_key:
            entry["client-certificate-data"] = _b64(self.client_certificate)
            entry["client-key-data"] = _b64(self.client_key)
        return entry


@dataclass(frozen=True)
class ClusterSettings:
    """The validated settings of a cluster entry."""

    server: str
    ca_data: bytes | None = field(default=None, repr=False)
    insecure: bool = False
    tls_server_name: str | None = None
    proxy_url: str | None = field(default=None, repr=False)

    def warnings(self, name: str) -> tuple[str, ...]:
        """Warnings to show wherever the connector is shown."""
        found: list[str] = []
        if self.insecure:
            found.append(
                f"cluster {quoted(name)} sets insecure-skip-tls-verify: the API server's "
                "certificate is not verified, so the connection can be intercepted"
            )
        if self.proxy_url:
            found.append(
                f"cluster {quoted(name)} is reached through the proxy {redact_url(self.proxy_url)}"
            )
        return tuple(found)

    def to_entry(self) -> dict[str, Any]:
        """The kubeconfig ``cluster`` mapping for these settings."""
        entry: dict[str, Any] = {"server": self.server}
        if self.ca_data:
            entry["certificate-authority-data"] = _b64(self.ca_data)
        if self.insecure:
            entry["insecure-skip-tls-verify"] = True
        if self.tls_server_name:
            entry["tls-server-name"] = self.tls_server_name
        if self.proxy_url:
            entry["proxy-url"] = self.proxy_url
        return entry


def check_cluster(name: str, body: Mapping[str, Any]) -> ClusterSettings:
    """Validate a cluster entry.

    Raises:
        KubeconfigError: ``local-file``, ``no-server``, ``insecure-server``, ``invalid-server``,
            ``invalid-ca``, ``insecure-with-ca``, ``unsupported-proxy`` or ``not-kubeconfig``.
    """
    label = f"cluster {quoted(name)}"
    if _present(body, "certificate-authority"):
        raise KubeconfigError(
            "local-file",
            f"{label} references the local file certificate-authority; kubeconnector never "
            f"reads local files: {_FLATTEN}",
        )
    insecure = _flag(body, "insecure-skip-tls-verify", label)
    ca_data = _ca_data(body, label)
    if insecure and ca_data is not None:
        raise KubeconfigError(
            "insecure-with-ca",
            f"{label} sets both certificate-authority-data and insecure-skip-tls-verify; "
            "specifying a root certificate with the insecure flag is not allowed",
        )
    return ClusterSettings(
        server=_server(body, label),
        ca_data=ca_data,
        insecure=insecure,
        tls_server_name=_string(body, "tls-server-name", label) or None,
        proxy_url=_proxy(body, label),
    )


def check_user(name: str, body: Mapping[str, Any]) -> Credential:
    """Validate a user entry and extract its credential.

    Raises:
        KubeconfigError: ``exec-auth``, ``auth-provider``, ``local-file``, ``basic-auth``,
            ``impersonation``, ``no-credentials``, ``incomplete-certificate``,
            ``invalid-certificate`` or ``not-kubeconfig``.
    """
    label = f"user {quoted(name)}"
    _refuse_mechanisms(body, label)
    token = _string(body, "token", label)
    cert = _pem_data(body, "client-certificate-data", label)
    key = _pem_data(body, "client-key-data", label)
    if (cert is None) != (key is None):
        have, lack = (
            ("client-certificate-data", "client-key-data")
            if cert
            else ("client-key-data", "client-certificate-data")
        )
        raise KubeconfigError("incomplete-certificate", f"{label} has {have} but no {lack}")
    if cert is not None and key is not None:
        _check_key_pair(cert, key, label)
    elif not token or not token.strip():
        raise KubeconfigError(
            "no-credentials",
            f"{label} has no credentials: it needs a token, or client-certificate-data "
            "with client-key-data",
        )
    return Credential(
        token=token.strip() if token else None, client_certificate=cert, client_key=key
    )


def _refuse_mechanisms(body: Mapping[str, Any], label: str) -> None:
    if _present(body, "exec"):
        raise KubeconfigError(
            "exec-auth",
            f"{label} uses exec-based authentication, which kubeconnector does not support "
            f'(exec-based auth such as "aws eks get-token" runs a local command); {_ADVICE}',
        )
    if _present(body, "auth-provider"):
        raise KubeconfigError(
            "auth-provider",
            f"{label} uses an auth-provider plugin, which kubeconnector does not support; "
            f"{_ADVICE}",
        )
    files = [key for key in _USER_FILES if _present(body, key)]
    if files:
        raise KubeconfigError(
            "local-file",
            f"{label} references local files ({', '.join(files)}); kubeconnector never reads "
            f"local files: {_FLATTEN}",
        )
    _refuse_basic_and_impersonation(body, label)


def _refuse_basic_and_impersonation(body: Mapping[str, Any], label: str) -> None:
    if _present(body, "username") or _present(body, "password"):
        raise KubeconfigError(
            "basic-auth",
            f"{label} uses username/password (basic) authentication, which kubeconnector does "
            f"not support; {_ADVICE}",
        )
    fields = [key for key in _IMPERSONATION if _present(body, key)]
    if fields:
        raise KubeconfigError(
            "impersonation",
            f"{label} impersonates another identity ({', '.join(fields)}); kubeconnector "
            "does not support impersonation: use a kubeconfig for the identity itself",
        )


def _present(body: Mapping[str, Any], key: str) -> bool:
    return body.get(key) not in (None, "", [], {})


def _string(body: Mapping[str, Any], key: str, label: str) -> str | None:
    value = body.get(key)
    if value is None or isinstance(value, str):
        return value
    raise KubeconfigError("not-kubeconfig", f"{label}: {key} must be a string")


def _flag(body: Mapping[str, Any], key: str, label: str) -> bool:
    value = body.get(key)
    if value is None or isinstance(value, bool):
        return bool(value)
    raise KubeconfigError("not-kubeconfig", f"{label}: {key} must be true or false")


def _server(body: Mapping[str, Any], label: str) -> str:
    server = _string(body, "server", label)
    if not server or not server.strip():
        raise KubeconfigError("no-server", f"{label} has no server URL")
    server = server.strip().rstrip("/")
    parts = urlsplit(server)
    if parts.scheme.lower() == "http":
        raise KubeconfigError(
            "insecure-server",
            f"{label} points at the plain-HTTP server {redact_url(server)}; kubeconnector only "
            "talks to API servers over https://",
        )
    if parts.scheme.lower() != "https" or not parts.hostname or not _port_ok(parts):
        raise KubeconfigError(
            "invalid-server", f"{label}: the server is not an https:// URL with a host"
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise KubeconfigError(
            "invalid-server", f"{label}: the server URL must not carry credentials or a query"
        )
    return server


def _port_ok(parts: SplitResult) -> bool:
    try:
        return parts.port is None or 0 < parts.port < 65536
    except ValueError:
        return False


def _proxy(body: Mapping[str, Any], label: str) -> str | None:
    proxy = _string(body, "proxy-url", label)
    if not proxy:
        return None
    parts = urlsplit(proxy)
    if parts.scheme.lower() not in _PROXY_SCHEMES or not parts.hostname or not _port_ok(parts):
        raise KubeconfigError(
            "unsupported-proxy",
            f"{label}: proxy-url must be an http:// or https:// proxy URL with a host",
        )
    return proxy


def _decode(body: Mapping[str, Any], key: str, label: str, code: str) -> bytes | None:
    value = _string(body, key, label)
    if not value:
        return None
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise KubeconfigError(code, f"{label}: {key} is not valid base64") from None


def _ca_data(body: Mapping[str, Any], label: str) -> bytes | None:
    data = _decode(body, "certificate-authority-data", label, "invalid-ca")
    if data is None:
        return None
    try:
        x509.load_pem_x509_certificates(data)
    except ValueError:
        raise KubeconfigError(
            "invalid-ca", f"{label}: certificate-authority-data holds no PEM certificate"
        ) from None
    return data


def _pem_data(body: Mapping[str, Any], key: str, label: str) -> bytes | None:
    data = _decode(body, key, label, "invalid-certificate")
    if data is not None and b"-----BEGIN " not in data:
        raise KubeconfigError("invalid-certificate", f"{label}: {key} is not PEM data")
    return data


def _check_key_pair(cert_pem: bytes, key_pem: bytes, label: str) -> None:
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
    except ValueError:
        raise KubeconfigError(
            "invalid-certificate", f"{label}: client-certificate-data is not a PEM certificate"
        ) from None
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except TypeError:
        raise KubeconfigError(
            "invalid-certificate", f"{label}: client-key-data is encrypted with a passphrase"
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        raise KubeconfigError(
            "invalid-certificate", f"{label}: client-key-data is not a PEM private key"
        ) from None
    if cert.public_key().public_bytes(*_SPKI) != key.public_key().public_bytes(*_SPKI):
        raise KubeconfigError(
            "invalid-certificate",
            f"{label}: client-key-data does not match client-certificate-data",
        )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
