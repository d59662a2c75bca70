"""ServiceAccount tokens: legacy secret-based JWTs and TokenRequest (bound) JWTs.

Both are RS256 JWTs signed with the cluster's service-account key, with the claims the real
token generators write, so clients that decode them (Argo CD reads the secret name from a legacy
token, for instance) see what they would see on a real cluster.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

LEGACY_ISSUER = "kubernetes/serviceaccount"
ISSUER = "https://kubernetes.default.svc.cluster.local"
API_AUDIENCES = (ISSUER,)


@dataclass(frozen=True)
class BoundToken:
    """A TokenRequest result."""

    token: str
    expires_at: int


class TokenIssuer:
    """Signs and verifies service-account JWTs with one RSA key."""

    def __init__(self) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = self._key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.key_id = hashlib.sha256(public).hexdigest()[:43]

    def legacy(self, namespace: str, account: str, account_uid: str, secret: str) -> str:
        """A non-expiring token for a `kubernetes.io/service-account-token` Secret."""
        claims = {
            "iss": LEGACY_ISSUER,
            "kubernetes.io/serviceaccount/namespace": namespace,
            "kubernetes.io/serviceaccount/secret.name": secret,
            "kubernetes.io/serviceaccount/service-account.name": account,
            "kubernetes.io/serviceaccount/service-account.uid": account_uid,
            "sub": f"system:serviceaccount:{namespace}:{account}",
        }
        return self._sign(claims)

    def bound(
        self,
        namespace: str,
        account: str,
        account_uid: str,
        audiences: list[str],
        seconds: int,
        bound_object: Mapping[str, str] | None = None,
    ) -> BoundToken:
        """A TokenRequest token: expiring, audience-scoped, optionally bound to an object."""
        now = int(time.time())
        scope: dict[str, Any] = {
            "namespace": namespace,
            "serviceaccount": {"name": account, "uid": account_uid},
        }
        if bound_object:
            scope[bound_object["kind"].lower()] = {
                "name": bound_object["name"],
                "uid": bound_object["uid"],
            }
        claims = {
            "aud": audiences,
            "exp": now + seconds,
            "iat": now,
            "iss": ISSUER,
            "jti": str(uuid.uuid4()),
            "kubernetes.io": scope,
            "nbf": now,
            "sub": f"system:serviceaccount:{namespace}:{account}",
        }
        return BoundToken(self._sign(claims), now + seconds)

    def verify(self, token: str) -> dict[str, Any] | None:
        """Claims of a token this issuer signed (expiry checked for bound tokens), else None."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key.public_key(),
                algorithms=["RS256"],
                options={"verify_aud": False, "require": ["iss", "sub"]},
                leeway=0,
            )
        except jwt.PyJWTError:
            return None
        return claims

    def _sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.key_id})
