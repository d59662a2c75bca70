"""Manifest builders shared by the scenarios: metadata, core objects and workloads.

Every builder returns a fresh plain dict shaped exactly as the API server accepts it on
create (no server-populated fields such as uid, resourceVersion or status), so scenarios read
like the YAML a team would apply.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

Manifest = dict[str, Any]

APPS = "apps/v1"


def b64(text: str) -> str:
    """Encode text as the standard base64 (with padding) that Secret `data` carries."""
    return base64.b64encode(text.encode()).decode()


def meta(
    name: str,
    namespace: str | None = None,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
) -> Manifest:
    """Build `metadata` with only the fields that are set."""
    out: Manifest = {"name": name}
    if namespace is not None:
        out["namespace"] = namespace
    if labels:
        out["labels"] = dict(labels)
    if annotations:
        out["annotations"] = dict(annotations)
    return out


def namespace(name: str, labels: Mapping[str, str] | None = None) -> Manifest:
    """A Namespace."""
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta(name, labels=labels)}


def secret(
    name: str,
    ns: str,
    data: Mapping[str, str] | None = None,
    type_: str = "Opaque",
    **extra: Any,
) -> Manifest:
    """A Secret whose `data` values are given as plain text and stored base64-encoded.

    Extra keyword arguments: `labels`, `annotations`, `owner_references` (metadata) and
    `immutable` (top level).
    """
    md = meta(name, ns, extra.get("labels"), extra.get("annotations"))
    if extra.get("owner_references"):
        md["ownerReferences"] = list(extra["owner_references"])
    out: Manifest = {"apiVersion": "v1", "kind": "Secret", "metadata": md, "type": type_}
    if data:
        out["data"] = {key: b64(value) for key, value in data.items()}
    if extra.get("immutable"):
        out["immutable"] = True
    return out


def token_secret(name: str, ns: str, service_account: str) -> Manifest:
    """A manually created legacy token Secret; the token controller fills its data."""
    annotations = {"kubernetes.io/service-account.name": service_account}
    return secret(name, ns, None, "kubernetes.io/service-account-token", annotations=annotations)


def config_map(
    name: str,
    ns: str,
    data: Mapping[str, str],
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
) -> Manifest:
    """A ConfigMap."""
    md = meta(name, ns, labels, annotations)
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": md, "data": dict(data)}


def service_account(
    name: str,
    ns: str,
    pull_secrets: Sequence[str] = (),
    automount: bool | None = None,
    labels: Mapping[str, str] | None = None,
) -> Manifest:
    """A ServiceAccount, optionally with image pull secrets and an automount override."""
    out: Manifest = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": meta(name, ns, labels),
    }
    if pull_secrets:
        out["imagePullSecrets"] = [{"name": s} for s in pull_secrets]
    if automount is not None:
        out["automountServiceAccountToken"] = automount
    return out


def service(
    name: str,
    ns: str,
    selector: Mapping[str, str],
    ports: Sequence[tuple[str, int, int]],
    headless: bool = False,
    labels: Mapping[str, str] | None = None,
) -> Manifest:
    """A Service; `ports` are (name, port, targetPort) triples over TCP."""
    spec: Manifest = {
        "selector": dict(selector),
        "ports": [
            {"name": pname, "port": port, "targetPort": target, "protocol": "TCP"}
            for pname, port, target in ports
        ],
    }
    if headless:
        spec["clusterIP"] = "None"
    else:
        spec["type"] = "ClusterIP"
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta(name, ns, labels), "spec": spec}


def owner(api_version: str, kind: str, name: str, uid: str) -> Manifest:
    """An ownerReference marking the referenced object as the managing controller."""
    return {
        "apiVersion": api_version,
        "kind": kind,
        "name": name,
        "uid": uid,
        "controller": True,
        "blockOwnerDeletion": True,
    }
