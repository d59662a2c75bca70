"""The RBAC authorizer: which bindings apply to a user, which rules they grant, and the 403.

Evaluation follows the real server's `RBACAuthorizer`: every ClusterRoleBinding first, then the
RoleBindings of the request namespace, stopping at the first rule that allows. Failures to resolve
a referenced role are collected and reported with the denial. Members of `system:masters` are
allowed everything by the privileged-group authorizer, which runs before RBAC.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from kubesim.api import status
from kubesim.api.fielderrors import go_quote
from kubesim.api.status import GroupResource, StatusError
from kubesim.auth.user import MASTERS, Attributes, UserInfo

RBAC_GROUP = "rbac.authorization.k8s.io"
NODES_GROUP = "system:nodes"
NODE_USER_PREFIX = "system:node:"
NODE_RULES_ERROR = "node authorizer does not support user rule resolution"
_CACHE_LIMIT = 4096
_SANITIZE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


class RBACSource(Protocol):
    """Read access to the RBAC objects (implemented over the object store)."""

    @property
    def generation(self) -> int:
        """A number that changes whenever any RBAC object changes."""
        ...

    def cluster_role_bindings(self) -> Iterable[Mapping[str, Any]]:
        """Every ClusterRoleBinding."""
        ...

    def role_bindings(self, namespace: str) -> Iterable[Mapping[str, Any]]:
        """The RoleBindings of one namespace."""
        ...

    def cluster_role(self, name: str) -> Mapping[str, Any] | None:
        """One ClusterRole, or None."""
        ...

    def role(self, namespace: str, name: str) -> Mapping[str, Any] | None:
        """One Role, or None."""
        ...

    def cluster_roles(self) -> Iterable[Mapping[str, Any]]:
        """Every ClusterRole."""
        ...


@dataclass(frozen=True)
class Decision:
    """An authorization decision (`allowed` or no opinion) with the reason the chain gave."""

    allowed: bool
    reason: str = ""
    error: str = ""


@dataclass(frozen=True)
class RulesResult:
    """What SelfSubjectRulesReview reports: raw rules split by kind, plus completeness."""

    resource_rules: list[dict[str, Any]]
    non_resource_rules: list[dict[str, Any]]
    incomplete: bool = False
    evaluation_error: str = ""


def go_list(values: Iterable[str]) -> str:
    """Render a string slice as Go's `%q` does: `["a" "b"]`."""
    return "[" + " ".join(go_quote(v) for v in values) + "]"


def aggregate_errors(messages: Sequence[str]) -> str:
    """Render errors as `utilerrors.NewAggregate(...).Error()`: deduplicated, bracketed if many."""
    unique = list(dict.fromkeys(messages))
    if not unique:
        return ""
    if len(unique) == 1:
        return unique[0]
    return "[" + ", ".join(unique) + "]"


