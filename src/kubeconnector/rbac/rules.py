"""PolicyRule matching exactly as the Kubernetes RBAC authorizer does it.

The functions mirror the API server's evaluation helpers: a verb, API group, resource and name
must each be matched by the rule (``*`` matches anything; ``*/<sub>`` matches that subresource
of any resource; ``deployments`` does not match ``deployments/scale``), and a rule carrying
``resourceNames`` never matches a request without a name (create, list, watch,
deletecollection). Non-resource requests match ``nonResourceURLs`` exactly, through ``*``, or
through a prefix pattern ending in ``*``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

ALL = "*"
# Verbs whose requests carry no object name, so resourceNames can never match them.
NAMELESS_VERBS = frozenset({"create", "list", "watch", "deletecollection"})


def _strings(raw: Mapping[str, Any], key: str) -> tuple[str, ...]:
    values = raw.get(key) or ()
    return tuple(str(v) for v in values)


@dataclass(frozen=True, slots=True)
class PolicyRule:
    """One RBAC rule (a role's ``rules[i]`` or a rules review entry).

    Attributes:
        verbs: e.g. ``("get", "list")`` or ``("*",)``.
        api_groups: ``""`` is the core group.
        resources: ``pods``, ``pods/exec``, ``*/scale`` or ``*``.
        resource_names: When set, the rule only covers requests naming one of them.
        non_resource_urls: ``/healthz``, ``/healthz/*`` or ``*``.
    """

    verbs: tuple[str, ...] = ()
    api_groups: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    resource_names: tuple[str, ...] = ()
    non_resource_urls: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> PolicyRule:
        """A rule from its wire form; absent or null lists are empty."""
        return cls(
            verbs=_strings(raw, "verbs"),
            api_groups=_strings(raw, "apiGroups"),
            resources=_strings(raw, "resources"),
            resource_names=_strings(raw, "resourceNames"),
            non_resource_urls=_strings(raw, "nonResourceURLs"),
        )

    def to_dict(self) -> dict[str, list[str]]:
        """The wire form, leaving out empty lists."""
        out: dict[str, list[str]] = {}
        if self.resources or self.api_groups:
            out["apiGroups"] = list(self.api_groups)
        pairs = (
            ("resources", self.resources),
            ("resourceNames", self.resource_names),
            ("nonResourceURLs", self.non_resource_urls),
        )
        out.update((key, list(values)) for key, values in pairs if values)
        out["verbs"] = list(self.verbs)
        return out

    @property
    def is_resource_rule(self) -> bool:
        """It names resources (as opposed to non-resource URLs)."""
        return bool(self.resources)

    def __str__(self) -> str:
        verbs = ",".join(self.verbs)
        if not self.is_resource_rule:
            return f"{verbs} {','.join(self.non_resource_urls)}"
        groups = ",".join(g or "core" for g in self.api_groups)
        text = f"{verbs} {','.join(self.resources)} [{groups}]"
        if self.resource_names:
            text += f" names={','.join(self.resource_names)}"
        return text


@dataclass(frozen=True, slots=True)
class ResourceRequest:
    """The attributes of a resource request, as a SubjectAccessReview carries them.

    Attributes:
        verb: get, list, watch, create, update, patch, delete, deletecollection, or a special
            verb (impersonate, bind, escalate, approve, use, ...).
        group: The API group (``""`` for core).
        resource: The plural resource, e.g. ``pods``.
        subresource: e.g. ``exec`` (``""`` for none).
        namespace: ``""`` for cluster-scoped requests and requests across all namespaces.
        name: ``""`` when the request names no object.
    """

    verb: str
    group: str
    resource: str
    subresource: str = ""
    namespace: str = ""
    name: str = ""

    @property
    def combined_resource(self) -> str:
        """``resource/subresource``, or just ``resource``."""
        return f"{self.resource}/{self.subresource}" if self.subresource else self.resource


@dataclass(frozen=True, slots=True)
class NonResourceRequest:
    """A request for a non-resource URL such as ``/healthz`` (verb is the lowercase method)."""

    verb: str
    path: str


Request = ResourceRequest | NonResourceRequest


def verb_matches(rule: PolicyRule, verb: str) -> bool:
    """The rule lists ``*`` or the verb."""
    return ALL in rule.verbs or verb in rule.verbs


def group_matches(rule: PolicyRule, group: str) -> bool:
    """The rule lists ``*`` or the API group."""
    return ALL in rule.api_groups or group in rule.api_groups


def resource_matches(rule: PolicyRule, combined: str, subresource: str) -> bool:
    """The rule lists ``*``, the exact ``resource[/subresource]``, or ``*/<subresource>``."""
    for item in rule.resources:
        if item in (ALL, combined):
            return True
        if subresource and item == f"*/{subresource}":
            return True
    return False


def name_matches(rule: PolicyRule, name: str) -> bool:
    """The rule has no resourceNames, or lists the name (an empty name matches none)."""
    return not rule.resource_names or name in rule.resource_names


def url_matches(rule: PolicyRule, path: str) -> bool:
    """The rule lists ``*``, the path, or a ``prefix*`` pattern the path starts with."""
    for item in rule.non_resource_urls:
        if item in (ALL, path):
            return True
        if item.endswith(ALL) and path.startswith(item.rstrip(ALL)):
            return True
    return False


def rule_allows(rule: PolicyRule, request: Request) -> bool:
    """Whether one rule allows the request (the authorizer's RuleAllows)."""
    if not verb_matches(rule, request.verb):
        return False
    if isinstance(request, NonResourceRequest):
        return url_matches(rule, request.path)
    return (
        group_matches(rule, request.group)
        and resource_matches(rule, request.combined_resource, request.subresource)
        and name_matches(rule, request.name)
    )


def rules_allow(rules: Iterable[PolicyRule], request: Request) -> bool:
    """Whether any of the rules allows the request."""
    return any(rule_allows(rule, request) for rule in rules)


def rule_covers(rule: PolicyRule, verb: str, group: str, resource: str) -> bool:
    """Whether the rule grants ``verb`` on ``resource[/sub]`` for at least some object names.

    Unlike `rule_allows` this ignores which names a ``resourceNames`` rule lists, except that
    such a rule never covers a verb whose requests carry no name.
    """
    base, _, sub = resource.partition("/")
    if rule.resource_names and verb in NAMELESS_VERBS:
        return False
    return (
        verb_matches(rule, verb)
        and group_matches(rule, group)
        and resource_matches(rule, resource if sub else base, sub)
    )
