"""Who a connector is: the identity shape, and reading it from the credential itself.

The authoritative answer comes from the API server (SelfSubjectReview, see
`kubeconnector.kube.access.whoami`). For servers without it, the identity is read locally: a
client certificate's subject (CN is the user, each O a group: the API server's own rule, and it
checks certificates before tokens) or a ServiceAccount token's JWT claims, decoded without
checking the signature (the API server will check it; this only names the account).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from cryptography import x509
from cryptography.x509.oid import NameOID

from kubeconnector.kube.kubeconfig_checks import Credential

AUTHENTICATED = "system:authenticated"
SA_PREFIX = "system:serviceaccount:"


@dataclass(frozen=True)
class Identity:
    """An authenticated identity.

    Attributes:
        username: The user name (``system:serviceaccount:<ns>:<name>`` for ServiceAccounts).
        uid: The user's uid, when known.
        groups: The groups, ``system:authenticated`` included when the server says so.
        extra: Extra attributes, by key.
        source: Where the answer came from: ``SelfSubjectReview``,
            ``SelfSubjectReview/v1beta1``, ``token-claims``, ``client-certificate`` or
            ``unknown``.
    """

    username: str
    uid: str = ""
    groups: tuple[str, ...] = ()
    extra: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = "SelfSubjectReview"

    @property
    def known(self) -> bool:
        """Whether the identity could be determined at all."""
        return self.source != "unknown"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values."""
        return {
            "username": self.username,
            "uid": self.uid,
            "groups": list(self.groups),
            "extra": {key: list(values) for key, values in self.extra.items()},
            "source": self.source,
        }


UNKNOWN = Identity(username="unknown", source="unknown")


def from_user_info(info: Mapping[str, Any], source: str) -> Identity:
    """An identity from a ``userInfo`` object (SelfSubjectReview status)."""
    extra = info.get("extra") or {}
    return Identity(
        username=str(info.get("username") or ""),
        uid=str(info.get("uid") or ""),
        groups=tuple(str(g) for g in info.get("groups") or ()),
        extra={str(k): tuple(str(v) for v in vs or ()) for k, vs in extra.items()},
        source=source,
    )


def local_identity(credential: Credential) -> Identity:
    """The identity the credential claims, without asking the server; `UNKNOWN` if unclear."""
    if credential.client_certificate:
        found = _certificate_identity(credential.client_certificate)
        if found is not None:
            return found
    if credential.token:
        found = _token_identity(credential.token)
        if found is not None:
            return found
    return UNKNOWN


def _certificate_identity(pem: bytes) -> Identity | None:
    try:
        subject = x509.load_pem_x509_certificate(pem).subject
    except ValueError:
        return None
    names = subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not names:
        return None
    groups = [str(a.value) for a in subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
    return Identity(
        username=str(names[0].value),
        groups=(*groups, AUTHENTICATED),
        source="client-certificate",
    )


def _token_identity(token: str) -> Identity | None:
    claims = _jwt_claims(token)
    subject = claims.get("sub") if claims else None
    if not isinstance(subject, str) or not subject.startswith(SA_PREFIX):
        return None
    namespace = subject[len(SA_PREFIX) :].split(":", 1)[0]
    return Identity(
        username=subject,
        uid=_service_account_uid(claims or {}),
        groups=("system:serviceaccounts", f"system:serviceaccounts:{namespace}", AUTHENTICATED),
        source="token-claims",
    )


def _jwt_claims(token: str) -> dict[str, Any] | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = orjson.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


def _service_account_uid(claims: Mapping[str, Any]) -> str:
    bound = claims.get("kubernetes.io")
    if isinstance(bound, dict) and isinstance(bound.get("serviceaccount"), dict):
        return str(bound["serviceaccount"].get("uid") or "")
    return str(claims.get("kubernetes.io/serviceaccount/service-account.uid") or "")
