"""Indexes over a snapshot, so queries touch only the rules and bindings that can matter.

Rules are indexed by every (apiGroup, resource, verb) triple they list, wildcards included, so
a who-can query is at most twelve dictionary look-ups (group or ``*``, resource or ``*`` or
``*/<sub>``, verb or ``*``) before any rule is evaluated. Bindings are indexed by the role they
refer to (and the namespace they apply in) and by subject (and namespace).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kubeconnector.rbac.model import CLUSTER_ROLE_BINDING, BindingObject, RoleKey
from kubeconnector.rbac.rules import ALL, PolicyRule
from kubeconnector.rbac.snapshot import RbacSnapshot
from kubeconnector.rbac.subjects import Subject

RuleRef = tuple[RoleKey, int]
RuleKey = tuple[str, str, str]


@dataclass
class RbacIndex:
    """The look-up tables of one snapshot (built once, read-only afterwards).

    Attributes:
        rules: (apiGroup, resource token, verb) -> the rules listing that triple.
        url_rules: Rules with nonResourceURLs.
        by_role: role -> namespace (``""`` for ClusterRoleBindings) -> bindings.
        cluster_by_subject: subject -> the ClusterRoleBindings naming it.
        namespaced_by_subject: (subject, namespace) -> the RoleBindings naming it.
        by_subject: subject -> every binding naming it.
    """

    rules: dict[RuleKey, list[RuleRef]] = field(default_factory=lambda: defaultdict(list))
    url_rules: list[RuleRef] = field(default_factory=list)
    by_role: dict[RoleKey, dict[str, list[BindingObject]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    cluster_by_subject: dict[Subject, list[BindingObject]] = field(
        default_factory=lambda: defaultdict(list)
    )
    namespaced_by_subject: dict[tuple[Subject, str], list[BindingObject]] = field(
        default_factory=lambda: defaultdict(list)
    )
    by_subject: dict[Subject, list[BindingObject]] = field(
        default_factory=lambda: defaultdict(list)
    )

    @classmethod
    def build(cls, snapshot: RbacSnapshot) -> RbacIndex:
        """Index every rule and binding of the snapshot."""
        index = cls()
        for key, role in snapshot.roles.items():
            for position, rule in enumerate(role.rules):
                index._add_rule(key, position, rule)
        for binding in snapshot.bindings:
            index._add_binding(binding)
        index._freeze()
        return index

    def _add_rule(self, key: RoleKey, position: int, rule: PolicyRule) -> None:
        if rule.non_resource_urls:
            self.url_rules.append((key, position))
        for group in set(rule.api_groups):
            for resource in set(rule.resources):
                for verb in set(rule.verbs):
                    self.rules[(group, resource, verb)].append((key, position))

    def _add_binding(self, binding: BindingObject) -> None:
        self.by_role[binding.role][binding.namespace].append(binding)
        for subject in dict.fromkeys(binding.subjects):
            self.by_subject[subject].append(binding)
            if binding.kind == CLUSTER_ROLE_BINDING:
                self.cluster_by_subject[subject].append(binding)
            else:
                self.namespaced_by_subject[(subject, binding.namespace)].append(binding)

    def _freeze(self) -> None:
        # Plain dicts: a look-up of a missing key must not insert it.
        self.rules = dict(self.rules)
        self.by_role = {k: dict(v) for k, v in self.by_role.items()}
        self.cluster_by_subject = dict(self.cluster_by_subject)
        self.namespaced_by_subject = dict(self.namespaced_by_subject)
        self.by_subject = dict(self.by_subject)

    def candidates(self, group: str, resource: str, subresource: str, verb: str) -> set[RuleRef]:
        """Every rule listing a triple that can match the request (before names are checked)."""
        combined = f"{resource}/{subresource}" if subresource else resource
        resources = [combined, ALL] + ([f"*/{subresource}"] if subresource else [])
        found: set[RuleRef] = set()
        for g in (group, ALL) if group != ALL else (ALL,):
            for r in resources:
                for v in (verb, ALL) if verb != ALL else (ALL,):
                    found.update(self.rules.get((g, r, v), ()))
        return found

    def bindings_of_role(self, role: RoleKey, namespace: str) -> list[BindingObject]:
        """Bindings of a role that apply to a request in ``namespace``.

        ``""`` (cluster-wide) gives ClusterRoleBindings only, ``"*"`` gives every binding.
        """
        per_namespace = self.by_role.get(role, {})
        if namespace == ALL:
            return [b for bindings in per_namespace.values() for b in bindings]
        found = list(per_namespace.get("", ()))
        if namespace:
            found.extend(per_namespace.get(namespace, ()))
        return found
