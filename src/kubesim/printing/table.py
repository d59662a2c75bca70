"""`meta.k8s.io/v1` Tables for `Accept: application/json;as=Table;...`, lists and watches.

A row's `object` follows `includeObject`: `Metadata` (default) embeds PartialObjectMetadata,
`Object` the full object, `None` nothing (Go serializes the empty RawExtension as `null`).
Watches send one single-row Table per event; only the first carries `columnDefinitions`, later
ones set `NoHeaders` and carry `"columnDefinitions": null` (`watchEmbeddedEncoder.doEncode`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any

from kubesim.api import status
from kubesim.printing import apps, core, pods, policy
from kubesim.printing.columns import RBAC, columns
from kubesim.printing.timefmt import created_at
from kubesim.printing.values import dig, name

Printer = Callable[[Mapping[str, Any], datetime.datetime], list[Any]]
META_API_VERSION = "meta.k8s.io/v1"
INCLUDE_OBJECT = ("None", "Metadata", "Object")

_PRINTERS: Mapping[tuple[str, str], Printer] = MappingProxyType({
    ("", "pods"): pods.pod_cells,
    ("", "nodes"): core.node_cells,
    ("", "events"): core.event_cells,
    ("", "namespaces"): core.namespace_cells,
    ("", "secrets"): core.secret_cells,
    ("", "serviceaccounts"): core.service_account_cells,
    ("", "configmaps"): core.config_map_cells,
    ("", "services"): core.service_cells,
    ("apps", "deployments"): apps.deployment_cells,
    ("apps", "replicasets"): apps.replica_set_cells,
    ("apps", "daemonsets"): apps.daemon_set_cells,
    ("apps", "statefulsets"): apps.stateful_set_cells,
    ("apps", "controllerrevisions"): apps.controller_revision_cells,
    ("autoscaling", "horizontalpodautoscalers"): policy.hpa_cells,
    ("policy", "poddisruptionbudgets"): policy.pdb_cells,
    (RBAC, "rolebindings"): policy.binding_cells,
    (RBAC, "clusterrolebindings"): policy.binding_cells,
})  # fmt: skip


def default_cells(obj: Mapping[str, Any], _now: datetime.datetime) -> list[Any]:
    """The default table's cells: name and creation time in RFC 3339."""
    return [name(obj), created_at(dig(obj, "metadata", "creationTimestamp"))]


def printer(group: str, resource: str) -> Printer:
    """The cell function of a resource (the default table's for kinds without a printer)."""
    return _PRINTERS.get((group, resource), default_cells)


def cells(group: str, resource: str, obj: Mapping[str, Any], now: datetime.datetime) -> list[Any]:
    """One row's cells, every column included (the server always prints wide)."""
    return printer(group, resource)(obj, now)


def check_include_object(include_object: str) -> None:
    """Raise the server's 400 for an `includeObject` value it does not know."""
    if include_object not in INCLUDE_OBJECT:
        raise status.bad_request(f'unrecognized includeObject value: "{include_object}"')


def _embedded(obj: Mapping[str, Any], include_object: str) -> Any:
    if include_object == "Object":
        return obj
    if include_object == "None":
        return None
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": META_API_VERSION,
        "metadata": obj["metadata"],
    }


def _rows(
    group: str,
    resource: str,
    objects: Iterable[Mapping[str, Any]],
    now: datetime.datetime,
    include_object: str,
) -> list[dict[str, Any]]:
    print_row = printer(group, resource)
    is_pod = (group, resource) == ("", "pods")
    rows = []
    for obj in objects:
        row: dict[str, Any] = {"cells": print_row(obj, now)}
        conditions = pods.pod_conditions(obj) if is_pod else None
        if conditions:
            row["conditions"] = conditions
        row["object"] = _embedded(obj, include_object)
        rows.append(row)
    return rows


def table(
    group: str,
    resource: str,
    objects: Iterable[Mapping[str, Any]],
    now: datetime.datetime,
    include_object: str = "Metadata",
) -> dict[str, Any]:
    """The Table of some objects (each with kind/apiVersion, as served singly).

    `metadata` is left empty for the caller to fill (resourceVersion, continue,
    remainingItemCount). An empty default-convertor table has `"rows": null`, as in Go.

    Raises:
        StatusError: 400 for an unknown `includeObject`.
    """
    check_include_object(include_object)
    rows: list[dict[str, Any]] | None = _rows(group, resource, objects, now, include_object)
    if not rows and (group, resource) not in _PRINTERS:
        rows = None
    return {
        "kind": "Table",
        "apiVersion": META_API_VERSION,
        "metadata": {},
        "columnDefinitions": columns(group, resource),
        "rows": rows,
    }


def watch_table_event(
    group: str,
    resource: str,
    obj: Mapping[str, Any],
    now: datetime.datetime,
    first: bool,
    include_object: str = "Metadata",
) -> dict[str, Any]:
    """The object of one watch event under `as=Table`: a one-row Table.

    Its `metadata.resourceVersion` is the object's; `columnDefinitions` is present only on
    the first event of the stream (`first=True`) and `null` afterwards.
    """
    body = table(group, resource, [obj], now, include_object)
    version = dig(obj, "metadata", "resourceVersion")
    body["metadata"] = {"resourceVersion": version} if version else {}
    if not first:
        body["columnDefinitions"] = None
    return body
