"""The RBAC engine: access decisions, who-can and effective permissions from one snapshot.

Decisions follow the API server's RBAC authorizer: ClusterRoleBindings first, then the
RoleBindings of the request's namespace (a RoleBinding to a ClusterRole grants its rules in
that namespace only); the first rule that allows wins; there is no deny. Members of
``system:masters`` are allowed everything before RBAC is consulted. No API call is made: all
answers come from the snapshot.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from kubeconnector.rbac.index import RbacIndex, RuleRef
from kubeconnector.rbac.model import BindingObject, RoleKey
from kubeconnector.rbac.resources import ResourceSpec, is_cluster_scoped, parse_resource
from kubeconnector.rbac.results import (
    GROUP_MEMBERS,
    OTHER_AUTHORIZERS,
    SYSTEM_MASTERS,
    UNKNOWN_GROUPS,
    UNRESOLVED_ROLES,
    EffectivePermissions,
    Grant,
    WhoCanEntry,
    WhoCanResult,
)
from kubeconnector.rbac.rules import (
    NonResourceRequest,
    PolicyRule,
    Request,
    ResourceRequest,
    name_matches,
    rule_allows,
)
from kubeconnector.rbac.snapshot import RbacSnapshot
from kubeconnector.rbac.subjects import (
    GROUP,
    SERVICE_ACCOUNT,
    USER,
    Identity,
    Subject,
    implicit_groups,
)

_KIND_ORDER = {USER: 0, SERVICE_ACCOUNT: 1, GROUP: 2}


def _as_identity(who: Identity | Subject | str) -> Identity:
    return who if isinstance(who, Identity) else Identity.of(who)


def _as_subject(who: Subject | str) -> Subject:
    return who if isinstance(who, Subject) else Subject.parse(who)


class RbacEngine:
    """Answers RBAC questions about one snapshot.

    Args:
        snapshot: The cluster's RBAC objects.
    """

    def __init__(self, snapshot: RbacSnapshot) -> None:
        self.snapshot = snapshot
        self.index = RbacIndex.build(snapshot)
        self._missing_roles = [k for k in self.index.by_role if snapshot.role(k) is None]

    # -- decisions -------------------------------------------------------------------------

    def allowed(
        self,
        who: Identity | Subject | str,
        verb: str,
        group: str,
        resource: str,
        subresource: str = "",
        namespace: str = "",
        name: str = "",
    ) -> bool:
        """Whether RBAC (with ``system:masters``) allows a resource request.

        Agrees with the API server's SubjectAccessReview for the same user and groups.

        Args:
            who: An identity, a subject, or a subject string such as ``user:alice``.
            verb: The request verb.
            group: The API group (``""`` for core).
            resource: The plural resource.
            subresource: The subresource, if any.
            namespace: The request namespace (``""``: cluster-scoped or all namespaces).
            name: The object name (``""``: none).
        """
        identity = _as_identity(who)
        request = ResourceRequest(verb, group, resource, subresource, namespace, name)
        return identity.is_master or self.decide(identity, request) is not None

    def allowed_url(self, who: Identity | Subject | str, verb: str, path: str) -> bool:
        """Whether RBAC (with ``system:masters``) allows a non-resource request."""
        identity = _as_identity(who)
        return (
            identity.is_master or self.decide(identity, NonResourceRequest(verb, path)) is not None
        )

    def decide(self, who: Identity | Subject | str, request: Request) -> Grant | None:
        """The first grant that allows the request, in the authorizer's order (None: denied).

        ``system:masters`` is not a grant: check `Identity.is_master` separately.
        """
        identity = _as_identity(who)
        namespace = request.namespace if isinstance(request, ResourceRequest) else ""
        for binding, subject in self._bindings_for(identity, namespace):
            grant = self._first_allowing(binding, subject, request)
            if grant is not None:
                return grant
        return None

    def _bindings_for(
        self, identity: Identity, namespace: str
    ) -> Iterator[tuple[BindingObject, Subject]]:
        keys = identity.subject_keys()
        for key in keys:
            for binding in self.index.cluster_by_subject.get(key, ()):
                yield binding, key
        if namespace:
            for key in keys:
                for binding in self.index.namespaced_by_subject.get((key, namespace), ()):
                    yield binding, key

    def _first_allowing(
        self, binding: BindingObject, subject: Subject, request: Request
    ) -> Grant | None:
        role = self.snapshot.role(binding.role)
        if role is None:
            return None
        for position, rule in enumerate(role.rules):
            if rule_allows(rule, request):
                return Grant(binding, role.key, rule, position, subject)
        return None

    # -- who can ---------------------------------------------------------------------------

    def who_can(
        self,
        verb: str,
        resource: str,
        group: str | None = None,
        namespace: str = "",
        name: str = "",
    ) -> WhoCanResult:
        """Every subject RBAC allows to perform a request, each with its provenance.

        Args:
            verb: e.g. ``get``, ``create``, ``impersonate``.
            resource: ``secrets``, ``deployments.apps``, ``pods/exec``, ``deploy``, a
                ``<plural>.<group>`` for other resources, or a non-resource URL (``/healthz``).
            group: The API group, overriding the inferred one.
            namespace: ``""`` for a cluster-wide request (ClusterRoleBindings only), a
                namespace, or ``"*"`` for "in at least one namespace". Ignored for
                cluster-scoped resources, whose requests carry no namespace.
            name: The object name (``""``: a request without a name).

        Raises:
            InvalidInput: the resource's group cannot be inferred.
        """
        spec = parse_resource(resource, group)
        refs = self._matching_rules(spec, verb, name)
        hits: dict[RoleKey, list[int]] = defaultdict(list)
        for key, position in sorted(refs):
            hits[key].append(position)
        scope = _request_namespace(spec, namespace, name)
        entries, ignored = self._collect(hits, scope)
        caveats = [SYSTEM_MASTERS, OTHER_AUTHORIZERS]
        if any(e.members_unknown for e in entries):
            caveats.insert(0, GROUP_MEMBERS)
        unresolved = self._unresolved(scope)
        if unresolved:
            caveats.insert(0, UNRESOLVED_ROLES)
        return WhoCanResult(
            verb, str(spec), spec.group, scope, name, entries, tuple(caveats), unresolved, ignored
        )

    def _matching_rules(self, spec: ResourceSpec, verb: str, name: str) -> list[RuleRef]:
        if spec.path:
            request = NonResourceRequest(verb, spec.path)
            return [ref for ref in self.index.url_rules if rule_allows(self._rule(ref), request)]
        refs = self.index.candidates(spec.group, spec.resource, spec.subresource, verb)
        return [ref for ref in refs if name_matches(self._rule(ref), name)]

    def _rule(self, ref: RuleRef) -> PolicyRule:
        return self.snapshot.roles[ref[0]].rules[ref[1]]

    def _collect(
        self, hits: dict[RoleKey, list[int]], namespace: str
    ) -> tuple[tuple[WhoCanEntry, ...], tuple[str, ...]]:
        grants: dict[Subject, list[Grant]] = defaultdict(list)
        ignored: set[str] = set()
        for key, positions in hits.items():
            role = self.snapshot.roles[key]
            for binding in self.index.bindings_of_role(key, namespace):
                for subject in dict.fromkeys(binding.subjects):
                    if subject.kind == SERVICE_ACCOUNT and not subject.namespace:
                        ignored.add(f"{binding.label}: ServiceAccount {subject.name!r}")
                        continue
                    grants[subject].extend(
                        Grant(binding, key, role.rules[p], p, subject) for p in positions
                    )
        entries = sorted(
            (WhoCanEntry(s, tuple(g)) for s, g in grants.items()), key=lambda e: _order(e.subject)
        )
        return tuple(entries), tuple(sorted(ignored))

    def _unresolved(self, namespace: str) -> tuple[str, ...]:
        found = {
            b.label
            for key in self._missing_roles
            for b in self.index.bindings_of_role(key, namespace)
        }
        return tuple(sorted(found))

    # -- effective permissions -------------------------------------------------------------

    def permissions(
        self, who: Subject | str, extra_groups: Iterable[str] = ()
    ) -> EffectivePermissions:
        """Everything RBAC grants a subject, with the groups it implicitly has.

        Args:
            who: ``serviceaccount:<ns>:<name>``, ``user:<name>``, ``group:<name>`` or a Subject.
            extra_groups: Groups a user is known to be in besides the implicit ones.
        """
        subject = _as_subject(who)
        identity = Identity.of(subject, extra_groups)
        cluster: list[Grant] = []
        namespaces: dict[str, list[Grant]] = defaultdict(list)
        unresolved: set[str] = set()
        for binding, via in self._all_bindings_for(identity):
            grants = self._all_grants(binding, via)
            if grants is None:
                unresolved.add(binding.label)
                continue
            (namespaces[binding.namespace] if binding.namespace else cluster).extend(grants)
        return EffectivePermissions(
            subject=subject,
            groups=tuple(sorted(identity.groups)),
            implicit_groups=implicit_groups(subject),
            cluster_wide=tuple(cluster),
            namespaces={ns: tuple(g) for ns, g in sorted(namespaces.items())},
            is_master=identity.is_master,
            caveats=_permission_caveats(subject, identity, unresolved),
            unresolved=tuple(sorted(unresolved)),
        )

    def _all_bindings_for(self, identity: Identity) -> Iterator[tuple[BindingObject, Subject]]:
        seen: set[int] = set()
        for key in identity.subject_keys():
            for binding in self.index.by_subject.get(key, ()):
                if id(binding) not in seen:
                    seen.add(id(binding))
                    yield binding, key

    def _all_grants(self, binding: BindingObject, via: Subject) -> list[Grant] | None:
        role = self.snapshot.role(binding.role)
        if role is None:
            return None
        return [Grant(binding, role.key, r, i, via) for i, r in enumerate(role.rules)]


def _permission_caveats(
    subject: Subject, identity: Identity, unresolved: set[str]
) -> tuple[str, ...]:
    caveats = []
    if unresolved:
        caveats.append(UNRESOLVED_ROLES)
    if subject.kind == USER:
        caveats.append(UNKNOWN_GROUPS)
    if identity.is_master:
        caveats.append(SYSTEM_MASTERS)
    caveats.append(OTHER_AUTHORIZERS)
    return tuple(caveats)


def _request_namespace(spec: ResourceSpec, namespace: str, name: str) -> str:
    """The namespace the API server would put on the request.

    Non-resource and cluster-scoped requests carry none, whatever was asked; a request for one
    Namespace object carries that namespace (so a RoleBinding in it can grant ``get`` on it).
    """
    if spec.path:
        return ""
    if (spec.group, spec.resource) == ("", "namespaces"):
        return name
    return "" if is_cluster_scoped(spec.group, spec.resource) else namespace


def _order(subject: Subject) -> tuple[int, str, str]:
    return (_KIND_ORDER.get(subject.kind, 3), subject.namespace, subject.name)
