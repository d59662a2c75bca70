"""The ServiceAccount token controller: legacy `kubernetes.io/service-account-token` Secrets.

Upstream this is one controller with two queues; here it is two controllers sharing helpers:
`TokenSecretsController` fills token Secrets whose ServiceAccount exists, deletes those whose
ServiceAccount is gone (or has another uid) and, when a token Secret is deleted, drops its name
from the ServiceAccount's `secrets`. `TokenAccountsController` deletes the token Secrets of a
deleted ServiceAccount and, on clusters that predate 1.24 (`legacy_token_autogen`), gives every
ServiceAccount a referenced `<sa>-token-<suffix>` Secret. All work runs `token_fill_delay` after
the event that caused it, as the real controller works asynchronously.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kubesim.api import status
from kubesim.api.resources import rt
from kubesim.auth import legacy
from kubesim.controllers.base import Controller, Key
from kubesim.registry.deletion import DeleteOptions
from kubesim.registry.writes import generate_suffix
from kubesim.store.objects import StoredObject
from kubesim.store.storage import Event, EventType

if TYPE_CHECKING:
    from kubesim.server.emulator import Emulator

# A delete racing another deletion or a recreate answers 404/409; the outcome is the same.
_ALREADY_HANDLED = (404, 409)


@dataclass(frozen=True)
class DeletedToken:
    """What is remembered of a deleted token Secret until its deletion is processed."""

    uid: str
    account: str
    account_uid: str


def is_token_secret(secret: StoredObject) -> bool:
    """Whether a Secret is a legacy ServiceAccount token Secret.

    Args:
        secret: a stored Secret.

    Returns:
        True for type `kubernetes.io/service-account-token`.
    """
    return secret.obj.get("type") == legacy.TOKEN_TYPE


def token_belongs_to(secret: StoredObject, account: str, account_uid: str) -> bool:
    """Upstream `IsServiceAccountToken`: the annotations name this account (uid if set).

    Args:
        secret: a stored Secret.
        account: the ServiceAccount name.
        account_uid: the ServiceAccount uid.

    Returns:
        True if the Secret is a token Secret of that ServiceAccount.
    """
    if not is_token_secret(secret):
        return False
    annotations = secret.obj["metadata"].get("annotations") or {}
    if annotations.get(legacy.SA_NAME) != account:
        return False
    uid = annotations.get(legacy.SA_UID, "")
    return not uid or uid == account_uid


def _uid(obj: StoredObject) -> str:
    uid: str = obj.obj["metadata"]["uid"]
    return uid


def _sort_data(secret: dict[str, Any]) -> None:
    # Secret data is a Go map, which the real server always serialises in key order.
    secret["data"] = dict(sorted((secret.get("data") or {}).items()))


class _TokenControllerBase(Controller):
    """Shared look-ups and writes of the two token controllers."""

    def account(self, namespace: str, name: str, uid: str = "") -> StoredObject | None:
        """The ServiceAccount, or None if missing or (when `uid` is given) of another uid."""
        found = self.emu.storage.get("/serviceaccounts", namespace, name)
        if found is None or (uid and _uid(found) != uid):
            return None
        return found

    def delete_secret(self, secret: StoredObject) -> None:
        """Delete a token Secret with a uid precondition, as upstream does."""
        opts = DeleteOptions(uid=_uid(secret))
        try:
            self.registry.delete(rt("", "secrets"), secret.namespace, secret.name, opts, self.ctx())
        except status.StatusError as err:
            if err.code not in _ALREADY_HANDLED:
                raise


class TokenSecretsController(_TokenControllerBase):
    """Fills, deletes and dereferences legacy token Secrets."""

    name = "serviceaccount-token-controller.secrets"
    watches = ("/secrets",)

    def __init__(self, emu: Emulator) -> None:
        super().__init__(emu)
        self.deleted: dict[Key, DeletedToken] = {}

    def keys_for(self, event: Event) -> Iterable[Key]:
        """Token Secret events schedule a sync after the fill delay."""
        secret = event.obj
        if not is_token_secret(secret):
            return []
        key = (secret.namespace, secret.name)
        if event.type is EventType.DELETED:
            annotations = secret.obj["metadata"].get("annotations") or {}
            self.deleted[key] = DeletedToken(
                _uid(secret),
                annotations.get(legacy.SA_NAME, ""),
                annotations.get(legacy.SA_UID, ""),
            )
        self.enqueue(key, self.config.token_fill_delay)
        return []

    def sync(self, key: Key) -> None:
        """Process a deletion of the Secret, then fill or delete the current Secret."""
        namespace, name = key
        secret = self.emu.storage.get("/secrets", namespace, name)
        gone = self.deleted.pop(key, None)
        if gone is not None and (secret is None or _uid(secret) != gone.uid):
            self._remove_reference(namespace, name, gone)
        if secret is None or not is_token_secret(secret):
            return
        annotations = secret.obj["metadata"].get("annotations") or {}
        account = self.account(
            namespace, annotations.get(legacy.SA_NAME, ""), annotations.get(legacy.SA_UID, "")
        )
        if account is None:
            self.delete_secret(secret)
        else:
            self._fill(secret, _uid(account))

    def _fill(self, secret: StoredObject, account_uid: str) -> None:
        if not legacy.fill(
            self.emu.issuer, self.emu.ca.cert_pem, copy.deepcopy(secret.obj), account_uid
        ):
            return

        def fill(obj: dict[str, Any]) -> None:
            legacy.fill(self.emu.issuer, self.emu.ca.cert_pem, obj, account_uid)
            _sort_data(obj)

        self.registry.mutate(rt("", "secrets"), secret.namespace, secret.name, fill, self.ctx())

    def _remove_reference(self, namespace: str, secret_name: str, gone: DeletedToken) -> None:
        account = self.account(namespace, gone.account, gone.account_uid)
        if account is None:
            return
        refs = account.obj.get("secrets") or []
        if not any(ref.get("name") == secret_name for ref in refs):
            return

        def drop(obj: dict[str, Any]) -> None:
            kept = [ref for ref in obj.get("secrets") or [] if ref.get("name") != secret_name]
            if kept:
                obj["secrets"] = kept
            else:
                obj.pop("secrets", None)

        self.registry.mutate(rt("", "serviceaccounts"), namespace, account.name, drop, self.ctx())


class TokenAccountsController(_TokenControllerBase):
    """Deletes a deleted ServiceAccount's tokens; before 1.24 also auto-creates one."""

    name = "serviceaccount-token-controller.accounts"
    watches = ("/serviceaccounts",)

    def __init__(self, emu: Emulator) -> None:
        super().__init__(emu)
        self.deleted_uids: dict[Key, str] = {}

    def initial_keys(self) -> Iterable[Key]:
        """Every ServiceAccount when tokens are auto-generated, else nothing."""
        if not self.config.legacy_token_autogen:
            return []
        return super().initial_keys()

    def keys_for(self, event: Event) -> Iterable[Key]:
        """Deletions always, adds and updates only when tokens are auto-generated."""
        account = event.obj
        key = (account.namespace, account.name)
        if event.type is EventType.DELETED:
            self.deleted_uids[key] = _uid(account)
        elif not self.config.legacy_token_autogen:
            return []
        self.enqueue(key, self.config.token_fill_delay)
        return []

    def sync(self, key: Key) -> None:
        """Delete the tokens of a deleted account; ensure a referenced token if autogen."""
        namespace, name = key
        account = self.account(namespace, name)
        old_uid = self.deleted_uids.pop(key, None)
        if old_uid is not None and (account is None or _uid(account) != old_uid):
            for secret in list(self.emu.storage.scan("/secrets", namespace)):
                if token_belongs_to(secret, name, old_uid):
                    self.delete_secret(secret)
        if account is not None and self.config.legacy_token_autogen:
            self._ensure_referenced_token(account)

    def _ensure_referenced_token(self, account: StoredObject) -> None:
        namespace, uid = account.namespace, _uid(account)
        for ref in account.obj.get("secrets") or []:
            secret = self.emu.storage.get("/secrets", namespace, ref.get("name", ""))
            if secret is not None and token_belongs_to(secret, account.name, uid):
                return
        secret_name = self._create_token(account)
        if secret_name is None:
            return

        def reference(obj: dict[str, Any]) -> None:
            obj["secrets"] = [*(obj.get("secrets") or []), {"name": secret_name}]

        self.registry.mutate(
            rt("", "serviceaccounts"), namespace, account.name, reference, self.ctx()
        )

    def _create_token(self, account: StoredObject) -> str | None:
        name = f"{account.name}-token-{generate_suffix()}"
        secret: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": name,
                "namespace": account.namespace,
                "annotations": {legacy.SA_NAME: account.name, legacy.SA_UID: _uid(account)},
            },
            "type": legacy.TOKEN_TYPE,
            "data": {},
        }
        legacy.fill(self.emu.issuer, self.emu.ca.cert_pem, secret, _uid(account))
        _sort_data(secret)
        try:
            self.registry.create(rt("", "secrets"), account.namespace, secret, self.ctx())
        except status.StatusError as err:
            # A terminating (403) or vanished (404) namespace refuses the Secret for good.
            if err.code not in (403, 404):
                raise
            return None
        return name
