"""Rows of the apps/v1 kinds (`printDeployment`, `printReplicaSet`, `printDaemonSet`, ...)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from kubesim.api.selectors import (
    SelectorError,
    describe_label_selector,
    format_label_selector,
    format_labels,
)
from kubesim.printing.values import age, dig, items, layout_containers, name, number, section

# Stored workloads are defaulted; a missing replica count reads as the API default.
DEFAULT_REPLICAS = 1


def _containers(obj: Mapping[str, Any]) -> tuple[str, str]:
    return layout_containers(items(obj, "spec", "template", "spec", "containers"))


def _replicas(obj: Mapping[str, Any]) -> int:
    return number(obj, "spec", "replicas", default=DEFAULT_REPLICAS)


def _selector(obj: Mapping[str, Any]) -> Mapping[str, Any] | None:
    selector = dig(obj, "spec", "selector")
    return selector if isinstance(selector, Mapping) else None


def deployment_cells(obj: Mapping[str, Any], now: datetime.datetime) -> list[Any]:
    """NAME, READY n/m, UP-TO-DATE, AVAILABLE, AGE, CONTAINERS, IMAGES, SELECTOR."""
    try:
        selector = format_label_selector(_selector(obj))
    except SelectorError:
        selector = "<invalid>"
    names, images = _containers(obj)
    return [
        name(obj),
        f"{number(obj, 'status', 'readyReplicas')}/{_replicas(obj)}",
        number(obj, "status", "updatedReplicas"),
        number(obj, "status", "availableReplicas"),
        age(obj, now),
        names,
        images,
        selector,
    ]


def replica_set_cells(obj: Mapping[str, Any], now: datetime.datetime) -> list[Any]:
    """NAME, DESIRED, CURRENT, READY, AGE, CONTAINERS, IMAGES, SELECTOR."""
    names, images = _containers(obj)
    return [
        name(obj),
        _replicas(obj),
        number(obj, "status", "replicas"),
        number(obj, "status", "readyReplicas"),
        age(obj, now),
        names,
        images,
        describe_label_selector(_selector(obj)),
    ]


def daemon_set_cells(obj: Mapping[str, Any], now: datetime.datetime) -> list[Any]:
    """NAME, DESIRED, CURRENT, READY, UP-TO-DATE, AVAILABLE, NODE SELECTOR, AGE, ..."""
    names, images = _containers(obj)
    status = section(obj, "status")
    return [
        name(obj),
        number(status, "desiredNumberScheduled"),
        number(status, "currentNumberScheduled"),
        number(status, "numberReady"),
        number(status, "updatedNumberScheduled"),
        number(status, "numberAvailable"),
        format_labels(section(obj, "spec", "template", "spec", "nodeSelector")),
        age(obj, now),
        names,
        images,
        describe_label_selector(_selector(obj)),
    ]


def stateful_set_cells(obj: Mapping[str, Any], now: datetime.datetime) -> list[Any]:
    """NAME, READY n/m, AGE, CONTAINERS, IMAGES."""
    names, images = _containers(obj)
    ready = f"{number(obj, 'status', 'readyReplicas')}/{_replicas(obj)}"
    return [name(obj), ready, age(obj, now), names, images]


def _controller_name(obj: Mapping[str, Any]) -> str:
    """`formatResourceName` of the controlling owner: `statefulset.apps/web`."""
    owner = next(
        (
            ref
            for ref in items(obj, "metadata", "ownerReferences")
            if dig(ref, "controller") is True
        ),
        None,
    )
    if owner is None:
        return "<none>"
    api_version = str(owner.get("apiVersion") or "")
    group = api_version.split("/", 1)[0] if "/" in api_version else ""
    kind = str(owner.get("kind") or "")
    ref_name = str(owner.get("name") or "")
    if not group and not kind:
        return ref_name
    return (f"{kind}.{group}" if group else kind).lower() + "/" + ref_name


def controller_revision_cells(obj: Mapping[str, Any], now: datetime.datetime) -> list[Any]:
    """NAME, CONTROLLER, REVISION, AGE."""
    return [name(obj), _controller_name(obj), number(obj, "revision"), age(obj, now)]
