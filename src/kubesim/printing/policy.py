"""Rows of HorizontalPodAutoscalers, PodDisruptionBudgets and (Cluster)RoleBindings."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from kubesim.printing.values import (
    EMPTY,
    age,
    dig,
    int_or_string,
    items,
    name,
    number,
    quantity,
    section,
    text,
)

MAX_METRICS = 2
UNKNOWN = "<unknown>"


def _current(status: Mapping[str, Any], source: str, field: str) -> str:
    value = dig(status, source, "current", field)
    return UNKNOWN if value is None else quantity(value)


def _value_metric(spec: Mapping[str, Any], status: Mapping[str, Any], source: str) -> str:
    """External and Object metrics: `cur/target (avg)` or `cur/target`."""
    target = section(spec, source, "target")
    if target.get("averageValue") is not None:
        current = _current(status, source, "averageValue")
        return f"{current}/{quantity(target['averageValue'])} (avg)"
    current = UNKNOWN
    if isinstance(status.get(source), Mapping):
        current = quantity(dig(status, source, "current", "value"))
    return f"{current}/{quantity(target.get('value'))}"


def _resource_metric(spec: Mapping[str, Any], status: Mapping[str, Any], source: str) -> str:
    """Resource and ContainerResource metrics: `cpu: 5%/80%` or `memory: 1Mi/2Mi`."""
    block = section(spec, source)
    target = section(block, "target")
    resource = text(block, "name")
    if target.get("averageValue") is not None:
        current = UNKNOWN
        if isinstance(status.get(source), Mapping):
            current = quantity(dig(status, source, "current", "averageValue"))
        return f"{resource}: {current}/{quantity(target['averageValue'])}"
    used = dig(status, source, "current", "averageUtilization")
    current = f"{used}%" if isinstance(used, int) else UNKNOWN
    wanted = target.get("averageUtilization")
    goal = f"{wanted}%" if isinstance(wanted, int) else "<auto>"
    return f"{resource}: {current}/{goal}"


def _metric(spec: Mapping[str, Any], status: Mapping[str, Any]) -> str:
    kind = spec.get("type")
    if kind == "External":
        return _value_metric(spec, status, "external")
    if kind == "Object":
        return _value_metric(spec, status, "object")
    if kind == "Pods":
        current = UNKNOWN
        if isinstance(status.get("pods"), Mapping):
            current = quantity(dig(status, "pods", "current", "averageValue"))
        return f"{current}/{quantity(dig(spec, 'pods', 'target', 'averageValue'))}"
    if kind == "Resource":
        return _resource_metric(spec, status, "resource")
    if kind == "ContainerResource":
        return _resource_metric(spec, status, "containerResource")
    return "<unknown type>"


def hpa_metrics(specs: list[Any], statuses: list[Any]) -> str:
    """`formatHPAMetrics`: at most two metrics, then `+ N more...`."""
    if not specs:
        return "<none>"
    shown = []
    for index, spec in enumerate(specs):
        status = statuses[index] if index < len(statuses) else EMPTY
        shown.append(
            _metric(
                spec if isinstance(spec, Mapping) else EMPTY,
                status if isinstance(status, Mapping) else EMPTY,
            )
        )
    if len(shown) > MAX_METRICS:
        more = len(shown) - MAX_METRICS
        return ", ".join(shown[:MAX_METRICS]) + f" + {more} more..."
    return ", ".join(shown)


def hpa_cells(obj: Mapping[str, Any], now: datetime.datetime) -> list[Any]:
    """NAME, REFERENCE, TARGETS, MINPODS, MAXPODS, REPLICAS, AGE."""
    spec = section(obj, "spec")
    target = section(spec, "scaleTargetRef")
    minimum = spec.get("minReplicas")
    return [
        name(obj),
        f"{text(target, 'kind')}/{text(target, 'name')}",
        hpa_metrics(items(spec, "metrics"), items(obj, "status", "currentMetrics")),
        str(minimum) if isinstance(minimum, int) else "<unset>",
        number(spec, "maxReplicas"),
        number(obj, "status", "currentReplicas"),
        age(obj, now),
    ]


def pdb_cells(obj: Mapping[str, Any], now: datetime.datetime) -> list[Any]:
    """NAME, MIN AVAILABLE, MAX UNAVAILABLE, ALLOWED DISRUPTIONS, AGE."""
    spec = section(obj, "spec")
    minimum, maximum = spec.get("minAvailable"), spec.get("maxUnavailable")
    return [
        name(obj),
        "N/A" if minimum is None else int_or_string(minimum),
        "N/A" if maximum is None else int_or_string(maximum),
        number(obj, "status", "disruptionsAllowed"),
        age(obj, now),
    ]


def subjects_strings(subjects: list[Any]) -> tuple[list[str], list[str], list[str]]:
    """`rbac.SubjectsStrings`: users, groups and `namespace/name` service accounts."""
    users: list[str] = []
    groups: list[str] = []
    service_accounts: list[str] = []
    for subject in subjects:
        kind = dig(subject, "kind")
        if kind == "ServiceAccount":
            service_accounts.append(f"{text(subject, 'namespace')}/{text(subject, 'name')}")
        elif kind == "User":
            users.append(text(subject, "name"))
        elif kind == "Group":
            groups.append(text(subject, "name"))
    return users, groups, service_accounts


def binding_cells(obj: Mapping[str, Any], now: datetime.datetime) -> list[Any]:
    """NAME, ROLE `Kind/name`, AGE, USERS, GROUPS, SERVICEACCOUNTS."""
    ref = section(obj, "roleRef")
    users, groups, service_accounts = subjects_strings(items(obj, "subjects"))
    return [
        name(obj),
        f"{text(ref, 'kind')}/{text(ref, 'name')}",
        age(obj, now),
        ", ".join(users),
        ", ".join(groups),
        ", ".join(service_accounts),
    ]
