"""Builders for containers, pod specs and the workload kinds (Deployment, DaemonSet, ...).

Pod specs are composed from small parts (environment, mounts, volumes) so a scenario states
only how a workload consumes its Secrets and ConfigMaps; defaults the API server fills in
(`imagePullPolicy`, `dnsPolicy`, ...) are left out as a team's manifest would leave them out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kubesim.scenarios.build import APPS, Manifest, meta


def secret_env(var: str, secret_name: str, key: str, optional: bool = False) -> Manifest:
    """An env var read from one Secret key (`secretKeyRef`)."""
    ref: Manifest = {"name": secret_name, "key": key}
    if optional:
        ref["optional"] = True
    return {"name": var, "valueFrom": {"secretKeyRef": ref}}


def config_env(var: str, config_map: str, key: str) -> Manifest:
    """An env var read from one ConfigMap key (`configMapKeyRef`)."""
    return {"name": var, "valueFrom": {"configMapKeyRef": {"name": config_map, "key": key}}}


def plain_env(var: str, value: str) -> Manifest:
    """A literal env var."""
    return {"name": var, "value": value}


def secret_env_from(secret_name: str, prefix: str = "") -> Manifest:
    """An `envFrom` entry importing every key of a Secret."""
    out: Manifest = {"secretRef": {"name": secret_name}}
    if prefix:
        out["prefix"] = prefix
    return out


def config_env_from(config_map: str) -> Manifest:
    """An `envFrom` entry importing every key of a ConfigMap."""
    return {"configMapRef": {"name": config_map}}


def mount(volume: str, path: str, read_only: bool = True, sub_path: str = "") -> Manifest:
    """A volumeMount, optionally of a single file (`subPath`)."""
    out: Manifest = {"name": volume, "mountPath": path}
    if read_only:
        out["readOnly"] = True
    if sub_path:
        out["subPath"] = sub_path
    return out


def secret_volume(volume: str, secret_name: str, mode: int | None = None) -> Manifest:
    """A volume projecting a whole Secret."""
    src: Manifest = {"secretName": secret_name}
    if mode is not None:
        src["defaultMode"] = mode
    return {"name": volume, "secret": src}


def config_volume(volume: str, config_map: str) -> Manifest:
    """A volume projecting a whole ConfigMap."""
    return {"name": volume, "configMap": {"name": config_map}}


def empty_dir(volume: str) -> Manifest:
    """A scratch volume."""
    return {"name": volume, "emptyDir": {}}


def resources(cpu: str, memory: str, cpu_limit: str = "", memory_limit: str = "") -> Manifest:
    """Container requests, with limits when given (memory limit defaults to the request)."""
    limits: Manifest = {"memory": memory_limit or memory}
    if cpu_limit:
        limits["cpu"] = cpu_limit
    return {"requests": {"cpu": cpu, "memory": memory}, "limits": limits}


def container(name: str, image: str, **parts: Any) -> Manifest:
    """A container; `parts` are container fields given by their API names.

    For example `container("app", "nginx:1.25.3", ports=[...], env=[...])`. Keys whose value
    is empty are dropped so optional parts can be passed unconditionally.
    """
    out: Manifest = {"name": name, "image": image}
    out.update({key: value for key, value in parts.items() if value})
    return out


def port(name: str, number: int) -> Manifest:
    """A TCP containerPort."""
    return {"name": name, "containerPort": number, "protocol": "TCP"}


def pod_spec(containers: Sequence[Manifest], **parts: Any) -> Manifest:
    """A PodSpec; `parts` are PodSpec fields by API name, empty ones dropped."""
    out: Manifest = {"containers": list(containers)}
    out.update({key: value for key, value in parts.items() if value or value is False})
    return out


def template(labels: Mapping[str, str], spec: Manifest) -> Manifest:
    """A PodTemplateSpec."""
    return {"metadata": {"labels": dict(labels)}, "spec": spec}


def deployment(
    name: str,
    ns: str,
    replicas: int,
    labels: Mapping[str, str],
    spec: Manifest,
    **extra: Any,
) -> Manifest:
    """A Deployment selecting exactly its template `labels`.

    Extra keyword arguments: `meta_labels`, `annotations` (object metadata) and `strategy`.
    """
    body: Manifest = {
        "replicas": replicas,
        "selector": {"matchLabels": dict(labels)},
        "template": template(labels, spec),
    }
    if extra.get("strategy"):
        body["strategy"] = extra["strategy"]
    md = meta(name, ns, extra.get("meta_labels") or labels, extra.get("annotations"))
    return {"apiVersion": APPS, "kind": "Deployment", "metadata": md, "spec": body}


def daemon_set(name: str, ns: str, labels: Mapping[str, str], spec: Manifest) -> Manifest:
    """A DaemonSet selecting exactly its template `labels` (rolling update by default)."""
    body: Manifest = {"selector": {"matchLabels": dict(labels)}, "template": template(labels, spec)}
    return {
        "apiVersion": APPS,
        "kind": "DaemonSet",
        "metadata": meta(name, ns, labels),
        "spec": body,
    }


def stateful_set(
    name: str,
    ns: str,
    replicas: int,
    labels: Mapping[str, str],
    spec: Manifest,
    service_name: str,
) -> Manifest:
    """A StatefulSet governed by the headless Service `service_name`."""
    body: Manifest = {
        "replicas": replicas,
        "serviceName": service_name,
        "selector": {"matchLabels": dict(labels)},
        "template": template(labels, spec),
    }
    md = meta(name, ns, labels)
    return {"apiVersion": APPS, "kind": "StatefulSet", "metadata": md, "spec": body}


def bare_pod(name: str, ns: str, labels: Mapping[str, str], spec: Manifest) -> Manifest:
    """A Pod not owned by any controller."""
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta(name, ns, labels), "spec": spec}
