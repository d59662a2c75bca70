"""The RBAC objects of a snapshot: roles and bindings, parsed once from their wire form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kubeconnector.rbac.rules import PolicyRule
from kubeconnector.rbac.subjects import Subject

ROLE = "Role"
CLUSTER_ROLE = "ClusterRole"
ROLE_BINDING = "RoleBinding"
CLUSTER_ROLE_BINDING = "ClusterRoleBinding"
ROLE_KINDS = (ROLE, CLUSTER_ROLE)
BINDING_KINDS = (ROLE_BINDING, CLUSTER_ROLE_BINDING)
RBAC_KINDS = (*ROLE_KINDS, *BINDING_KINDS)

BOOTSTRAP_LABEL = "kubernetes.io/bootstrapping"
BOOTSTRAP_VALUE = "rbac-defaults"


@dataclass(frozen=True, slots=True, order=True)
class RoleKey:
    """Which role: ``(ClusterRole, "", name)`` or ``(Role, namespace, name)``."""

    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        if self.kind == ROLE:
            return f"Role {self.namespace}/{self.name}"
        return f"ClusterRole {self.name}"


@dataclass(frozen=True, eq=False)
class RoleObject:
    """A Role or ClusterRole.

    Attributes:
        key: Its kind, namespace and name.
        rules: Its rules (for an aggregated ClusterRole, the aggregated ones).
        labels: ``metadata.labels``.
        selectors: ``aggregationRule.clusterRoleSelectors`` (None: not aggregated).
        aggregated_locally: The stored rules were null or empty, so they were computed here
            from the selectors, as the aggregation controller would.
    """

    key: RoleKey
    rules: tuple[PolicyRule, ...]
    labels: Mapping[str, str] = field(default_factory=dict)
    selectors: tuple[Mapping[str, Any], ...] | None = None
    aggregated_locally: bool = False

    @property
    def is_default(self) -> bool:
        """Labelled ``kubernetes.io/bootstrapping: rbac-defaults`` (a built-in role)."""
        return self.labels.get(BOOTSTRAP_LABEL) == BOOTSTRAP_VALUE


@dataclass(frozen=True, eq=False)
class BindingObject:
    """A RoleBinding or ClusterRoleBinding.

    Attributes:
        kind: ``RoleBinding`` or ``ClusterRoleBinding``.
        namespace: The binding's namespace (``""`` for a ClusterRoleBinding).
        name: Its name.
        role: The referenced role (a Role always lives in the binding's namespace).
        subjects: Its subjects, ServiceAccount namespaces defaulted.
        labels: ``metadata.labels``.
    """

    kind: str
    namespace: str
    name: str
    role: RoleKey
    subjects: tuple[Subject, ...]
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_default(self) -> bool:
        """Labelled ``kubernetes.io/bootstrapping: rbac-defaults`` (a built-in binding)."""
        return self.labels.get(BOOTSTRAP_LABEL) == BOOTSTRAP_VALUE

    @property
    def label(self) -> str:
        """``ClusterRoleBinding name`` or ``RoleBinding namespace/name``."""
        if self.namespace:
            return f"{self.kind} {self.namespace}/{self.name}"
        return f"{self.kind} {self.name}"


def parse_rules(raw: Any) -> tuple[PolicyRule, ...]:
    """A ``rules`` list (None, the null of an aggregated role, is no rules)."""
    return tuple(PolicyRule.from_dict(r) for r in raw or () if isinstance(r, Mapping))


def parse_binding(
    kind: str, namespace: str, name: str, details: Mapping[str, Any], labels: Mapping[str, str]
) -> BindingObject:
    """A binding from its kind, place and ``{"roleRef", "subjects"}`` details."""
    ref = details.get("roleRef") or {}
    ref_kind = str(ref.get("kind") or "")
    role_namespace = namespace if ref_kind == ROLE else ""
    subjects = tuple(
        Subject.from_binding(s, namespace)
        for s in details.get("subjects") or ()
        if isinstance(s, Mapping)
    )
    return BindingObject(
        kind=kind,
        namespace=namespace if kind == ROLE_BINDING else "",
        name=name,
        role=RoleKey(ref_kind, role_namespace, str(ref.get("name") or "")),
        subjects=subjects,
        labels=dict(labels),
    )
