"""What RBAC queries return: grants with provenance, who-can answers, effective permissions.

Every result has ``to_dict()`` giving plain JSON-ready data for ``--json`` output.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kubeconnector.rbac.model import BindingObject, RoleKey
from kubeconnector.rbac.rules import PolicyRule
from kubeconnector.rbac.subjects import GROUP, Subject

GROUP_MEMBERS = "group-members"
UNRESOLVED_ROLES = "unresolved-roles"
SYSTEM_MASTERS = "system-masters"
OTHER_AUTHORIZERS = "other-authorizers"
UNKNOWN_GROUPS = "unknown-groups"

CAVEAT_TEXT: dict[str, str] = {
    GROUP_MEMBERS: "groups are listed as groups: the API cannot list who is in them",
    UNRESOLVED_ROLES: "some bindings refer to roles that do not exist (they grant nothing now, "
    "but would as soon as the role is created)",
    SYSTEM_MASTERS: "members of system:masters are allowed everything, without any binding",
    OTHER_AUTHORIZERS: "authorizers other than RBAC (Node, webhook, ABAC) are not evaluated",
    UNKNOWN_GROUPS: "the user may be in groups the API cannot tell; only the groups every "
    "such user has are counted",
}


@dataclass(frozen=True, slots=True)
class Grant:
    """Provenance of a permission: binding -> role -> rule, and the subject that matched.

    Attributes:
        binding: The RoleBinding or ClusterRoleBinding.
        role: The role it refers to.
        rule: The rule (a copy of the role's ``rules[rule_index]``).
        rule_index: The rule's position in the role.
        subject: The binding subject that applies (e.g. the group an SA is in).
    """

    binding: BindingObject
    role: RoleKey
    rule: PolicyRule
    rule_index: int
    subject: Subject

    @property
    def namespace(self) -> str:
        """Where the grant applies: the RoleBinding's namespace, ``""`` for cluster-wide."""
        return self.binding.namespace

    @property
    def path(self) -> str:
        """e.g. ``RoleBinding shop/dev -> ClusterRole view -> rules[3] get pods [core]``."""
        return f"{self.binding.label} -> {self.role} -> rules[{self.rule_index}] {self.rule}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready provenance."""
        return {
            "binding": {
                "kind": self.binding.kind,
                "name": self.binding.name,
                "namespace": self.binding.namespace,
            },
            "role": {"kind": self.role.kind, "name": self.role.name},
            "rule": self.rule.to_dict(),
            "ruleIndex": self.rule_index,
            "via": self.subject.to_dict(),
            "scope": self.namespace or "cluster",
        }


@dataclass(frozen=True)
class WhoCanEntry:
    """One subject allowed, with every grant that allows it."""

    subject: Subject
    grants: tuple[Grant, ...]

    @property
    def members_unknown(self) -> bool:
        """A group: who is in it cannot be listed from the API."""
        return self.subject.kind == GROUP

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready entry."""
        return {
            "subject": self.subject.to_dict(),
            "membersUnknown": self.members_unknown,
            "grants": [g.to_dict() for g in self.grants],
        }


@dataclass(frozen=True)
class WhoCanResult:
    """The answer to "who can VERB RESOURCE (in NAMESPACE, on NAME)?".

    Attributes:
        verb: The verb asked about.
        target: ``resource[.group][/subresource]`` or a non-resource URL.
        group: The API group.
        namespace: ``""`` cluster-wide, ``"*"`` in any namespace, else that namespace.
        name: The object name (``""``: none).
        entries: Every subject allowed by RBAC, sorted.
        caveats: Why the list may be incomplete (codes of `CAVEAT_TEXT`).
        unresolved: Bindings in scope that refer to missing roles.
        ignored: Bindings subjects that can never match (a ServiceAccount without namespace
            in a ClusterRoleBinding).
    """

    verb: str
    target: str
    group: str
    namespace: str
    name: str
    entries: tuple[WhoCanEntry, ...]
    caveats: tuple[str, ...]
    unresolved: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()

    @property
    def incomplete(self) -> bool:
        """Groups are among the answer, or missing roles make it depend on future objects."""
        return GROUP_MEMBERS in self.caveats or UNRESOLVED_ROLES in self.caveats

    def subjects(self) -> list[Subject]:
        """The subjects, in order."""
        return [e.subject for e in self.entries]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready answer."""
        return {
            "verb": self.verb,
            "resource": self.target,
            "group": self.group,
            "namespace": self.namespace,
            "name": self.name,
            "incomplete": self.incomplete,
            "caveats": [{"code": c, "message": CAVEAT_TEXT[c]} for c in self.caveats],
            "subjects": [e.to_dict() for e in self.entries],
            "unresolved": list(self.unresolved),
            "ignored": list(self.ignored),
        }


@dataclass(frozen=True)
class EffectivePermissions:
    """Everything RBAC grants a subject, cluster-wide and per namespace.

    Attributes:
        subject: Who was asked about.
        groups: The groups counted (given ones plus the implicit ones).
        implicit_groups: The groups the subject has without being named in them.
        cluster_wide: Grants from ClusterRoleBindings (they apply in every namespace).
        namespaces: Grants from RoleBindings, by namespace.
        is_master: In ``system:masters``: allowed everything whatever the rules say.
        caveats: Why the list may be incomplete (codes of `CAVEAT_TEXT`).
        unresolved: Bindings of the subject that refer to missing roles.
    """

    subject: Subject
    groups: tuple[str, ...]
    implicit_groups: tuple[str, ...]
    cluster_wide: tuple[Grant, ...]
    namespaces: Mapping[str, tuple[Grant, ...]] = field(default_factory=dict)
    is_master: bool = False
    caveats: tuple[str, ...] = ()
    unresolved: tuple[str, ...] = ()

    def in_namespace(self, namespace: str) -> tuple[Grant, ...]:
        """The grants effective in a namespace: cluster-wide ones plus that namespace's."""
        return self.cluster_wide + tuple(self.namespaces.get(namespace, ()))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready permissions."""
        return {
            "subject": self.subject.to_dict(),
            "groups": list(self.groups),
            "implicitGroups": list(self.implicit_groups),
            "isMaster": self.is_master,
            "clusterWide": [g.to_dict() for g in self.cluster_wide],
            "namespaces": {
                ns: [g.to_dict() for g in grants] for ns, grants in sorted(self.namespaces.items())
            },
            "caveats": [{"code": c, "message": CAVEAT_TEXT[c]} for c in self.caveats],
            "unresolved": list(self.unresolved),
        }