def _strings(rule: Mapping[str, Any], key: str) -> tuple[str, ...]:
    return tuple(rule.get(key) or ())


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A PolicyRule prepared for fast matching (sets instead of lists)."""

    verbs: frozenset[str]
    groups: frozenset[str]
    resources: frozenset[str]
    names: frozenset[str]
    urls: tuple[str, ...]

    @classmethod
    def of(cls, rule: Mapping[str, Any]) -> CompiledRule:
        """Compile one PolicyRule dict."""
        return cls(
            frozenset(_strings(rule, "verbs")),
            frozenset(_strings(rule, "apiGroups")),
            frozenset(_strings(rule, "resources")),
            frozenset(_strings(rule, "resourceNames")),
            _strings(rule, "nonResourceURLs"),
        )

    def allows(self, attrs: Attributes) -> bool:
        """`RuleAllows`: does this rule grant the request."""
        if "*" not in self.verbs and attrs.verb not in self.verbs:
            return False
        if not attrs.resource_request:
            return self._url_matches(attrs.path)
        if "*" not in self.groups and attrs.api_group not in self.groups:
            return False
        if not self._resource_matches(attrs.resource, attrs.subresource):
            return False
        return not self.names or attrs.name in self.names

    def _resource_matches(self, resource: str, subresource: str) -> bool:
        combined = f"{resource}/{subresource}" if subresource else resource
        if "*" in self.resources or combined in self.resources:
            return True
        return bool(subresource) and f"*/{subresource}" in self.resources

    def _url_matches(self, path: str) -> bool:
        for url in self.urls:
            if url in ("*", path):
                return True
            if url.endswith("*") and path.startswith(url.rstrip("*")):
                return True
        return False


def rule_allows(attrs: Attributes, rule: Mapping[str, Any]) -> bool:
    """Whether one PolicyRule dict grants the request."""
    return CompiledRule.of(rule).allows(attrs)


class RoleResolutionError(Exception):
    """A binding's roleRef could not be resolved (missing role or unsupported kind)."""

    def __init__(self, message: str, gr: GroupResource | None = None, name: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.gr = gr
        self.name = name

    def status_error(self) -> StatusError:
        """The error as the REST layer returns it (404 NotFound, else 500)."""
        if self.gr is not None:
            return status.not_found(self.gr, self.name)
        return status.internal_error(self.message)


@dataclass(frozen=True, slots=True)
class Entry:
    """One visit of the rule walk: a rule with the binding that granted it, or an error."""

    source: str = ""
    rule: Mapping[str, Any] | None = None
    compiled: CompiledRule | None = None
    error: str = ""


def _subject_applies(user: UserInfo, subject: Mapping[str, Any], namespace: str) -> bool:
    kind, name = subject.get("kind"), str(subject.get("name", ""))
    if kind == "User":
        return user.name == name
    if kind == "Group":
        return name in user.groups
    if kind == "ServiceAccount":
        # A RoleBinding's SA subject without namespace means the binding's own namespace.
        sa_namespace = subject.get("namespace") or namespace
        return bool(sa_namespace) and user.name == f"system:serviceaccount:{sa_namespace}:{name}"
    return False


def applies_to(
    user: UserInfo, subjects: Iterable[Mapping[str, Any]], namespace: str
) -> Mapping[str, Any] | None:
    """The first subject of a binding that matches the user, or None (`appliesTo`)."""
    for subject in subjects:
        if _subject_applies(user, subject, namespace):
            return subject
    return None


def describe_subject(subject: Mapping[str, Any], binding_namespace: str) -> str:
    """A subject as the allow reason prints it (`User "u"`, `ServiceAccount "sa/ns"`)."""
    kind, name = subject.get("kind", ""), subject.get("name", "")
    if kind == "ServiceAccount":
        namespace = subject.get("namespace") or binding_namespace
        return f"{kind} {go_quote(name + '/' + namespace)}"
    return f"{kind} {go_quote(name)}"


def _describe_binding(binding: Mapping[str, Any], subject: Mapping[str, Any], ns: str) -> str:
    ref = binding.get("roleRef") or {}
    name = binding.get("metadata", {}).get("name", "")
    label = "RoleBinding" if ns else "ClusterRoleBinding"
    shown = f"{name}/{ns}" if ns else name
    role = f"{ref.get('kind', '')} {go_quote(ref.get('name', ''))}"
    return f"{label} {go_quote(shown)} of {role} to {describe_subject(subject, ns)}"


class RuleResolver:
    """Resolves bindings to rules (`DefaultRuleResolver`).

    The authorizer reads through informer listers, whose NotFound errors name the singular
    resource (`clusterrole.rbac...`); the registry's escalation checks read through storage,
    whose errors name the plural (`clusterroles.rbac...`). `registry_errors` picks the latter.
    """

    def __init__(self, source: RBACSource, *, registry_errors: bool = False) -> None:
        self.source = source
        self.registry_errors = registry_errors

    def _missing(self, kind: str, name: str) -> RoleResolutionError:
        resource = kind.lower() + ("s" if self.registry_errors else "")
        gr = GroupResource(RBAC_GROUP, resource)
        return RoleResolutionError(f'{gr} "{name}" not found', gr, name)

    def role_reference_rules(
        self, role_ref: Mapping[str, Any], namespace: str
    ) -> list[Mapping[str, Any]]:
        """The rules of the role a binding references (`GetRoleReferenceRules`).

        Raises:
            RoleResolutionError: the role does not exist or the kind is unsupported.
        """
        kind, name = role_ref.get("kind", ""), role_ref.get("name", "")
        if kind == "Role":
            role = self.source.role(namespace, name) if namespace else None
        elif kind == "ClusterRole":
            role = self.source.cluster_role(name)
        else:
            raise RoleResolutionError(f"unsupported role reference kind: {go_quote(kind)}")
        if role is None:
            raise self._missing(kind, name)
        return list(role.get("rules") or ())

    def entries(self, user: UserInfo, namespace: str) -> list[Entry]:
        """Every rule (and resolution error) that applies to the user, in evaluation order."""
        out = self._binding_entries(user, self.source.cluster_role_bindings(), "")
        if namespace:
            out += self._binding_entries(user, self.source.role_bindings(namespace), namespace)
        return out

    def _binding_entries(
        self, user: UserInfo, bindings: Iterable[Mapping[str, Any]], namespace: str
    ) -> list[Entry]:
        out: list[Entry] = []
        for binding in bindings:
            subject = applies_to(user, binding.get("subjects") or (), namespace)
            if subject is None:
                continue
            try:
                rules = self.role_reference_rules(binding.get("roleRef") or {}, namespace)
            except RoleResolutionError as err:
                out.append(Entry(error=err.message))
                continue
            source = _describe_binding(binding, subject, namespace)
            out.extend(Entry(source, rule, CompiledRule.of(rule)) for rule in rules)
        return out

    def rules_for(
        self, user: UserInfo, namespace: str
    ) -> tuple[list[Mapping[str, Any]], list[str]]:
        """All applicable rules and the resolution errors met (`RulesFor`)."""
        entries = self.entries(user, namespace)
        rules = [e.rule for e in entries if e.rule is not None]
        return rules, [e.error for e in entries if e.error]


def is_node_user(user: UserInfo) -> bool:
    """Whether the Node authorizer treats the user as a kubelet (`NodeIdentity`)."""
    return user.name.startswith(NODE_USER_PREFIX) and NODES_GROUP in user.groups


def _split_rule(rule: Mapping[str, Any], resource: bool) -> dict[str, Any]:
    keys = ("apiGroups", "resources", "resourceNames") if resource else ("nonResourceURLs",)
    out: dict[str, Any] = {"verbs": rule.get("verbs")}
    out.update({key: list(rule[key]) for key in keys if rule.get(key)})
    return out


class Authorizer:
    """The authorizer chain: the privileged group first, then RBAC.

    Applicable rules are cached per (user, groups, namespace) and dropped whenever the
    source's generation moves, so a steady-state request costs one dictionary lookup plus
    the rule scan.
    """

    def __init__(self, source: RBACSource, *, node_authorizer: bool = True) -> None:
        self.source = source
        self.node_authorizer = node_authorizer
        self._resolver = RuleResolver(source)
        self._cache: dict[tuple[str, tuple[str, ...], str], list[Entry]] = {}
        self._generation = source.generation

    def authorize(self, attrs: Attributes) -> Decision:
        """Decide one request as the real union authorizer does."""
        if MASTERS in attrs.user.groups:
            return Decision(True)
        return self.rbac_authorize(attrs)

    def rbac_authorize(self, attrs: Attributes) -> Decision:
        """The RBAC authorizer alone (allow, or no opinion with resolution errors as reason)."""
        errors: list[str] = []
        for entry in self._entries(attrs.user, attrs.namespace):
            if entry.compiled is not None and entry.compiled.allows(attrs):
                return Decision(True, f"RBAC: allowed by {entry.source}")
            if entry.error:
                errors.append(entry.error)
        return Decision(False, f"RBAC: {aggregate_errors(errors)}" if errors else "")

    def rules_for(self, user: UserInfo, namespace: str) -> RulesResult:
        """The rules the chain can enumerate for SelfSubjectRulesReview.

        The privileged-group authorizer enumerates nothing (masters see what their RBAC
        bindings grant); the Node authorizer marks kubelet identities incomplete.
        """
        errors: list[str] = []
        incomplete = False
        if self.node_authorizer and is_node_user(user):
            incomplete = True
            errors.append(NODE_RULES_ERROR)
        entries = self._entries(user, namespace)
        errors += [e.error for e in entries if e.error]
        rules = [e.rule for e in entries if e.rule is not None]
        return RulesResult(
            [_split_rule(r, True) for r in rules if r.get("resources")],
            [_split_rule(r, False) for r in rules if r.get("nonResourceURLs")],
            incomplete,
            aggregate_errors(errors),
        )

    def _entries(self, user: UserInfo, namespace: str) -> list[Entry]:
        generation = self.source.generation
        if generation != self._generation or len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
            self._generation = generation
        key = (user.name, tuple(user.groups), namespace)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._resolver.entries(user, namespace)
        return found


def _forbidden_message(attrs: Attributes) -> str:
    user = go_quote(attrs.user.name)
    if not attrs.resource_request:
        return f"User {user} cannot {attrs.verb} path {go_quote(attrs.path)}"
    resource = attrs.resource
    if attrs.subresource:
        resource += "/" + attrs.subresource
    prefix = f"User {user} cannot {attrs.verb} resource {go_quote(resource)}"
    prefix += f" in API group {go_quote(attrs.api_group)}"
    if attrs.namespace:
        return f"{prefix} in the namespace {go_quote(attrs.namespace)}"
    return f"{prefix} at the cluster scope"


def forbidden_error(attrs: Attributes, decision: Decision) -> StatusError:
    """The 403 the authorization filter writes for a request the chain did not allow."""
    message = _forbidden_message(attrs).translate(_SANITIZE)
    if decision.reason:
        message = f"{message}: {decision.reason}"
    if not attrs.resource_request:
        return status.forbidden(GroupResource("", ""), "", message)
    return status.forbidden(GroupResource(attrs.api_group, attrs.resource), attrs.name, message)
