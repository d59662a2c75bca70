"""Per-namespace defaults: ServiceAccount `default` and the `kube-root-ca.crt` ConfigMap.

Two kube-controller-manager loops keyed by namespace: the ServiceAccounts controller keeps a
`default` ServiceAccount in every active namespace (recreating it when deleted), and the root-CA
certificate publisher keeps ConfigMap `kube-root-ca.crt` holding the cluster CA bundle.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kubesim.api import status
from kubesim.api.resources import rt
from kubesim.controllers.base import Controller, Key
from kubesim.store.objects import StoredObject
from kubesim.store.storage import Event, EventType

DEFAULT_ACCOUNT = "default"
ROOT_CA_CONFIGMAP = "kube-root-ca.crt"
DESCRIPTION_ANNOTATION = "kubernetes.io/description"
DESCRIPTION = (
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal "
    "endpoints such as the internal service IP or kubernetes.default.svc. "
    "No other usage is guaranteed across distributions of Kubernetes clusters."
)
# Creates that race a namespace's deletion fail with these codes and are not retried upstream.
_GONE_OR_TERMINATING = (403, 404, 409)


def namespace_active(namespace: StoredObject | None) -> bool:
    """Whether a stored Namespace accepts new content (exists and is not terminating).

    Args:
        namespace: the stored Namespace, or None.

    Returns:
        True for an existing namespace without deletionTimestamp.
    """
    if namespace is None:
        return False
    return not namespace.obj["metadata"].get("deletionTimestamp")


class ServiceAccountsController(Controller):
    """Ensures ServiceAccount `default` exists in every active namespace."""

    name = "serviceaccount-controller"
    watches = ("/namespaces", "/serviceaccounts")

    def keys_for(self, event: Event) -> Iterable[Key]:
        """Namespace adds/updates, and deletions of a `default` ServiceAccount."""
        obj = event.obj
        if event.key == "/namespaces":
            return [] if event.type is EventType.DELETED else [("", obj.name)]
        if event.type is EventType.DELETED and obj.name == DEFAULT_ACCOUNT:
            return [("", obj.namespace)]
        return []

    def sync(self, key: Key) -> None:
        """Create the `default` ServiceAccount if the namespace is active and lacks it."""
        namespace = key[1]
        if not namespace_active(self.emu.storage.get("/namespaces", "", namespace)):
            return
        if self.emu.storage.get("/serviceaccounts", namespace, DEFAULT_ACCOUNT) is not None:
            return
        body = {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": DEFAULT_ACCOUNT, "namespace": namespace},
        }
        _create_ignoring_races(self, "serviceaccounts", namespace, body)


class RootCACertPublisher(Controller):
    """Publishes the cluster CA as ConfigMap `kube-root-ca.crt` in every namespace."""

    name = "root-ca-certificate-publisher-controller"
    watches = ("/namespaces", "/configmaps")

    def keys_for(self, event: Event) -> Iterable[Key]:
        """Namespace adds/updates, and any change to a `kube-root-ca.crt` ConfigMap."""
        obj = event.obj
        if event.key == "/namespaces":
            return [] if event.type is EventType.DELETED else [("", obj.name)]
        if obj.name == ROOT_CA_CONFIGMAP and event.type is not EventType.ADDED:
            return [("", obj.namespace)]
        return []

    def sync(self, key: Key) -> None:
        """Create the ConfigMap, or restore its data and description annotation."""
        namespace = key[1]
        if not namespace_active(self.emu.storage.get("/namespaces", "", namespace)):
            return
        current = self.emu.storage.get("/configmaps", namespace, ROOT_CA_CONFIGMAP)
        if current is None:
            _create_ignoring_races(self, "configmaps", namespace, self._configmap(namespace))
            return
        data = self._data()
        annotations = current.obj["metadata"].get("annotations") or {}
        if current.obj.get("data") == data and annotations.get(DESCRIPTION_ANNOTATION):
            return
        self.registry.mutate(
            rt("", "configmaps"), namespace, ROOT_CA_CONFIGMAP, self._restore, self.ctx()
        )

    def _data(self) -> dict[str, str]:
        return {"ca.crt": self.emu.ca.cert_pem.decode()}

    def _configmap(self, namespace: str) -> dict[str, Any]:
        return {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": ROOT_CA_CONFIGMAP,
                "namespace": namespace,
                "annotations": {DESCRIPTION_ANNOTATION: DESCRIPTION},
            },
            "data": self._data(),
        }

    def _restore(self, obj: dict[str, Any]) -> None:
        obj["data"] = self._data()
        annotations = obj["metadata"].get("annotations") or {}
        annotations[DESCRIPTION_ANNOTATION] = DESCRIPTION
        obj["metadata"]["annotations"] = annotations


def _create_ignoring_races(
    controller: Controller, resource: str, namespace: str, body: dict[str, Any]
) -> None:
    try:
        controller.registry.create(rt("", resource), namespace, body, controller.ctx())
    except status.StatusError as err:
        if err.code not in _GONE_OR_TERMINATING:
            raise
