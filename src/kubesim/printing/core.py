"""Rows of the core/v1 kinds other than pods (`printNode`, `printService`, `printEvent`, ...)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from kubesim.api.selectors import format_labels
from kubesim.printing.timefmt import since
from kubesim.printing.values import age, count, dig, items, name, number, section, text

ROLE_PREFIX = "node-role.kubernetes.io/"
ROLE_LABEL = "kubernetes.io/role"


def _node_status(node: Mapping[str, Any]) -> str:
    ready = None
    for condition in items(node, "status", "conditions"):
        if dig(condition, "type") == "Ready":
            ready = condition  # the last Ready condition wins, as in the Go map
    parts = (
        ["Unknown"] if ready is None else ["Ready" if ready.get("status") == "True" else "NotReady"]
    )
    if dig(node, "spec", "unschedulable") is True:
        parts.append("SchedulingDisabled")
    return ",".join(parts)


def node_roles(labels: Mapping[str, Any]) -> str:
    """`findNodeRoles`: `node-role.kubernetes.io/<role>` keys and `kubernetes.io/role` values."""
    roles = set()
    for key, value in labels.items():
        if key.startswith(ROLE_PREFIX) and len(key) > len(ROLE_PREFIX):
            roles.add(key[len(ROLE_PREFIX) :])
        elif key == ROLE_LABEL and value:
            roles.add(str(value))
    return ",".join(sorted(roles)) or "<none>"


def _address(node: Mapping[str, Any], kind: str) -> str:
    for address in items(node, "status", "addresses"):
        if dig(address, "type") == kind:
            return text(address, "address")
    return "<none>"


def node_cells(node: Mapping[str, Any], now: datetime.datetime) -> list[Any]:
    """The cells of one node row (wide)."""
    info = section(node, "status", "nodeInfo")
    return [
        name(node),
        _node_status(node),
        node_roles(section(node, "metadata", "labels")),
        age(node, now),
        text(info, "kubeletVersion"),
        _address(node, "InternalIP"),
        _address(node, "ExternalIP"),
        text(info, "osImage") or "<unknown>",
        text(info, "kernelVersion") or "<unknown>",
        text(info, "containerRuntimeVersion") or "<unknown>",
    ]


def namespace_cells(obj: Mapping[str, Any], now: datetime.datetime) -> list[Any]:
    """NAME, STATUS, AGE."""
    return [name(obj), text(obj, "status", "phase"), age(obj, now)]


def secret_cells(obj: Mapping[str, Any], now: datetime.datetime) -> list[Any]:
    """NAME, TYPE, DATA (key count), AGE."""
    return [name(obj), text(obj, "type"), count(obj, "data"), age(obj, now)]


def service_account_cells(obj: Mapping[str, Any], now: datetime.datetime) -> list[Any]:
    """NAME, SECRETS (reference count), AGE."""
    return [name(obj), count(obj, "secrets"), age(obj, now)]


def config_map_cells(obj: Mapping[str, Any], now: datetime.datetime) -> list[Any]:
    """NAME, DATA (data plus binaryData keys), AGE."""
    return [name(obj), count(obj, "data") + count(obj, "binaryData"), age(obj, now)]


def _cluster_ip(spec: Mapping[str, Any]) -> str:
    # v1->internal conversion fills clusterIPs from clusterIP when only the latter is set.
    ips = items(spec, "clusterIPs")
    first = ips[0] if ips and isinstance(ips[0], str) else ""
    return first or text(spec, "clusterIP") or "<none>"


def _load_balancer_ips(svc: Mapping[str, Any]) -> str:
    found = set()
    for ingress in items(svc, "status", "loadBalancer", "ingress"):
        address = text(ingress, "ip") or text(ingress, "hostname")
        if address:
            found.add(address)
    return ",".join(sorted(found))


def _external_ip(svc: Mapping[str, Any]) -> str:
    spec = section(svc, "spec")
    external = [ip for ip in items(spec, "externalIPs") if isinstance(ip, str)]
    kind = text(spec, "type")
    if kind in ("ClusterIP", "NodePort"):
        return ",".join(external) or "<none>"
    if kind == "LoadBalancer":
        balancer = _load_balancer_ips(svc)
        if external:
            return ",".join([*([balancer] if balancer else []), *external])
        return balancer or "<pending>"
    if kind == "ExternalName":
        return text(spec, "externalName")
    return "<unknown>"


def _ports(spec: Mapping[str, Any]) -> str:
    pieces = []
    for port in items(spec, "ports"):
        protocol = text(port, "protocol") or "TCP"
        node_port = number(port, "nodePort")
        prefix = (
            f"{number(port, 'port')}:{node_port}" if node_port > 0 else str(number(port, "port"))
        )
        pieces.append(f"{prefix}/{protocol}")
    return ",".join(pieces) or "<none>"


def service_cells(svc: Mapping[str, Any], now: datetime.datetime) -> list[Any]:
    """The cells of one service row (wide)."""
    spec = section(svc, "spec")
    return [
        name(svc),
        text(spec, "type"),
        _cluster_ip(spec),
        _external_ip(svc),
        _ports(spec),
        age(svc, now),
        format_labels(section(spec, "selector")),
    ]


def _event_source(event: Mapping[str, Any]) -> str:
    component = text(event, "source", "component") or text(event, "reportingComponent")
    instance = text(event, "source", "host") or text(event, "reportingInstance")
    return f"{component}, {instance}" if instance else component


def _event_times(event: Mapping[str, Any], now: datetime.datetime) -> tuple[str, str, int]:
    first = since(event.get("firstTimestamp"), now)
    if not event.get("firstTimestamp"):
        first = since(event.get("eventTime"), now)
    last = since(event.get("lastTimestamp"), now) if event.get("lastTimestamp") else first
    total = number(event, "count")
    series = event.get("series")
    if isinstance(series, Mapping):
        last = since(series.get("lastObservedTime"), now)
        total = number(series, "count")
    elif total == 0:
        total = 1  # singleton events of the events.k8s.io API carry no count
    return first, last, total


def event_cells(event: Mapping[str, Any], now: datetime.datetime) -> list[Any]:
    """The cells of one event row (wide)."""
    first, last, total = _event_times(event, now)
    involved = section(event, "involvedObject")
    kind = text(involved, "kind").lower()
    target = f"{kind}/{text(involved, 'name')}" if text(involved, "name") else kind
    return [
        last,
        text(event, "type"),
        text(event, "reason"),
        target,
        text(involved, "fieldPath"),
        _event_source(event),
        text(event, "message").strip(),
        first,
        total,
        name(event),
    ]
