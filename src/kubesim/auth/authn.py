"""Authentication: client certificates, static tokens and service-account tokens.

Presented-but-invalid credentials are a 401 (the union does not fall back to anonymous);
no credentials at all authenticate as `system:anonymous`. Legacy (secret-based) tokens are
looked up on every request, so deleting their Secret or ServiceAccount revokes them at once.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kubesim.api import status
from kubesim.auth.tokens import API_AUDIENCES, ISSUER, LEGACY_ISSUER, TokenIssuer
from kubesim.auth.user import (
    ANONYMOUS,
    AUTHENTICATED,
    UNAUTHENTICATED,
    UserInfo,
    service_account_user,
)
from kubesim.store.storage import Storage

AUTO_TOKEN_WARNING = (
    "Use tokens from the TokenRequest API or manually created secret-based tokens instead of "
    "auto-generated secret-based tokens."
)
LAST_USED = "kubernetes.io/legacy-token-last-used"
INVALID_SINCE = "kubernetes.io/legacy-token-invalid-since"
PeerCert = Mapping[str, Any]


@dataclass(frozen=True)
class Authenticated:
    """The result of authentication: the user, and effects the server must apply."""

    user: UserInfo
    warnings: tuple[str, ...] = ()
    legacy_secret: tuple[str, str] | None = None
    extra: dict[str, str] = field(default_factory=dict)


def anonymous() -> UserInfo:
    return UserInfo(ANONYMOUS, groups=(UNAUTHENTICATED,))


def _with_authenticated(user: UserInfo) -> UserInfo:
    groups = (*(g for g in user.groups if g != AUTHENTICATED), AUTHENTICATED)
    return UserInfo(user.name, user.uid, groups, user.extra)


def _decoded(secret: Mapping[str, Any], key: str) -> str:
    value = (secret.get("data") or {}).get(key, "")
    try:
        return base64.b64decode(value).decode()
    except (ValueError, UnicodeDecodeError):
        return ""


class Authenticator:
    """Resolves request credentials to a user."""

    def __init__(
        self,
        storage: Storage,
        issuer: TokenIssuer,
        static_tokens: Mapping[str, UserInfo],
        today: Callable[[], datetime.date] = lambda: datetime.datetime.now(datetime.UTC).date(),
    ) -> None:
        self.storage = storage
        self.issuer = issuer
        self.static_tokens = dict(static_tokens)
        self.today = today

    def authenticate(self, authorization: str | None, peer: PeerCert | None) -> Authenticated:
        if authorization:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise status.unauthorized()
            return self.token(token.strip())
        if peer:
            return Authenticated(_with_authenticated(_cert_user(peer)))
        return Authenticated(anonymous())

    def token(self, token: str) -> Authenticated:
        """Authenticate a bearer token (also used by TokenReview); 401 if invalid."""
        static = self.static_tokens.get(token)
        if static is not None:
            return Authenticated(_with_authenticated(static))
        claims = self.issuer.verify(token)
        if claims is None:
            raise status.unauthorized()
        if claims.get("iss") == LEGACY_ISSUER:
            return self._legacy(token, claims)
        if claims.get("iss") == ISSUER:
            return self._bound(claims)
        raise status.unauthorized()

    def _legacy(self, token: str, claims: Mapping[str, Any]) -> Authenticated:
        namespace = claims.get("kubernetes.io/serviceaccount/namespace", "")
        secret_name = claims.get("kubernetes.io/serviceaccount/secret.name", "")
        account = claims.get("kubernetes.io/serviceaccount/service-account.name", "")
        uid = claims.get("kubernetes.io/serviceaccount/service-account.uid", "")
        secret = self.storage.get("/secrets", namespace, secret_name)
        if secret is None or secret.obj["metadata"].get("deletionTimestamp"):
            raise status.unauthorized()
        if _decoded(secret.obj, "token") != token:
            raise status.unauthorized()
        sa = self._account(namespace, account, uid)
        labels = secret.labels
        if INVALID_SINCE in labels:
            raise status.unauthorized()
        referenced = any(ref.get("name") == secret_name for ref in sa.get("secrets") or [])
        warnings = (AUTO_TOKEN_WARNING,) if referenced else ()
        user = service_account_user(namespace, account, uid)
        return Authenticated(user, warnings, (namespace, secret_name))

    def _bound(self, claims: Mapping[str, Any]) -> Authenticated:
        audiences = claims.get("aud") or []
        if isinstance(audiences, str):
            audiences = [audiences]
        if not set(audiences) & set(API_AUDIENCES):
            raise status.unauthorized()
        scope = claims.get("kubernetes.io") or {}
        namespace = scope.get("namespace", "")
        account = scope.get("serviceaccount") or {}
        self._account(namespace, account.get("name", ""), account.get("uid", ""))
        extra: dict[str, str] = {}
        for kind, key in (("pod", "/pods"), ("secret", "/secrets")):
            ref = scope.get(kind)
            if ref:
                self._bound_object(key, namespace, ref)
                extra[f"authentication.kubernetes.io/{kind}-name"] = ref["name"]
                extra[f"authentication.kubernetes.io/{kind}-uid"] = ref["uid"]
        extra["authentication.kubernetes.io/credential-id"] = f"JTI={claims.get('jti', '')}"
        user = service_account_user(
            namespace, account.get("name", ""), account.get("uid", ""), **extra
        )
        return Authenticated(user)

    def _account(self, namespace: str, name: str, uid: str) -> Mapping[str, Any]:
        sa = self.storage.get("/serviceaccounts", namespace, name)
        if sa is None or sa.obj["metadata"].get("deletionTimestamp"):
            raise status.unauthorized()
        if uid and sa.obj["metadata"]["uid"] != uid:
            raise status.unauthorized()
        return sa.obj

    def _bound_object(self, key: str, namespace: str, ref: Mapping[str, str]) -> None:
        found = self.storage.get(key, namespace, ref.get("name", ""))
        if found is None or found.obj["metadata"]["uid"] != ref.get("uid"):
            raise status.unauthorized()
        if found.obj["metadata"].get("deletionTimestamp"):
            raise status.unauthorized()

    def needs_last_used(self, labels: Mapping[str, str]) -> bool:
        """The last-used label is written at most once a day (skipped if today or tomorrow)."""
        today = self.today()
        fresh = {today.isoformat(), (today + datetime.timedelta(days=1)).isoformat()}
        return labels.get(LAST_USED) not in fresh


def _cert_user(peer: PeerCert) -> UserInfo:
    common_name = ""
    groups: list[str] = []
    for rdn in peer.get("subject", ()):
        for attr, value in rdn:
            if attr == "commonName":
                common_name = value
            elif attr == "organizationName":
                groups.append(value)
    if not common_name:
        raise status.unauthorized()
    return UserInfo(common_name, groups=tuple(groups))
