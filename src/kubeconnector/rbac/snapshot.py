"""A cluster's RBAC objects, loaded from discovered assets or from raw API objects.

The shape discovery stores (``DiscoveredAsset.details``) for the four RBAC kinds, produced by
`rbac_details` and read back by `RbacSnapshot.from_assets`:

- ``Role`` / ``ClusterRole``: ``{"rules": [PolicyRule, ...] | None}`` plus
  ``"aggregationRule": {"clusterRoleSelectors": [LabelSelector, ...]}`` when the object has one.
  Rules are stored exactly as the API returned them, in wire form (``apiGroups``,
  ``resources``, ``resourceNames``, ``nonResourceURLs``, ``verbs``); ``rules`` may be null or
  absent on an aggregated ClusterRole.
- ``RoleBinding`` / ``ClusterRoleBinding``: ``{"roleRef": {"apiGroup", "kind", "name"},
  "subjects": [{"kind", "name", "namespace"?, "apiGroup"?}, ...]}`` (``subjects`` may be empty).

The asset's kind, namespace, name and labels come from the asset itself; labels matter (the
``kubernetes.io/bootstrapping: rbac-defaults`` label marks built-in roles and bindings, and
aggregation selects ClusterRoles by label).

An aggregated ClusterRole whose stored rules are null or empty (a manifest before the
aggregation controller ran, or an object read while it lags) gets its rules computed here from
its selectors, the way that controller fills them: selected ClusterRoles by name, skipping
itself, rules concatenated without exact duplicates. When nothing matches this is empty again,
so it agrees with a settled cluster. Stored rules are otherwise used as they are: the
authorizer only ever reads ``rules``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kubeconnector.models import DiscoveredAsset
from kubeconnector.rbac.model import (
    BINDING_KINDS,
    CLUSTER_ROLE,
    CLUSTER_ROLE_BINDING,
    RBAC_KINDS,
    ROLE,
    ROLE_BINDING,
    BindingObject,
    RoleKey,
    RoleObject,
    parse_binding,
    parse_rules,
)
from kubeconnector.rbac.rules import PolicyRule
from kubeconnector.rbac.selectors import selector_matches


@dataclass(frozen=True)
class _Record:
    kind: str
    namespace: str
    name: str
    labels: Mapping[str, str]
    details: Mapping[str, Any]


def rbac_details(obj: Mapping[str, Any], kind: str | None = None) -> dict[str, Any]:
    """The ``details`` discovery stores for an RBAC object (see the module docstring).

    Args:
        obj: The raw API object (an item of a list response has no ``kind``).
        kind: Its kind when the object does not say.

    Returns:
        ``{"rules", "aggregationRule"?}`` for roles, ``{"roleRef", "subjects"}`` for bindings.
    """
    kind = kind or _kind_of(obj)
    if kind in BINDING_KINDS:
        return {
            "roleRef": dict(obj.get("roleRef") or {}),
            "subjects": list(obj.get("subjects") or []),
        }
    details: dict[str, Any] = {"rules": obj.get("rules")}
    if obj.get("aggregationRule") is not None:
        details["aggregationRule"] = obj["aggregationRule"]
    return details


def _kind_of(obj: Mapping[str, Any]) -> str:
    kind = str(obj.get("kind") or "")
    if kind:
        return kind
    namespaced = bool((obj.get("metadata") or {}).get("namespace"))
    if "roleRef" in obj:
        return ROLE_BINDING if namespaced else CLUSTER_ROLE_BINDING
    return ROLE if namespaced else CLUSTER_ROLE


def _records_from_objects(objects: Iterable[Mapping[str, Any]]) -> Iterator[_Record]:
    for obj in objects:
        kind = _kind_of(obj)
        if kind.endswith("List") and kind[:-4] in RBAC_KINDS:
            items = ({**item, "kind": kind[:-4]} for item in obj.get("items") or ())
            yield from _records_from_objects(items)
            continue
        if kind not in RBAC_KINDS:
            continue
        meta = obj.get("metadata") or {}
        yield _Record(
            kind,
            str(meta.get("namespace") or ""),
            str(meta.get("name") or ""),
            dict(meta.get("labels") or {}),
            rbac_details(obj, kind),
        )


def _records_from_assets(assets: Iterable[DiscoveredAsset]) -> Iterator[_Record]:
    for asset in assets:
        if asset.kind in RBAC_KINDS and not getattr(asset, "deleted", False):
            yield _Record(asset.kind, asset.namespace, asset.name, asset.labels, asset.details)


@dataclass(frozen=True)
class RbacSnapshot:
    """Every Role, ClusterRole, RoleBinding and ClusterRoleBinding of one cluster.

    Attributes:
        roles: Roles and ClusterRoles by key.
        bindings: RoleBindings and ClusterRoleBindings, in load order.
    """

    roles: Mapping[RoleKey, RoleObject]
    bindings: tuple[BindingObject, ...]

    @classmethod
    def from_assets(cls, assets: Iterable[DiscoveredAsset]) -> RbacSnapshot:
        """A snapshot from discovered or stored assets (other kinds and deleted ones skipped)."""
        return cls._build(_records_from_assets(assets))

    @classmethod
    def from_objects(cls, objects: Iterable[Mapping[str, Any]]) -> RbacSnapshot:
        """A snapshot from raw API objects (items without ``kind``, and whole lists, accepted).

        Objects of other kinds are skipped, so a whole scenario or dump can be passed.
        """
        return cls._build(_records_from_objects(objects))

    @classmethod
    def _build(cls, records: Iterable[_Record]) -> RbacSnapshot:
        raw_roles: dict[RoleKey, _Record] = {}
        bindings: dict[tuple[str, str, str], BindingObject] = {}
        for record in records:
            if record.kind in BINDING_KINDS:
                binding = parse_binding(
                    record.kind, record.namespace, record.name, record.details, record.labels
                )
                bindings[(record.kind, binding.namespace, record.name)] = binding
            else:
                namespace = record.namespace if record.kind == ROLE else ""
                raw_roles[RoleKey(record.kind, namespace, record.name)] = record
        return cls(_Aggregator(raw_roles).roles(), tuple(bindings.values()))

    def role(self, key: RoleKey) -> RoleObject | None:
        """The role a binding refers to, or None when it does not exist."""
        return self.roles.get(key)

    @property
    def object_count(self) -> int:
        """How many RBAC objects the snapshot holds."""
        return len(self.roles) + len(self.bindings)


class _Aggregator:
    """Builds RoleObjects, computing null rules of aggregated ClusterRoles from their selectors."""

    def __init__(self, raw: Mapping[RoleKey, _Record]) -> None:
        self._raw = raw
        self._done: dict[RoleKey, RoleObject] = {}
        self._busy: set[RoleKey] = set()
        self._cluster_keys = sorted(
            (k for k in raw if k.kind == CLUSTER_ROLE), key=lambda k: k.name
        )

    def roles(self) -> dict[RoleKey, RoleObject]:
        for key in self._raw:
            self._resolve(key)
        return {key: self._done[key] for key in self._raw}

    def _resolve(self, key: RoleKey) -> tuple[PolicyRule, ...]:
        if key in self._done:
            return self._done[key].rules
        record = self._raw[key]
        selectors = _selectors(record.details) if key.kind == CLUSTER_ROLE else None
        stored = record.details.get("rules")
        local = selectors is not None and not stored and key not in self._busy
        self._busy.add(key)
        rules = self._aggregate(key, selectors or ()) if local else parse_rules(stored)
        self._busy.discard(key)
        self._done[key] = RoleObject(key, rules, dict(record.labels), selectors, local)
        return rules

    def _aggregate(
        self, key: RoleKey, selectors: tuple[Mapping[str, Any], ...]
    ) -> tuple[PolicyRule, ...]:
        rules: list[PolicyRule] = []
        for selector in selectors:
            for other in self._cluster_keys:
                if other == key or not selector_matches(selector, self._raw[other].labels):
                    continue
                # A role being resolved further up contributes nothing, which breaks cycles.
                contributed = () if other in self._busy else self._resolve(other)
                rules.extend(r for r in contributed if r not in rules)
        return tuple(rules)


def _selectors(details: Mapping[str, Any]) -> tuple[Mapping[str, Any], ...] | None:
    rule = details.get("aggregationRule")
    if not isinstance(rule, Mapping):
        return None
    return tuple(s for s in rule.get("clusterRoleSelectors") or () if isinstance(s, Mapping))
