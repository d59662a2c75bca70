"""Raw objects to asset fields: the common metadata and each kind's ``details``.

`asset_fields` returns the keyword arguments of a `kubeconnector.models.DiscoveredAsset`
(built later, once per object, without re-validation). The ``details`` shapes are listed in
`kubeconnector.discovery`. Nothing here reads a Secret's ``data``: Secrets arrive as
metadata only, and only key names recorded in ``managedFields`` are kept.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kubeconnector.discovery.kinds import Kind
from kubeconnector.discovery.managers import Marker, data_keys
from kubeconnector.discovery.relations import (
    Key,
    pull_secret_names,
    service_account_name,
    top_controller,
)
from kubeconnector.models.inventory import LAST_APPLIED

Raw = Mapping[str, Any]
Details = dict[str, Any]


def object_key(kind: Kind, meta: Raw) -> Key:
    """The ``(kind, namespace, name)`` key of a raw object's metadata."""
    # Interned: tens of thousands of objects share a few hundred namespace names.
    namespace = sys.intern(meta.get("namespace") or "") if kind.namespaced else ""
    return (kind.kind, namespace, meta["name"])


def asset_fields(
    key: Key, kind: Kind, obj: Raw, found: Sequence[Marker], details: Details | None = None
) -> dict[str, Any]:
    """The `DiscoveredAsset` fields of one raw object.

    Args:
        key: Its key (see `object_key`).
        kind: Its kind.
        obj: The raw object (a list item).
        found: Its managers (see `kubeconnector.discovery.managers.markers`).
        details: Its details, when the caller has built them (default: ``DETAILS[kind]``).
    """
    meta = obj["metadata"]
    annotations = meta.get("annotations") or {}
    if LAST_APPLIED in annotations:  # on a Secret it holds the data; elsewhere only bulk
        annotations = {k: v for k, v in annotations.items() if k != LAST_APPLIED}
    return {
        "kind": key[0],
        "namespace": key[1],
        "name": key[2],
        "uid": meta.get("uid") or "",
        "api_version": kind.api_version,
        "resource_version": meta.get("resourceVersion") or "",
        "labels": meta.get("labels") or {},
        "annotations": annotations,
        "owners": meta.get("ownerReferences") or [],
        "managers": [marker.entry for marker in found],
        "details": DETAILS[kind.kind](obj) if details is None else details,
    }


def _namespace(obj: Raw) -> Details:
    return {"phase": (obj.get("status") or {}).get("phase")}


def _service(obj: Raw) -> Details:
    spec = obj.get("spec") or {}
    return {
        "type": spec.get("type"),
        "clusterIP": spec.get("clusterIP"),
        "selector": spec.get("selector"),
    }


def _secret(obj: Raw) -> Details:
    # The type is filled in from the per-type lists once they are all in.
    details: Details = {"type": None}
    keys = data_keys(obj["metadata"].get("managedFields") or ())
    if keys is not None:
        details["keys"] = keys
    return details


def _service_account(obj: Raw) -> Details:
    return {
        "secrets": pull_secret_names(obj.get("secrets")),
        "imagePullSecrets": pull_secret_names(obj.get("imagePullSecrets")),
        "automountServiceAccountToken": obj.get("automountServiceAccountToken"),
    }


def images(spec: Raw) -> list[str]:
    """The images of a pod spec's init and app containers, in order, without repeats."""
    found: dict[str, None] = {}
    for list_name in ("initContainers", "containers"):
        for container in spec.get(list_name) or ():
            if container.get("image"):
                found[container["image"]] = None
    return list(found)


def _pod(obj: Raw) -> Details:
    meta = obj["metadata"]
    controller = top_controller(
        meta.get("namespace") or "", meta.get("labels") or {}, meta.get("ownerReferences") or ()
    )
    return pod_details(obj, controller)


def pod_details(obj: Raw, controller: Key | None) -> Details:
    """A Pod's details, given its top controller (see `relations.top_controller`)."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    return {
        "serviceAccountName": service_account_name(spec),
        "nodeName": spec.get("nodeName"),
        "phase": status.get("phase"),
        "ready": _condition(status, "Ready"),
        "images": images(spec),
        "controller": f"{controller[0]}/{controller[2]}" if controller else None,
    }


def _condition(status: Raw, condition: str) -> bool:
    return any(
        c.get("type") == condition and c.get("status") == "True"
        for c in status.get("conditions") or ()
    )


def _workload(obj: Raw) -> Details:
    spec = obj.get("spec") or {}
    pod_spec = (spec.get("template") or {}).get("spec") or {}
    replicas = spec.get("replicas")
    if "replicas" not in spec and obj.get("status"):  # DaemonSets run one pod per node
        replicas = obj["status"].get("desiredNumberScheduled")
    details: Details = {
        "replicas": replicas,
        "serviceAccountName": service_account_name(pod_spec),
        "images": images(pod_spec),
        "selector": spec.get("selector"),
    }
    if "paused" in spec:
        details["paused"] = bool(spec["paused"])
    return details


def _node(obj: Raw) -> Details:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    return {
        "unschedulable": bool(spec.get("unschedulable")),
        "taints": spec.get("taints") or [],
        "ready": _condition(status, "Ready"),
        "kubeletVersion": (status.get("nodeInfo") or {}).get("kubeletVersion"),
    }


def _role(obj: Raw) -> Details:
    return {"rules": obj.get("rules") or [], "aggregationRule": obj.get("aggregationRule")}


def _binding(obj: Raw) -> Details:
    return {"roleRef": obj.get("roleRef") or {}, "subjects": obj.get("subjects") or []}


DETAILS: dict[str, Callable[[Raw], Details]] = {
    "Namespace": _namespace,
    "Pod": _pod,
    "Service": _service,
    "Secret": _secret,
    "ServiceAccount": _service_account,
    "Deployment": _workload,
    "DaemonSet": _workload,
    "StatefulSet": _workload,
    "Node": _node,
    "Role": _role,
    "RoleBinding": _binding,
    "ClusterRole": _role,
    "ClusterRoleBinding": _binding,
}
