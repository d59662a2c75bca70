"""What the token controller writes into a legacy `kubernetes.io/service-account-token` Secret."""

from __future__ import annotations

import base64
from typing import Any

from kubesim.auth.tokens import TokenIssuer

SA_NAME = "kubernetes.io/service-account.name"
SA_UID = "kubernetes.io/service-account.uid"
TOKEN_TYPE = "kubernetes.io/service-account-token"


def _b64(text: str | bytes) -> str:
    raw = text.encode() if isinstance(text, str) else text
    return base64.b64encode(raw).decode()


def fill(issuer: TokenIssuer, ca_pem: bytes, secret: dict[str, Any], account_uid: str) -> bool:
    """Fill token, ca.crt, namespace and the uid annotation; False if nothing was missing."""
    meta = secret["metadata"]
    data = secret.setdefault("data", {}) or {}
    secret["data"] = data
    annotations = meta.setdefault("annotations", {})
    changed = False
    if not data.get("token"):
        account = annotations[SA_NAME]
        token = issuer.legacy(meta["namespace"], account, account_uid, meta["name"])
        data["token"] = _b64(token)
        changed = True
    if not data.get("ca.crt"):
        data["ca.crt"] = _b64(ca_pem)
        changed = True
    if not data.get("namespace"):
        data["namespace"] = _b64(meta["namespace"])
        changed = True
    if annotations.get(SA_UID) != account_uid:
        annotations[SA_UID] = account_uid
        changed = True
    return changed


def token_of(secret: dict[str, Any]) -> str:
    return base64.b64decode((secret.get("data") or {}).get("token", "")).decode()
