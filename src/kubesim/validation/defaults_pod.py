"""Defaulting of pod specs and pod templates (`pkg/apis/core/v1/defaults.go`), plus the values
the pod admission plugins add on create (ServiceAccount, DefaultTolerationSeconds, Priority).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from kubesim.validation.podspec import VOLUME_SOURCES

Obj = dict[str, Any]

_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_PATH_PART = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"
_REFERENCE = re.compile(
    rf"(?:(?P<domain>{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*(?::[0-9]+)?)/)?"
    rf"{_PATH_PART}(?:/{_PATH_PART})*"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?"
    r"(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}))?"
)
VOLUME_SOURCES_WITH_MODE = ("secret", "configMap", "downwardAPI", "projected")
DEFAULT_MODE = 0o644
NOT_READY = "node.kubernetes.io/not-ready"
UNREACHABLE = "node.kubernetes.io/unreachable"
SYSTEM_PRIORITIES = {"system-cluster-critical": 2000000000, "system-node-critical": 2000001000}


@lru_cache(maxsize=4096)
def pull_policy(image: str) -> str:
    """`Always` for an untagged or `:latest` image, `IfNotPresent` otherwise (or unparsable)."""
    match = _REFERENCE.fullmatch(image) if image else None
    if match is None:
        return "IfNotPresent"
    tag, digest = match.group("tag"), match.group("digest")
    return "Always" if tag == "latest" or (not tag and not digest) else "IfNotPresent"


def _probe(probe: Any) -> None:
    if not isinstance(probe, dict):
        return
    for name, value in (
        ("timeoutSeconds", 1),
        ("periodSeconds", 10),
        ("successThreshold", 1),
        ("failureThreshold", 3),
    ):
        probe.setdefault(name, value)
    http = probe.get("httpGet")
    if isinstance(http, dict):
        http.setdefault("path", "/")
        http.setdefault("scheme", "HTTP")


def _field_ref(holder: Any) -> None:
    ref = holder.get("fieldRef") if isinstance(holder, dict) else None
    if isinstance(ref, dict):
        ref.setdefault("apiVersion", "v1")


def container_defaults(ctr: Obj) -> None:
    """`SetDefaults_Container` and the defaults of its ports, probes and env sources."""
    if not ctr.get("imagePullPolicy"):
        ctr["imagePullPolicy"] = pull_policy(ctr.get("image") or "")
    ctr.setdefault("resources", {})
    if not ctr.get("terminationMessagePath"):
        ctr["terminationMessagePath"] = "/dev/termination-log"
    if not ctr.get("terminationMessagePolicy"):
        ctr["terminationMessagePolicy"] = "File"
    for port in ctr.get("ports") or []:
        if isinstance(port, dict) and not port.get("protocol"):
            port["protocol"] = "TCP"
    for name in ("livenessProbe", "readinessProbe", "startupProbe"):
        _probe(ctr.get(name))
    for var in ctr.get("env") or []:
        if isinstance(var, dict):
            _field_ref(var.get("valueFrom"))


def _projected(source: Obj) -> None:
    for item in source.get("sources") or []:
        token = item.get("serviceAccountToken") if isinstance(item, dict) else None
        if isinstance(token, dict):
            token.setdefault("expirationSeconds", 3600)
        downward = item.get("downwardAPI") if isinstance(item, dict) else None
        for entry in (downward or {}).get("items") or []:
            _field_ref(entry)


def volume_defaults(volume: Obj) -> None:
    """`SetDefaults_Volume` and the defaults of the common volume sources."""
    if not any(volume.get(kind) is not None for kind in VOLUME_SOURCES):
        volume["emptyDir"] = {}
    for kind in VOLUME_SOURCES_WITH_MODE:
        source = volume.get(kind)
        if isinstance(source, dict) and source.get("defaultMode") is None:
            source["defaultMode"] = DEFAULT_MODE
    host_path = volume.get("hostPath")
    if isinstance(host_path, dict):
        host_path.setdefault("type", "")
    if isinstance(volume.get("projected"), dict):
        _projected(volume["projected"])
    for entry in (volume.get("downwardAPI") or {}).get("items") or []:
        _field_ref(entry)


def pod_spec_defaults(spec: Obj) -> None:
    """`SetDefaults_PodSpec` with its containers and volumes."""
    for name, value in (
        ("dnsPolicy", "ClusterFirst"),
        ("restartPolicy", "Always"),
        ("schedulerName", "default-scheduler"),
    ):
        if not spec.get(name):
            spec[name] = value
    if spec.get("securityContext") is None:
        spec["securityContext"] = {}
    if spec.get("terminationGracePeriodSeconds") is None:
        spec["terminationGracePeriodSeconds"] = 30
    for key in ("containers", "initContainers"):
        for ctr in spec.get(key) or []:
            if isinstance(ctr, dict):
                container_defaults(ctr)
    for volume in spec.get("volumes") or []:
        if isinstance(volume, dict):
            volume_defaults(volume)
    _sync_service_account(spec)


def _sync_service_account(spec: Obj) -> None:
    # The deprecated `serviceAccount` mirrors serviceAccountName through conversion.
    if not spec.get("serviceAccountName") and spec.get("serviceAccount"):
        spec["serviceAccountName"] = spec["serviceAccount"]
    if spec.get("serviceAccountName"):
        spec["serviceAccount"] = spec["serviceAccountName"]


def template_defaults(template: Any) -> None:
    """Defaults of a pod template embedded in a workload."""
    if not isinstance(template, dict):
        return
    # The template's ObjectMeta round-trips through Go, whose encoder writes the unset
    # creationTimestamp as null: stored templates all carry it, however the client sent them,
    # so templates from JSON, protobuf and `rollout undo` patches compare equal.
    if not isinstance(template.get("metadata"), dict):
        template["metadata"] = {}
    template["metadata"].setdefault("creationTimestamp", None)
    if isinstance(template.get("spec"), dict):
        pod_spec_defaults(template["spec"])


def _requests_from_limits(spec: Obj) -> None:
    for key in ("containers", "initContainers"):
        for ctr in spec.get(key) or []:
            resources = ctr.get("resources") if isinstance(ctr, dict) else None
            if isinstance(resources, dict) and resources.get("limits"):
                requests = resources.setdefault("requests", {})
                for name, value in resources["limits"].items():
                    requests.setdefault(name, value)


def _tolerates(tolerations: list[Obj], key: str) -> bool:
    return any(
        t.get("key") in (key, None, "") and t.get("effect") in ("NoExecute", None, "")
        for t in tolerations
    )


def _default_tolerations(spec: Obj) -> None:
    tolerations = spec.get("tolerations") or []
    added = [
        {"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
        for key in (NOT_READY, UNREACHABLE)
        if not _tolerates(tolerations, key)
    ]
    if added:
        spec["tolerations"] = [*tolerations, *added]


def pod_defaults(pod: Obj) -> None:
    """`SetDefaults_Pod` plus the pod admission plugins' additions."""
    spec = pod.get("spec")
    if not isinstance(spec, dict):
        return
    pod_spec_defaults(spec)
    _requests_from_limits(spec)
    if spec.get("enableServiceLinks") is None:
        spec["enableServiceLinks"] = True
    if not spec.get("serviceAccountName"):
        spec["serviceAccountName"] = spec["serviceAccount"] = "default"
    _default_tolerations(spec)
    class_name = spec.get("priorityClassName") or ""
    if spec.get("priority") is None and (not class_name or class_name in SYSTEM_PRIORITIES):
        spec["priority"] = SYSTEM_PRIORITIES.get(class_name, 0)
    if spec.get("priority") is not None:
        spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
